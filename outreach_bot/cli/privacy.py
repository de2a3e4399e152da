"""`outreach-bot purge --before DATE` and `outreach-bot export family PHONE`."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from outreach_bot.cli import with_runtime
from outreach_bot.cli.exports import export_group
from outreach_bot.phones import normalize_phone
from outreach_bot.privacy.family_export import export_family
from outreach_bot.privacy.retention import purge_before
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit


@click.command("purge")
@click.option(
    "--before",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Remove what ended before this date (YYYY-MM-DD, the district's midnight).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_runtime
def purge_command(runtime: Runtime, day: datetime, yes: bool) -> None:
    """Remove old texts, delivery reports, finished conversations, barriers and closed cases,
    as the district's retention policy says. Opt-outs, rosters and the audit log stay."""
    cutoff = datetime.combine(day.date(), time(0), ZoneInfo(runtime.settings.district_timezone))
    now = runtime.clock()
    if cutoff > now:
        raise click.ClickException(f"--before {day.date()} is in the future; give a past date.")
    if not yes:
        click.confirm(f"Remove family texts and closed cases from before {day.date()}?", abort=True)
    with runtime.db.transaction() as session:
        purged = purge_before(session, cutoff)
        audit.record(
            session,
            user_id=None,
            action="purged",
            now=now,
            detail=f"before {day.date()}: " + ", ".join(purged.lines()),
        )
    click.echo(f"purged before {day.date()}: " + ", ".join(purged.lines()))


@export_group.command("family")
@click.argument("phone")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON here (default: standard output).",
)
@with_runtime
def export_family_command(runtime: Runtime, phone: str, out: Path | None) -> None:
    """Everything kept about one family phone, as JSON (the export is audited)."""
    try:
        number = normalize_phone(phone)
    except ValueError as error:
        raise click.ClickException(
            f"{phone!r} is not a phone number; give it as on file, e.g. +15035550142."
        ) from error
    with runtime.db.transaction() as session:
        data = export_family(session, number)
        audit.record(session, user_id=None, action="exported_family", now=runtime.clock())
    if not data["guardians"] and not data["texts"]:
        raise click.ClickException("Nothing is kept about that phone number.")
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(purge_command)  # `export family` joins the export group of cli/exports.py
