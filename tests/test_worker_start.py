"""What the worker and /readyz refuse before any job runs: a Redis that may evict queued
jobs, and, outside development, a console SMS backend that would send no text. Real
redis-server processes of the tests' own, and worker.py run as the Procfile runs it."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis

from outreach_bot import create_app
from outreach_bot.config import ConfigError, load_settings
from outreach_bot.db import make_engine
from outreach_bot.queue import EvictionPolicy, RedisQueue
from outreach_bot.schema import upgrade
from tests.redis_server import RedisServer, free_port, own_redis
from tests.test_deploy import procfile, run_line

__all__ = ["own_redis"]  # a fixture, used by name
PRODUCTION = {"OUTREACH_ENV": "production", "SECRET_KEY": "a-long-random-value-for-tests-only"}


def run_worker(**env: str) -> subprocess.CompletedProcess[str]:
    """The Procfile's worker line (`python worker.py`) with only these settings."""
    return run_line(procfile()["worker"], **env)


def ready_app(tmp_path: Path, redis_url: str) -> Flask:
    """An app on a migrated SQLite database and the given Redis."""
    database = f"sqlite:///{tmp_path / 'ready.db'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    return create_app({"ENVIRONMENT": "test", "DATABASE_URL": database, "REDIS_URL": redis_url})


@pytest.fixture
def config_disabled(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server whose provider has disabled CONFIG, as some managed ones do."""
    server = RedisServer(tmp_path, "--rename-command", "CONFIG", "")
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-ttl"])
def test_the_worker_will_not_start_on_a_redis_that_may_evict_jobs(
    own_redis: RedisServer, tmp_path: Path, policy: str
) -> None:
    Redis(port=own_redis.port).config_set("maxmemory-policy", policy)
    done = run_worker(REDIS_URL=own_redis.url, DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}")
    assert done.returncode == 1
    assert done.stderr == (
        f"the worker will not start: Redis's maxmemory-policy is {policy}: a full Redis may"
        " evict queued jobs; set it to noeviction\n"
    )


def test_the_worker_says_in_one_line_when_redis_is_away(tmp_path: Path) -> None:
    done = run_worker(
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
    )
    assert done.returncode == 1
    assert done.stderr == "the worker cannot reach Redis (REDIS_URL): ConnectionError\n"


def test_readyz_is_not_ready_on_an_evicting_redis(own_redis: RedisServer, tmp_path: Path) -> None:
    app = ready_app(tmp_path, own_redis.url)
    client = app.test_client()
    assert client.get("/readyz").json == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "redis": "ok",
            "twilio_webhooks": "not configured (development: webhooks are taken unsigned)",
        },
    }
    Redis(port=own_redis.port).config_set("maxmemory-policy", "allkeys-lfu")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["redis"] == (
        "maxmemory-policy is allkeys-lfu: a full Redis may evict queued jobs; set it to noeviction"
    )
    app.extensions["outreach"].db.dispose()


def test_a_provider_that_disables_config_is_trusted_with_a_warning(
    config_disabled: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import worker

    queue = RedisQueue(config_disabled.url)
    assert queue.eviction_policy() == EvictionPolicy(None)
    with caplog.at_level(logging.WARNING, logger="worker"):
        worker.refuse_evicting_redis(queue)  # does not stop the worker
    assert caplog.messages == [
        "Redis's maxmemory-policy unknown (the provider refuses CONFIG GET);"
        " make sure it is noeviction"
    ]
    app = ready_app(tmp_path, config_disabled.url)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["redis"].startswith("maxmemory-policy unknown")
    app.extensions["outreach"].db.dispose()


def test_outside_development_the_console_backend_is_refused_unless_allowed() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(environ=PRODUCTION)
    assert str(refused.value) == (
        "SMS_BACKEND=console sends no text (it only prints them) and is refused outside"
        " development; set SMS_BACKEND=twilio, or ALLOW_CONSOLE_SMS=on for a trial"
    )
    with pytest.raises(ConfigError, match="SMS_BACKEND=console"):
        load_settings(environ={**PRODUCTION, "SMS_BACKEND": "console"})
    allowed = load_settings(environ={**PRODUCTION, "ALLOW_CONSOLE_SMS": "on"})
    assert (allowed.sms_backend, allowed.allow_console_sms) == ("console", True)
    for environment in ("development", "test"):
        assert load_settings(environ={"OUTREACH_ENV": environment}).sms_backend == "console"


def test_the_worker_refuses_the_console_backend_in_production_in_one_line(tmp_path: Path) -> None:
    done = run_worker(**PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}")
    assert done.returncode == 1
    assert done.stderr.startswith("SMS_BACKEND=console sends no text")
    assert len(done.stderr.splitlines()) == 1


def test_outside_development_twilio_needs_the_public_url_its_reports_come_back_to() -> None:
    twilio = {
        **PRODUCTION,
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "a-token-for-tests-only",
        "TWILIO_FROM_NUMBER": "+15555550100",
    }
    with pytest.raises(ConfigError) as refused:
        load_settings(environ=twilio)
    assert str(refused.value) == (
        "SMS_BACKEND=twilio needs PUBLIC_BASE_URL (where Twilio sends its delivery reports)"
    )
    public = {**twilio, "PUBLIC_BASE_URL": "https://outreach.example.org"}
    assert load_settings(environ=public).sms_backend == "twilio"
    assert load_settings(environ={**twilio, "OUTREACH_ENV": "test"}).sms_backend == "twilio"
