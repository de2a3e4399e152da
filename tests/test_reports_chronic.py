"""`report chronic` and `report trend` on the hand-worked district (tests/report_district.py),
on SQLite and PostgreSQL, through the real command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from click.testing import CliRunner
from sqlalchemy import select

from outreach_bot.attendance.scan import scan
from outreach_bot.cli import main
from outreach_bot.models import AttendanceSummary, CalendarDay
from outreach_bot.reports.population import population
from outreach_bot.runtime import Runtime
from tests.report_district import OCTOBER_30, build_district

BANDS_HEADER = "students,satisfactory,at_risk,moderate_chronic,severe_chronic"
MONDAY_AFTER = date(2026, 11, 9)  # the school day after the last one with attendance
TAIL = f"{BANDS_HEADER},chronically_absent,chronic_rate"


def report(cli: CliRunner, *args: str) -> str:
    """Run `outreach-bot report ...`, expect success, and return what it printed."""
    outcome = cli.invoke(main, ["report", *args])
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def district(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        build_district(session)


def test_chronic_by_district_and_school_as_of_a_day_never_scanned(runtime, cli):
    district(runtime)
    # As of 10-30 (24 school days), counted: m1 0, m2 1, m3 2, m4 3, m5 5, m7 1/10 at Maple
    # (m6 has 5 days: not counted); o1 0, o2 6, o3 1 at Oak. Bands by absences/days:
    #   m1 0% m2 1/24=4.2% satisfactory; m3 2/24=8.3% at risk; m4 3/24=12.5% and
    #   m7 1/10=10% (exactly: moderate) moderate; m5 5/24=20.8% severe.
    #   o1 0%, o3 1/24=4.2% satisfactory; o2 6/24=25% severe.
    # Maple 6: 2,1,2,1 -> 3 chronic -> 3/6 = 50.0%; Oak 3: 2,0,0,1 -> 1/3 = 33.3%.
    # District 9: 4,1,2,2 -> 4/9 = 44.44% -> 44.4.
    assert report(cli, "chronic", "--as-of", "2026-10-30", "--format", "csv") == (
        f"{TAIL}\n9,4,1,2,2,4,44.4\n"
    )
    assert report(cli, "chronic", "--as-of", "2026-10-30", "--by", "school", "--format", "csv") == (
        f"school_id,{TAIL}\nmaple,6,2,1,2,1,3,50.0\noak,3,2,0,0,1,1,33.3\n"
    )
    # One school: its own row only, whatever the grouping.
    only_oak = ["--as-of", "2026-10-30", "--school", "oak", "--format", "csv"]
    assert report(cli, "chronic", *only_oak) == f"{TAIL}\n3,2,0,0,1,1,33.3\n"


def test_chronic_by_grade_group_and_zip(runtime, cli):
    district(runtime)
    as_of = ["--as-of", "2026-10-30", "--format", "csv"]
    # K: m1, m2 satisfactory -> 0/2. Grade 3: m3 at risk, m4 m7 moderate, m5 severe, o1
    # satisfactory -> 3/5 = 60.0. Grade 5: o2 severe, o3 satisfactory -> 1/2 = 50.0.
    assert report(cli, "chronic", "--by", "grade", *as_of) == (
        f"grade,{TAIL}\nK,2,2,0,0,0,0,0.0\n3,5,1,1,2,1,3,60.0\n5,2,1,0,0,1,1,50.0\n"
    )
    # English learners m1 (sat), m4 (mod), o2 (sev): 2/3 = 66.7. Not: m2, o1 sat, m3 at
    # risk, m7 mod, m5 sev: 2/5 = 40.0. o3 has no value. Gender F: m1 sat, m3 at risk, m5
    # and o2 severe: 2/4 = 50.0; M: m2, o1 sat, m4, m7 moderate: 2/4 = 50.0. Nobody has iep,
    # low_income or race_ethnicity: all 9 "not recorded", the district's numbers.
    everyone = "9,4,1,2,2,4,44.4"
    assert report(cli, "chronic", "--by", "group", *as_of) == (
        f"group,value,{TAIL}\n"
        "english_learner,no,5,2,1,1,1,2,40.0\n"
        "english_learner,not recorded,1,1,0,0,0,0,0.0\n"
        "english_learner,yes,3,1,0,1,1,2,66.7\n"
        f"iep,not recorded,{everyone}\n"
        f"low_income,not recorded,{everyone}\n"
        f"race_ethnicity,not recorded,{everyone}\n"
        "gender,F,4,1,1,0,2,2,50.0\n"
        "gender,M,4,2,0,2,0,2,50.0\n"
        "gender,not recorded,1,1,0,0,0,0,0.0\n"
    )
    # Zip: the student's own, else the school's. Maple's six at 90001 (3/6); Oak's o2, o3 at
    # 90002 (1/2); o1 lives in 90009 (0/1).
    assert report(cli, "chronic", "--by", "zip", *as_of) == (
        f"zip,{TAIL}\n90001,6,2,1,2,1,3,50.0\n90002,2,1,0,0,1,1,50.0\n90009,1,1,0,0,0,0,0.0\n"
    )


def test_every_student_counts_exactly_as_the_scan_computes(runtime, clock):
    district(runtime)
    with runtime.db.transaction() as session:
        scan(session, as_of=OCTOBER_30, now=clock(), triggers=[], act=False)
    with runtime.db.transaction() as session:
        scanned = {
            row.student_id: (row.absences, row.instructional_days, row.band)
            for row in session.scalars(select(AttendanceSummary))
        }
        found = population(session, OCTOBER_30, unlisted_weekdays=False)
        reported = {
            s.student_id: (s.absences, s.instructional_days, s.band) for s in found.standings
        }
    assert reported == scanned
    assert scanned["m5"] == (5, 24, "severe_chronic")  # two tardies, not absences
    assert scanned["m7"] == (1, 10, "moderate_chronic")  # counted to its exit date


def test_json_and_table_formats_carry_the_same_numbers(runtime, cli):
    district(runtime)
    document = json.loads(
        report(cli, "chronic", "--as-of", "2026-10-30", "--by", "school", "--format", "json")
    )
    assert (document["report"], document["as_of"], document["by"]) == (
        "chronic",
        "2026-10-30",
        "school",
    )
    assert document["rows"][1] == {
        "school_id": "oak",
        "students": 3,
        "satisfactory": 2,
        "at_risk": 0,
        "moderate_chronic": 0,
        "severe_chronic": 1,
        "chronically_absent": 1,
        "chronic_rate": 33.3,
    }
    table = report(cli, "chronic", "--as-of", "2026-10-30", "--by", "school").splitlines()
    assert table[0] == "report chronic, as_of 2026-10-30, by school"
    assert table[1].split() == ["school_id", *TAIL.split(",")]
    assert table[3].split() == ["maple", "6", "2", "1", "2", "1", "3", "50.0"]


def test_the_default_date_is_the_last_school_day_the_attendance_reaches(runtime, cli, clock):
    district(runtime)
    # Monday 11-09 in the morning: Friday 11-06 is the last day with attendance.
    clock.current = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
    # By 11-06 (29 days): m2 2/29=6.9% and m3 2/29 at risk; m4 3/29=10.3%, m5 5/29=17.2%,
    # m6 1/10 (now counted) and m7 1/10 moderate; m1 sat. o1, o3 1/29 sat; o2 6/29=20.7%
    # severe. Maple 7: 1,2,4,0 -> 4/7 = 57.14 -> 57.1; Oak 3: 2,0,0,1 -> 33.3.
    assert report(cli, "chronic", "--by", "school", "--format", "csv") == (
        f"school_id,{TAIL}\nmaple,7,1,2,4,0,4,57.1\noak,3,2,0,0,1,1,33.3\n"
    )
    assert "as_of 2026-11-06" in report(cli, "chronic")


def test_trend_is_the_chronic_rate_at_each_month_end(runtime, cli, clock):
    district(runtime)
    clock.current = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
    # September ends with 3 school days: nobody counts, so the trend starts in October.
    # Saturday 10-31 has the numbers of Friday 10-30 (4/9 = 44.4); then 11-06, the last
    # school day: 10 students, 3 sat, 2 at risk, 4 moderate, 1 severe -> 5/10 = 50.0.
    assert report(cli, "trend", "--format", "csv") == (
        f"month,as_of,{TAIL}\n"
        "2026-10,2026-10-31,9,4,1,2,2,4,44.4\n"
        "2026-11,2026-11-06,10,3,2,4,1,5,50.0\n"
    )
    # By school, each school's line in month order.
    assert report(cli, "trend", "--by", "school", "--format", "csv") == (
        f"school_id,month,as_of,{TAIL}\n"
        "maple,2026-10,2026-10-31,6,2,1,2,1,3,50.0\n"
        "maple,2026-11,2026-11-06,7,1,2,4,0,4,57.1\n"
        "oak,2026-10,2026-10-31,3,2,0,0,1,1,33.3\n"
        "oak,2026-11,2026-11-06,3,2,0,0,1,1,33.3\n"
    )


def test_a_date_with_no_data_says_so_plainly(runtime, cli):
    district(runtime)
    summer = cli.invoke(main, ["report", "chronic", "--as-of", "2026-08-14"])
    assert summer.exit_code == 0
    assert summer.output == "No school days with attendance from 2026-07-01 to 2026-08-14.\n"
    # After the calendars end there is no school day to miss: 11-20 reports 11-06's numbers.
    assert report(cli, "chronic", "--as-of", "2026-11-20", "--format", "csv") == (
        f"{TAIL}\n10,3,2,4,1,5,50.0\n"
    )
    # A school day whose attendance no school has sent is no data, not a day at school.
    with runtime.db.transaction() as session:
        session.add_all(
            CalendarDay(school_id=school, date=MONDAY_AFTER, instructional=True)
            for school in ("maple", "oak")
        )
    late = cli.invoke(main, ["report", "chronic", "--as-of", "2026-11-20", "--by", "school"])
    assert late.exit_code == 0
    assert late.output == (
        "No attendance data for 2026-11-20:"
        " maple: attendance for 2026-11-09 has not arrived"
        " (the last day with attendance is 2026-11-06);"
        " oak: attendance for 2026-11-09 has not arrived"
        " (the last day with attendance is 2026-11-06).\n"
    )
    # As CSV: the header alone on stdout (the shape a script expects), the sentence on stderr.
    as_csv = cli.invoke(main, ["report", "chronic", "--as-of", "2026-08-14", "--format", "csv"])
    assert as_csv.stdout == f"{TAIL}\n"
    assert "No school days with attendance" in as_csv.stderr
    early = cli.invoke(main, ["report", "trend", "--as-of", "2026-09-30"])
    assert early.exit_code == 0
    assert early.output.startswith("No data to report up to 2026-09-30: no student had been")


def test_nothing_imported_says_so(runtime, cli):
    outcome = cli.invoke(main, ["report", "chronic"])
    assert (outcome.exit_code, outcome.output) == (0, "No attendance has been imported yet.\n")


def test_a_school_whose_data_is_late_is_left_out_and_named(runtime, cli):
    district(runtime)
    with runtime.db.transaction() as session:
        # Oak's calendar runs a day longer than its attendance: 11-09 has not arrived.
        session.add(CalendarDay(school_id="oak", date=MONDAY_AFTER, instructional=True))
    outcome = cli.invoke(main, ["report", "chronic", "--as-of", "2026-11-09", "--by", "school"])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[3].split()[:2] == ["maple", "7"] and len(lines) == 5
    assert lines[4] == (
        "Note: oak (Oak Elementary, 3 students) left out of 2026-11-09: attendance for"
        " 2026-11-09 has not arrived (the last day with attendance is 2026-11-06)"
    )


def test_bad_options_name_the_option_and_the_allowed_values(runtime, cli):
    district(runtime)
    by = cli.invoke(main, ["report", "chronic", "--by", "county"])
    assert by.exit_code == 2
    assert "'--by'" in by.output
    assert "'district', 'school', 'grade', 'group', 'zip'" in by.output
    day = cli.invoke(main, ["report", "chronic", "--as-of", "2026-13-01"])
    assert day.exit_code == 2
    assert "'--as-of'" in day.output and "%Y-%m-%d" in day.output
    school = cli.invoke(main, ["report", "chronic", "--school", "elm"])
    assert school.exit_code == 2
    assert "'--school'" in school.output and "(maple, oak)" in school.output
    fmt = cli.invoke(main, ["report", "trend", "--format", "pdf"])
    assert fmt.exit_code == 2 and "'table', 'csv', 'json'" in fmt.output
