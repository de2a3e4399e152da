"""`outreach-bot import schools|students|guardians|calendar|attendance|resources FILE.csv`, and
`oneroster DIR`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import IntegrityError

from outreach_bot.attendance.csv_kinds import KINDS, Kind
from outreach_bot.attendance.importer import ImportReport, import_file
from outreach_bot.cli import with_runtime
from outreach_bot.cli.oneroster import oneroster_command
from outreach_bot.runtime import Runtime


@click.group("import")
def import_group() -> None:
    """Load an export from the student information system; re-importing changes nothing."""


def _print(report: ImportReport, skip_bad_rows: bool) -> None:
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    if report.rejected:
        if report.bad_rows and not skip_bad_rows:
            advice = "fix the rows above and import it again, or pass --skip-bad-rows"
            advice += " to import the good rows and skip the bad ones"
        else:
            advice = "fix the problem above and import it again"
        click.echo(f"{report.source} was not imported: {advice}.", err=True)


def _command(kind: Kind) -> click.Command:
    columns = ", ".join(column.name for column in kind.required)
    optional = ", ".join(column.name for column in kind.columns if not column.required)

    @click.command(
        kind.name,
        help=f"Import {kind.file_name}: columns {columns} (optional: {optional}).",
    )
    @click.argument(
        "path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option(
        "--skip-bad-rows",
        is_flag=True,
        help="Import the good rows and report the bad ones, instead of importing nothing.",
    )
    @with_runtime
    def command(runtime: Runtime, path: Path, skip_bad_rows: bool) -> None:
        try:
            with runtime.db.transaction() as session:
                report = import_file(session, kind.name, path, skip_bad_rows=skip_bad_rows)
        except IntegrityError as error:
            # Only a concurrent writer can break a key the import has checked.
            raise click.ClickException(
                f"{path.name} was not imported: the database changed while it was being"
                " imported (another import running at once?); import it again"
            ) from error
        _print(report, skip_bad_rows)
        if report.rejected:
            raise SystemExit(1)

    return command


for _kind in KINDS.values():
    import_group.add_command(_command(_kind))
import_group.add_command(oneroster_command)


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(import_group)
