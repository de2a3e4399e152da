"""`outreach-bot export resources FILE.csv` (the directory as a file the import reads back);
`export family PHONE` joins this group from cli/privacy.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from outreach_bot.cli import with_runtime
from outreach_bot.resources.export import write_csv
from outreach_bot.runtime import Runtime


@click.group("export")
def export_group() -> None:
    """Write out what outreach-bot holds: the resource directory, or one family's data."""


@export_group.command("resources")
@click.argument("path", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@with_runtime
def resources_command(runtime: Runtime, path: Path) -> None:
    """Export the resource directory (retired places too) to FILE.csv, or - for stdout."""
    with runtime.db.transaction() as session:
        if str(path) == "-":
            count = write_csv(session, sys.stdout)
            return
        with path.open("w", encoding="utf-8", newline="") as handle:
            count = write_csv(session, handle)
    click.echo(f"{path}: {count} resources written", err=True)


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(export_group)
