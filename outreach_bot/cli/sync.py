"""`outreach-bot sync`: import what waits in the drop folder now, as the nightly sync does."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from outreach_bot.cli import with_runtime
from outreach_bot.runtime import Runtime
from outreach_bot.sync.schedule import night_of


@click.command("sync")
@click.option(
    "--night",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The night to file the drop folder under and scan as of (default: the current night).",
)
@with_runtime
def sync_command(runtime: Runtime, night: datetime | None) -> None:
    """Import the files waiting in IMPORT_DIR now, file them in done/ or failed/, then scan.

    The worker does this by itself every night at the District settings' hour; this runs it
    at once (for a first try, or after fixing a failed file) without taking the night's turn.
    """
    # Imported here: the jobs module pulls in the queue and the conversation engine.
    from outreach_bot.nightly_jobs import sync_now

    if runtime.settings.import_dir is None:
        raise click.ClickException(
            "IMPORT_DIR is not set; set it to the drop folder the SIS exports are copied to"
        )
    if not runtime.settings.import_dir.is_dir():
        raise click.ClickException(f"IMPORT_DIR ({runtime.settings.import_dir}) is not a folder")
    zone = ZoneInfo(runtime.settings.district_timezone)
    day = night.date() if night else night_of(runtime.clock().astimezone(zone))
    result, scanned = sync_now(runtime, day)
    for outcome in result.files:
        verdict = "imported" if outcome.imported else "FAILED"
        click.echo(
            f"{outcome.name} ({outcome.kind}): {verdict}; report: {outcome.filed_as}.report.txt"
        )
    for name in result.arriving:
        click.echo(f"{name}: still arriving (changed in the last minutes); left for the next run")
    if not result.files and not result.arriving:
        click.echo("the drop folder holds no new files")
    click.echo(
        f"scan as of {scanned.as_of.isoformat()}: {scanned.students_scanned} students,"
        f" {len(scanned.fired)} new firings, {len(scanned.skipped)} schools not scanned"
        "; the audit log names each school not scanned and why"
    )
    if result.failed:
        click.echo(
            f"{len(result.failed)} of {len(result.files)} files failed and changed nothing;"
            " each report says what to fix.",
            err=True,
        )
        raise SystemExit(1)


def register(main: click.Group) -> None:
    """Attach this command."""
    main.add_command(sync_command)
