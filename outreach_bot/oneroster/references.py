"""Checking that what an export's records point at exists: schools, students, phones.

Each check places its problem on the record's line, and drops the record, so that a
directory imported with --skip-bad-rows keeps only records whose links hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from outreach_bot.attendance.csv_fields import shown
from outreach_bot.attendance.csv_reader import column_name
from outreach_bot.attendance.import_report import RowError
from outreach_bot.models import School, Student
from outreach_bot.oneroster.layouts import FAMILY, STUDENT
from outreach_bot.oneroster.records import ACTIVE, FileRead, Record
from outreach_bot.oneroster.roster import RosterRows, RosterView, local_id
from outreach_bot.oneroster.store import Records

_CHUNK = 10_000  # ids looked up a query at a time


def combined(stored: Records, reads: dict[str, FileRead]) -> Records:
    """The stored records with this export's active ones on top, to look links up in."""
    records: Records = {name: dict(by_id) for name, by_id in stored.items()}
    for name, read in reads.items():
        on_top = records.setdefault(name, {})
        for record in read.records:
            if record.status == ACTIVE or record.sourced_id not in on_top:
                on_top[record.sourced_id] = record
    return records


def check_links(stored: Records, reads: dict[str, FileRead]) -> None:
    """Drop, and report, each record whose links do not hold; enrollments first."""
    for name, check in (("enrollments", _enrollment), ("users", _user)):
        if name in reads:
            view = RosterView(combined(stored, reads))
            read = reads[name]
            kept = []
            for record in read.records:
                if record.status != ACTIVE or check(view, read, record, reads):
                    kept.append(record)
                else:
                    read.dropped(record)
            read.records = kept
    if "users" in reads:
        _phones_once(combined(stored, reads), reads["users"])
    for name, kind in (("orgs", "school"), ("users", "student")):
        if name in reads:
            _ids_once(stored, combined(stored, reads), reads[name], kind)


def unknown_links(
    session: Session, rows: RosterRows, positions: Mapping[str, int]
) -> list[RowError]:
    """Each student row whose school, and each guardian row whose student, will not be on
    record once the rows are written, placed on the users.csv line it came from and left out
    of `rows`.

    No foreign key checks these (migration 0019), and the checks above can pass them: a
    school or a student the export lists only as tobedeleted, never imported, is still found
    by `RosterView`, but gets no row of its own."""
    errors = []
    schools = _known(session, School.id, {row["school_id"] for row in rows.students.values()})
    schools |= {key[0] for key in rows.schools}
    for key, row in list(rows.students.items()):
        if row["school_id"] not in schools:
            del rows.students[key]
            errors.append(
                _placed(
                    rows.made_by[("students", row["id"])],
                    "orgSourcedIds",
                    positions,
                    f"{shown(row['school_id'])} is the student's school, but is not a school"
                    " here: orgs.csv lists it only as tobedeleted, and it was never imported;"
                    " expected an enrollment at an active school, or one among orgSourcedIds",
                )
            )
    students = _known(session, Student.id, {row["student_id"] for row in rows.guardians.values()})
    students |= {key[0] for key in rows.students}
    for key, row in list(rows.guardians.items()):
        if row["student_id"] not in students:
            del rows.guardians[key]
            errors.append(
                _placed(
                    rows.made_by[("guardians", key)],
                    "agentSourcedIds",
                    positions,
                    f"{shown(row['student_id'])} is not a student here: the student was never"
                    " imported (listed only as tobedeleted, or with no school); expected the"
                    " sourcedIds of their students, separated by commas",
                )
            )
    return sorted(errors, key=lambda error: error.line or 0)


def _known(session: Session, column: InstrumentedAttribute[str], ids: Iterable[str]) -> set[str]:
    """Those of the ids stored in the column."""
    wanted, found = sorted(ids), set[str]()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _placed(record: Record, name: str, positions: Mapping[str, int], problem: str) -> RowError:
    return RowError("users.csv", record.line, name, problem, positions.get(column_name(name)))


def _enrollment(
    view: RosterView, read: FileRead, record: Record, reads: dict[str, FileRead]
) -> bool:
    user, school = record.data["user"], record.data["school"]
    links = (
        ("userSourcedId", view.student(user), "users", user, "student", "a user"),
        ("schoolSourcedId", view.school(school), "orgs", school, "school", "an org"),
    )
    good = True
    for column, found, file, sourced_id, kind, holder in links:
        if found is None:
            unknown = _unknown(reads, file, sourced_id, f"a {kind}")
            role = "role" if kind == "student" else "type"
            read.place(
                record,
                column,
                f"{unknown}; expected the sourcedId of {holder} whose {role} is {kind}",
            )
            good = False
    return good


