"""Reading an SIS export: UTF-8 CSV with a header row, each record placed on its physical line."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from outreach_bot.attendance.import_report import RowError

_SAVE_AS = "save it from the spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that"
# Bytes a file is checked in, so that a large file is never held whole.
_BLOCK = 1 << 20


class UnreadableFile(Exception):
    """The file as a whole cannot be read as CSV; `error` says where and why."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class CsvRow:
    """One record: its first physical line, its cells by column name, or what is wrong with it."""

    line: int
    values: dict[str, str]
    error: RowError | None = None


@dataclass
class CsvTable:
    """A decoded file: header columns (normalized names) with positions, and its records."""

    source: str
    positions: dict[str, int]  # column name -> place in the header, counting from 1
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    text: str = ""
    path: Path | None = None  # read from here, a record at a time, instead of `text`
    newlines: int = 0  # line breaks in the file, for progress
    # Whether the file has a double quote anywhere, and ends in a line break: a file read
    # from disk without quotes may be handed to PostgreSQL's COPY as it is (copied_file).
    quoted: bool = True
    ends_in_newline: bool = False

    def rows(self) -> Iterator[CsvRow]:
        """Each non-blank record after the header; raises UnreadableFile on broken quoting."""
        if self.path is None:
            yield from self._rows(io.StringIO(self.text, newline=""))
            return
        with self.path.open(encoding="utf-8-sig", newline="") as file:
            yield from self._rows(file)

    def _rows(self, lines: Iterable[str]) -> Iterator[CsvRow]:
        reader = csv.reader(lines, strict=True)
        width = max(self.positions.values(), default=0)
        names = {position: name for name, position in self.positions.items()}
        next_line = 1
        try:
            next(reader)  # the header, already read
            next_line = reader.line_num + 1
            for cells in reader:
                line, next_line = next_line, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line, or a spreadsheet's row of empty cells
                extra = cells[width:]
                if len(cells) < width or any(cell.strip() for cell in extra):
                    yield CsvRow(line, {}, self._width_error(line, len(cells), width))
                    continue
                yield CsvRow(line, {names[i + 1]: cells[i] for i in range(width) if i + 1 in names})
        except csv.Error as error:
            raise UnreadableFile(
                RowError(
                    self.source,
                    next_line,
                    None,
                    f"this record is not valid CSV ({error});"
                    " a value with a double quote in it must be in double quotes, with the"
                    ' quote doubled ("")',
                )
            ) from None

    def _width_error(self, line: int, found: int, width: int) -> RowError:
        return RowError(
            self.source,
            line,
            None,
            f"the row has {found} values but the header has {width} columns; a value with a"
            " comma in it must be in double quotes",
        )


def column_name(header_cell: str) -> str:
    """A header cell as a column name: 'Student ID' -> 'student_id'."""
    return "_".join(header_cell.strip().casefold().replace("-", " ").split())


def decode_csv(data: bytes, source: str) -> CsvTable:
    """Decode a CSV file's bytes (UTF-8, with or without a BOM) and read its header."""
    _check_start(data, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(source, data, error, 0) from None
    if "\x00" in text:
        raise _binary(source, text, 0)
    positions, duplicates = _header(io.StringIO(text, newline=""), source)
    return CsvTable(source, positions, duplicates, text, newlines=text.count("\n"))


def open_csv(path: Path, source: str) -> CsvTable:
    """Check a CSV file as `decode_csv` does, a block at a time, and read its header.

    The records are read from the file as they are wanted, so a large file is never held
    whole. Raises OSError when the file cannot be read.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    newlines = 0
    quoted, last = False, b""
    binary: UnreadableFile | None = None  # reported after an encoding error, as decode_csv does
    with path.open("rb") as file:
        block = file.read(_BLOCK)
        _check_start(block, source)
        while True:
            quoted = quoted or b'"' in block
            last = block[-1:] or last
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                # The decoder's object is its pending bytes (never a line break) and the block.
                raise _not_utf8(source, error.object, error, newlines) from None
            if binary is None and "\x00" in text:
                binary = _binary(source, text, newlines)
            newlines += text.count("\n")
            if not block:
                break
            block = file.read(_BLOCK)
    if binary is not None:
        raise binary
    with path.open(encoding="utf-8-sig", newline="") as lines:
        positions, duplicates = _header(lines, source)
    return CsvTable(
        source,
        positions,
        duplicates,
        path=path,
        newlines=newlines,
        quoted=quoted,
        ends_in_newline=last == b"\n",
    )


def _check_start(data: bytes, source: str) -> None:
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            RowError(
                source,
                None,
                None,
                f"the file is a spreadsheet workbook (.xlsx), not CSV; {_SAVE_AS}",
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(RowError(source, None, None, f"the file is UTF-16 text; {_SAVE_AS}"))


def _not_utf8(source: str, data: bytes, error: UnicodeDecodeError, lines: int) -> UnreadableFile:
    line = lines + data[: error.start].count(b"\n") + 1
    byte = data[error.start]
    return UnreadableFile(
        RowError(source, line, None, f"the file is not UTF-8 text (byte 0x{byte:02X}); {_SAVE_AS}")
    )


def _binary(source: str, text: str, lines: int) -> UnreadableFile:
    line = lines + text[: text.index("\x00")].count("\n") + 1
    return UnreadableFile(
        RowError(
            source,
            line,
            None,
            f"the file is binary, not CSV text (it has NUL bytes); {_SAVE_AS}",
        )
    )


def _header(lines: Iterable[str], source: str) -> tuple[dict[str, int], dict[str, list[int]]]:
    """The header's column names with their places, and the names given more than once."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise UnreadableFile(
            RowError(source, 1, None, f"the header is not valid CSV ({error})")
        ) from None
    if header is None or not any(cell.strip() for cell in header):
        raise UnreadableFile(
            RowError(source, 1, None, "the file is empty; expected a header row naming the columns")
        )
    if len(header) == 1 and ("\t" in header[0] or ";" in header[0]):
        separator = "tabs" if "\t" in header[0] else "semicolons"
        raise UnreadableFile(
            RowError(
                source, 1, None, f"the columns are separated by {separator}, not commas; {_SAVE_AS}"
            )
        )
    positions: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for position, cell in enumerate(header, start=1):
        name = column_name(cell)
        if not name:
            continue
        if name in positions:
            duplicates.setdefault(name, [positions[name]]).append(position)
        else:
            positions[name] = position
    return positions, duplicates
