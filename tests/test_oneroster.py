"""`outreach-bot import oneroster`: OneRoster 1.1 and 1.2 exports, bulk or delta, as a roster."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select

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
from outreach_bot.oneroster.directory import import_export
from outreach_bot.oneroster.report import ExportReport
from outreach_bot.runtime import Runtime

DATA = Path(__file__).parent / "data" / "oneroster"
BULK_11, DELTA_11, BULK_12 = DATA / "v1.1-bulk", DATA / "v1.1-delta", DATA / "v1.2-bulk"
TODAY = date(2026, 10, 21)


def load(runtime: Runtime, path: Path, **options: Any) -> ExportReport:
    """Import an export in one transaction, as the command does."""
    with runtime.db.transaction() as session:
        return import_export(
            session, path, zone=ZoneInfo("America/Los_Angeles"), today=TODAY, **options
        )


def good(runtime: Runtime, path: Path) -> ExportReport:
    report = load(runtime, path)
    assert report.errors == [], [str(error) for error in report.errors]
    return report


STUDENT_COLUMNS = (
    Student.id,
    Student.first_name,
    Student.last_name,
    Student.school_id,
    Student.grade,
    Student.entry_date,
    Student.exit_date,
    Student.birth_date,
    Student.gender,
    Student.race_ethnicity,
)
GUARDIAN_COLUMNS = (
    Guardian.student_id,
    Guardian.phone,
    Guardian.name,
    Guardian.language,
    Guardian.relationship_to_student,
    Guardian.sms_consent,
)


def roster(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Schools, students and guardians as sorted tuples."""
    tables = {
        "schools": (School.id, School.name),
        "students": STUDENT_COLUMNS,
        "guardians": GUARDIAN_COLUMNS,
    }
    with runtime.db.transaction() as session:
        return {
            name: sorted(tuple(row) for row in session.execute(select(*columns)))
            for name, columns in tables.items()
        }


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(report: ExportReport) -> list[str]:
    return [str(error) for error in report.errors]


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


def test_a_zip_of_an_export_imports_as_its_directory_does(runtime: Runtime, tmp_path: Path) -> None:
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


# --- Bad input ---------------------------------------------------------------------------------


def nothing_imported(runtime: Runtime) -> None:
    assert roster(runtime) == {"schools": [], "students": [], "guardians": []}
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OneRosterRecord)) == 0


def test_bad_rows_are_placed_by_file_line_and_column_and_nothing_is_imported(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", ",S1002,,,,usr-minh,03,", ",S1002,,,,usr-minh,13th,")
    edit(folder, "users.csv", "(503) 555-0101", "555-01")
    edit(folder, "users.csv", '"usr-chidi,usr-bao"', '"usr-chidi,usr-zed"')
    edit(folder, "enrollments.csv", "org-riverside,usr-chidi", "org-nowhere,usr-chidi")
    edit(folder, "demographics.csv", "2014-11-30", "2014-13-40")

    report = load(runtime, folder)

    assert report.rejected
    assert messages(report) == [
        "users.csv, line 3, column grades (17): '13th' is not a grade; expected a grade such"
        " as K or 3",
        "users.csv, line 5, column sms (14): the phone number has too few digits; expected 10"
        " digits with the area code, such as (503) 555-0142",
        # Bao's line is bad, so the links to him say where to look.
        "users.csv, line 6, column agentSourcedIds (16): 'usr-bao' is on line 3 of users.csv,"
        " which has errors; expected the sourcedIds of their students, separated by commas",
        "users.csv, line 7, column agentSourcedIds (16): 'usr-zed' is not a student in"
        " users.csv; expected the sourcedIds of their students, separated by commas",
        "enrollments.csv, line 4, column userSourcedId (6): 'usr-bao' is on line 3 of"
        " users.csv, which has errors; expected the sourcedId of a user whose role is student",
        "enrollments.csv, line 5, column userSourcedId (6): 'usr-bao' is on line 3 of"
        " users.csv, which has errors; expected the sourcedId of a user whose role is student",
        "enrollments.csv, line 6, column schoolSourcedId (5): 'org-nowhere' is not a school in"
        " orgs.csv; expected the sourcedId of an org whose type is school",
        "demographics.csv, line 4, column birthDate (4): '2014-13-40' is not a date; expected"
        " YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY",
    ]
    assert report.lines()[-1] == "8 bad rows; nothing was imported"
    as_json = report.as_dict()
    assert (as_json["rejected"], as_json["bad_rows"]) == (True, 8)
    assert as_json["errors"][0]["error"] == messages(report)[0]
    nothing_imported(runtime)


def test_skipping_bad_rows_imports_the_records_whose_rows_and_links_hold(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", ",S1002,,,,usr-minh,03,", ",S1002,,,,usr-minh,13th,")

    report = load(runtime, folder, skip_bad_rows=True)

    assert not report.rejected
    found = roster(runtime)
    assert [row[0] for row in found["students"]] == ["S1001", "usr-chidi"]
    # Minh and Grace are agents of Bao: their rows are skipped with his, to be fixed together.
    assert [row[:2] for row in found["guardians"]] == [("S1001", "+15035550101")]
    assert report.lines()[-1] == "5 bad rows skipped"


def test_a_bad_row_skipped_in_a_later_bulk_file_leaves_the_student_as_stored(
    runtime: Runtime, tmp_path: Path
) -> None:
    good(runtime, BULK_11)
    before = roster(runtime)
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", ",S1002,,,,usr-minh,03,", ",S1002,,,,usr-minh,13th,")

    report = load(runtime, folder, skip_bad_rows=True)

    # Skipped is not left out: Bao stays as stored (not withdrawn), and the rows linked to
    # him link to the stored Bao.
    assert (report.withdrawn, report.guardians_removed, report.bad_rows) == (0, 0, 1)
    assert roster(runtime) == before
    # A row too broken to name its record (cut short) might be anyone: nobody is withdrawn,
    # though the file is bulk.
    edit(folder, "users.csv", ",S1002,,,,usr-minh,13th,", ",S1002,,,,usr-minh,03,")
    edit(folder, "users.csv", "usr-chidi,active,2026-08-15T09:00:00.000Z,true,", "usr-chidi;")

    report = load(runtime, folder, skip_bad_rows=True)

    assert messages(report) == [
        "users.csv, line 4: the row has 15 values but the header has 19 columns; a value with"
        " a comma in it must be in double quotes"
    ]
    assert (report.withdrawn, report.guardians_removed, report.bad_rows) == (0, 0, 1)
    assert roster(runtime) == before


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            [("users.csv", ",503.555.0102,usr-bao,", ",503.555.0102,,")],
            "users.csv, line 6, column agentSourcedIds (16): the guardian is linked to no"
            " student; expected the sourcedIds of their students, separated by commas",
            id="a guardian linked to no student",
        ),
        pytest.param(
            [("users.csv", "503.555.0102", "(503) 555-0103")],
            "users.csv, line 7, column sms (14): user 'usr-minh' has the same phone for student"
            " 'S1002'; a phone may be given once per student",
            id="two family members sharing a phone for one student",
        ),
        pytest.param(
            [
                ("users.csv", "true,org-riverside,student", "true,org-district,student"),
                ("enrollments.csv", "enr-chidi-homeroom,active", "enr-chidi-homeroom,tobedeleted"),
            ],
            "users.csv, line 4, column orgSourcedIds (5): the student has no school: no"
            " enrollment in enrollments.csv at a school in orgs.csv, and no school among"
            " orgSourcedIds; expected the sourcedId of an org whose type is school",
            id="a student with no school",
        ),
    ],
)
def test_a_bad_link_is_reported_and_nothing_imported(
    runtime: Runtime, tmp_path: Path, edits: list[tuple[str, str, str]], expected: str
) -> None:
    folder = copy(BULK_11, tmp_path)
    for name, old, new in edits:
        edit(folder, name, old, new)

    report = load(runtime, folder)

    assert messages(report) == [expected]
    nothing_imported(runtime)


