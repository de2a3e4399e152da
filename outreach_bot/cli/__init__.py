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

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from outreach_bot import create_app
        from outreach_bot.config import ConfigError

        try:
            app = create_app()
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


@click.group()
def main() -> None:
    """outreach-bot: text families when a student starts missing school, and follow up."""


# Each module of these registers its commands on `main`.
_COMMANDS = (
    "database",
    "demo",
    "escalations",
    "exports",
    "flows",
    "i18n",
    "imports",
    "notices",
    "privacy",
    "reports",
    "scan",
    "sync",
    "tokens",
    "users",
)


def _register() -> None:
    for name in _COMMANDS:
        import_module(f"outreach_bot.cli.{name}").register(main)


_register()
