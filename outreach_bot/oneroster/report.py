"""What a OneRoster import did: roster rows created and updated, withdrawals, and bad rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from outreach_bot.attendance.import_report import ImportReport, RowError

ROSTER_KINDS = ("schools", "students", "guardians")


@dataclass
class ExportReport:
    """The outcome of importing one OneRoster export, a directory or a .zip."""

    source: str
    version: str | None = None
    modes: dict[str, str] = field(default_factory=dict)  # "users.csv" -> bulk or delta
    roster: dict[str, ImportReport] = field(
        default_factory=lambda: {kind: ImportReport(kind, kind) for kind in ROSTER_KINDS}
    )
    withdrawn: int = 0  # students the export withdrew (deleted, or left out of a bulk file)
    guardians_removed: int = 0
    guardians_kept: int = 0  # removed guardians with texts on record: kept, never texted again
    older: int = 0  # records older than those already imported, left as they were
    bad_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: bool = False  # True when nothing from the export was written

    def reject(self, errors: list[RowError]) -> ExportReport:
        """Mark the whole export as not imported, for these reasons."""
        self.errors.extend(errors)
        self.rejected = True
        return self

    def lines(self) -> list[str]:
        """The report as lines for a person: the export, then one line per kind of row."""
        version = f"OneRoster {self.version}" if self.version else "OneRoster"
        files = ", ".join(f"{name} ({mode})" for name, mode in self.modes.items())
        lines = [f"{self.source}: {version} export" + (f" of {files}" if files else "")]
        if self.rejected:
            bad = f"{self.bad_rows} bad row{'' if self.bad_rows == 1 else 's'}"
            return [*lines, f"{bad}; nothing was imported"]
        for kind, report in self.roster.items():
            line = (
                f"{kind}: {report.created} created, {report.updated} updated,"
                f" {report.unchanged} unchanged"
            )
            if kind == "students" and self.withdrawn:
                line += f", {self.withdrawn} withdrawn"
            if kind == "guardians" and (self.guardians_removed or self.guardians_kept):
                line += f", {self.guardians_removed + self.guardians_kept} removed"
                if self.guardians_kept:
                    line += f" ({self.guardians_kept} with texts on record kept, without consent)"
            lines.append(line)
        if self.older:
            lines.append(
                f"{self.older} record{'' if self.older == 1 else 's'} older than the one already"
                " imported (by dateLastModified) left as stored"
            )
        if self.bad_rows:
            lines.append(f"{self.bad_rows} bad row{'' if self.bad_rows == 1 else 's'} skipped")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready fields, for a report file or the API."""
        return {
            "source": self.source,
            "version": self.version,
            "files": self.modes,
            "roster": {kind: report.as_dict() for kind, report in self.roster.items()},
            "withdrawn": self.withdrawn,
            "guardians_removed": self.guardians_removed,
            "guardians_kept": self.guardians_kept,
            "older": self.older,
            "bad_rows": self.bad_rows,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
        }
