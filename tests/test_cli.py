"""The console script: escalations, db upgrade, the demo, and the worker's tick clock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import click
from click.testing import CliRunner
from rq import Queue

from outreach_bot.cli import main
from outreach_bot.escalations import open_escalation
from tests.factories import add_family, add_school
from worker import enqueue_ticks


def test_escalations_lists_open_cases_most_urgent_first(runtime, cli, clock):
    assert cli.invoke(main, ["escalations"]).output == "no open escalations\n"
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
        open_escalation(session, reason="no_reply", now=clock(), student_id="S1001")
        open_escalation(
            session, reason="safety", priority="urgent", now=clock(), student_id="S1001"
        )
    outcome = cli.invoke(main, ["escalations"])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert "urgent" in lines[1] and lines[1].endswith("safety")
    assert "normal" in lines[2] and lines[2].endswith("no_reply")
    assert lines[-1] == "2 open"
    assert "+1503" not in outcome.output and "Ana" not in outcome.output


def test_db_upgrade_is_repeatable(cli):
    first = cli.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0 and "database is up to date" in first.output
    assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0


def test_the_demo_runs_the_whole_loop(tmp_path: Path):
    outcome = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path / "demo")])
    assert outcome.exit_code == 0, outcome.output
    out = outcome.output
    assert "students.csv: 300 created" in out
    assert "300 students scanned" in out
    assert "Hola, le escribe" in out  # a Spanish-speaking family got Spanish
    assert "family ▸ el autobus" in out and "Aqui hay ayuda cerca de usted:" in out
    assert "asked_for_a_person" in out and "no_reply" in out
    assert "you will not get more texts from us" in out
    summary = dict(
        line.strip().rsplit(None, 1) for line in out.split("━━ Summary")[1].splitlines()[1:7]
    )
    assert int(summary["texts sent"]) > 20 and int(summary["open escalations"]) > 5


def test_a_non_empty_demo_folder_is_refused(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine")
    outcome = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path)])
    assert outcome.exit_code != 0 and "is not empty" in outcome.output


def test_the_tick_is_queued_once_a_minute_across_workers(redis_connection):
    queue = Queue("outreach-test", connection=redis_connection)
    stops = [threading.Event(), threading.Event()]
    workers = [
        threading.Thread(target=enqueue_ticks, args=(redis_connection, queue, stop))
        for stop in stops
    ]
    for stop, worker in zip(stops, workers, strict=True):
        stop.set()  # one pass each: both try to queue this minute's tick
        worker.start()
    for worker in workers:
        worker.join(5)
    # Both threads ran once; the per-minute key let only one of them queue the tick.
    assert len(queue.job_ids) == 1
    assert queue.job_ids[0].startswith("tick-")


def test_command_groups_shared_by_two_modules_keep_every_command() -> None:
    # `export resources` (cli/exports.py) and `export family` (cli/privacy.py) share a group:
    # a second group of the same name would silently replace the first.
    from outreach_bot.cli import main

    export = main.get_command(click.Context(main), "export")
    assert isinstance(export, click.Group)
    assert {"resources", "family"} <= set(export.commands)


def test_a_report_loads_neither_the_pages_nor_the_pdf_renderer_nor_scipy(
    database_url: str,
) -> None:
    # What a report does not need, it does not wait for: the dashboard's pages, WeasyPrint
    # (PDFs), scipy (the effect report) and twilio load only in the commands that use them.
    heavy = ("outreach_bot.web", "weasyprint", "scipy", "twilio")
    code = (
        "import sys\n"
        "from outreach_bot.cli import main\n"
        "main(['report', 'chronic', '--as-of', '2026-10-30', '--by', 'group'],"
        " standalone_mode=False)\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )
    environment = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": ""}
    environment["ENVIRONMENT"] = "test"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
