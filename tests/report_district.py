"""A small synthetic district for report tests, whose every number is worked out by hand.

Two schools, one calendar: every weekday from Monday 2026-09-28, except Columbus Day
(2026-10-12, listed as not instructional). School days therefore number

    September 28-30:                 3
    October 1-30, less the 12th:    21   -> 24 by Friday 2026-10-30
    November 2-6:                    5   -> 29 by Friday 2026-11-06

Attendance is exported absences-only, with one "present" row per school on 2026-11-06 to
show the export has reached that day. Every student enters on 2026-09-28 unless noted.

    id  school grade EL  gender  absences (A absent, E excused, U unexcused)      by 10-30  by 11-06
    m1  maple  K     yes F       none                                             0/24      0/29
    m2  maple  K     no  M       10-01 A; 11-02 A                                 1/24      2/29
    m3  maple  3     no  F       10-05 U, 10-06 A; 10-12 A (a holiday: ignored)   2/24      2/29
    m4  maple  3     yes M       10-07 A, 10-08 E, 10-09 A                        3/24      3/29
    m5  maple  3     no  F       09-29 A, 09-30 E, 10-13 A, 10-14 U, 10-15 A;     5/24      5/29
                                 tardy 10-20 and 10-21 (tardies are not absences)
    m6  maple  3     -   -       enters 10-26; 10-27 A                            1/5       1/10
    m7  maple  3     no  M       leaves 10-09 (its last day); 10-02 A             1/10      1/10
    o1  oak    3     no  M       own zip 90009; tardy 10-19                       0/24      0/29
    o2  oak    5     yes F       10-19 .. 10-26 A (six school days)               6/24      6/29
    o3  oak    5     -   -       10-01 A                                          1/24      1/29

m6 has 5 school days by 10-30 (26, 27, 28, 29, 30): fewer than 10, so not counted then;
by 11-06 it has 10 and counts. m7 was enrolled exactly 10 days (09-28..30 and 10-01, 02,
05, 06, 07, 08, 09), so it counts, frozen at its exit date.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from outreach_bot.models import AttendanceRecord, CalendarDay, School, Student

FIRST_DAY = date(2026, 9, 28)
HOLIDAY = date(2026, 10, 12)
OCTOBER_30 = date(2026, 10, 30)
NOVEMBER_6 = date(2026, 11, 6)

# id: (school, grade, english_learner, gender, own zip, entry, exit, {date: status})
Row = tuple[str, str, bool | None, str | None, str | None, date, date | None, dict[str, str]]
STUDENTS: dict[str, Row] = {
    "m1": ("maple", "K", True, "F", None, FIRST_DAY, None, {"11-06": "present"}),
    "m2": ("maple", "K", False, "M", None, FIRST_DAY, None, {"10-01": "absent", "11-02": "absent"}),
    "m3": (
        "maple", "3", False, "F", None, FIRST_DAY, None,
        {"10-05": "unexcused", "10-06": "absent", "10-12": "absent"},
    ),
    "m4": (
        "maple", "3", True, "M", None, FIRST_DAY, None,
        {"10-07": "absent", "10-08": "excused", "10-09": "absent"},
    ),
    "m5": (
        "maple", "3", False, "F", None, FIRST_DAY, None,
        {
            "09-29": "absent", "09-30": "excused", "10-13": "absent", "10-14": "unexcused",
            "10-15": "absent", "10-20": "tardy", "10-21": "tardy",
        },
    ),
    "m6": ("maple", "3", None, None, None, date(2026, 10, 26), None, {"10-27": "absent"}),
    "m7": ("maple", "3", False, "M", None, FIRST_DAY, date(2026, 10, 9), {"10-02": "absent"}),
    "o1": (
        "oak", "3", False, "M", "90009", FIRST_DAY, None, {"10-19": "tardy", "11-06": "present"},
    ),
    "o2": (
        "oak", "5", True, "F", None, FIRST_DAY, None,
        {f"10-{day}": "absent" for day in ("19", "20", "21", "22", "23", "26")},
    ),
    "o3": ("oak", "5", None, None, None, FIRST_DAY, None, {"10-01": "absent"}),
}  # fmt: skip


def school_days() -> list[date]:
    """Every weekday from FIRST_DAY to NOVEMBER_6 but the holiday."""
    days = []
    day = FIRST_DAY
    while day <= NOVEMBER_6:
        if day.weekday() < 5 and day != HOLIDAY:
            days.append(day)
        day += timedelta(days=1)
    return days


def build_district(session: Session) -> None:
    """Maple (zip 90001) and Oak (zip 90002), their calendars, students and attendance."""
    for school_id, zip_code in (("maple", "90001"), ("oak", "90002")):
        session.add(School(id=school_id, name=f"{school_id.title()} Elementary", zip=zip_code))
        session.flush()
        session.add_all(
            CalendarDay(school_id=school_id, date=day, instructional=True) for day in school_days()
        )
        session.add(CalendarDay(school_id=school_id, date=HOLIDAY, instructional=False))
    for number, (student_id, row) in enumerate(STUDENTS.items()):
        school_id, grade, learner, gender, zip_code, entry, exit_date, marks = row
        session.add(
            Student(
                id=student_id,
                first_name=f"Kid{number}",
                last_name="Testperson",
                school_id=school_id,
                grade=grade,
                zip=zip_code,
                english_learner=learner,
                gender=gender,
                entry_date=entry,
                exit_date=exit_date,
            )
        )
        session.flush()
        session.add_all(
            AttendanceRecord(
                student_id=student_id, date=date.fromisoformat(f"2026-{day}"), status=status
            )
            for day, status in marks.items()
        )
    session.flush()
