"""The drop folder (IMPORT_DIR): what waits there, what kind each file is, and filing it away.

Files are recognised by what they hold, not by their names: a CSV by its header, a OneRoster
export as a folder or zip with its manifest.csv or users.csv. They are imported rosters first
(OneRoster, schools, calendar, students, guardians, resources), then attendance, and within
a kind oldest first. Each one ends in `done/<night>/` or `failed/<night>/`, with
`<name>.report.txt` beside it. A codes file (`code,status`) stays where it is: it is the
table every attendance file is read with, night after night.
"""

from __future__ import annotations

import logging
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from outreach_bot.attendance.csv_kinds import KINDS
from outreach_bot.attendance.csv_reader import UnreadableFile, decode_csv

log = logging.getLogger(__name__)

ONEROSTER = "oneroster"
CODES = "codes"
UNKNOWN = "unknown"
DONE, FAILED = "done", "failed"
ORDER = (ONEROSTER, "schools", "calendar", "students", "guardians", "resources", "attendance")
ONEROSTER_FILES = frozenset({"manifest.csv", "users.csv"})
# A file changed this recently may still be arriving (an upload in progress); it waits.
SETTLE = timedelta(minutes=2)
_HEAD_BYTES = 64 * 1024
_IGNORED_SUFFIXES = (".report.txt", ".part", ".partial", ".tmp", ".crdownload", ".filepart")


@dataclass(frozen=True)
class Drop:
    """One file or folder waiting in the drop folder, and what kind of import it is."""

    path: Path
    kind: str  # a CSV kind (KINDS), ONEROSTER, CODES, or UNKNOWN
    modified: float  # seconds since the epoch, the newest change inside a folder
    problem: str | None = None  # why the kind is UNKNOWN

    @property
    def name(self) -> str:
        """The file or folder name, as reports and messages give it."""
        return self.path.name


def _modified(path: Path) -> float:
    if path.is_dir():
        times = [child.stat().st_mtime for child in path.rglob("*")]
        return max([path.stat().st_mtime, *times])
    return path.stat().st_mtime


def _csv_kind(path: Path) -> tuple[str, str | None]:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if len(head) == _HEAD_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]  # whole lines only, never half a character
    try:
        header = set(decode_csv(head, path.name).positions)
    except UnreadableFile as unreadable:
        return UNKNOWN, unreadable.error.message
    if {"code", "status"} <= header and "student_id" not in header:
        return CODES, None
    fits = [kind for kind in KINDS.values() if {c.name for c in kind.required} <= header]
    # A resources file has a school_id, name and zip too: the kind more of whose columns the
    # header has is the one it is.
    score = {kind.name: len({c.name for c in kind.columns} & header) for kind in fits}
    best = [name for name, count in score.items() if count == max(score.values(), default=0)]
    if len(best) == 1:
        return best[0], None
    if best:
        return UNKNOWN, f"the header fits {' and '.join(best)} files alike; keep one kind a file"
    return UNKNOWN, (
        "the header fits no kind of file the sync imports; expected the columns of a"
        f" {', '.join(ORDER[1:])} or codes file (see docs/files.md)"
    )


def recognise(path: Path) -> tuple[str, str | None]:
    """The kind of import a dropped path is, and why not when it is UNKNOWN."""
    if path.is_dir():
        if any((path / name).is_file() for name in ONEROSTER_FILES):
            return ONEROSTER, None
        return UNKNOWN, "a folder without OneRoster's manifest.csv or users.csv in it"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = {Path(name).name for name in archive.namelist()}
        if names & ONEROSTER_FILES:
            return ONEROSTER, None
        if "[Content_Types].xml" not in names:  # not a spreadsheet workbook either
            return UNKNOWN, "a zip file without OneRoster's manifest.csv or users.csv in it"
    return _csv_kind(path)


def _ignored(path: Path) -> bool:
    name = path.name
    return (
        name in (DONE, FAILED)
        or name.startswith((".", "~"))
        or name.casefold().endswith(_IGNORED_SUFFIXES)
    )


def pending(
    folder: Path, *, now: datetime, settle: timedelta = SETTLE
) -> tuple[list[Drop], list[str]]:
    """What waits to be imported, in import order, and the names still arriving."""
    drops: list[Drop] = []
    arriving: list[str] = []
    for path in sorted(folder.iterdir()):
        if _ignored(path):
            continue
        modified = _modified(path)
        if modified > (now - settle).timestamp():
            arriving.append(path.name)
            continue
        kind, problem = recognise(path)
        drops.append(Drop(path, kind, modified, problem))
    # The codes table first (it is read, not imported); files of no known kind last.
    rank = {CODES: -1, **{kind: place for place, kind in enumerate(ORDER)}}
    drops.sort(key=lambda drop: (rank.get(drop.kind, len(ORDER)), drop.modified, drop.name))
    return drops, arriving


def file_away(drop: Drop, outcome: str, *, night: date, report: str) -> Path:
    """Move a drop into done/<night>/ or failed/<night>/ and write its report beside it.

    A name already used that night gets a number (attendance-2.csv), so nothing is
    overwritten when the SIS sends the same file name twice.
    """
    if outcome not in (DONE, FAILED):
        raise ValueError(f"outcome is {outcome!r}; expected {DONE!r} or {FAILED!r}")
    shelf = drop.path.parent / outcome / night.isoformat()
    shelf.mkdir(parents=True, exist_ok=True)
    target = shelf / drop.name
    number = 2
    while target.exists() or _report_path(target).exists():
        suffix = "".join(drop.path.suffixes) if drop.path.is_file() else ""
        stem = drop.name[: len(drop.name) - len(suffix)]
        target = shelf / f"{stem}-{number}{suffix}"
        number += 1
    shutil.move(drop.path, target)
    _report_path(target).write_text(report, encoding="utf-8")
    log.info("drop folder: %s filed in %s", drop.name, target.parent)
    return target


def _report_path(target: Path) -> Path:
    return target.with_name(f"{target.name}.report.txt")
