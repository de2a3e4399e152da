"""`outreach-bot import oneroster` with bad input: each problem placed, and nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach_bot.cli import main
from outreach_bot.oneroster.records import Record
from outreach_bot.oneroster.references import unknown_links
from outreach_bot.oneroster.roster import RosterRows
from outreach_bot.runtime import Runtime
from tests.oneroster_helpers import (
    BULK_11,
    BULK_12,
    copy,
    edit,
    good,
    load,
    messages,
    nothing_imported,
    roster,
)


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


# A student enrolled at a school the export lists only as tobedeleted, never imported (its
# record then keeps no type), has no school and is never imported; the link checks, which
# see the file's record, pass them and their guardian. No foreign key refuses the guardian's
# row (0019), so the import does, on its users.csv line. (The copied path's own checks send
# the export to the row-by-row path.)
RIVERSIDE = "org-riverside,,,Riverside Middle School,school,RSV,org-district"
CHIDI = "usr-chidi,active,2026-08-15T09:00:00.000Z,true,org-riverside,student"
GRACE_FOR_CHIDI = (
    "users.csv, line 7, column agentSourcedIds (16): 'usr-chidi' is not a student here: the"
    " student was never imported (listed only as tobedeleted, or with no school); expected"
    " the sourcedIds of their students, separated by commas"
)
GONE_SCHOOL = ("orgs.csv", RIVERSIDE, RIVERSIDE.replace(",,,", ",tobedeleted,2026-08-15,", 1))


@pytest.mark.parametrize("row_by_row", [False, True], ids=["copied", "row-by-row"])
def test_a_guardian_of_a_student_never_imported_is_refused(
    runtime: Runtime, tmp_path: Path, row_by_row: bool
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, *GONE_SCHOOL)

    report = load(runtime, folder, row_by_row=row_by_row)

    assert messages(report) == [GRACE_FOR_CHIDI]
    assert report.rejected
    nothing_imported(runtime)


def test_skipping_bad_rows_leaves_out_only_the_guardian_row_of_a_student_never_imported(
    runtime: Runtime, tmp_path: Path
) -> None:
    folder = copy(BULK_11, tmp_path)
    edit(folder, *GONE_SCHOOL)

    report = load(runtime, folder, skip_bad_rows=True)

    assert not report.rejected and report.bad_rows == 1
    stored = roster(runtime)
    assert [row[0] for row in stored["schools"]] == ["LIN"]
    assert [row[0] for row in stored["students"]] == ["S1001", "S1002"]
    # Grace stays Bao's guardian; only her row for Chidi is left out.
    assert [row[:2] for row in stored["guardians"]] == [
        ("S1001", "+15035550101"),
        ("S1002", "+15035550102"),
        ("S1002", "+15035550103"),
    ]


def test_a_student_row_at_a_school_not_on_record_is_refused(runtime: Runtime) -> None:
    """No export found yet makes one (a school's record keeps its type while it is on
    record, and a school never imported has none), but no foreign key would stop one."""
    rows = RosterRows()
    rows.students[("S9",)] = {"id": "S9", "school_id": "NOPE"}
    rows.made_by[("students", "S9")] = Record("users.csv", "usr-s9", "active", None, line=9)
    rows.guardians[("S9", "+15035550109")] = {"student_id": "S9", "phone": "+15035550109"}
    rows.made_by[("guardians", ("S9", "+15035550109"))] = Record(
        "users.csv", "usr-p9", "active", None, line=10
    )

    with runtime.db.transaction() as session:
        errors = unknown_links(session, rows, {"orgsourcedids": 5})

    assert [str(error) for error in errors] == [
        "users.csv, line 9, column orgSourcedIds (5): 'NOPE' is the student's school, but is"
        " not a school here: orgs.csv lists it only as tobedeleted, and it was never imported;"
        " expected an enrollment at an active school, or one among orgSourcedIds",
        "users.csv, line 10, column agentSourcedIds: 'S9' is not a student here: the student"
        " was never imported (listed only as tobedeleted, or with no school); expected the"
        " sourcedIds of their students, separated by commas",
    ]
    assert rows.students == {} and rows.guardians == {}
