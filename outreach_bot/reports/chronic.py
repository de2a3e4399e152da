"""Chronic absence by group: how many counted students fall in each band, and the chronic rate.

Pure: standings in, rows out, so the command line, the dashboard and the board PDF share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from outreach_bot.reports.definitions import BANDS, grade_order, percent
from outreach_bot.reports.standing import GROUPS, KEY_COLUMNS, StudentStanding, keys_for

# CSV columns after the grouping columns, in the order an outside check relies on.
COUNT_COLUMNS: tuple[str, ...] = (
    "students",
    *BANDS,
    "chronically_absent",
    "chronic_rate",
)


@dataclass
class ChronicRow:
    """One group's band counts among the students who count on the report date."""

    key: tuple[str, ...]  # values of the grouping columns (empty for the whole district)
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))

    @property
    def students(self) -> int:
        """Students counted in this group."""
        return sum(self.bands.values())

    @property
    def chronically_absent(self) -> int:
        """Moderate plus severe chronic."""
        return self.bands["moderate_chronic"] + self.bands["severe_chronic"]

    @property
    def chronic_rate(self) -> Decimal | None:
        """Chronically absent over students, a percentage with one decimal (None: nobody)."""
        return percent(self.chronically_absent, self.students)

    def values(self) -> tuple[object, ...]:
        """The row's cells after its key, in COUNT_COLUMNS order."""
        return (
            self.students,
            *(self.bands[band] for band in BANDS),
            self.chronically_absent,
            self.chronic_rate,
        )


def columns(by: str) -> tuple[str, ...]:
    """The full header of a chronic report grouped `by`."""
    return (*KEY_COLUMNS[by], *COUNT_COLUMNS)


def tally(standings: Iterable[StudentStanding], by: str) -> list[ChronicRow]:
    """One row per group value among the students who count, in a reader's order.

    With `by="district"` there is always exactly one row, even when nobody counts.
    """
    rows: dict[tuple[str, ...], ChronicRow] = {}
    if by == "district":
        rows[()] = ChronicRow(())
    for standing in standings:
        if not standing.counted:
            continue
        band = standing.band
        for key in keys_for(standing, by):
            rows.setdefault(key, ChronicRow(key)).bands[band] += 1
    return sorted(rows.values(), key=lambda row: row_order(by, row.key))


def row_order(by: str, key: tuple[str, ...]) -> tuple[int | str, ...]:
    """Grades in school order, groups in students.csv order, everything else alphabetical."""
    if by == "grade":
        return grade_order(key[0])
    if by == "group":
        return (GROUPS.index(key[0]), key[1])
    return key
