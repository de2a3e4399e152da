"""`outreach-bot notices run|list|pdf`: the legally required truancy notices (NOTICES_STATE)."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select

from outreach_bot.cli import with_runtime
from outreach_bot.models import Notice, Student
from outreach_bot.notices.rules import NoticeRules, NoticeRulesError, load_rules
from outreach_bot.runtime import Runtime, district_today

# The exit status when the notices are stored but their texts could not be queued.
QUEUE_UNREACHABLE = 4
LIST_COLUMNS = (
    "notice_id", "student_id", "school_id", "stage", "rules", "issued_on", "language",
    "guardian_id", "texted", "mailed_at",
)  # fmt: skip


def _rules(runtime: Runtime) -> NoticeRules:
    state = runtime.settings.notices_state
    if not state:
        raise click.ClickException(
            "notices are off: set NOTICES_STATE to the state whose rules apply (CA) to turn them on"
        )
    try:
        return load_rules(runtime.settings.flows_dir, state)
    except NoticeRulesError as error:
        raise click.ClickException(str(error)) from error


@click.group("notices")
def notices_group() -> None:
    """The truancy notices a state requires: send those due, list them, print a letter."""


@notices_group.command("run")
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="School day to count as of (default: today in the district's timezone).",
)
@with_runtime
def run_command(runtime: Runtime, as_of: datetime | None) -> None:
    """Send every notice due: each stage once per student per school year, however often run."""
    from outreach_bot.jobs import relay_outbox
    from outreach_bot.notices.run import run_notices
    from outreach_bot.queue import QueueUnreachable

    rules = _rules(runtime)
    day = as_of.date() if as_of is not None else district_today(runtime)
    with runtime.db.transaction() as session:
        result = run_notices(
            session,
            rules=rules,
            as_of=day,
            now=runtime.clock(),
            conversations=runtime.conversations,
        )
    click.echo(f"notices as of {day.isoformat()} ({rules.name}):")
    for stage in rules.stages:
        click.echo(f"  {stage.name:<12} {result.sent.get(stage.name, 0):>6}")
    click.echo(f"texts to families: {result.texted} (none to a family that said STOP)")
    if result.waiting_for_contact:
        click.echo(
            f"waiting for a contact attempt: {result.waiting_for_contact} students (log a call"
            " or visit on their case; the next notice needs one first)"
        )
    if result.unclassified:
        click.echo(
            f"students with absences neither excused nor unexcused: {result.unclassified} (not"
            " counted; map the district's codes to excused or unexcused with --codes)"
        )
    try:
        relay_outbox()
    except QueueUnreachable as error:
        click.echo(
            f"Error: the notices are stored, but their texts are not queued: {error}. They go"
            " out once Redis is back and a worker runs; there is no need to run again.",
            err=True,
        )
        raise SystemExit(QUEUE_UNREACHABLE) from error


@notices_group.command("list")
@click.option("--stage", help="Only this stage (first, second, conference).")
@click.option(
    "--format", "output", type=click.Choice(("table", "csv")), default="table", show_default=True
)
@with_runtime
def list_command(runtime: Runtime, stage: str | None, output: str) -> None:
    """Every notice, newest school day first, and whether its letter was mailed."""
    with runtime.db.transaction() as session:
        query = (
            select(Notice, Student.school_id)
            .join(Student, Student.id == Notice.student_id)
            .order_by(Notice.issued_on.desc(), Notice.id)
        )
        if stage:
            query = query.where(Notice.stage == stage)
        rows = [
            (
                notice.id, notice.student_id, school_id, notice.stage, notice.rules,
                notice.issued_on.isoformat(), notice.language, notice.guardian_id or "",
                "yes" if notice.text_message_id else "no",
                notice.mailed_at.isoformat(timespec="minutes") if notice.mailed_at else "",
            )
            for notice, school_id in session.execute(query)
        ]  # fmt: skip
    if output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(LIST_COLUMNS)
        writer.writerows(rows)
        return
    if not rows:
        click.echo("no notices")
        return
    click.echo(
        f"{'id':>5}  {'student':<10} {'school':<8} {'stage':<11} {'issued':<10}  {'lang':<7}"
        f" {'texted':<6} mailed"
    )
    for row in rows:
        click.echo(
            f"{row[0]:>5}  {row[1]:<10} {row[2]:<8} {row[3]:<11} {row[5]:<10}  {row[6]:<7}"
            f" {row[8]:<6} {row[9] or 'not yet'}"
        )
    click.echo(f"{len(rows)} notices")


@notices_group.command("pdf")
@click.argument("notice_id", type=int)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="Where to write the letter (FILE.pdf).",
)  # fmt: skip
@with_runtime
def pdf_command(runtime: Runtime, notice_id: int, out: Path) -> None:
    """Write one notice's letter, in the family's language, as a printable PDF."""
    from outreach_bot.notices.printing import LetterIncomplete, notices_pdf

    with runtime.db.transaction() as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise click.ClickException(
                f"no notice {notice_id}; `outreach-bot notices list` shows their ids"
            )
        rules = _rules_for(runtime, notice.rules)
        content = {stage.name: stage.content for stage in rules.stages}
        try:
            pdf = notices_pdf(
                session,
                [notice],
                content,
                runtime.settings.district_name,
                runtime.settings.locales_dir,
                runtime.settings.district_address_lines,
            )
        except LetterIncomplete as error:
            raise click.ClickException(str(error)) from error
    out.write_bytes(pdf)
    click.echo(f"wrote notice {notice_id} ({notice.stage}, {notice.language}) to {out}")


def _rules_for(runtime: Runtime, state: str) -> NoticeRules:
    """The rules a stored notice was sent under (kept even once NOTICES_STATE changes)."""
    try:
        return load_rules(runtime.settings.flows_dir, state)
    except NoticeRulesError as error:
        raise click.ClickException(str(error)) from error


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(notices_group)
