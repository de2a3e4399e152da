"""The `outreach-bot` console script: one click group, a module per command family."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def with_runtime(command: F) -> F:
    """Build the app from the environment, enter its context, and pass the runtime first."""
    return _runtime_command(command, pages=True)


def with_runtime_only(command: F) -> F:
    """As `with_runtime`, without the dashboard's pages: for a command that reads the
    database and serves nothing (a report), so that it starts without loading them."""
    return _runtime_command(command, pages=False)


def _runtime_command(command: F, *, pages: bool) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from outreach_bot import create_app
        from outreach_bot.config import ConfigError

        try:
            app = create_app(pages=pages)
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
        runtime = app.extensions["outreach"]
        try:
            with app.app_context():
                return command(runtime, *args, **kwargs)
        except Exception as error:
            from outreach_bot.database_errors import explain

            sentence = explain(error, runtime.db.engine.url)
            if sentence is None:
                raise
            raise click.ClickException(sentence) from error
        finally:
            runtime.db.dispose()

    return wrapper  # type: ignore[return-value]


# Each command's modules. A command imports only its own when it runs (`--help` on its own
# imports them all): a report does not wait for the PDF renderer or scipy to load.
_COMMANDS: dict[str, tuple[str, ...]] = {
    "db": ("database",),
    "demo": ("demo",),
    "escalations": ("escalations",),
    "export": ("exports", "privacy"),  # `export family` is privacy's
    "flows": ("flows",),
    "i18n": ("i18n",),
    "import": ("imports",),
    "notices": ("notices",),
    "purge": ("privacy",),
    "report": ("reports",),
    "scan": ("scan",),
    "serve": ("demo",),
    "sync": ("sync",),
    "tokens": ("tokens",),
    "users": ("users",),
}


class _Commands(click.Group):
    """The top group: each module of a command registers its commands on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for module in _COMMANDS.get(cmd_name, ()):
                import_module(f"outreach_bot.cli.{module}").register(self)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands)
def main() -> None:
    """outreach-bot: text families when a student starts missing school, and follow up."""
