"""The nightly scan without a drop folder (attendance pushed through the API): the worker
runs it by itself at the district's nightly hour, once a night, with no platform scheduler."""

from __future__ import annotations

import signal
import time
from datetime import date, datetime

import pytest
from redis import Redis
from sqlalchemy import select

from outreach_bot import create_app, jobs
from outreach_bot.clock import FixedClock
from outreach_bot.config import load_settings
from outreach_bot.models import NightlySync, TriggerFiring
from outreach_bot.runtime import Runtime
from tests.conftest import DISTRICT_TZ, REDIS_URL
from tests.factories import add_attendance, add_family, add_school, add_school_days
from tests.test_messaging_rules import SCHOOL_DAYS, TODAY
from tests.worker_process import start

TUESDAY = date(2026, 10, 13)
# Thursday 02:30 in the district: Wednesday night's run (the default hour is 2) is due.
THURSDAY_NIGHT = datetime(2026, 10, 15, 2, 30, tzinfo=DISTRICT_TZ)


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """No drop folder; the nightly scan turned on, as it is by default outside development."""
    return {**app_config, "NIGHTLY_SCAN": "on"}


def absent_on_wednesday(runtime: Runtime) -> None:
    """One student, absent on Wednesday (TODAY), with a guardian's phone; Tuesday night's
    run is done, so nothing is due before Thursday 02:00."""
    with runtime.db.transaction() as session:
        session.add(
            NightlySync(
                night=TUESDAY,
                started_at=datetime(2026, 10, 14, 2, 0, tzinfo=DISTRICT_TZ),
                finished_at=datetime(2026, 10, 14, 2, 1, tzinfo=DISTRICT_TZ),
                files_imported=0,
                files_failed=0,
            )
        )
        add_school(session)
        add_school_days(session, SCHOOL_DAYS)
        add_family(session, absences=0)
        statuses = {day: "present" for day in SCHOOL_DAYS}
        statuses[TODAY] = "unexcused"
        add_attendance(session, "S1001", statuses)


def ran(runtime: Runtime) -> tuple[list[date | None], list[tuple[str, date]]]:
    """The nights finished, and the trigger firings (student, as of)."""
    with runtime.db.transaction() as session:
        nights = session.scalars(
            select(NightlySync.night)
            .where(NightlySync.finished_at.is_not(None))
            .order_by(NightlySync.night)
        ).all()
        firings = session.execute(select(TriggerFiring.student_id, TriggerFiring.as_of)).all()
    return list(nights), [tuple(row) for row in firings]


def test_the_tick_scans_at_the_nightly_hour_once_a_night(
    runtime: Runtime, clock: FixedClock
) -> None:
    absent_on_wednesday(runtime)
    clock.set(datetime(2026, 10, 15, 1, 59, tzinfo=DISTRICT_TZ))
    assert jobs.tick()["nightly_sync_queued"] == 0
    assert ran(runtime) == ([TUESDAY], [])
    clock.set(THURSDAY_NIGHT)
    assert jobs.tick()["nightly_sync_queued"] == 1
    assert ran(runtime) == ([TUESDAY, TODAY], [("S1001", TODAY)])
    clock.advance(hours=3)
    assert jobs.tick()["nightly_sync_queued"] == 0
    assert ran(runtime) == ([TUESDAY, TODAY], [("S1001", TODAY)])


def test_the_nightly_scan_is_on_by_default_outside_development_only() -> None:
    production = {
        "OUTREACH_ENV": "production",
        "SECRET_KEY": "a-long-random-value-for-tests-only",
        "ALLOW_CONSOLE_SMS": "on",
    }
    assert load_settings(environ=production).scans_nightly
    assert not load_settings(environ={**production, "NIGHTLY_SCAN": "off"}).scans_nightly
    assert not load_settings(environ={"OUTREACH_ENV": "test"}).scans_nightly
    assert load_settings(environ={"OUTREACH_ENV": "test", "NIGHTLY_SCAN": "on"}).scans_nightly
    # A drop folder is synced, then scanned, every night whatever NIGHTLY_SCAN says.
    folder = {"OUTREACH_ENV": "test", "IMPORT_DIR": "/srv/drop", "NIGHTLY_SCAN": "off"}
    assert load_settings(environ=folder).scans_nightly


def test_a_development_app_without_the_setting_scans_nothing_at_night(
    runtime: Runtime, app_config: dict[str, object], clock: FixedClock
) -> None:
    absent_on_wednesday(runtime)
    app = create_app({**app_config, "NIGHTLY_SCAN": ""})
    with app.app_context():
        clock.set(THURSDAY_NIGHT)
        assert jobs.tick()["nightly_sync_queued"] == 0
        assert ran(app.extensions["outreach"]) == ([TUESDAY], [])
    app.extensions["outreach"].db.dispose()


def test_worker_py_scans_at_the_nightly_hour_by_itself(
    runtime: Runtime,
    app_config: dict[str, object],
    clock: FixedClock,
    redis_connection: Redis,
) -> None:
    """worker.py's own loop, in a process of its own: its clock queues the tick, the tick
    queues the night's job, and the worker runs it; no scheduler outside it."""
    absent_on_wednesday(runtime)
    clock.set(THURSDAY_NIGHT)
    worker = start({**app_config, "REDIS_URL": REDIS_URL}, clock, whole=True)
    try:
        deadline = time.monotonic() + 120
        while ran(runtime)[0] != [TUESDAY, TODAY]:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker never ran the night's scan"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown, as a platform stops it
        worker.wait(timeout=60)
    assert worker.returncode == 0
    assert ran(runtime)[1] == [("S1001", TODAY)]
