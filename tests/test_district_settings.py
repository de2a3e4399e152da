"""District settings: only district admins change them, and the running service uses them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.attendance.coverage import NO_CALENDAR
from outreach_bot.config import load_settings
from outreach_bot.escalations import open_escalation
from outreach_bot.models import AttendanceSummary, AuditEvent, DistrictSetting, Escalation
from outreach_bot.staff import district_settings
from outreach_bot.staff.district_settings import DistrictSettingsError
from tests.factories import add_attendance
from tests.staff_helpers import post, sign_in, two_schools

SETTINGS = "/staff/admin/settings"


@pytest.fixture
def cases(runtime, clock) -> dict[str, int]:
    """A case at Lincoln and one at Oak, and staff of every role."""
    with runtime.db.transaction() as session:
        return two_schools(session, clock())


def _changes(runtime) -> list[tuple[str | None, str | None, int | None]]:
    with runtime.db.transaction() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "changed_district_setting")
            .order_by(AuditEvent.id)
        ).all()
        return [(e.target_id, e.detail, e.user_id) for e in events]


def test_without_changes_the_defaults_are_the_codes_and_the_environments(runtime, cases):
    with runtime.db.transaction() as session:
        current = district_settings.effective(session, runtime.settings)
    assert [current.response_time(p) for p in ("urgent", "high", "normal", "low")] == [
        timedelta(hours=hours) for hours in (4, 24, 48, 72)
    ]
    assert (current.climb_hours, current.follow_up_hours, current.notify_minutes) == (24, 24, 15)


def test_environment_settings_are_the_defaults_until_an_admin_changes_one(runtime, clock, cases):
    environment = load_settings(
        environ={
            "ESCALATION_CLIMB_HOURS": "12",
            "FOLLOW_UP_HOURS": "36",
            "STAFF_NOTIFY_MINUTES": "5",
        }
    )
    with runtime.db.transaction() as session:
        current = district_settings.effective(session, environment)
        assert (current.climb_hours, current.follow_up_hours, current.notify_minutes) == (12, 36, 5)
        changes = {"climb_hours": "8", "follow_up_hours": "36"}
        changed = district_settings.update(
            session, changes, user_id=None, now=clock(), settings=environment
        )
        assert changed == ["climb_hours"]
        current = district_settings.effective(session, environment)
        assert (current.climb_after, current.follow_up_after) == (
            timedelta(hours=8),
            timedelta(hours=36),
        )


def test_an_admin_sees_every_setting_and_the_environment_ones_read_only(client, cases):
    sign_in(client, "admin@example.org")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'href="/staff/admin/settings"' in page
    for name, value in [("urgent_hours", 4), ("low_hours", 72), ("climb_hours", 24)]:
        assert f'<label for="{name}">' in page
        assert f'id="{name}" name="{name}"' in page and f'value="{value}"' in page
    assert "America/Los_Angeles" in page and "20:00 to 08:00" in page
    assert "QUIET_HOURS" in page and 'name="quiet_hours"' not in page


def test_a_new_first_response_time_sets_new_cases_deadlines(runtime, client, clock, cases):
    sign_in(client, "admin@example.org")
    response = post(client, SETTINGS, urgent_hours="2", high_hours="24", normal_hours="48")
    assert response.status_code == 302
    assert "District settings saved." in client.get(SETTINGS).get_data(as_text=True)
    with runtime.db.transaction() as session:
        urgent = open_escalation(
            session, reason="safety", priority="urgent", now=clock(), student_id="S1001"
        )
        normal = open_escalation(
            session, reason="asked_for_a_call", now=clock(), phone="+15035550177"
        )
        assert urgent.due_at == clock() + timedelta(hours=2)
        assert normal.due_at == clock() + timedelta(hours=48)
        # Cases opened before the change keep their deadline.
        assert session.get_one(Escalation, cases["OAK"]).due_at == clock() + timedelta(hours=24)
    assert [(name, detail) for name, detail, _ in _changes(runtime)] == [
        ("urgent_hours", "urgent_hours: 4 -> 2")
    ]


def test_the_tick_climbs_late_cases_after_the_districts_hours(runtime, client, clock, cases):
    sign_in(client, "admin@example.org")
    post(client, SETTINGS, climb_hours="6")
    with runtime.db.transaction() as session:
        late = session.get_one(Escalation, cases["LIN"])
        clock.set(late.due_at + timedelta(minutes=1))
    assert jobs.tick()["escalations_climbed"] == 2  # Lincoln's (48 hours) and Oak's (24)
    with runtime.db.transaction() as session:
        for case_id in cases.values():
            late = session.get_one(Escalation, case_id)
            assert (late.level, late.due_at) == ("school_lead", clock() + timedelta(hours=6))


def test_an_attempt_without_contact_follows_up_after_the_districts_hours(
    runtime, client, clock, cases
):
    sign_in(client, "admin@example.org")
    post(client, SETTINGS, follow_up_hours="3")
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{cases['LIN']}").get_data(as_text=True)
    assert "by default in 3 hours" in page
    post(client, f"/staff/cases/{cases['LIN']}/attempts", method="call", outcome="no_answer")
    with runtime.db.transaction() as session:
        case = session.get_one(Escalation, cases["LIN"])
        assert case.next_follow_up_at == clock() + timedelta(hours=3)


def test_refused_values_are_shown_beside_their_fields_and_nothing_changes(runtime, client, cases):
    sign_in(client, "admin@example.org")
    response = post(client, SETTINGS, urgent_hours="2", high_hours="soon", climb_hours="0")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was saved." in page
    assert 'aria-describedby="high_hours-hint high_hours-error"' in page
    assert 'aria-invalid="true"' in page and 'value="soon"' in page
    assert page.count("Enter a whole number of hours from 1 to 720.") == 4  # 2 fields, 2 places
    assert 'id="climb_hours-error"' in page and 'id="urgent_hours-error"' not in page
    with runtime.db.transaction() as session:
        assert session.scalars(select(DistrictSetting)).all() == []
    assert _changes(runtime) == []


def test_errors_are_in_the_admins_language(client, cases):
    sign_in(client, "admin@example.org")
    post(client, "/staff/preferences", language="es", notify_by="email", phone="")
    page = post(client, SETTINGS, notify_minutes="9999").get_data(as_text=True)
    assert "Escriba un número entero de minutos, de 1 a 1440." in page
    assert "Ajustes del distrito" in page


def test_an_empty_field_goes_back_to_the_default_and_unchanged_values_are_not_saved(
    runtime, client, clock, cases
):
    sign_in(client, "admin@example.org")
    post(client, SETTINGS, low_hours="96", climb_hours="24", notify_minutes="15")
    with runtime.db.transaction() as session:
        assert session.scalars(select(DistrictSetting.name)).all() == ["low_hours"]
    post(client, SETTINGS, low_hours="")
    with runtime.db.transaction() as session:
        assert session.scalars(select(DistrictSetting)).all() == []
        case = open_escalation(
            session, reason="no_reply", priority="low", now=clock(), student_id="S2001"
        )
        assert case.due_at == clock() + timedelta(hours=72)
    admin_id = _changes(runtime)[0][2]
    assert _changes(runtime) == [
        ("low_hours", "low_hours: 72 -> 96", admin_id),
        ("low_hours", "low_hours: 96 -> 72 (default)", admin_id),
    ]


@pytest.mark.parametrize("email", ["clerk@example.org", "lead@example.org"])
def test_only_district_admins_open_or_change_district_settings(runtime, client, cases, email):
    sign_in(client, email)
    assert "/staff/admin/settings" not in client.get("/staff/").get_data(as_text=True)
    assert client.get(SETTINGS).status_code == 403
    assert post(client, SETTINGS, urgent_hours="1").status_code == 403
    with runtime.db.transaction() as session:
        assert session.scalars(select(DistrictSetting)).all() == []


def test_the_form_needs_its_csrf_token(runtime, client, cases):
    sign_in(client, "admin@example.org")
    assert client.post(SETTINGS, data={"urgent_hours": "1"}).status_code == 400
    with runtime.db.transaction() as session:
        assert session.scalars(select(DistrictSetting)).all() == []


def test_update_checks_every_value_before_saving_any(runtime, clock, cases):
    with runtime.db.transaction() as session:
        with pytest.raises(DistrictSettingsError) as refused:
            district_settings.update(
                session,
                {"urgent_hours": "3", "normal_hours": "+5", "bedtime": "9"},
                user_id=None,
                now=clock(),
                settings=runtime.settings,
            )
        assert sorted(refused.value.errors) == ["bedtime", "normal_hours"]
        assert (
            str(refused.value.errors["bedtime"]) == "There is no district setting called bedtime."
        )
        assert session.scalars(select(DistrictSetting)).all() == []


def test_an_unusable_stored_value_falls_back_to_the_default(runtime, clock, cases):
    with runtime.db.transaction() as session:
        session.add(DistrictSetting(name="high_hours", value="many", updated_at=clock()))
    with runtime.db.transaction() as session:
        assert district_settings.effective(session, runtime.settings).high_hours == 24
        assert district_settings.response_time(session, "high") == timedelta(hours=24)


def test_staff_notices_keep_the_districts_pace(runtime, client, clock, cases):
    sign_in(client, "admin@example.org")
    post(client, SETTINGS, notify_minutes="60")
    assert jobs.tick()["staff_notified"] > 0
    with runtime.db.transaction() as session:
        open_escalation(
            session, reason="safety", priority="urgent", now=clock(), phone="+15035550177"
        )
    clock.advance(minutes=30)
    assert jobs.tick()["staff_notified"] == 0
    clock.advance(minutes=30)
    assert jobs.tick()["staff_notified"] > 0


def test_weekdays_count_when_the_calendar_is_silent_only_once_an_admin_says_so(
    runtime, client, cases
):
    # Neither school has a calendar; Ana's attendance runs Monday to Wednesday.
    monday = date(2026, 10, 12)
    with runtime.db.transaction() as session:
        marks = ["present", "absent", "present"]
        for student_id in ("S1001", "S2001"):
            add_attendance(
                session, student_id, {monday + timedelta(days=n): s for n, s in enumerate(marks)}
            )
    first = jobs.run_scan(monday + timedelta(days=2))
    assert [(s.school_id, s.missing.reason) for s in first.skipped] == [
        ("LIN", NO_CALENDAR),
        ("OAK", NO_CALENDAR),
    ]
    sign_in(client, "admin@example.org")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert '<select id="unlisted_weekdays" name="unlisted_weekdays"' in page
    assert '<option value="0" selected>No (default)</option>' in page
    refused = post(client, SETTINGS, unlisted_weekdays="maybe")
    assert refused.status_code == 400 and "Choose yes or no." in refused.get_data(as_text=True)
    post(client, SETTINGS, unlisted_weekdays="1")
    assert '<option value="1" selected>Yes</option>' in client.get(SETTINGS).get_data(as_text=True)
    assert [(name, detail) for name, detail, _ in _changes(runtime)] == [
        ("unlisted_weekdays", "unlisted_weekdays: False -> True")
    ]
    second = jobs.run_scan(monday + timedelta(days=2))
    assert second.skipped == [] and second.students_scanned == 2
    with runtime.db.transaction() as session:
        ana = session.get_one(AttendanceSummary, "S1001")
        assert (ana.instructional_days, ana.absences) == (3, 1)


def test_an_admin_chooses_what_becomes_of_a_same_day_text_past_its_day(runtime, client, cases):
    sign_in(client, "admin@example.org")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'value="reword" checked' in page and 'value="drop" checked' not in page
    assert post(client, SETTINGS, same_day_texts="drop").status_code == 302
    assert 'value="drop" checked' in client.get(SETTINGS).get_data(as_text=True)
    with runtime.db.transaction() as session:
        assert district_settings.same_day_choice(session) == "drop"
    assert [(name, detail) for name, detail, _ in _changes(runtime)] == [
        ("same_day_texts", "same_day_texts: reword -> drop")
    ]
    refused = post(client, SETTINGS, same_day_texts="later")
    assert refused.status_code == 400
    assert "Choose one of: reword, drop." in refused.get_data(as_text=True)
    with runtime.db.transaction() as session:
        assert district_settings.same_day_choice(session) == "drop"


def test_an_unusable_stored_same_day_choice_rewords(runtime, clock, cases):
    with runtime.db.transaction() as session:
        session.add(DistrictSetting(name="same_day_texts", value="maybe", updated_at=clock()))
    with runtime.db.transaction() as session:
        assert district_settings.same_day_choice(session) == "reword"
        assert district_settings.effective(session, runtime.settings).same_day_texts == "reword"
