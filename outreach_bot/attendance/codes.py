"""A district's own attendance codes (CODES.csv: `code,status`), each mapped to a status.

Pure: bytes in, a lookup table out. An SIS writes its own codes ("A", "UX", "T30"...) in the
status column; the table turns each into one of the statuses the scan counts, and may say
how many minutes a code means. Standard status names and Ed-Fi categories are read as they
are, so a file that mixes them with codes still imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from outreach_bot.attendance import csv_fields
from outreach_bot.attendance.csv_reader import UnreadableFile, decode_csv
from outreach_bot.attendance.import_report import RowError

_STATUSES = "present, absent, tardy, excused or unexcused"


@dataclass(frozen=True)
class Code:
    """What one district code means: a status, and the minutes it stands for (if it says)."""

    status: str
    minutes_missed: int | None = None


class CodesFileError(Exception):
    """The codes file cannot be used; `errors` places each problem in it."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class AttendanceCodes:
    """The district's codes by exact spelling; `source` names the file in messages."""

    source: str
    codes: Mapping[str, Code]

    def _find(self, value: str) -> Code | None:
        found = self.codes.get(value)
        if found is None:
            # Spreadsheets and SIS screens change case freely; a code differing only in case
            # from exactly one code in the table is that code.
            folded = [
                code for name, code in self.codes.items() if name.casefold() == value.casefold()
            ]
            found = folded[0] if len(folded) == 1 else None
        return found

    def status(self, value: str) -> str:
        """A cell's status: its code's, else a standard or Ed-Fi name; ValueError otherwise."""
        code = self._find(value)
        if code is not None:
            return code.status
        try:
            return csv_fields.attendance_status(value)
        except ValueError:
            raise ValueError(
                f"{csv_fields.shown(value)} is not a code in {self.source}; add it there with"
                f" its status ({_STATUSES}), or correct the code"
            ) from None

    def minutes_missed(self, value: str) -> int | None:
        """The minutes a cell's code stands for, when the codes file gives them."""
        code = self._find(value)
        return code.minutes_missed if code is not None else None


def read_codes(data: bytes, source: str) -> AttendanceCodes:
    """Read a codes file's bytes; raises CodesFileError naming every bad line."""
    try:
        table = decode_csv(data, source)
        missing = [name for name in ("code", "status") if name not in table.positions]
        if missing:
            raise CodesFileError(
                [
                    RowError(
                        source,
                        1,
                        name,
                        f"the header has no {name} column; expected a codes file whose header"
                        " has code, status (and optionally minutes_missed)",
                    )
                    for name in missing
                ]
            )
        codes: dict[str, Code] = {}
        lines: dict[str, int] = {}
        errors: list[RowError] = []
        for row in table.rows():
            if row.error:
                errors.append(row.error)
                continue
            name = row.values["code"].strip()
            where = {
                name: table.positions.get(name) for name in ("code", "status", "minutes_missed")
            }
            if not name:
                errors.append(
                    RowError(
                        source, row.line, "code", "'' is empty; expected a code", where["code"]
                    )
                )
                continue
            try:
                status = csv_fields.attendance_status(row.values["status"].strip() or "''")
            except ValueError as error:
                errors.append(RowError(source, row.line, "status", str(error), where["status"]))
                continue
            minutes_cell = row.values.get("minutes_missed", "").strip()
            try:
                minutes = csv_fields.minutes(minutes_cell) if minutes_cell else None
            except ValueError as error:
                errors.append(
                    RowError(
                        source, row.line, "minutes_missed", str(error), where["minutes_missed"]
                    )
                )
                continue
            if name in codes:
                errors.append(
                    RowError(
                        source,
                        row.line,
                        "code",
                        f"line {lines[name]} has the same code {csv_fields.shown(name)};"
                        " each code may appear once",
                        where["code"],
                    )
                )
                continue
            codes[name], lines[name] = Code(status, minutes), row.line
    except UnreadableFile as unreadable:
        raise CodesFileError([unreadable.error]) from None
    if errors:
        raise CodesFileError(errors)
    return AttendanceCodes(source, codes)
