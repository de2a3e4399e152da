"""Public aggregates for families and community partners: the chronic rate by school and grade,
with small cells suppressed. No student data: counts of at least MIN_CELL students only.

Pure: standings in, rows out. Counts come from `chronic.tally`, the same as every report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from outreach_bot.reports.chronic import ChronicRow, tally
from outreach_bot.reports.standing import StudentStanding
from outreach_bot.reports.suppression import MIN_CELL, Sum, hidden_cells

# A cell's key: ("district",), ("school", school_id) or ("grade", school_id, grade).
CellKey = tuple[str, ...]
DISTRICT: CellKey = ("district",)
COLUMNS: tuple[str, ...] = ("school", "grade", "students", "chronically_absent", "chronic_rate")
HIDDEN = "*"


@dataclass(frozen=True)
class PublicRow:
    """One published cell: a school's grade, a school's total, or the district's."""

    key: CellKey
    school: str  # the school's name; empty for the district row
    grade: str  # empty for a school's or the district's total
    counts: ChronicRow
    hidden: bool

    @property
    def is_total(self) -> bool:
        """True for a school's total and the district's."""
        return not self.grade

    def numbers(self) -> tuple[int | Decimal | str | None, ...]:
        """Students, chronically absent and rate; each `*` when the cell is suppressed."""
        if self.hidden:
            return (HIDDEN, HIDDEN, HIDDEN)
        return (self.counts.students, self.counts.chronically_absent, self.counts.chronic_rate)

    def values(self) -> tuple[object, ...]:
        """The row's cells in COLUMNS order."""
        return (self.school, self.grade, *self.numbers())


def public_rows(
    standings: Iterable[StudentStanding],
    school_names: Mapping[str, str],
    minimum: int = MIN_CELL,
) -> list[PublicRow]:
    """Each school's grades then its total, schools by name, the district last; small cells and
    whatever would give them away hidden."""
    counted = [standing for standing in standings if standing.counted]
    cells: dict[CellKey, ChronicRow] = {DISTRICT: tally(counted, "district")[0]}
    by_school: dict[str, Sum[CellKey]] = {}
    for school in tally(counted, "school"):
        school_id = school.key[0]
        cells[("school", school_id)] = school
        mine = [standing for standing in counted if standing.school_id == school_id]
        grades: dict[CellKey, ChronicRow] = {
            ("grade", school_id, row.key[0]): row for row in tally(mine, "grade")
        }
        cells.update(grades)
        by_school[school_id] = Sum(("school", school_id), tuple(grades))
    district = Sum(DISTRICT, tuple(rule.total for rule in by_school.values()))
    sizes = {key: row.students for key, row in cells.items()}
    hidden = hidden_cells(sizes, [*by_school.values(), district], minimum)

    def row(key: CellKey) -> PublicRow:
        name = school_names.get(key[1], key[1]) if len(key) > 1 else ""
        grade = key[2] if len(key) > 2 else ""
        return PublicRow(key, name, grade, cells[key], key in hidden)

    rows: list[PublicRow] = []
    for school_id in sorted(by_school, key=lambda found: (school_names.get(found, ""), found)):
        rule = by_school[school_id]
        rows += [row(part) for part in rule.parts]
        rows.append(row(rule.total))
    rows.append(row(DISTRICT))
    return rows
