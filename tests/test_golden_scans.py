"""Golden scan transcripts: a district's nights, command by command, and what families receive.

A change to the scan, its output or the texts shows up here as a diff to review. After
reviewing, rewrite the files with: UPDATE_GOLDEN=1 pytest tests/test_golden_scans.py
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from outreach_bot.cli import main
from outreach_bot.models import Escalation
from outreach_bot.runtime import Runtime

GOLDEN = Path(__file__).resolve().parent / "golden" / "scans"
FIRST_DAY = date(2026, 9, 8)  # the Tuesday after Labor Day
LAST_CALENDAR_DAY = date(2026, 10, 30)
SCHOOLS = "school_id,name,zip,phone\nLIN,Lincoln Elementary,97201,+15035550100\n" + (
    "OAK,Oak Middle,97202,+15035550101\n"
)
STUDENTS = "student_id,first_name,last_name,school_id,grade\n" + (
    "S1001,Ana,Testperson,LIN,3\nS1002,Bo,Testperson,LIN,4\nS2001,Mateo,Testperson,OAK,7\n"
)
GUARDIANS = "student_id,name,phone,language\n" + (
    "S1001,Pat Testperson,(503) 555-0142,en\n"
    "S1002,Lee Testperson,(503) 555-0143,es\n"
    "S2001,Sam Testperson,(503) 555-0144,en\n"
)


def school_days(first: date, last: date) -> list[date]:
    """Monday to Friday from first to last: the synthetic calendar lists each as a school day."""
    count = (last - first).days + 1
    return [d for d in (first + timedelta(days=n) for n in range(count)) if d.weekday() < 5]


def attendance(student_id: str, marks: dict[date, str]) -> list[str]:
    """Rows of attendance.csv for one student."""
    return [f"{student_id},{day.isoformat()},{status}" for day, status in sorted(marks.items())]


def ana(days: list[date]) -> dict[date, str]:
    """Missed about a day in four in September; back at school from October 7."""
    marks = {day: "unexcused" if n % 4 == 1 else "present" for n, day in enumerate(days)}
    marks.update({date(2026, 10, 5): "excused", date(2026, 10, 6): "unexcused"})
    return marks


def write_files(folder: Path) -> dict[str, Path]:
    """The district's exports: Lincoln's attendance arrives through Friday the 9th, Oak's
    through Wednesday the 14th; then Lincoln's late file for the 12th to the 14th."""
    calendar_days = school_days(FIRST_DAY, LAST_CALENDAR_DAY)
    to_friday = school_days(FIRST_DAY, date(2026, 10, 9))
    to_wednesday = school_days(FIRST_DAY, date(2026, 10, 14))
    late_days = school_days(date(2026, 10, 12), date(2026, 10, 14))
    mateo = dict.fromkeys(to_wednesday, "present") | {date(2026, 10, 14): "absent"}
    rows = {
        "schools.csv": SCHOOLS,
        "students.csv": STUDENTS,
        "guardians.csv": GUARDIANS,
        "calendar.csv": "school_id,date,instructional\n"
        + "".join(f"{s},{d.isoformat()},Y\n" for s in ("LIN", "OAK") for d in calendar_days),
        "attendance-2026-10-14.csv": "student_id,date,status\n"
        + "\n".join(
            attendance("S1001", ana(to_friday))
            + attendance("S1002", dict.fromkeys(to_friday, "present"))
            + attendance("S2001", mateo)
        )
        + "\n",
        "attendance-lincoln-late.csv": "student_id,date,status\n"
        + "\n".join(
            attendance("S1001", dict.fromkeys(late_days, "unexcused"))
            + attendance("S1002", dict.fromkeys(late_days, "present"))
        )
        + "\n",
    }
    paths = {}
    for name, text in rows.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


class Session:
    """Runs commands like a terminal and writes down what they print and the cases they open."""

    def __init__(self, runtime: Runtime, cli: CliRunner) -> None:
        self.runtime, self.cli = runtime, cli
        self.lines: list[str] = []
        self._seen_case = 0

    def run(self, *args: str, shown: tuple[str, ...] = ()) -> None:
        """One command, echoed with file arguments by name, and its output and exit status."""
        self.lines.append("$ outreach-bot " + " ".join(shown or args))
        outcome = self.cli.invoke(main, list(args))
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome
        self.lines += outcome.output.splitlines()
        self.lines.append(f"[exit {outcome.exit_code}]")
        self._cases_opened()
        self.lines.append("")

    def _cases_opened(self) -> None:
        """Cases the command opened (the console channel has printed the texts, phones masked)."""
        with self.runtime.db.transaction() as session:
            cases = session.execute(
                select(Escalation.id, Escalation.student_id, Escalation.reason)
                .where(Escalation.id > self._seen_case)
                .order_by(Escalation.id)
            ).all()
        for case_id, student_id, reason in cases:
            self.lines.append(f"  case opened about {student_id}: {reason}")
            self._seen_case = case_id


def test_golden_late_attendance_export(runtime: Runtime, cli: CliRunner, tmp_path: Path) -> None:
    files = write_files(tmp_path)
    terminal = Session(runtime, cli)
    terminal.lines += [
        "# Lincoln's attendance for Monday 12 to Wednesday 14 October arrives late; Oak's is on",
        "# time. Before, the scan counted Lincoln's missing days as present: it praised Ana",
        "# (recognition) and never noticed that she had been absent all three days.",
        "# Wednesday 14 October 2026, 3:30 pm in Los Angeles. Synthetic families.",
        "",
    ]
    for kind, name in [
        ("schools", "schools.csv"),
        ("students", "students.csv"),
        ("guardians", "guardians.csv"),
        ("calendar", "calendar.csv"),
        ("attendance", "attendance-2026-10-14.csv"),
    ]:
        terminal.run("import", kind, str(files[name]), shown=("import", kind, name))
    terminal.run("scan", "--baseline", "--date", "2026-10-09")
    terminal.run("scan", "--date", "2026-10-14")
    late = "attendance-lincoln-late.csv"
    terminal.run("import", "attendance", str(files[late]), shown=("import", "attendance", late))
    terminal.run("scan", "--date", "2026-10-14")
    actual = "\n".join(terminal.lines).rstrip("\n") + "\n"
    path = GOLDEN / "late_attendance_export.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
