"""A OneRoster export as a whole: where its files are (a directory or a .zip) and its manifest."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from outreach_bot.attendance.csv_reader import CsvTable, UnreadableFile, open_csv
from outreach_bot.attendance.import_report import RowError

BULK, DELTA, ABSENT = "bulk", "delta", "absent"
# The files outreach-bot reads, by name without ".csv", in the order they are read.
FILES = ("orgs", "academicSessions", "roles", "users", "enrollments", "demographics")
# Without these there are no schools or students; the others add to them.
REQUIRED = ("orgs", "users")
MANIFEST = "manifest.csv"


class ExportError(Exception):
    """The export as a whole cannot be read; `errors` say which file and why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class Export:
    """The files of one export by name ("users.csv"), on disk: a directory's own files, or a
    .zip's extracted to a temporary folder, so that each is read a record at a time."""

    name: str
    paths: dict[str, Path]
    temporary: tempfile.TemporaryDirectory[str] | None = None

    def has(self, file_name: str) -> bool:
        """Whether the export has this file."""
        return file_name.casefold() in self.paths

    def table(self, file_name: str) -> CsvTable:
        """The file checked (encoding, NUL bytes, header) and ready to read a record at a time.

        Raises UnreadableFile when it is not a CSV file, KeyError when the export lacks it.
        """
        return open_csv(self.paths[file_name.casefold()], file_name)

    def close(self) -> None:
        """Remove the files extracted from a .zip."""
        if self.temporary is not None:
            self.temporary.cleanup()


@dataclass(frozen=True)
class Manifest:
    """What the export's manifest.csv says: its OneRoster version and each file's mode."""

    version: str | None = None
    modes: dict[str, str] = field(default_factory=dict)  # "users" -> bulk, delta or absent

    def mode(self, name: str, present: bool) -> str:
        """How to read a file: as the manifest says; without a manifest, bulk when present."""
        if name in self.modes:
            return self.modes[name]
        return BULK if present else ABSENT


def open_export(path: Path) -> Export:
    """An export's CSV files, from a directory or from a .zip of one (extracted, never held)."""
    if path.is_dir():
        return Export(path.name, {child.name.casefold(): child for child in path.glob("*.csv")})
    folder = tempfile.TemporaryDirectory(prefix="oneroster_")
    paths: dict[str, Path] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                # A zip made by right-clicking the folder nests the files one level down.
                member_path = PurePosixPath(member.filename)
                if not member.is_dir() and member_path.suffix.casefold() == ".csv":
                    name = member_path.name.casefold()
                    paths[name] = Path(folder.name) / name
                    with archive.open(member) as source, paths[name].open("wb") as target:
                        shutil.copyfileobj(source, target)
    except (zipfile.BadZipFile, OSError) as error:
        folder.cleanup()
        raise ExportError(
            [
                RowError(
                    path.name,
                    None,
                    None,
                    f"the file cannot be read as a .zip ({error}); expected a OneRoster"
                    " directory or a .zip of its CSV files",
                )
            ]
        ) from None
    return Export(path.name, paths, folder)


def read_manifest(export: Export) -> Manifest:
    """The manifest, when the export has one; its errors name the line and column."""
    if not export.has(MANIFEST):
        return Manifest()
    try:
        table = export.table(MANIFEST)
        rows = list(table.rows())
    except UnreadableFile as unreadable:
        raise ExportError([unreadable.error]) from None
    errors = [
        RowError(MANIFEST, 1, name, f"the header has no {name} column; expected propertyName,value")
        for name in ("propertyname", "value")
        if name not in table.positions
    ]
    if errors:
        raise ExportError(errors)
    version: str | None = None
    modes: dict[str, str] = {}
    names = {name.casefold(): name for name in FILES}
    for row in rows:
        if row.error:
            errors.append(row.error)
            continue
        prop = row.values["propertyname"].strip()
        value = row.values["value"].strip()
        if prop.casefold() == "oneroster.version":
            version = value
        elif prop.casefold().startswith("file."):
            file_name = prop[5:].casefold()
            mode = value.casefold()
            if mode not in (BULK, DELTA, ABSENT):
                errors.append(
                    RowError(
                        MANIFEST,
                        row.line,
                        "value",
                        f"{value!r} is not a file mode; expected bulk, delta or absent",
                        table.positions["value"],
                    )
                )
            elif file_name in names:
                modes[names[file_name]] = mode
    if errors:
        raise ExportError(errors)
    return Manifest(version, modes)


def missing_files(export: Export, manifest: Manifest) -> list[RowError]:
    """A required file the export lacks, or a file its manifest lists but it does not have."""
    errors = []
    for name in FILES:
        if export.has(f"{name}.csv"):
            continue
        declared = manifest.modes.get(name)
        if declared in (BULK, DELTA):
            reason = f"{MANIFEST} lists it as {declared}"
        elif declared is None and name in REQUIRED:
            reason = f"every OneRoster export needs it (or {MANIFEST} saying file.{name},absent)"
        else:
            continue
        errors.append(RowError(export.name, None, None, f"the export has no {name}.csv; {reason}"))
    return errors
