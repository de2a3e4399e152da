"""Fixtures: a real database (SQLite and PostgreSQL), a fixed clock, and real Redis.

Every test that takes `app`, `runtime` or `database_url` runs once on SQLite and once on
PostgreSQL. PostgreSQL and Redis must be running: a test that needs them fails, never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import Engine, text

from outreach_bot import create_app
from outreach_bot.clock import FixedClock
from outreach_bot.db import make_engine
from outreach_bot.models import Base
from outreach_bot.runtime import Runtime
from outreach_bot.schema import upgrade

pytest_plugins = ["tests.twilio_fixtures"]

POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DISTRICT_TZ = ZoneInfo("America/Los_Angeles")
# A Wednesday afternoon in the district: outside quiet hours.
SCHOOL_AFTERNOON = datetime(2026, 10, 14, 15, 30, tzinfo=DISTRICT_TZ)


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each kind, for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    # A schema of our own, so that concurrent test runs on one server do not collide.
    with postgres_schema(f"outreach_test_{os.getpid()}") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@contextmanager
def postgres_schema(schema: str) -> Iterator[str]:
    """An empty PostgreSQL schema, dropped afterwards: the URL of a database with no tables."""
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed on a school-day afternoon; advance it by hand."""
    return FixedClock(SCHOOL_AFTERNOON)


@pytest.fixture
def app_config(database_url: str, clock: FixedClock, tmp_path: Path) -> dict[str, object]:
    """Settings for a test app; tests may change them before asking for `app`."""
    return {
        "DATABASE_URL": database_url,
        "CLOCK": clock,
        "ENVIRONMENT": "test",
        "DISTRICT_NAME": "Maple Valley Schools",
        "DISTRICT_TIMEZONE": "America/Los_Angeles",
        "QUIET_HOURS": "20:00-08:00",
    }


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    """An app on an emptied database."""
    application = create_app(app_config)
    runtime: Runtime = application.extensions["outreach"]
    _empty_all_tables(runtime.db.engine)
    with application.app_context():
        yield application
    runtime.db.dispose()


@pytest.fixture
def runtime(app: Flask) -> Runtime:
    """The app's runtime: settings, database, queue, channel, clock."""
    found: Runtime = app.extensions["outreach"]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def cli(app: Flask, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test app (its database and fixed clock)."""
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    return CliRunner()


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    """A real Redis database, flushed before and after the test."""
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
