"""The unattended nightly sync: the tick, the drop folder, failed files, the admins, the scan."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email import message_from_string
from email.policy import default
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job as RQJob
from sqlalchemy import func, select

from outreach_bot import jobs
from outreach_bot.cli import main
from outreach_bot.clock import FixedClock
from outreach_bot.models import (
    AttendanceRecord,
    AttendanceSummary,
    AuditEvent,
    NightlySync,
    OneRosterRecord,
)
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from outreach_bot.staff import district_settings
from outreach_bot.sync.nights import NIGHTLY_SYNC, SYNC_TIMEOUT_SECONDS
from tests.conftest import DISTRICT_TZ, REDIS_URL
from tests.smtp_double import Mailbox, smtp_double
from tests.staff_helpers import add_user, post, sign_in, two_schools

ONEROSTER = Path(__file__).parent / "data" / "oneroster"

SIS = Path(__file__).parent / "data" / "sis"
# Tuesday 02:30 in the district: Monday night's sync (the default hour is 2) is due.
TUESDAY_NIGHT = datetime(2026, 10, 14, 2, 30, tzinfo=DISTRICT_TZ)
MONDAY = date(2026, 10, 13)
SCHOOL_DAYS = [date(2026, 10, day) for day in (1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16)]


@pytest.fixture
def mailbox() -> Iterator[tuple[int, Mailbox]]:
    """A local SMTP server for the admins' notices."""
    with smtp_double() as served:
        yield served


