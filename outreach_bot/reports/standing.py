"""One student's standing on a report date, and the groups a report may count them in.

Pure: plain values in, plain values out, so the command line, the dashboard and a PDF can
all group the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach_bot.reports.definitions import band_for, counts_in_report, is_chronic

# How a report may group students; "district" is one row for everyone.
BY_CHOICES: tuple[str, ...] = ("district", "school", "grade", "group", "zip")
# The student-group columns of students.csv, in the order group reports list them.
GROUPS: tuple[str, ...] = ("english_learner", "iep", "low_income", "race_ethnicity", "gender")
# The columns that name a row of a report grouped `by`, in CSV order.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "district": (),
    "school": ("school_id",),
    "grade": ("grade",),
    "group": ("group", "value"),
    "zip": ("zip",),
}
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class StudentStanding:
    """A student's numbers as of a date, with what a report groups them by."""

    student_id: str
    first_name: str
    last_name: str
    school_id: str
    grade: str
    zip: str | None  # the student's own, else the school's
    groups: tuple[bool | str | None, ...]  # values of GROUPS, in that order
    instructional_days: int
    absences: int
    exit_date: date | None = None  # the last day enrolled, when the student has left

    @property
    def band(self) -> str:
        """The Attendance Works band, exactly as the scan computes it."""
        return band_for(self.absences, self.instructional_days)

    @property
    def counted(self) -> bool:
        """True when the student has been enrolled long enough to count in a report."""
        return counts_in_report(self.instructional_days)

    @property
    def chronic(self) -> bool:
        """True when the student is chronically absent (moderate or severe chronic)."""
        return is_chronic(self.band)

    @property
    def name(self) -> str:
        """First and last name, as staff lists show them."""
        return f"{self.first_name} {self.last_name}".strip()


def group_value(value: bool | str | None) -> str:
    """A student-group value as a report prints it: yes/no, the text, or "not recorded"."""
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def keys_for(standing: StudentStanding, by: str) -> list[tuple[str, ...]]:
    """The rows a student counts in when a report is grouped `by` (one per group for "group")."""
    if by == "district":
        return [()]
    if by == "school":
        return [(standing.school_id,)]
    if by == "grade":
        return [(standing.grade,)]
    if by == "zip":
        return [(standing.zip or NOT_RECORDED,)]
    if by == "group":
        return [
            (group, group_value(value))
            for group, value in zip(GROUPS, standing.groups, strict=True)
        ]
    raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(BY_CHOICES)}")
