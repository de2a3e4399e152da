"""`outreach-bot scan [--date YYYY-MM-DD]`: run the attendance scan now and say what it found."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import click

from outreach_bot.attendance.coverage import NO_CALENDAR
from outreach_bot.attendance.metrics import BANDS
from outreach_bot.attendance.rules import TriggerFileError
from outreach_bot.attendance.scan import ScanResult
from outreach_bot.cli import with_runtime
from outreach_bot.runtime import Runtime, district_today

# The exit status when a school's data has not arrived: the scan ran, and said so.
DATA_MISSING = 3
# The exit status when the scan is stored but its texts could not be queued (Redis down).
QUEUE_UNREACHABLE = 4


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
    from outreach_bot.jobs import relay_outbox
    from outreach_bot.queue import QueueUnreachable
    from outreach_bot.scan_jobs import scan_and_store

    day = as_of.date() if as_of is not None else district_today(runtime)
    try:
        result = scan_and_store(day, act=not baseline)
    except TriggerFileError as error:
        raise click.ClickException(str(error)) from error
    try:
        relay_outbox()
        unqueued = None
    except QueueUnreachable as error:
        unqueued = error
    click.echo(f"scan as of {result.as_of.isoformat()}: {result.students_scanned} students")
    width = max(len(band) for band in BANDS)
    for band in BANDS:
        click.echo(f"  {band:<{width}}  {result.bands.get(band, 0):>6}")
    if result.rules_run_for < result.students_scanned:
        click.echo(
            f"  the rules ran for {result.rules_run_for} of them; the others' summaries stepped"
            " on from the eve's, where nothing could start"
        )
    if result.withdrawn:
        click.echo(
            f"withdrawn before this day: {result.withdrawn} students"
            " (counted to their exit date; nothing fires for them)"
        )
    _echo_fired(result, baseline)
    if result.skipped:
        _echo_skipped(result)
    if unqueued is not None:
        click.echo(
            f"Error: the scan is stored, but its texts are not queued: {unqueued}. They wait"
            " in the outbox and go out once Redis is back and a worker runs (its tick queues"
            " them); there is no need to scan again.",
            err=True,
        )
        raise SystemExit(QUEUE_UNREACHABLE)
    if result.skipped:
        # Not 1: a scheduler can tell "data not in yet" from a broken run.
        raise SystemExit(DATA_MISSING)


def _echo_fired(result: ScanResult, baseline: bool) -> None:
    fired = result.fired_by_trigger()
    if not fired:
        click.echo("no triggers fired")
        return
    click.echo("triggers recorded as a baseline (nothing sent):" if baseline else "triggers fired:")
    held = Counter(firing.trigger for firing in result.fired if firing.action == "holdout")
    width = max(len(name) for name in fired)
    for name, count in sorted(fired.items()):
        note = f"  ({held[name]} held out, not texted)" if held[name] else ""
        click.echo(f"  {name:<{width}}  {count:>6}{note}")


def _echo_skipped(result: ScanResult) -> None:
    """Each skipped school and why, then on stderr what to do about it."""
    click.echo("schools not scanned (nothing fired there; their numbers stay as they were):")
    for school in result.skipped:
        click.echo(
            f"  {school.school_id}  {school.name}, {school.students} students:"
            f" {school.missing.explained()}"
        )
    reasons = {school.missing.reason for school in result.skipped}
    advice = []
    if reasons - {NO_CALENDAR}:
        advice.append("import the attendance export (outreach-bot import attendance FILE.csv)")
    if NO_CALENDAR in reasons:
        advice.append(
            "import the school calendar (outreach-bot import calendar FILE.csv), or, if your"
            " calendars list only the days off, let weekdays count on the District settings page"
        )
    count = len(result.skipped)
    schools = "1 school was" if count == 1 else f"{count} schools were"
    click.echo(
        f"Error: {schools} not scanned as of {result.as_of.isoformat()} because data is"
        f" missing: {'; '.join(advice)}; then run the scan again.",
        err=True,
    )


def register(main: click.Group) -> None:
    """Attach this command."""
    main.add_command(scan_command)
