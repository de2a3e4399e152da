"""Shared by the OneRoster tests: the sample exports, importing them, and reading the roster."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from outreach_bot.models import Guardian, OneRosterRecord, School, Student
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
    """Import an export that must have no problem at all."""
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
    """A copy of a sample export to change."""
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first `old` in one file of an export; `old` must be there."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(report: ExportReport) -> list[str]:
    """Each problem as the command prints it."""
    return [str(error) for error in report.errors]


def nothing_imported(runtime: Runtime) -> None:
    """No roster row and no OneRoster record was written."""
    assert roster(runtime) == {"schools": [], "students": [], "guardians": []}
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OneRosterRecord)) == 0
