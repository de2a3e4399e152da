"""The nightly sync sends the notices due once the district turns them on, and none before."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from outreach_bot import nightly_jobs
from outreach_bot.models import AttendanceRecord, Notice
from tests.factories import add_family, add_school


@pytest.fixture
def app_config(app_config):
    return {**app_config, "NOTICES_STATE": "CA"}


@pytest.fixture
def truant_family(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone="+15035550142")
        session.add_all(
            AttendanceRecord(student_id="S1001", date=date(2026, 10, day), status="unexcused")
            for day in (5, 6, 7)
        )


def stages(runtime) -> list[str]:
    with runtime.db.transaction() as session:
        return list(session.scalars(select(Notice.stage)))


def test_without_notices_state_the_night_sends_no_notice(runtime, truant_family):
    runtime.settings = replace(runtime.settings, notices_state=None)
    nightly_jobs.sync_now(runtime, date(2026, 10, 13))
    assert stages(runtime) == []


def test_with_notices_state_the_night_sends_each_notice_due_once(runtime, truant_family):
    nightly_jobs.sync_now(runtime, date(2026, 10, 13))
    nightly_jobs.sync_now(runtime, date(2026, 10, 13))
    assert stages(runtime) == ["first"]
    assert len(runtime.channel.sent) == 1
