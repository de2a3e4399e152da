"""`outreach-bot report board --month YYYY-MM --out FILE.pdf`: the school board's one page."""

from __future__ import annotations

from pathlib import Path

import click

from outreach_bot.cli import with_runtime
from outreach_bot.reports.board import BoardError, district_board
from outreach_bot.runtime import Runtime, district_today


@click.command("board")
@click.option("--month", required=True, help="The month to report, YYYY-MM (so far, if current).")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@with_runtime
def board_command(runtime: Runtime, month: str, out: Path) -> None:
    """One page for the school board: chronic rate and trend, schools, outreach, effect."""
    from outreach_bot.reports.board_pdf import board_pdf  # WeasyPrint: a second to load

    with runtime.db.transaction() as session:
        try:
            summary = district_board(session, month, runtime.settings, district_today(runtime))
        except BoardError as error:
            raise click.BadParameter(str(error), param_hint="'--month'") from error
    out.write_bytes(board_pdf(summary, runtime.settings.district_name))
    click.echo(
        f"Wrote {out}: {runtime.settings.district_name}, {month},"
        f" as of {summary.as_of.isoformat()}."
    )
