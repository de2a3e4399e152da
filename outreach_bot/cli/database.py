"""`outreach-bot db upgrade`."""

from __future__ import annotations

import click

from outreach_bot.cli import with_runtime
from outreach_bot.runtime import Runtime
from outreach_bot.schema import upgrade


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_runtime
def db_upgrade(runtime: Runtime) -> None:
    """Create or migrate the schema to the newest version."""
    upgrade(runtime.db.engine)
    click.echo(f"database is up to date ({runtime.db.engine.url.get_backend_name()})")


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(db_group)
