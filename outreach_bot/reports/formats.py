"""Report output: an aligned table for people, CSV for spreadsheets, JSON for programs.

Pure: a header and rows of plain values in, text out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

FORMATS: tuple[str, ...] = ("table", "csv", "json")
Cell = object


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    fmt: str,
    *,
    about: Mapping[str, Cell] | None = None,
) -> str:
    """The rows in `fmt`; `about` (report name, date, grouping) heads a table and a JSON object."""
    if fmt == "csv":
        return _csv(columns, rows)
    if fmt == "json":
        return _json(columns, rows, about or {})
    if fmt == "table":
        return _table(columns, rows, about or {})
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def transposed(
    columns: Sequence[str], rows: Sequence[Sequence[Cell]], keys: int
) -> tuple[list[str], list[list[Cell]]]:
    """A wide report turned on its side for reading: one line per measure, one column per row.

    The first `keys` columns name each row; with none, the one column is "district".
    """
    names = [" ".join(text_cell(cell) for cell in row[:keys]) or "district" for row in rows]
    lines = [[column, *(row[index] for row in rows)] for index, column in enumerate(columns)]
    return ["measure", *names], lines[keys:]


def text_cell(value: Cell) -> str:
    """A cell as CSV and tables print it: dates in ISO form, yes/no, nothing for no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def json_cell(value: Cell) -> object:
    """A cell as JSON holds it: rates as numbers, dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([text_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _json(columns: Sequence[str], rows: Sequence[Sequence[Cell]], about: Mapping[str, Cell]) -> str:
    document = {key: json_cell(value) for key, value in about.items()}
    document["columns"] = list(columns)
    document["rows"] = [
        {column: json_cell(cell) for column, cell in zip(columns, row, strict=True)} for row in rows
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[Cell]], about: Mapping[str, Cell]
) -> str:
    cells = [[text_cell(cell) or "-" for cell in row] for row in rows]
    widths = [
        max([len(column), *(len(row[index]) for row in cells)])
        for index, column in enumerate(columns)
    ]
    # Numbers line up on the right, words on the left.
    numeric = [
        any(isinstance(row[index], int | Decimal) for row in rows) for index in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    heading = ", ".join(f"{key} {text_cell(value)}" for key, value in about.items() if value)
    lines = [heading] if heading else []
    lines += [line(columns), line(["-" * width for width in widths])]
    lines += [line(row) for row in cells]
    return "\n".join(lines) + "\n"
