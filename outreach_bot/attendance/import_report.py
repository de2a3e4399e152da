"""What an import did: rows created, updated and unchanged, and each bad row with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    """One problem in an import file, placed by file, physical line and column."""

    file: str
    line: int | None
    column: str | None
    message: str
    position: int | None = None  # the column's place in the header, counting from 1

    def __str__(self) -> str:
        place = [self.file]
        if self.line is not None:
            place.append(f"line {self.line}")
        if self.column is not None:
            place.append(f"column {self.column}" + (f" ({self.position})" if self.position else ""))
        return f"{', '.join(place)}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready fields, with its sentence under "error"."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "position": self.position,
            "message": self.message,
            "error": str(self),
        }


@dataclass
class ImportReport:
    """The outcome of importing one file (or one batch of rows) of one kind."""

    kind: str
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: int = 0  # rows with at least one error; a bad header or encoding is no row
    errors: list[RowError] = field(default_factory=list)
    rejected: bool = False  # True when nothing from the source was written

    def summary(self) -> str:
        """One line: "students.csv: 240 created, 0 updated, 0 unchanged, 0 bad rows"."""
        bad = f"{self.bad_rows} bad row{'' if self.bad_rows == 1 else 's'}"
        line = (
            f"{self.source}: {self.created} created, {self.updated} updated,"
            f" {self.unchanged} unchanged, {bad}"
        )
        return f"{line}; nothing was imported" if self.rejected else line

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready fields, for the API."""
        return {
            "kind": self.kind,
            "source": self.source,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
        }
