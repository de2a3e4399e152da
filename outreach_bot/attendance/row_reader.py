"""Reading one record of an import: each cell by its column's reader, and every problem in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outreach_bot.attendance.csv_fields import shown
from outreach_bot.attendance.csv_kinds import REFERENCES, Column, Kind
from outreach_bot.attendance.csv_reader import CsvRow
from outreach_bot.attendance.import_report import RowError

# Cells remembered per column. A big file repeats the same few thousand ids, dates and codes,
# so most cells are read once; past this many distinct cells the memory is started afresh,
# which keeps it flat however long the file is.
_REMEMBERED = 50_000
_UNREAD = object()  # the value of a cell its reader refused


class RowReader:
    """Reads a kind's records, remembering how each distinct cell of a column read."""

    def __init__(
        self,
        spec: Kind,
        source: str,
        positions: Mapping[str, int],
        known: Mapping[str, set[Any]],
    ) -> None:
        self.spec, self.source, self.positions, self.known = spec, source, positions, known
        # Per column: cell -> (value, problem). Readers are pure, and the known ids do not
        # change during an import, so a cell always reads the same.
        self._columns: list[tuple[Column, str, str, dict[str, tuple[Any, str | None]]]] = [
            (column, column.name, column.field, {}) for column in spec.columns
        ]

    def read(self, row: CsvRow) -> tuple[dict[str, Any], list[RowError]]:
        """A row's values by model attribute, and every problem in it.

        Columns the source does not have, and blanks that keep the stored value, are left out
        of the values, so an import never clears what it was not given.
        """
        spec, cells_of = self.spec, row.values
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        problem: str | None
        for column, name, field, cells in self._columns:
            cell = cells_of.get(name)
            if cell is None:
                if not column.required:
                    continue
                value, problem = _UNREAD, f"the value is missing; expected {column.expected}"
            else:
                remembered = cells.get(cell)
                if remembered is None:
                    if len(cells) >= _REMEMBERED:
                        cells.clear()
                    remembered = cells[cell] = self.read_cell(column, cell)
                value, problem = remembered
            if value is not _UNREAD:
                values[field] = value
            if problem:
                place = self.positions.get(name)
                errors.append(RowError(self.source, row.line, name, problem, place))
        together = spec.check(values) if spec.check and not errors else None
        if together:
            name, problem = together
            errors.append(RowError(self.source, row.line, name, problem, self.positions.get(name)))
        if spec.complete and not errors:
            spec.complete(row.values, values)
        return values, errors

    def read_cell(self, column: Column, cell: str) -> tuple[Any, str | None]:
        """A cell's value (_UNREAD when it gives none) and what is wrong with it."""
        if not cell.strip():
            if column.required:
                return _UNREAD, f"'' is empty; expected {column.expected}"
            return (_UNREAD if column.blank_keeps else None), None
        try:
            value = column.read(cell.strip())
        except ValueError as error:
            return _UNREAD, str(error)
        if column.refers_to and value not in self.known[column.refers_to]:
            return value, f"{shown(str(value))} {REFERENCES[column.refers_to].unknown}"
        return value, None

    def duplicate(self, line: int, first: int) -> RowError:
        """The error for a row whose key an earlier good row (on line `first`) already had."""
        spec = self.spec
        names = [column.name for column in spec.columns if column.field in spec.key]
        return RowError(
            self.source,
            line,
            names[-1],
            f"line {first} has the same {' and '.join(names)}; {spec.once}",
            self.positions.get(names[-1]),
        )
