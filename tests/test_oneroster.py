"""`outreach-bot import oneroster`: OneRoster 1.1 and 1.2 exports, bulk or delta, as a roster."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, event, func, select

from outreach_bot.attendance.metrics import instructional_days
from outreach_bot.attendance.rules import parse_triggers
from outreach_bot.attendance.scan import scan
from outreach_bot.cli import main
from outreach_bot.clock import FixedClock
from outreach_bot.models import (
    AttendanceRecord,
    CalendarDay,
    Guardian,
    Message,
    OneRosterRecord,
    School,
    Student,
)
from outreach_bot.runtime import Runtime
from tests.oneroster_helpers import BULK_11, BULK_12, DELTA_11, copy, edit, good, load, roster

# --- Mapping ----------------------------------------------------------------------------------


def test_a_1_1_bulk_export_maps_schools_students_and_guardians(runtime: Runtime) -> None:
    report = good(runtime, BULK_11)

    assert report.lines() == [
        "v1.1-bulk: OneRoster 1.1 export of orgs.csv (bulk), academicSessions.csv (bulk),"
        " users.csv (bulk), enrollments.csv (bulk), demographics.csv (bulk)",
        "schools: 2 created, 0 updated, 0 unchanged",
        "students: 3 created, 0 updated, 0 unchanged",
        "guardians: 4 created, 0 updated, 0 unchanged",
    ]
    found = roster(runtime)
    # Schools by identifier; the district org is no school.
    assert found["schools"] == [("LIN", "Lincoln Elementary"), ("RSV", "Riverside Middle School")]
    assert found["students"] == [
        # identifier, else sourcedId; KG, 03 and 07 read as grades; entry from enrollments.
        ("S1001", "Ana", "Lopez", "LIN", "K", date(2026, 8, 24), None, date(2021, 3, 14),
         "female", "Hispanic or Latino"),
        # Last year's enrollment at Riverside ended before this school year: not counted.
        ("S1002", "Bao", "Nguyen", "LIN", "3", date(2026, 9, 8), None, date(2018, 7, 4),
         "male", "Asian"),
        ("usr-chidi", "Chidi", "Okafor", "RSV", "7", date(2026, 8, 24), None,
         date(2014, 11, 30), "male", "Two or more races"),
    ]  # fmt: skip
    assert found["guardians"] == [
        # Grace is an agent of two students (a quoted list); no language: the district's.
        ("S1001", "+15035550101", "Rosa Lopez", "es", "parent", True),
        ("S1002", "+15035550102", "Minh Nguyen", "vi", "guardian", True),  # phone, no sms
        ("S1002", "+15035550103", "Grace Okafor", "en", "relative", True),
        ("usr-chidi", "+15035550103", "Grace Okafor", "en", "relative", True),
    ]


def test_a_1_2_bulk_export_reads_roles_preferred_names_and_the_primary_org(
    runtime: Runtime,
) -> None:
    report = good(runtime, BULK_12)

    assert report.version == "1.2"
    found = roster(runtime)
    assert found["schools"] == [("CED", "Cedar Creek Elementary")]
    assert found["students"] == [
        # Dara has no enrollment: the school is the primary org; PK is pre-kindergarten.
        ("S2001", "Dara", "Rahimi", "CED", "PK", None, None, None, None, None),
        ("usr-eli", "Eli", "Mwangi", "CED", "5", date(2026, 8, 24), None, None, None, None),
    ]
    assert found["guardians"] == [
        ("S2001", "+15035550121", "Farah Rahimi", "fa", "parent", True),  # "Farsi"
        ("usr-eli", "+15035550122", "Joy Mwangi", "sw", "guardian", True),
    ]


@pytest.fixture
def home_language_column(app_config: dict[str, object]) -> None:
    """A district whose export names the column metadata.homeLanguage, and who speaks Spanish."""
    app_config.update(ONEROSTER_LANGUAGE_COLUMN="metadata.homeLanguage", DISTRICT_LANGUAGE="es")


def test_the_language_column_and_the_default_language_are_settings(
    home_language_column: None, cli: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", "metadata.language", "metadata.homeLanguage")
    edit(folder, "users.csv", ",503.555.0102,usr-bao,,,vi", ",503.555.0102,usr-bao,,,Vietnamese")

    result = cli.invoke(main, ["import", "oneroster", str(folder)])

    assert result.exit_code == 0, result.output
    assert "guardians: 4 created, 0 updated, 0 unchanged" in result.output
    languages = {(row[0], row[2]): row[3] for row in roster(runtime)["guardians"]}
    assert languages == {
        ("S1001", "Rosa Lopez"): "es",
        ("S1002", "Minh Nguyen"): "vi",
        ("S1002", "Grace Okafor"): "es",  # no language given: the district's
        ("usr-chidi", "Grace Okafor"): "es",
    }


def test_an_export_of_only_orgs_and_users_places_students_by_their_orgs(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    for name in ("manifest.csv", "enrollments.csv", "demographics.csv", "academicSessions.csv"):
        (folder / name).unlink()

    report = good(runtime, folder)

    assert report.modes == {"orgs.csv": "bulk", "users.csv": "bulk"}
    students = roster(runtime)["students"]
    # No enrollments: the school is the first school among orgSourcedIds, and no dates.
    assert [row[:7] for row in students] == [
        ("S1001", "Ana", "Lopez", "LIN", "K", None, None),
        ("S1002", "Bao", "Nguyen", "LIN", "3", None, None),
        ("usr-chidi", "Chidi", "Okafor", "RSV", "7", None, None),
    ]


def test_dates_written_as_midnight_with_a_time_are_read_as_dates(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(
        folder,
        "enrollments.csv",
        "usr-bao,student,false,2026-09-08,",
        "usr-bao,student,false,2026-09-08T00:00:00Z,",
    )

    good(runtime, folder)

    students = {row[0]: row for row in roster(runtime)["students"]}
    assert students["S1002"][5] == date(2026, 9, 8)


def test_a_zip_of_an_export_imports_as_its_directory_does(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extracted = tmp_path / "extracted"  # where the zip's files are read from, then removed
    extracted.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(extracted))
    good(runtime, BULK_11)
    from_directory = roster(runtime)
    with runtime.db.transaction() as session:
        for model in (Guardian, Student, School):
            session.execute(delete(model))
        session.execute(delete(OneRosterRecord))
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in BULK_11.iterdir():
            zipped.write(path, f"export/{path.name}")  # zipped as a folder, one level down

    report = good(runtime, archive)

    assert report.roster["students"].created == 3
    assert roster(runtime) == from_directory
    assert list(extracted.iterdir()) == []  # no student's data left behind on disk
    assert load(runtime, tmp_path / "missing.zip").rejected
    assert list(extracted.iterdir()) == []


# --- Importing again, deltas, tombstones, transfers ------------------------------------------


def test_importing_the_same_export_again_changes_nothing(runtime: Runtime) -> None:
    good(runtime, BULK_11)
    first = roster(runtime)

    again = good(runtime, BULK_11)

    assert roster(runtime) == first
    assert again.lines()[1:] == [
        "schools: 0 created, 0 updated, 2 unchanged",
        "students: 0 created, 0 updated, 3 unchanged",
        "guardians: 0 created, 0 updated, 4 unchanged",
    ]


def test_a_delta_withdraws_removes_transfers_and_never_goes_backwards(runtime: Runtime) -> None:
    good(runtime, BULK_11)
    with runtime.db.transaction() as session:
        for student in ("usr-chidi", "S1002"):
            session.add(
                AttendanceRecord(student_id=student, date=date(2026, 9, 9), status="absent")
            )

    report = good(runtime, DELTA_11)

    assert report.lines()[1:] == [
        "schools: 0 created, 0 updated, 0 unchanged",
        "students: 0 created, 2 updated, 1 unchanged, 1 withdrawn",
        "guardians: 1 created, 0 updated, 0 unchanged, 2 removed",
        "1 record older than the one already imported (by dateLastModified) left as stored",
    ]
    found = roster(runtime)
    students = {row[0]: row for row in found["students"]}
    # The delta's Ana is older than the bulk file's: her name stays.
    assert students["S1001"][1] == "Ana"
    # Chidi's tombstone (2026-10-20 in the district) withdraws him the day before: no texts
    # from the day it arrives, his row and history kept.
    assert students["usr-chidi"][5:7] == (date(2026, 8, 24), date(2026, 10, 19))
    # Bao moved to Riverside: the new school, his first day in the district, still enrolled.
    assert students["S1002"][3:7] == ("RSV", "3", date(2026, 9, 8), None)
    with runtime.db.transaction() as session:
        kept = session.scalar(select(func.count()).select_from(AttendanceRecord))
    assert kept == 2
    # Minh's tombstone removes him; Rosa's new number replaces her old one.
    assert [row[:3] for row in found["guardians"]] == [
        ("S1001", "+15035550111", "Rosa Lopez"),
        ("S1002", "+15035550103", "Grace Okafor"),
        ("usr-chidi", "+15035550103", "Grace Okafor"),
    ]

    again = good(runtime, DELTA_11)

    assert roster(runtime) == found
    assert again.roster["students"].updated == again.roster["guardians"].created == 0
    assert again.withdrawn == again.guardians_removed == 0


def test_a_removed_guardian_with_texts_on_record_is_kept_but_never_texted(
    runtime: Runtime, tmp_path: Path
) -> None:
    good(runtime, BULK_11)
    with runtime.db.transaction() as session:
        minh = session.scalars(select(Guardian).where(Guardian.phone == "+15035550102")).one()
        session.add(
            Message(
                direction="inbound",
                phone=minh.phone,
                guardian_id=minh.id,
                body="synthetic",
                status="received",
                created_at=runtime.clock(),
            )
        )

    report = good(runtime, DELTA_11)

    assert (report.guardians_removed, report.guardians_kept) == (1, 1)
    guardians = {row[1]: row for row in roster(runtime)["guardians"]}
    assert guardians["+15035550102"][5] is False  # no consent: nothing is sent to him
    assert "+15035550101" not in guardians

    # Restored by a later delta, he can be texted again.
    restored = tmp_path / "restored"
    restored.mkdir()
    header = (DELTA_11 / "users.csv").read_text(encoding="utf-8").splitlines()[0]
    (restored / "users.csv").write_text(
        f"{header}\nusr-minh,active,2026-10-22T16:00:00.000Z,true,org-lincoln,guardian,mnguyen,,"
        "Minh,Nguyen,,,,,503.555.0102,usr-bao,,,vi\n",
        encoding="utf-8",
    )
    (restored / "manifest.csv").write_text(
        "propertyName,value\noneroster.version,1.1\nfile.users,delta\nfile.orgs,absent\n",
        encoding="utf-8",
    )
    assert good(runtime, restored).roster["guardians"].updated == 1
    guardians = {row[1]: row for row in roster(runtime)["guardians"]}
    assert guardians["+15035550102"][5] is True


def test_a_bulk_file_that_leaves_a_student_out_withdraws_them(
    runtime: Runtime, tmp_path: Path
) -> None:
    good(runtime, BULK_11)
    folder = copy(BULK_11, tmp_path)
    users = (folder / "users.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "users.csv").write_text(
        "".join(line for line in users if not line.startswith("usr-chidi,")), encoding="utf-8"
    )
    edit(folder, "users.csv", '"usr-chidi,usr-bao"', "usr-bao")

    report = good(runtime, folder)

    assert report.withdrawn == 1
    students = {row[0]: row for row in roster(runtime)["students"]}
    assert students["usr-chidi"][6] == date(2026, 10, 20)  # the day before the import


def test_a_withdrawn_student_fires_nothing_and_a_transfer_keeps_firing(
    runtime: Runtime, clock: FixedClock
) -> None:
    triggers = parse_triggers(
        {
            "spec_version": 1,
            "triggers": [
                {"name": "absent_today", "when": {"absent_today": True}, "flow": "missed_you"}
            ],
        },
        "test triggers",
    )
    marks = {"S1001": "PPA", "S1002": "PPA", "usr-chidi": "APA"}  # Mon 19 to Wed 21 October
    week = [date(2026, 10, 19), date(2026, 10, 20), date(2026, 10, 21)]
    good(runtime, BULK_11)
    with runtime.db.transaction() as session:
        for school in ("LIN", "RSV"):
            for day in instructional_days({}, date(2026, 8, 24), week[-1], unlisted_weekdays=True):
                session.add(CalendarDay(school_id=school, date=day, instructional=True))
        for student, pattern in marks.items():
            for day, mark in zip(week, pattern, strict=True):
                status = "absent" if mark == "A" else "present"
                session.add(AttendanceRecord(student_id=student, date=day, status=status))

    def fired(day: date) -> list[str]:
        with runtime.db.transaction() as session:
            result = scan(session, as_of=day, now=clock(), triggers=triggers)
        return sorted(firing.student_id for firing in result.fired)

    assert fired(week[0]) == ["usr-chidi"]  # enrolled, and absent on Monday
    good(runtime, DELTA_11)  # withdraws Chidi as of Monday; moves Bao to Riverside
    assert fired(week[2]) == ["S1001", "S1002"]


def test_1_2_names_as_the_rest_binding_spells_them_are_read_too(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_12, tmp_path)
    edit(folder, "users.csv", "preferredGivenName", "preferredFirstName")
    edit(folder, "users.csv", "primaryOrgSourcedId", "primaryOrg")

    good(runtime, folder)

    students = roster(runtime)["students"]
    assert [row[:4] for row in students] == [
        ("S2001", "Dara", "Rahimi", "CED"),
        ("usr-eli", "Eli", "Mwangi", "CED"),
    ]


# --- Efficiency: the number of statements does not grow with the export ---------------------


def _export(folder: Path, students: int) -> Path:
    """A bulk export of one school and `students` students, each with a parent (555-01xx)."""
    folder.mkdir()
    stamp = "2026-08-15T09:00:00.000Z"
    (folder / "orgs.csv").write_text(
        f"sourcedId,status,dateLastModified,name,type,identifier\n"
        f"org-oak,active,{stamp},Oak Elementary,school,OAK\n"
    )
    users = ["sourcedId,status,dateLastModified,orgSourcedIds,role,givenName,familyName,sms,"
             "agentSourcedIds,grades"]  # fmt: skip
    for n in range(students):
        users.append(f"kid-{n},active,{stamp},org-oak,student,Kid{n},Doe,,,03")
        users.append(f"pat-{n},active,{stamp},org-oak,parent,Pat{n},Doe,+1503555{n:04d},kid-{n},")
    (folder / "users.csv").write_text("\n".join(users) + "\n")
    return folder


def test_the_statements_do_not_grow_with_the_export(runtime: Runtime, tmp_path: Path) -> None:
    """On PostgreSQL by COPY and set-based merges, on SQLite by batches: the same few either way."""
    sent: list[str] = []
    batched: list[str] = []  # statements sent with a parameter set a row (executemany)

    def record(
        _conn: object, _cursor: object, statement: str, _params: object, _ctx: object, many: bool
    ) -> None:
        sent.append(statement)
        if many:
            batched.append(statement)

    counts, analyzed = [], []
    event.listen(runtime.db.engine, "before_cursor_execute", record)
    try:
        for students in (3, 60):
            with runtime.db.transaction() as session:  # each a first import
                for model in (Guardian, Student, School, OneRosterRecord):
                    session.execute(delete(model))
            sent.clear()
            report = good(runtime, _export(tmp_path / f"export_{students}", students))
            # A merge that writes as much of a table as autovacuum waits for (50 rows and a
            # tenth of it) ANALYZEs it, as autovacuum soon would: one statement, any size.
            merged = [s for s in sent if s.startswith(("ANALYZE students", "ANALYZE guardians"))]
            analyzed.append(len(merged))
            counts.append(len(sent) - len(merged))
            assert report.roster["students"].created == students
            assert report.roster["guardians"].created == students
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", record)
    assert counts[0] == counts[1]
    assert analyzed == ([0, 0] if runtime.db.engine.dialect.name == "sqlite" else [0, 2])
    assert len(roster(runtime)["guardians"]) == 60
    if runtime.db.engine.dialect.name == "postgresql":
        assert batched == []  # the rows went by COPY, and were merged by whole statements
    else:
        assert batched
