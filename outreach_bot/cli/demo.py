"""`outreach-bot demo` and `outreach-bot serve`."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import click

from outreach_bot.cli import with_runtime
from outreach_bot.runtime import Runtime

TICK_SECONDS = 60


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's CSVs and SQLite file here (default: a temporary folder).",
)
def demo_command(folder: Path | None) -> None:
    """Run the whole loop on a synthetic district, with embedded defaults and no services."""
    from outreach_bot.demo.tour import run_demo

    if folder is not None:
        if folder.exists() and any(folder.iterdir()):
            raise click.ClickException(f"{folder} is not empty; give a new or empty folder")
        run_demo(folder, click.echo)
        return
    scratch = Path(tempfile.mkdtemp(prefix="outreach-demo-"))
    try:
        run_demo(scratch, click.echo)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_runtime
def serve_command(runtime: Runtime, host: str, port: int) -> None:
    """Dashboard and webhook on a local server, with the tick running in-process."""
    from flask import current_app

    from outreach_bot.schema import upgrade

    upgrade(runtime.db.engine)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()

    def tick_every_minute() -> None:
        from outreach_bot import jobs

        while not stop.wait(TICK_SECONDS):
            with app.app_context():
                jobs.tick()

    threading.Thread(target=tick_every_minute, daemon=True).start()
    click.echo(f"webhook: http://{host}:{port}/twilio/inbound  (tick every {TICK_SECONDS}s)")
    try:
        app.run(host=host, port=port, use_reloader=False)
    finally:
        stop.set()


def register(main: click.Group) -> None:
    """Attach these commands."""
    main.add_command(demo_command)
    main.add_command(serve_command)