@pytest.fixture
def app_config(
    app_config: dict[str, object], tmp_path: Path, mailbox: tuple[int, Mailbox]
) -> dict[str, object]:
    """The test app with a drop folder and an SMTP server."""
    (tmp_path / "drop").mkdir()
    return {
        **app_config,
        "IMPORT_DIR": str(tmp_path / "drop"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": mailbox[0],
        "SMTP_STARTTLS": False,
        "PUBLIC_BASE_URL": "https://outreach.example.org",
    }


@pytest.fixture
def folder(runtime: Runtime) -> Path:
    """The drop folder."""
    assert runtime.settings.import_dir is not None
    return runtime.settings.import_dir


def drop(folder: Path, name: str, text: str, clock: FixedClock) -> Path:
    """A file dropped ten minutes before the clock's now (settled: no longer arriving)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    settle(path, clock)
    return path


def settle(path: Path, clock: FixedClock) -> None:
    """Date a file or folder's last change ten minutes before the clock's now."""
    moment = (clock() - timedelta(minutes=10)).timestamp()
    os.utime(path, (moment, moment))


def attendance(rows: dict[str, str]) -> str:
    """An export in the district's codes: every school day to Monday, for two students."""
    lines = ["Student ID,Date,Attendance Code"]
    for day in SCHOOL_DAYS:
        if day <= MONDAY:
            lines += [
                f"{student},{day.isoformat()},{rows.get(student, 'P')}" for student in ("S1", "S2")
            ]
    return "\n".join(lines) + "\n"


def district_files(folder: Path, clock: FixedClock) -> None:
    """A night's exports, named so that their names alone would put them in the wrong order."""
    drop(
        folder,
        "a_attendance.csv",
        attendance({"S1": "UX"}).replace("Attendance Code", "status"),
        clock,
    )
    drop(
        folder,
        "b_calendar.csv",
        "school_id,date,instructional\n"
        + "".join(f"LIN,{day.isoformat()},Y\n" for day in SCHOOL_DAYS),
        clock,
    )
    drop(
        folder,
        "c_students.csv",
        "student_id,first_name,last_name,school_id,grade\nS1,Ana,Example,LIN,3\nS2,Bao,Sample,LIN,4\n",
        clock,
    )
    drop(folder, "z_schools.csv", "school_id,name,zip\nLIN,Lincoln Elementary,97201\n", clock)
    drop(folder, "codes.csv", (SIS / "codes.csv").read_text(encoding="utf-8"), clock)


def admins(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        add_user(session, "admin@example.org", role="district_admin", schools=())
        add_user(session, "clerk@example.org", role="clerk", schools=())


def filed(folder: Path, outcome: str) -> list[str]:
    shelf = folder / outcome / MONDAY.isoformat()
    return sorted(path.name for path in shelf.iterdir()) if shelf.exists() else []


def test_the_tick_imports_the_nights_files_in_order_then_scans(
    runtime: Runtime, clock: FixedClock, folder: Path, mailbox: tuple[int, Mailbox]
) -> None:
    clock.set(TUESDAY_NIGHT)
    admins(runtime)
    district_files(folder, clock)
    assert jobs.tick()["nightly_sync_queued"] == 1
    assert filed(folder, "done") == [
        "a_attendance.csv",
        "a_attendance.csv.report.txt",
        "b_calendar.csv",
        "b_calendar.csv.report.txt",
        "c_students.csv",
        "c_students.csv.report.txt",
        "z_schools.csv",
        "z_schools.csv.report.txt",
    ]
    assert filed(folder, "failed") == []
    assert sorted(path.name for path in folder.iterdir()) == ["codes.csv", "done"]
    report = (folder / "done" / "2026-10-13" / "a_attendance.csv.report.txt").read_text()
    assert report.splitlines()[1:] == [
        "a_attendance.csv (attendance): imported",
        "",
        "a_attendance.csv: 18 created, 0 updated, 0 unchanged, 0 bad rows",
    ]
    with runtime.db.transaction() as session:
        # The codes were read: every school day of S1 was unexcused.
        assert (
            session.scalar(select(func.count()).where(AttendanceRecord.status == "unexcused")) == 9
        )
        summary = session.get_one(AttendanceSummary, "S1")
        assert (summary.as_of, summary.absences, summary.instructional_days) == (MONDAY, 9, 9)
        night = session.get_one(NightlySync, MONDAY)
        assert (night.files_imported, night.files_failed, night.finished_at) == (4, 0, clock())
    # Nothing failed, so no import notice (the scan's new cases have their own notices).
    assert not any("import failed" in raw for _, raw in mailbox[1].messages)
    assert jobs.tick()["nightly_sync_queued"] == 0


def test_a_failed_file_changes_nothing_and_the_admins_are_told(
    runtime: Runtime, clock: FixedClock, folder: Path, mailbox: tuple[int, Mailbox]
) -> None:
    clock.set(TUESDAY_NIGHT)
    admins(runtime)
    district_files(folder, clock)
    drop(
        folder,
        "d_attendance_late.csv",
        "student_id,date,status\nS2,2026-10-13,EX\nS1,2026-10-13,ZZ\n",
        clock,
    )
    (folder / "oneroster_export").mkdir()
    drop(folder / "oneroster_export", "manifest.csv", "propertyName,value\n", clock)
    settle(folder / "oneroster_export", clock)
    drop(folder, "notes.txt", "call the bus company\n", clock)
    assert jobs.tick()["nightly_sync_queued"] == 1

    assert filed(folder, "failed") == [
        "d_attendance_late.csv",
        "d_attendance_late.csv.report.txt",
        "notes.txt",
        "notes.txt.report.txt",
        "oneroster_export",
        "oneroster_export.report.txt",
    ]
    shelf = folder / "failed" / "2026-10-13"
    assert (shelf / "d_attendance_late.csv.report.txt").read_text().splitlines()[1:] == [
        "d_attendance_late.csv (attendance): NOT imported: nothing from this file was loaded."
        " Fix what the lines below say, then drop the file in the folder again.",
        "",
        "d_attendance_late.csv, line 3, column status (3): 'ZZ' is not a code in codes.csv; add"
        " it there with its status (present, absent, tardy, excused or unexcused), or correct"
        " the code",
        "d_attendance_late.csv: 0 created, 0 updated, 0 unchanged, 1 bad row; nothing was imported",
    ]
    # An export without its required files names them, and nothing of it is loaded.
    assert "users.csv" in (shelf / "oneroster_export.report.txt").read_text()
    with runtime.db.transaction() as session:
        # The late file's good row (S2 excused on Monday) was not loaded either: S2 keeps the
        # status the earlier file gave.
        record = session.get_one(AttendanceRecord, ("S2", MONDAY))
        assert record.status == "present" and record.minutes_missed is None
        night = session.get_one(NightlySync, MONDAY)
        assert (night.files_imported, night.files_failed) == (4, 3)
        actions = session.execute(
            select(AuditEvent.action, AuditEvent.target_id, AuditEvent.detail).where(
                AuditEvent.action == "sync_failed_file"
            )
        ).all()
    assert sorted(target for _, target, _ in actions) == [
        "d_attendance_late.csv",
        "notes.txt",
        "oneroster_export",
    ]
    assert all("ZZ" not in (detail or "") for _, _, detail in actions)

    # The admin alone hears of the failure (the scan's new case has a notice of its own).
    ((recipients, raw),) = [sent for sent in mailbox[1].messages if "import failed" in sent[1]]
    assert recipients == ["admin@example.org"]
    email = message_from_string(raw, policy=default)
    body = email.get_content()
    assert email["Subject"] == "Attendance outreach: a nightly import failed"
    assert "oneroster_export, d_attendance_late.csv, notes.txt" in body
    assert "https://outreach.example.org/staff/audit" in body
    for private in ("S1", "S2", "ZZ", "Ana", "bus"):
        assert private not in body


def test_a_dropped_oneroster_export_is_imported_before_the_attendance(
    runtime: Runtime, clock: FixedClock, folder: Path
) -> None:
    clock.set(TUESDAY_NIGHT)
    shutil.copytree(ONEROSTER / "v1.1-bulk", folder / "roster")
    for path in (folder / "roster").iterdir():
        settle(path, clock)
    settle(folder / "roster", clock)
    assert jobs.tick()["nightly_sync_queued"] == 1
    assert filed(folder, "done") == ["roster", "roster.report.txt"]
    report = (folder / "done" / "2026-10-13" / "roster.report.txt").read_text()
    assert "roster (oneroster): imported" in report
    with runtime.db.transaction() as session:
        imported = session.scalars(select(OneRosterRecord.sourced_id)).all()
    assert imported  # the export's records are stored for the next delta to apply over


def test_the_sync_runs_once_a_night_at_the_districts_hour(
    runtime: Runtime, clock: FixedClock, folder: Path
) -> None:
    clock.set(datetime(2026, 10, 13, 18, 0, tzinfo=DISTRICT_TZ))
    # A new deployment catches up on the latest night whose hour has passed.
    assert jobs.tick()["nightly_sync_queued"] == 1
    with runtime.db.transaction() as session:
        district_settings.update(
            session, {"sync_hour": "21"}, user_id=None, now=clock(), settings=runtime.settings
        )
    clock.set(datetime(2026, 10, 13, 20, 59, tzinfo=DISTRICT_TZ))
    assert jobs.tick()["nightly_sync_queued"] == 0
    clock.set(datetime(2026, 10, 13, 21, 0, tzinfo=DISTRICT_TZ))
    assert jobs.tick()["nightly_sync_queued"] == 1
    clock.advance(minutes=1)
    assert jobs.tick()["nightly_sync_queued"] == 0
    with runtime.db.transaction() as session:
        assert session.scalars(select(NightlySync.night).order_by(NightlySync.night)).all() == [
            date(2026, 10, 12),
            MONDAY,
        ]


def test_without_a_drop_folder_the_tick_syncs_nothing(
    app_config: dict[str, object], clock: FixedClock
) -> None:
    from outreach_bot import create_app

    app = create_app({**app_config, "IMPORT_DIR": ""})
    with app.app_context():
        clock.set(TUESDAY_NIGHT)
        assert jobs.tick()["nightly_sync_queued"] == 0
    app.extensions["outreach"].db.dispose()


def test_the_sync_job_is_queued_on_redis_with_a_long_timeout(redis_connection: Redis) -> None:
    queue = RedisQueue(REDIS_URL)
    queue.enqueue(
        NIGHTLY_SYNC, "2026-10-13", job_id="nightly-sync-2026-10-13", timeout=SYNC_TIMEOUT_SECONDS
    )
    job = RQJob.fetch("nightly-sync-2026-10-13", connection=redis_connection)
    assert (job.func_name, job.args, job.timeout) == (NIGHTLY_SYNC, ("2026-10-13",), 4 * 3600)


def test_the_sync_command_runs_the_folder_now_and_leaves_the_night_to_the_worker(
    runtime: Runtime, clock: FixedClock, folder: Path, cli: CliRunner
) -> None:
    clock.set(TUESDAY_NIGHT)
    district_files(folder, clock)
    drop(folder, "notes.txt", "call the bus company\n", clock)
    result = cli.invoke(main, ["sync"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    report = folder / "done" / "2026-10-13" / "z_schools.csv.report.txt"
    assert lines[0] == f"z_schools.csv (schools): imported; report: {report}"
    assert lines[4].startswith("notes.txt (unknown): FAILED; report: ")
    assert lines[5].startswith("scan as of 2026-10-13: 2 students, ")
    assert lines[5].endswith(
        ", 0 schools not scanned; the audit log names each school not scanned and why"
    )
    assert (
        result.stderr == "1 of 5 files failed and changed nothing; each report says what to fix.\n"
    )
    with runtime.db.transaction() as session:
        assert session.scalars(select(NightlySync)).all() == []


def test_the_roll_up_rule_and_the_sync_hour_are_checked_district_settings(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        with pytest.raises(district_settings.DistrictSettingsError) as refused:
            district_settings.update(
                session,
                {"period_absent_percent": "0", "sync_hour": "24"},
                user_id=None,
                now=clock(),
                settings=runtime.settings,
            )
    assert {name: str(error) for name, error in refused.value.errors.items()} == {
        "period_absent_percent": "Enter a whole number from 1 to 100.",
        "sync_hour": "Enter a whole number from 0 to 23.",
    }
    with runtime.db.transaction() as session:
        chosen = district_settings.effective(session, runtime.settings)
        assert (chosen.period_rule.absent_percent, chosen.sync_hour) == (100, 2)
        district_settings.update(
            session,
            {"period_absent_percent": "50", "sync_hour": "0"},
            user_id=None,
            now=clock(),
            settings=runtime.settings,
        )
        chosen = district_settings.effective(session, runtime.settings)
        assert (chosen.period_rule.absent_percent, chosen.sync_hour) == (50, 0)


def test_an_admin_sets_the_roll_up_and_the_sync_hour_on_the_dashboard(
    runtime: Runtime, client: FlaskClient, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        two_schools(session, clock())
    sign_in(client, "admin@example.org")
    page = client.get("/staff/admin/settings").get_data(as_text=True)
    for name, value in (("period_absent_percent", 100), ("sync_hour", 2)):
        field = page[page.index(f'<input id="{name}"') :].split(">", 1)[0]
        assert f'value="{value}"' in field
    assert "Default: 100." in page and "Default: 2." in page
    response = post(client, "/staff/admin/settings", period_absent_percent="75", sync_hour="23")
    assert response.status_code == 302
    with runtime.db.transaction() as session:
        chosen = district_settings.effective(session, runtime.settings)
        assert (chosen.period_absent_percent, chosen.sync_hour) == (75, 23)
