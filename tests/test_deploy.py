"""The Procfile and the compose trial: the release line run as a platform runs it, against a
fresh database of each kind; the web line served by gunicorn; and docs/deploy/compose.yaml
held to the Procfile, the settings and the routes (no Docker engine runs here)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from redis import Redis

from outreach_bot import create_app
from outreach_bot.config import _ENVIRONMENT_NAMES, load_settings
from outreach_bot.db import make_engine
from outreach_bot.schema import schema_state, upgrade
from tests.conftest import REDIS_URL, postgres_schema
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docs" / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "docs" / "deploy" / "Dockerfile"
BIN = Path(sys.executable).parent  # outreach-bot and gunicorn, as a platform's PATH has them
PRODUCTION = {
    "OUTREACH_ENV": "production",
    "SECRET_KEY": "a-long-random-value-for-tests-only",
    "ALLOW_CONSOLE_SMS": "on",
    "TWILIO_AUTH_TOKEN": "a-token-for-tests-only",
}


def procfile() -> dict[str, str]:
    """The Procfile's process types and their command lines."""
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def only(**settings: str) -> dict[str, str]:
    """This process's environment with no settings of its own but these, and the venv's
    commands (outreach-bot, gunicorn) on PATH, as a platform's PATH has them."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "TWILIO_", "SMS_", "REDIS_", "OUTREACH_", "SECRET_"))
    }
    clean["PATH"] = f"{BIN}{os.pathsep}{clean.get('PATH', '')}"
    return {**clean, **settings}


def run_line(line: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A Procfile line run by a shell, as a platform runs it, with only these settings."""
    return subprocess.run(
        ["sh", "-c", line],
        cwd=ROOT,
        env=only(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database with no schema at all, as a first release finds it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with postgres_schema(f"outreach_release_{os.getpid()}") as url:
        yield url


def test_the_procfile_has_a_release_step_web_and_worker() -> None:
    assert procfile() == {
        "release": "outreach-bot db upgrade && outreach-bot flows check",
        "web": "gunicorn wsgi:app",
        "worker": "python worker.py",
    }


@pytest.mark.parametrize("page", ["README.md", "docs/production.md"])
def test_the_pages_that_show_the_procfile_show_it_as_it_is(page: str) -> None:
    shown = "```\n" + (ROOT / "Procfile").read_text(encoding="utf-8") + "```\n"
    assert shown in (ROOT / page).read_text(encoding="utf-8")


def test_the_release_line_migrates_a_fresh_database_and_checks_the_catalogs(
    fresh_database: str,
) -> None:
    engine = make_engine(fresh_database)
    assert schema_state(engine) != "ok"
    done = run_line(procfile()["release"], DATABASE_URL=fresh_database, **PRODUCTION)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"database is up to date ({engine.dialect.name})"
    assert re.fullmatch(r"\d+ flows, \d+ notice rules, 17 languages: all good", lines[-1])
    assert schema_state(engine) == "ok"
    engine.dispose()


def test_a_release_with_an_untranslated_text_fails_after_migrating(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    catalog = locales / "es" / "LC_MESSAGES" / "messages.po"
    translation = (
        'msgstr ""\n"{district_name}:\\n"\n"{attendance_summary}\\n"\n'
        '"Cada dia cuenta. Responda AYUDA para hablar con una persona."'
    )
    po = catalog.read_text(encoding="utf-8")
    assert po.count(translation) == 1
    catalog.write_text(po.replace(translation, 'msgstr ""'), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = run_line(
        procfile()["release"], DATABASE_URL=database, LOCALES_DIR=str(locales), **PRODUCTION
    )
    assert done.returncode == 1
    said = [line for line in done.stderr.splitlines() if not line.startswith("{")]  # not logs
    assert said == [
        "error: es: not translated: '{district_name}:\\n{attendance_summary}\\nEvery day counts."
        " Repl'",
        "Error: 1 problems in 9 flows",
    ]
    engine = make_engine(database)
    assert schema_state(engine) == "ok"
    engine.dispose()


def test_the_web_line_serves_readyz_on_port(tmp_path: Path, redis_connection: Redis) -> None:
    database = f"sqlite:///{tmp_path / 'web.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    port = free_port()
    settings = {**PRODUCTION, "DATABASE_URL": database, "REDIS_URL": REDIS_URL}
    web = subprocess.Popen(
        ["sh", "-c", f"exec {procfile()['web']}"],
        cwd=ROOT,
        env=only(**settings, PORT=str(port)),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = wait_for_readyz(port, web)
    finally:
        web.terminate()
        _, log = web.communicate(timeout=60)
    assert answer == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "twilio_webhooks": "ok"},
    }
    # Production logs: one JSON object a line, the app's own access line with a request id.
    access = [
        json.loads(line) for line in log.splitlines() if line.startswith("{") and "/readyz" in line
    ]
    assert access and all(entry["request_id"] for entry in access), log


def wait_for_readyz(port: int, web: subprocess.Popen[str]) -> object:
    """/readyz's answer once gunicorn is listening. Its master listens first; a request then
    waits for its worker to load the app, which takes seconds (longer on a busy machine)."""
    deadline = time.monotonic() + 180
    while True:
        assert web.poll() is None, "gunicorn stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=120) as page:
                return json.load(page)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            assert time.monotonic() < deadline, "gunicorn never answered /readyz"
            time.sleep(0.2)


def compose() -> dict[str, object]:
    """docs/deploy/compose.yaml, as YAML (its anchors and merge keys resolved)."""
    found: dict[str, object] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return found


def command_line(command: str | list[str]) -> str:
    """A compose command as the Procfile line it runs."""
    if isinstance(command, list):
        return command[2] if command[:2] == ["sh", "-c"] else shlex.join(command)
    return command


def test_the_compose_trial_runs_the_procfiles_lines() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert sorted(services) == ["postgres", "redis", "release", "web", "worker"]
    assert {
        name: command_line(services[name]["command"]) for name in ("release", "web", "worker")
    } == procfile()
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["release"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert services["release"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    redis = services["redis"]["command"]
    assert redis[redis.index("--maxmemory-policy") + 1] == "noeviction"


def test_the_compose_settings_are_real_and_it_is_a_trial_that_sends_nothing() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    environment = services["web"]["environment"]
    assert all(services[name]["environment"] == environment for name in ("release", "worker"))
    # PORT is gunicorn's own: it listens on 0.0.0.0:$PORT, as on a platform.
    assert set(environment) - {"PORT"} <= set(_ENVIRONMENT_NAMES.values())
    assert (environment["SMS_BACKEND"], environment["ALLOW_CONSOLE_SMS"]) == ("console", "on")
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no key ships in the file
    # Its settings, with the variables it asks for given, pass the start-up checks.
    secret = "a-long-random-value-for-tests-only"
    given = {
        name: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value)).replace("${SECRET_KEY}", secret)
        for name, value in environment.items()
    }
    given["SECRET_KEY"] = secret
    settings = load_settings(environ=given)
    assert (settings.environment, settings.sms_backend) == ("production", "console")
    # No token ships in the file either: the trial's own secret key stands in for Twilio's.
    assert environment["TWILIO_AUTH_TOKEN"] == "${TWILIO_AUTH_TOKEN:-${SECRET_KEY}}"
    assert settings.twilio_auth_token == secret


def test_the_compose_healthcheck_asks_readyz_on_the_port_gunicorn_listens_on() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    test = " ".join(services["web"]["healthcheck"]["test"])
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", test)
    assert url is not None
    port, path = url.groups()
    assert port == services["web"]["environment"]["PORT"]
    assert services["web"]["ports"] == [f"{port}:{port}"]
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://"})
    assert path == "/readyz" and path in {rule.rule for rule in app.url_map.iter_rules()}
    app.extensions["outreach"].db.dispose()


def test_the_dockerfile_copies_what_the_app_needs_from_the_repository() -> None:
    copied = [
        source
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    ]
    assert all((ROOT / source).exists() for source in copied), copied
    # What worker.py, wsgi.py and the Procfile's lines read at run time.
    assert {"Procfile", "wsgi.py", "worker.py", "outreach_bot", "flows", "locales"} <= set(copied)
    build = compose()["x-app"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
