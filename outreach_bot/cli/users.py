"""`outreach-bot users create EMAIL --role ...`: staff accounts from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from outreach_bot.cli import with_runtime
from outreach_bot.models import User
from outreach_bot.models.staff import ROLES
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit
from outreach_bot.staff.users import STAFF_LANGUAGES, AccountError, create_user


@click.group("users")
def users_group() -> None:
    """Staff accounts for the dashboard."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--school",
    "schools",
    multiple=True,
    metavar="SCHOOL_ID",
    help="A school the account works for; repeat for several (clerks and school leads).",
)
@click.option(
    "--language", type=click.Choice(STAFF_LANGUAGES), default="en", help="Dashboard language."
)
@click.password_option(
    "--password", prompt="Password (at least 12 characters)", help="Prompted for when not given."
)
@with_runtime
def create_command(
    runtime: Runtime,
    email: str,
    role: str,
    schools: tuple[str, ...],
    language: str,
    password: str,
) -> None:
    """Create a staff account."""
    now = runtime.clock()
    try:
        with runtime.db.transaction() as session:
            user = create_user(
                session,
                email=email,
                password=password,
                role=role,
                school_ids=schools,
                language=language,
                now=now,
            )
            audit.record(
                session,
                user_id=None,
                action="created_user",
                now=now,
                target_type="user",
                target_id=user.id,
                detail="command line",
            )
            created = f"created {user.email} ({user.role}"
            created += f"; schools {', '.join(user.school_ids)})" if user.school_ids else ")"
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(created)


@users_group.command("list")
@with_runtime
def list_command(runtime: Runtime) -> None:
    """List staff accounts."""
    with runtime.db.transaction() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            state = "" if user.active else " (turned off)"
            click.echo(f"{user.email:<40} {user.role:<15} {','.join(user.school_ids)}{state}")


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(users_group)
