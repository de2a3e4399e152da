"""Quiet hours: windows that wrap midnight, DST changes, and the setting's errors."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach_bot.messaging.quiet_hours import QuietHours, QuietHoursError

LA = ZoneInfo("America/Los_Angeles")
NIGHT = QuietHours.parse("20:00-08:00", "America/Los_Angeles")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (local(2026, 10, 14, 19, 59), False),
        (local(2026, 10, 14, 20, 0), True),
        (local(2026, 10, 14, 23, 30), True),
        (local(2026, 10, 15, 0, 0), True),
        (local(2026, 10, 15, 7, 59), True),
        (local(2026, 10, 15, 8, 0), False),
        (local(2026, 10, 15, 12, 0), False),
    ],
)
def test_a_window_that_wraps_midnight(moment: datetime, inside: bool) -> None:
    assert NIGHT.contains(moment) is inside
    assert NIGHT.contains(moment.astimezone(UTC)) is inside  # the zone of the input is irrelevant


def test_a_window_within_one_day() -> None:
    lunch = QuietHours.parse(" 12:00 - 13:30 ", "America/Chicago")
    chicago = ZoneInfo("America/Chicago")
    assert not lunch.wraps
    assert lunch.contains(datetime(2026, 5, 4, 12, 0, tzinfo=chicago))
    assert not lunch.contains(datetime(2026, 5, 4, 13, 30, tzinfo=chicago))
    assert not lunch.contains(datetime(2026, 5, 4, 11, 59, tzinfo=chicago))
    assert lunch.next_send_time(datetime(2026, 5, 4, 12, 10, tzinfo=chicago)) == datetime(
        2026, 5, 4, 13, 30, tzinfo=chicago
    )


def test_outside_the_window_the_moment_itself_is_returned() -> None:
    moment = local(2026, 10, 14, 15, 30)
    assert NIGHT.next_send_time(moment) == moment
    assert NIGHT.next_send_time(moment).tzinfo == UTC


@pytest.mark.parametrize(
    "moment", [local(2026, 10, 14, 21, 0), local(2026, 10, 14, 23, 59), local(2026, 10, 15, 2, 0)]
)
def test_inside_the_window_the_text_waits_for_its_end(moment: datetime) -> None:
    end = NIGHT.next_send_time(moment)
    assert end == local(2026, 10, 15, 8, 0)
    assert end.tzinfo == UTC


def test_fall_back_night_is_an_hour_longer() -> None:
    evening = local(2026, 10, 31, 21, 0)  # PDT; clocks go back at 02:00 on 1 November
    end = NIGHT.next_send_time(evening)
    assert end == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 08:00 PST
    assert end - evening == timedelta(hours=12)  # 11 hours by the wall clock


def test_spring_forward_night_is_an_hour_shorter() -> None:
    evening = local(2026, 3, 7, 21, 0)  # PST; clocks jump to 03:00 at 02:00 on 8 March
    end = NIGHT.next_send_time(evening)
    assert end == datetime(2026, 3, 8, 15, 0, tzinfo=UTC)  # 08:00 PDT
    assert end - evening == timedelta(hours=10)  # 11 hours by the wall clock


def test_a_window_ending_in_the_skipped_hour_ends_after_it_never_before() -> None:
    early = QuietHours.parse("00:00-02:30", "America/Los_Angeles")
    moment = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)  # 01:30 PST
    end = early.next_send_time(moment)
    assert end > moment
    assert not early.contains(end)
    assert end.astimezone(LA).time() >= time(2, 30)


def test_a_window_ending_in_the_repeated_hour() -> None:
    early = QuietHours.parse("00:00-01:30", "America/Los_Angeles")
    first_pass = datetime(2026, 11, 1, 8, 15, tzinfo=UTC)  # 01:15 PDT
    second_pass = datetime(2026, 11, 1, 9, 15, tzinfo=UTC)  # 01:15 PST, the same wall time
    assert early.next_send_time(first_pass) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert early.next_send_time(second_pass) == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/New_York", "Europe/London"])
def test_the_next_send_time_is_never_inside_and_never_early(zone: str) -> None:
    quiet = QuietHours.parse("21:00-07:30", zone)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year == 2026:
        sent = quiet.next_send_time(moment)
        assert sent >= moment
        assert not quiet.contains(sent)
        assert (sent == moment) is (not quiet.contains(moment))
        assert sent - moment <= timedelta(hours=11, minutes=30)
        moment += timedelta(minutes=97)


@pytest.mark.parametrize("spec", ["", "off", "OFF", " none "])
def test_no_quiet_hours(spec: str) -> None:
    quiet = QuietHours.parse(spec, "America/Los_Angeles")
    moment = local(2026, 10, 14, 23, 0)
    assert not quiet.enabled
    assert not quiet.contains(moment)
    assert quiet.next_send_time(moment) == moment


@pytest.mark.parametrize(
    ("spec", "timezone", "words"),
    [
        ("8pm-8am", "America/Los_Angeles", "should look like '20:00-08:00'"),
        ("20:00", "America/Los_Angeles", "should look like"),
        ("25:00-08:00", "America/Los_Angeles", "24-hour clock"),
        ("20:00-08:61", "America/Los_Angeles", "24-hour clock"),
        ("08:00-08:00", "America/Los_Angeles", "write 'off'"),
        ("20:00-08:00", "Mars/Olympus_Mons", "not a known IANA timezone"),
        ("20:00-08:00", "", "not a known IANA timezone"),
    ],
)
def test_errors_say_what_to_write(spec: str, timezone: str, words: str) -> None:
    with pytest.raises(QuietHoursError, match=words):
        QuietHours.parse(spec, timezone)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        NIGHT.contains(datetime(2026, 10, 14, 21, 0))