def _user(view: RosterView, read: FileRead, record: Record, reads: dict[str, FileRead]) -> bool:
    data = record.data
    if data.get("role") == STUDENT:
        if "grade" not in data:
            read.place(record, "grades", "'' is empty; expected a grade such as 03, KG or PK")
            return False
        if not view.current_enrollments(record.sourced_id) and view.home_school(record) is None:
            read.place(
                record,
                "orgSourcedIds",
                "the student has no school: no enrollment in enrollments.csv at a school in"
                " orgs.csv, and no school among orgSourcedIds; expected the sourcedId of an org"
                " whose type is school",
            )
            return False
    elif data.get("role") in FAMILY:
        if not (data.get("sms") or data.get("phone")):
            read.place(
                record, "sms", "'' is empty, and so is phone; expected the guardian's mobile number"
            )
            return False
        agents = data.get("agents", [])
        unknown = [agent for agent in agents if view.student(agent) is None]
        expected = "expected the sourcedIds of their students, separated by commas"
        if not agents:
            read.place(
                record, "agentSourcedIds", f"the guardian is linked to no student; {expected}"
            )
            return False
        if unknown:
            found = "; ".join(_unknown(reads, "users", agent, "a student") for agent in unknown)
            read.place(record, "agentSourcedIds", f"{found}; {expected}")
            return False
    return True


def _unknown(reads: dict[str, FileRead], name: str, sourced_id: str, what: str) -> str:
    """Why a link does not hold: no such record, or one whose own line has errors."""
    read = reads.get(name)
    if read is not None and sourced_id in read.bad:
        return (
            f"{shown(sourced_id)} is on line {read.bad[sourced_id]} of {name}.csv, which has errors"
        )
    return f"{shown(sourced_id)} is not {what} in {name}.csv"


def _ids_once(stored: Records, records: Records, read: FileRead, kind: str) -> None:
    """Two schools, or two students, may not share an identifier: it is their id here.

    A record that already had the id keeps it; among new claims, the first line wins.
    """
    name = read.name.removesuffix(".csv")
    view = RosterView(records)
    find = view.school if kind == "school" else view.student
    claims = []
    for sourced_id in records.get(name, {}):
        found = find(sourced_id)
        if found is not None:
            before = stored.get(name, {}).get(sourced_id)
            held = before is not None and local_id(before) == local_id(found)
            claims.append((not held, found.line or 0, sourced_id, local_id(found)))
    owner: dict[str, str] = {}
    for _, _, sourced_id, claimed in sorted(claims):
        owner.setdefault(claimed, sourced_id)
    kept = []
    for record in read.records:
        other = owner.get(local_id(record), record.sourced_id)
        if find(record.sourced_id) is record and other != record.sourced_id:
            read.place(
                record,
                "identifier",
                f"{shown(local_id(record))} is already the {kind} id of {shown(other)}; each"
                f" {kind}'s identifier must be its own",
            )
            read.dropped(record)
            continue
        kept.append(record)
    read.records = kept


def _phones_once(records: Records, read: FileRead) -> None:
    """Two family members linked to one student may not share a phone: texts go per phone."""
    view = RosterView(records)
    incoming = {record.sourced_id for record in read.records}
    owner: dict[tuple[str, str], str] = {}
    for user in records["users"].values():
        if user.sourced_id not in incoming and user.status == ACTIVE:
            for key in _pairs(view, user):
                owner.setdefault(key, user.sourced_id)
    kept = []
    for record in read.records:
        clash = next((key for key in _pairs(view, record) if key in owner), None)
        if record.status == ACTIVE and clash:
            read.place(
                record,
                "sms" if record.data.get("sms") else "phone",
                f"user {shown(owner[clash])} has the same phone for student {shown(clash[0])};"
                " a phone may be given once per student",
            )
            read.dropped(record)
            continue
        if record.status == ACTIVE:
            owner.update((key, record.sourced_id) for key in _pairs(view, record))
        kept.append(record)
    read.records = kept


def _pairs(view: RosterView, user: Record) -> list[tuple[str, str]]:
    phone = user.data.get("sms") or user.data.get("phone")
    if user.data.get("role") not in FAMILY or not phone:
        return []
    students = (view.student(agent) for agent in user.data.get("agents", []))
    return [(local_id(student), phone) for student in students if student]
