"""`outreach-bot tokens create NAME --scope read|write`, `revoke NAME`, `list`: API tokens."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy.orm import Session

from outreach_bot.cli import with_runtime
from outreach_bot.models.api_token import SCOPES, ApiToken
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit
from outreach_bot.staff.api_tokens import TokenError, create_token, list_tokens, revoke_token


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens for the JSON API under /api/v1/."""


@tokens_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    required=True,
    help="read: the GET endpoints; write: those and the PUT imports.",
)
@with_runtime
def create_command(runtime: Runtime, name: str, scope: str) -> None:
    """Create a token and print it once; only its hash is kept."""
    now = runtime.clock()
    try:
        with runtime.db.transaction() as session:
            row, token = create_token(session, name=name, scope=scope, now=now)
            _audit(session, "created_api_token", row, now)
    except TokenError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created token {name} ({scope}); it is shown this once, so store it now:", err=True)
    click.echo(token)


@tokens_group.command("revoke")
@click.argument("name")
@with_runtime
def revoke_command(runtime: Runtime, name: str) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    now = runtime.clock()
    try:
        with runtime.db.transaction() as session:
            row, newly = revoke_token(session, name=name, now=now)
            if newly:
                _audit(session, "revoked_api_token", row, now)
            revoked_at = row.revoked_at
    except TokenError as error:
        raise click.ClickException(str(error)) from error
    if newly:
        click.echo(f"revoked token {name}")
    else:
        click.echo(f"token {name} was revoked already, at {revoked_at:%Y-%m-%d %H:%M} UTC")


@tokens_group.command("list")
@with_runtime
def list_command(runtime: Runtime) -> None:
    """List tokens: name, scope, when created, last used, revoked."""
    with runtime.db.transaction() as session:
        for row in list_tokens(session):
            used = f"used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            created = f"created {row.created_at:%Y-%m-%d}"
            click.echo(f"{row.name:<32} {row.scope:<6} {created}  {used:<16} {state}")


def _audit(session: Session, action: str, row: ApiToken, now: datetime) -> None:
    """Note a token's creation or revocation in the audit log (never the token itself)."""
    audit.record(
        session,
        user_id=None,
        action=action,
        now=now,
        target_type="api_token",
        target_id=row.id,
        detail=f"{row.name} ({row.scope}), command line",
    )


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(tokens_group)
