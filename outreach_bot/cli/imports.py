"""`outreach-bot import schools|students|guardians|calendar|attendance|resources FILE.csv`, and
`oneroster DIR`.

`import attendance` also takes `--codes CODES.csv`, the district's own attendance codes. On a
terminal each import shows its progress on stderr; in cron it prints only its summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import IntegrityError

from outreach_bot.attendance.codes import AttendanceCodes, CodesFileError, read_codes
from outreach_bot.attendance.csv_kinds import ATTENDANCE, KINDS, Kind
from outreach_bot.attendance.importer import ImportReport, import_file
from outreach_bot.cli import with_runtime_only
from outreach_bot.cli.oneroster import oneroster_command
from outreach_bot.cli.progress import terminal_progress
from outreach_bot.runtime import Runtime
from outreach_bot.staff import district_settings

_CODES_HELP = (
    "The district's attendance codes: a CSV file with code and status columns (status one of"
    " present, absent, tardy, excused, unexcused; optional minutes_missed). The attendance"
    " file's status column then holds these codes."
)


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


def _codes(path: Path | None) -> AttendanceCodes | None:
    """The codes file read, or a usage error naming each of its bad lines."""
    if path is None:
        return None
    try:
        return read_codes(path.read_bytes(), path.name)
    except CodesFileError as error:
        for problem in error.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{path.name} cannot be used, so nothing was imported: fix the lines above and"
            " import again"
        ) from error


def _command(kind: Kind) -> click.Command:
    columns = ", ".join(column.name for column in kind.required)
    optional = ", ".join(column.name for column in kind.columns if not column.required)
    if kind.name == ATTENDANCE.name:
        optional += ", period (one row per period, rolled up to the day)"

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
    @with_runtime_only
    def command(runtime: Runtime, path: Path, skip_bad_rows: bool, **attendance: Any) -> None:
        codes = _codes(attendance.get("codes"))
        try:
            with runtime.db.transaction() as session, terminal_progress(path.name) as progress:
                options: dict[str, Any] = {"codes": codes} if codes else {}
                if kind.name == ATTENDANCE.name:
                    chosen = district_settings.effective(session, runtime.settings)
                    options["periods"] = chosen.period_rule
                report = import_file(
                    session,
                    kind.name,
                    path,
                    skip_bad_rows=skip_bad_rows,
                    progress=progress,
                    **options,
                )
        except IntegrityError as error:
            # Only a concurrent writer can break a key the import has checked.
            raise click.ClickException(
                f"{path.name} was not imported: the database changed while it was being"
                " imported (another import running at once?); import it again"
            ) from error
        _print(report, skip_bad_rows)
        if report.rejected:
            raise SystemExit(1)

    if kind.name == ATTENDANCE.name:
        codes_option = click.option(
            "--codes",
            metavar="CODES.csv",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=_CODES_HELP,
        )
        return codes_option(command)
    return command


for _kind in KINDS.values():
    import_group.add_command(_command(_kind))
import_group.add_command(oneroster_command)


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(import_group)
