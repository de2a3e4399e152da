"""The drop folder on its own: when a night is due, what each file is, the order, the filing."""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from outreach_bot.sync.drop_folder import (
    CODES,
    DONE,
    FAILED,
    ONEROSTER,
    UNKNOWN,
    file_away,
    pending,
    recognise,
)
from outreach_bot.sync.schedule import night_due, night_of

NOW = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)
DATA = Path(__file__).parent / "data"


def drop(folder: Path, name: str, text: str, *, minutes_ago: float = 30) -> Path:
    """A file dropped in the folder, last changed `minutes_ago` before NOW."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    settle(path, minutes_ago)
    return path


def settle(path: Path, minutes_ago: float) -> None:
    moment = (NOW - timedelta(minutes=minutes_ago)).timestamp()
    os.utime(path, (moment, moment))


# --- When a night's sync is due --------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "hour", "night"),
    [
        ("2026-10-14 01:59", 2, "2026-10-12"),  # Tuesday 01:59: Monday night's sync not yet
        ("2026-10-14 02:00", 2, "2026-10-13"),
        ("2026-10-14 15:00", 2, "2026-10-13"),  # a worker starting late catches up
        ("2026-10-13 20:59", 21, "2026-10-12"),
        ("2026-10-13 21:00", 21, "2026-10-13"),
        ("2026-10-14 03:00", 21, "2026-10-13"),
        ("2026-10-14 00:00", 0, "2026-10-13"),
        ("2026-10-14 11:59", 12, "2026-10-13"),
        ("2026-10-14 12:00", 12, "2026-10-14"),
    ],
)
def test_the_night_due_is_the_latest_whose_hour_has_come(local: str, hour: int, night: str) -> None:
    assert night_due(datetime.fromisoformat(local), hour) == date.fromisoformat(night)


@pytest.mark.parametrize(
    ("local", "night"),
    [("2026-10-13 12:00", "2026-10-13"), ("2026-10-14 02:00", "2026-10-13")],
)
def test_a_night_runs_from_noon_to_noon(local: str, night: str) -> None:
    assert night_of(datetime.fromisoformat(local)) == date.fromisoformat(night)


# --- What a dropped file is ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("schools.csv", "schools"),
        ("students.csv", "students"),
        ("guardians.csv", "guardians"),
        ("calendar.csv", "calendar"),
        ("attendance.csv", "attendance"),
        ("resources.csv", "resources"),
    ],
)
def test_each_csv_is_known_by_its_header_not_its_name(tmp_path: Path, name: str, kind: str) -> None:
    text = (DATA / "import" / name).read_text(encoding="utf-8-sig")
    assert recognise(drop(tmp_path, "export_20261013.txt", text)) == (kind, None)


def test_codes_period_files_and_oneroster_exports_are_recognised(tmp_path: Path) -> None:
    assert recognise(DATA / "sis" / "codes.csv") == (CODES, None)
    assert recognise(DATA / "sis" / "periods.csv") == ("attendance", None)
    folder = tmp_path / "oneroster"
    folder.mkdir()
    (folder / "manifest.csv").write_text("propertyName,value\n", encoding="utf-8")
    assert recognise(folder) == (ONEROSTER, None)
    with zipfile.ZipFile(tmp_path / "roster.zip", "w") as archive:
        archive.writestr("export/users.csv", "sourcedId,role\n")
    assert recognise(tmp_path / "roster.zip") == (ONEROSTER, None)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "id,when,what\n1,2,3\n",
            "the header fits no kind of file the sync imports; expected the columns of a"
            " schools, calendar, students, guardians, resources, attendance or codes file"
            " (see docs/files.md)",
        ),
        (
            "student_id;date;status\n",
            "the columns are separated by semicolons, not commas; save it from the spreadsheet"
            " as CSV UTF-8 (Save As > CSV UTF-8) and import that",
        ),
        (
            "school_id,name,zip,date,instructional\n",
            "the header fits schools and calendar files alike; keep one kind a file",
        ),
    ],
)
def test_a_file_of_no_known_kind_says_why(tmp_path: Path, content: str, problem: str) -> None:
    assert recognise(drop(tmp_path, "export.csv", content)) == (UNKNOWN, problem)


def test_a_zip_or_folder_that_is_not_oneroster_says_so(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as archive:
        archive.writestr("a.jpg", "x")
    assert recognise(tmp_path / "photos.zip") == (
        UNKNOWN,
        "a zip file without OneRoster's manifest.csv or users.csv in it",
    )
    (tmp_path / "misc").mkdir()
    assert recognise(tmp_path / "misc")[0] == UNKNOWN


# --- What waits, and in what order -----------------------------------------------------------


def test_rosters_come_before_attendance_and_each_kind_oldest_first(tmp_path: Path) -> None:
    sis = DATA / "sis"
    drop(tmp_path, "a_attendance.csv", (sis / "daily_codes.csv").read_text(), minutes_ago=90)
    drop(tmp_path, "b_attendance.csv", (sis / "absences_only.csv").read_text(), minutes_ago=120)
    drop(tmp_path, "z_students.csv", (DATA / "import" / "students.csv").read_text(), minutes_ago=10)
    drop(tmp_path, "codes.csv", (sis / "codes.csv").read_text())
    drop(tmp_path, "uploading.csv.part", "student_id,da")
    drop(tmp_path, ".hidden.csv", "x")
    drop(tmp_path, "fresh.csv", "student_id,date,status\n", minutes_ago=1)  # still arriving
    (tmp_path / DONE).mkdir()
    drops, arriving = pending(tmp_path, now=NOW)
    assert [(d.name, d.kind) for d in drops] == [
        ("codes.csv", CODES),
        ("z_students.csv", "students"),
        ("b_attendance.csv", "attendance"),
        ("a_attendance.csv", "attendance"),
    ]
    assert arriving == ["fresh.csv"]


def test_a_filed_drop_keeps_its_name_and_a_second_one_that_night_gets_a_number(
    tmp_path: Path,
) -> None:
    night = date(2026, 10, 13)
    for text in ("first", "second"):
        drop(tmp_path, "attendance.csv", f"student_id,date,status\n{text}\n")
        (found,), _ = pending(tmp_path, now=NOW)
        file_away(found, FAILED, night=night, report=f"report of the {text}\n")
    shelf = tmp_path / FAILED / "2026-10-13"
    assert sorted(path.name for path in shelf.iterdir()) == [
        "attendance-2.csv",
        "attendance-2.csv.report.txt",
        "attendance.csv",
        "attendance.csv.report.txt",
    ]
    assert (shelf / "attendance-2.csv").read_text().endswith("second\n")
    assert (shelf / "attendance.csv.report.txt").read_text() == "report of the first\n"
    assert list(tmp_path.glob("*.csv")) == []
    with pytest.raises(ValueError, match="expected 'done' or 'failed'"):
        file_away(found, "elsewhere", night=night, report="")
