"""Which students a report page covers: a staff member's schools, and the filters they chose.

Pure. Group filters name a students.csv group column and a value as reports print it, such
as `english_learner=yes` or `gender=F`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from outreach_bot.reports.standing import GROUPS, StudentStanding, group_value


@dataclass(frozen=True)
class Selection:
    """Schools within reach (None: every school), and an optional grade and student group."""

    schools: frozenset[str] | None = None
    grade: str | None = None
    group: tuple[str, str] | None = None  # (column, value), e.g. ("english_learner", "yes")

    def keeps(self, standing: StudentStanding) -> bool:
        """True when the student is in the schools, grade and group chosen."""
        if self.schools is not None and standing.school_id not in self.schools:
            return False
        if self.grade is not None and standing.grade != self.grade:
            return False
        if self.group is not None:
            column, value = self.group
            return group_value(standing.groups[GROUPS.index(column)]) == value
        return True

    def narrow(self, standings: Iterable[StudentStanding]) -> list[StudentStanding]:
        """The standings this selection keeps."""
        return [standing for standing in standings if self.keeps(standing)]


def parse_group(text: str | None) -> tuple[str, str] | None:
    """`column=value` as a group filter (None when empty, unknown or malformed)."""
    if not text or "=" not in text:
        return None
    column, value = text.split("=", 1)
    return (column, value) if column in GROUPS and value else None
