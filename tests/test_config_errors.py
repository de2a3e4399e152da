"""Start-up errors are one sentence that says what to do, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from outreach_bot import create_app
from outreach_bot.config import ConfigError, load_settings

CLI = Path(sys.executable).with_name("outreach-bot")


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real console script with only these settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TWILIO_"))}
    clean |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", **env}
    return subprocess.run(
        [str(CLI), *args], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("DISTRICT_TIMEZONE", "Mars/Olympus_Mons", "DISTRICT_TIMEZONE"),
        ("QUIET_HOURS", "8pm-8am", "QUIET_HOURS"),
        ("QUIET_HOURS", "25:00-08:00", "QUIET_HOURS"),
        ("TWILIO_API_BASE_URL", "localhost:8080", "TWILIO_API_BASE_URL"),
        ("TWILIO_API_BASE_URL", "ftp://gateway.example.org", "TWILIO_API_BASE_URL"),
        ("PUBLIC_BASE_URL", "outreach.example.org", "PUBLIC_BASE_URL"),
        ("LOGIN_MAX_FAILURES", "five", "LOGIN_MAX_FAILURES"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        ("SMS_BACKEND", "carrier-pigeon", "SMS_BACKEND"),
    ],
)
def test_a_malformed_setting_is_refused_at_start_up_in_one_line(variable, value, words):
    with pytest.raises(ConfigError, match=words) as caught:
        load_settings(environ={variable: value})
    assert "\n" not in str(caught.value)


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path):
    done = run_cli(tmp_path, "scan", QUIET_HOURS="8pm-8am")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "QUIET_HOURS" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_uncreated_database_says_run_db_upgrade(tmp_path):
    done = run_cli(tmp_path, "scan")
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "run `outreach-bot db upgrade`" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_an_unreachable_database_says_what_to_check(tmp_path):
    done = run_cli(tmp_path, "scan", DATABASE_URL="postgresql://nobody@127.0.0.1:9/test")
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "Cannot reach the database" in done.stderr and "DATABASE_URL" in done.stderr


def test_postgres_urls_are_accepted(tmp_path):
    settings = load_settings(environ={"DATABASE_URL": "postgres://127.0.0.1:5432/test"})
    assert settings.database_url == "postgresql+psycopg://127.0.0.1:5432/test"
    app = create_app({"DATABASE_URL": "postgres://127.0.0.1:5432/test"})
    assert app.extensions["outreach"].db.engine.dialect.name == "postgresql"
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["outreach"].db.dispose()


def test_readyz_and_pages_say_the_database_is_not_created(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "outreach-bot db upgrade" in ready.get_json()["checks"]["database"]
    form = {"MessageSid": "SM" + "a" * 32, "From": "+15035550142", "Body": "hi"}
    page = client.post("/twilio/inbound", data=form)
    assert page.status_code == 503
    assert "run `outreach-bot db upgrade`" in page.get_data(as_text=True)
    app.extensions["outreach"].db.dispose()
