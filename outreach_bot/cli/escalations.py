"""`outreach-bot escalations`: the open cases, until the staff dashboard exists."""

from __future__ import annotations

import click

from outreach_bot.cli import with_runtime
from outreach_bot.escalations import list_open
from outreach_bot.runtime import Runtime


@click.command("escalations")
@with_runtime
def escalations_command(runtime: Runtime) -> None:
    """List open escalations, most urgent first."""
    with runtime.db.transaction() as session:
        cases = list_open(session)
        if not cases:
            click.echo("no open escalations")
            return
        click.echo(
            f"{'id':>5}  {'priority':<8} {'level':<8} {'due (UTC)':<17} {'school':<10} "
            f"{'student':<10} reason"
        )
        for case in cases:
            click.echo(
                f"{case.id:>5}  {case.priority:<8} {case.level:<8} "
                f"{case.due_at:%Y-%m-%d %H:%M}  {case.school_id or '-':<10} "
                f"{case.student_id or '-':<10} {case.reason}"
            )
        click.echo(f"{len(cases)} open")


def register(main: click.Group) -> None:
    """Attach this command."""
    main.add_command(escalations_command)