def test_two_students_may_not_share_an_identifier(runtime: Runtime, tmp_path: Path) -> None:
    good(runtime, BULK_11)
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", "Chidi,Okafor,,,", "Chidi,Okafor,,S1001,")

    report = load(runtime, folder)

    assert messages(report) == [
        "users.csv, line 4, column identifier (12): 'S1001' is already the student id of"
        " 'usr-ana'; each student's identifier must be its own"
    ]


def test_a_missing_required_file_is_named(runtime: Runtime, tmp_path: Path) -> None:
    folder = copy(BULK_11, tmp_path)
    (folder / "enrollments.csv").unlink()
    assert messages(load(runtime, folder)) == [
        "v1.1-bulk: the export has no enrollments.csv; manifest.csv lists it as bulk"
    ]
    (folder / "manifest.csv").unlink()
    (folder / "users.csv").unlink()
    assert messages(load(runtime, folder)) == [
        "v1.1-bulk: the export has no users.csv; every OneRoster export needs it (or"
        " manifest.csv saying file.users,absent)"
    ]
    nothing_imported(runtime)


def test_a_bad_manifest_and_a_1_2_export_without_roles_are_reported(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_12, tmp_path)
    edit(folder, "manifest.csv", "file.users,bulk", "file.users,full")
    assert messages(load(runtime, folder)) == [
        "manifest.csv, line 18, column value (2): 'full' is not a file mode; expected bulk,"
        " delta or absent"
    ]
    edit(folder, "manifest.csv", "file.users,full", "file.users,bulk")
    edit(folder, "manifest.csv", "file.roles,bulk", "file.roles,absent")
    (folder / "roles.csv").unlink()
    assert messages(load(runtime, folder)) == [
        "users.csv, line 1, column role: the header has no role column and the export has no"
        " roles.csv; expected one of them (OneRoster 1.1 gives roles in users.csv, 1.2 in"
        " roles.csv)"
    ]
    nothing_imported(runtime)


def test_an_unreadable_file_stops_the_import_even_when_skipping_bad_rows(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    users = folder / "users.csv"
    users.write_text(users.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")

    report = load(runtime, folder, skip_bad_rows=True)

    assert report.rejected
    assert messages(report) == [
        "users.csv, line 1: the columns are separated by semicolons, not commas; save it from"
        " the spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that"
    ]
    nothing_imported(runtime)


def test_the_command_prints_each_problem_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, "users.csv", ",S1002,,,,usr-minh,03,", ",S1002,,,,usr-minh,13th,")

    result = cli.invoke(main, ["import", "oneroster", str(folder)])

    assert result.exit_code == 1
    assert "users.csv, line 3, column grades (17): '13th' is not a grade" in result.stderr
    assert result.stderr.rstrip().endswith(
        "v1.1-bulk was not imported: fix the problems above and import it again, or pass"
        " --skip-bad-rows to import the good records and skip the bad ones."
    )
    assert "5 bad rows; nothing was imported" in result.stdout


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
