"""`outreach-bot scan [--date YYYY-MM-DD]`: run the attendance scan now and say what it found."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click

from outreach_bot.attendance.metrics import BANDS
from outreach_bot.attendance.rules import TriggerFileError
from outreach_bot.cli import with_runtime
from outreach_bot.runtime import Runtime


@click.command("scan")
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="School day to scan as of (default: today in the district's timezone).",
)
@click.option(
    "--baseline",
    is_flag=True,
    help="Record what fires as already handled, texting no one: for the first scan mid-year.",
)
@with_runtime
def scan_command(runtime: Runtime, as_of: datetime | None, baseline: bool) -> None:
    """Compute every student's attendance numbers and fire the triggers in flows/triggers.yaml."""
    # Imported here: the jobs module pulls in the queue and the conversation engine.
    from outreach_bot.jobs import run_scan

    day = as_of.date() if as_of is not None else district_today(runtime)
    try:
        result = run_scan(day, act=not baseline)
    except TriggerFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"scan as of {result.as_of.isoformat()}: {result.students_scanned} students")
    width = max(len(band) for band in BANDS)
    for band in BANDS:
        click.echo(f"  {band:<{width}}  {result.bands.get(band, 0):>6}")
    fired = result.fired_by_trigger()
    if not fired:
        click.echo("no triggers fired")
        return
    click.echo("triggers recorded as a baseline (nothing sent):" if baseline else "triggers fired:")
    width = max(len(name) for name in fired)
    for name, count in sorted(fired.items()):
        click.echo(f"  {name:<{width}}  {count:>6}")


def district_today(runtime: Runtime) -> date:
    """Today's date in the district's timezone, by the runtime's clock."""
    return runtime.clock().astimezone(ZoneInfo(runtime.settings.district_timezone)).date()


def register(main: click.Group) -> None:
    """Attach this command."""
    main.add_command(scan_command)
