"""`outreach-bot import oneroster DIR`: a OneRoster 1.1 or 1.2 export, a directory or a .zip."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import IntegrityError

from outreach_bot.cli import with_runtime_only
from outreach_bot.oneroster.directory import import_export
from outreach_bot.runtime import Runtime


@click.command("oneroster")
@click.argument("path", metavar="DIR", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good records and report the bad ones, instead of importing nothing.",
)
@with_runtime_only
def oneroster_command(runtime: Runtime, path: Path, skip_bad_rows: bool) -> None:
    """Import a OneRoster 1.1 or 1.2 CSV export (bulk or delta): schools, students, guardians."""
    settings = runtime.settings
    zone = ZoneInfo(settings.district_timezone)
    try:
        with runtime.db.transaction() as session:
            report = import_export(
                session,
                path,
                zone=zone,
                today=runtime.clock().astimezone(zone).date(),
                default_language=settings.district_language,
                language_column=settings.oneroster_language_column,
                skip_bad_rows=skip_bad_rows,
            )
    except IntegrityError as error:
        # Only a concurrent writer can break a key the import has checked.
        raise click.ClickException(
            f"{path.name} was not imported: the database changed while it was being imported"
            " (another import running at once?); import it again"
        ) from error
    for problem in report.errors:
        click.echo(str(problem), err=True)
    for line in report.lines():
        click.echo(line)
    if report.rejected:
        advice = "fix the problems above and import it again"
        if report.bad_rows and not skip_bad_rows:
            advice += ", or pass --skip-bad-rows to import the good records and skip the bad ones"
        click.echo(f"{path.name} was not imported: {advice}.", err=True)
        raise SystemExit(1)
