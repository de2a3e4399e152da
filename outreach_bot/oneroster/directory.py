"""Importing a OneRoster export: read every file, check links, apply, then upsert the roster.

The whole export is one unit: nothing is written unless every file reads cleanly, or
`skip_bad_rows` is given, and a file that cannot be read at all stops the import even then
(a bulk file read as empty would withdraw every student). The caller commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_kinds import KINDS
from outreach_bot.attendance.csv_reader import CsvTable
from outreach_bot.attendance.import_report import RowError
from outreach_bot.oneroster import layouts
from outreach_bot.oneroster.copied import copy_export
from outreach_bot.oneroster.guardians import remove_guardians
from outreach_bot.oneroster.layouts import FAMILY, STUDENT
from outreach_bot.oneroster.manifest import (
    ABSENT,
    DELTA,
    FILES,
    Export,
    ExportError,
    Manifest,
    missing_files,
    open_export,
    read_manifest,
)
from outreach_bot.oneroster.records import ACTIVE, DELETED, Field, FileRead, Record, read_file
from outreach_bot.oneroster.references import check_links, unknown_links
from outreach_bot.oneroster.report import ExportReport
from outreach_bot.oneroster.roster import (
    RosterRows,
    RosterView,
    guardian_rows,
    school_row,
    student_row,
)
from outreach_bot.oneroster.store import (
    DeletedOn,
    Merge,
    Records,
    load_records,
    merge,
    save_records,
)
from outreach_bot.oneroster.writes import write_rows

log = logging.getLogger(__name__)
_KEPT_ROLES = FAMILY | {STUDENT}
_LAYOUTS: dict[str, tuple[Field, ...]] = {
    "orgs": layouts.ORGS,
    "academicSessions": layouts.ACADEMIC_SESSIONS,
    "roles": layouts.ROLES,
    "enrollments": layouts.ENROLLMENTS,
    "demographics": layouts.DEMOGRAPHICS,
}


def import_export(
    session: Session,
    path: Path | str,
    *,
    zone: ZoneInfo,
    today: date,
    default_language: str = "en",
    language_column: str = "metadata.language",
    skip_bad_rows: bool = False,
    row_by_row: bool = False,
) -> ExportReport:
    """Import a OneRoster directory or .zip through the caller's session; the caller commits.

    A plainly good bulk export on PostgreSQL goes by COPY (`copied`), unless `row_by_row`;
    any other, or one that turns out not plainly good, is read row by row.
    """
    path = Path(path)
    report = ExportReport(path.name)
    try:
        export = open_export(path)
    except ExportError as error:
        return report.reject(error.errors)
    try:
        manifest = read_manifest(export)
        report.version = manifest.version
        missing = missing_files(export, manifest)
        if missing:
            return report.reject(missing)
        if not row_by_row and copy_export(
            session,
            export,
            manifest,
            report,
            zone=zone,
            today=today,
            default_language=default_language,
            language_column=language_column,
        ):
            report.modes = {
                f"{name}.csv": manifest.mode(name, True)
                for name in FILES
                if export.has(f"{name}.csv") and manifest.mode(name, True) != ABSENT
            }
            _log(report)
            return report
        stored = load_records(session)
        reads = _read_files(export, manifest, stored, language_column)
    except ExportError as error:
        return report.reject(error.errors)
    finally:
        export.close()
    report.modes = {f"{name}.csv": manifest.mode(name, True) for name in reads}
    # Links are checked only between readable files: a file read as empty breaks them all.
    unreadable = any(read.unreadable for read in reads.values())
    if not unreadable:
        check_links(stored, reads)
    for read in reads.values():
        report.errors.extend(read.errors)
    report.bad_rows = len({(e.file, e.line) for e in report.errors if e.line and e.line > 1})
    if unreadable or (report.errors and not skip_bad_rows):
        report.rejected = True
        return report
    deleted_on = DeletedOn(zone, today)
    merges = {
        name: merge(stored.get(name, {}), read.records, _mode(manifest, read), deleted_on, read.bad)
        for name, read in reads.items()
    }
    report.older = sum(len(result.older) for result in merges.values())
    after: Records = {name: dict(stored.get(name, {})) for name in FILES}
    after.update({name: result.after for name, result in merges.items()})
    rows = _roster_rows(report, stored, after, merges, default_language)
    # No foreign key checks a student's school or a guardian's student (migration 0019):
    # a row whose school or student will not be on record is refused here, before anything
    # is written.
    users = reads.get("users")
    unknown = unknown_links(session, rows, users.positions if users else {})
    if unknown:
        report.errors.extend(unknown)
        report.bad_rows = len({(e.file, e.line) for e in report.errors if e.line and e.line > 1})
        if not skip_bad_rows:
            report.rejected = True
            return report
    save_records(session, merges)
    _write(session, report, rows)
    _log(report)
    return report


def _log(report: ExportReport) -> None:
    log.info(
        "imported OneRoster export: %d students, %d guardians changed, %d withdrawn",
        report.roster["students"].created + report.roster["students"].updated,
        report.roster["guardians"].created + report.roster["guardians"].updated,
        report.withdrawn,
    )


def _mode(manifest: Manifest, read: FileRead) -> str:
    """A file's mode; a bulk file with a skipped row of unknown sourcedId deletes nothing,
    since that row may be any record."""
    mode = manifest.mode(read.name.removesuffix(".csv"), True)
    return DELTA if read.unplaced else mode


def _read_files(
    export: Export, manifest: Manifest, stored: Records, language_column: str
) -> dict[str, FileRead]:
    reads: dict[str, FileRead] = {}
    role_of = {
        role.data["user"]: role.data["role"]
        for role in sorted(
            stored.get("roles", {}).values(), key=lambda r: r.data.get("type") == "primary"
        )
        if role.status == ACTIVE
    }
    for name in FILES:
        file_name = f"{name}.csv"
        if not export.has(file_name) or manifest.mode(name, True) == ABSENT:
            continue
        opened = partial(export.table, file_name)
        if name == "users":
            reads[name] = _read_users(opened, stored, role_of, language_column, "roles" in reads)
            continue
        wanted = _WANTED.get(name)
        reads[name] = read_file(opened, file_name, _LAYOUTS[name], wanted, stored=stored.get(name))
        if name == "roles":
            # A primary role wins over a secondary one, as the specification says.
            ranked = sorted(reads[name].records, key=lambda r: r.data.get("type") == "primary")
            role_of.update((r.data["user"], r.data["role"]) for r in ranked if r.status == ACTIVE)
    return reads


def _read_users(
    opened: Callable[[], CsvTable],
    stored: Records,
    role_of: dict[str, str],
    language_column: str,
    has_roles: bool,
) -> FileRead:
    def wanted(cells: Mapping[str, str]) -> bool:
        role = cells.get("role", "").strip().casefold() or role_of.get(
            cells.get("sourcedid", "").strip()
        )
        if role:
            return role in _KEPT_ROLES
        # A deletion may leave the role blank; it matters only for a user we have.
        return cells.get("status", "").strip().casefold() == DELETED

    def finish(record: Record) -> None:
        role = record.data.setdefault("role", role_of.get(record.sourced_id))
        if role is None:
            del record.data["role"]

    fields = layouts.users(language_column)
    read = read_file(opened, "users.csv", fields, wanted, stored=stored.get("users"), finish=finish)
    if read.positions and "role" not in read.positions and not (has_roles or stored.get("roles")):
        read.unreadable = True
        read.errors.append(
            RowError(
                "users.csv",
                1,
                "role",
                "the header has no role column and the export has no roles.csv; expected one"
                " of them (OneRoster 1.1 gives roles in users.csv, 1.2 in roles.csv)",
            )
        )
    return read


_WANTED = {
    "orgs": None,
    "roles": lambda cells: cells.get("role", "").strip().casefold() in _KEPT_ROLES,
    "enrollments": lambda cells: cells.get("role", "").strip().casefold() == STUDENT,
}


def _roster_rows(
    report: ExportReport,
    before: Records,
    after: Records,
    merges: dict[str, Merge],
    default_language: str,
) -> RosterRows:
    """The roster rows the changed records make, and the guardians gone."""
    old, new = RosterView(_full(before)), RosterView(after)
    # Every record the export carries, changed or not, so that the counts say what it holds.
    changed = {name: result.changed | set(result.seen) for name, result in merges.items()}
    rows = RosterRows()
    for sourced_id in changed.get("orgs", ()):
        org = new.school(sourced_id)
        if org and org.status == ACTIVE:
            row = school_row(org)
            rows.schools[(row["id"],)] = row
    for sourced_id in _students_touched(old, new, changed):
        pupil = new.student(sourced_id)
        student = student_row(new, pupil) if pupil else None
        if pupil and student:
            rows.students[(student["id"],)] = student
            rows.made_by[("students", student["id"])] = pupil
    report.withdrawn = len(
        [s for s in merges["users"].deleted if new.student(s)] if "users" in merges else []
    )
    for sourced_id in changed.get("users", ()):
        user = after["users"].get(sourced_id)  # None: a bad row, never imported
        now = guardian_rows(new, user, default_language) if user else {}
        previous = before.get("users", {}).get(sourced_id)
        was = guardian_rows(old, previous, default_language) if previous else {}
        if previous is not None and previous.status == DELETED:
            # Back after a removal, which kept them without consent if they had history.
            for row in now.values():
                row["sms_consent"] = True
        rows.guardians.update(now)
        if user is not None:
            rows.made_by.update((("guardians", key), user) for key in now)
        rows.gone |= was.keys() - now.keys()
    return rows


def _write(session: Session, report: ExportReport, rows: RosterRows) -> None:
    """Upsert the roster rows, and remove the guardians gone."""
    write_rows(session, KINDS["schools"], rows.schools, report.roster["schools"])
    write_rows(session, KINDS["students"], rows.students, report.roster["students"])
    write_rows(session, KINDS["guardians"], rows.guardians, report.roster["guardians"])
    report.guardians_removed, report.guardians_kept = remove_guardians(
        session, rows.gone - rows.guardians.keys()
    )


def _full(records: Records) -> Records:
    return {name: dict(records.get(name, {})) for name in FILES}


def _students_touched(old: RosterView, new: RosterView, changed: dict[str, set[str]]) -> set[str]:
    """Students whose row may change: their user, enrollments or demographics changed."""
    if changed.get("academicSessions"):
        return set(new.records["users"])  # a new school year changes which enrollments count
    touched = set(changed.get("users", ())) | set(changed.get("demographics", ()))
    for sourced_id in changed.get("enrollments", ()):
        for view in (old, new):
            enrollment: Record | None = view.records["enrollments"].get(sourced_id)
            if enrollment and "user" in enrollment.data:
                touched.add(enrollment.data["user"])
    return touched
