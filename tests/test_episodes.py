"""Counting where an episode began agrees with walking back a day at a time, on any series."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach_bot.attendance.episodes import run_start
from outreach_bot.attendance.metrics import BANDS, AttendanceSeries, peak_reached
from outreach_bot.attendance.rules import Condition, episode_start, walked_back

FIRST_DAY = date(2026, 8, 17)
counts = st.none() | st.integers(min_value=1, max_value=40)
bands = st.none() | st.sampled_from(BANDS)
conditions = st.builds(
    Condition,
    absent_today=st.none() | st.booleans(),
    consecutive_absences_at_least=counts,
    absences_at_least=counts,
    band_at_least=bands,
    min_instructional_days=counts,
    present_streak_at_least=counts,
    was_band_at_least=bands,
    band_improved=st.none() | st.booleans(),
)
# Runs of days absent and present, so that long streaks and bands that come and go are common.
spans = st.tuples(st.booleans(), st.integers(min_value=1, max_value=30))
runs = st.lists(spans, min_size=1, max_size=14)


def series_of(spans: list[tuple[bool, int]]) -> AttendanceSeries:
    absent = [was_absent for was_absent, length in spans for _ in range(length)][:200]
    days = [FIRST_DAY + timedelta(days=n) for n in range(len(absent))]
    return AttendanceSeries(days, absent)


# Generation is timed too; a machine shared by a dozen test runs must not fail it.
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, spans=runs)
def test_the_counted_start_is_the_walked_start(
    condition: Condition, spans: list[tuple[bool, int]]
) -> None:
    series = series_of(spans)
    every_day = list(series)  # a plain list: the rules walk it back a day at a time
    if not condition.holds(every_day[-1]):
        assert episode_start(condition, series, every_day[-1].as_of) is None
        return
    expected = walked_back(condition, every_day)
    counted = series_of(spans)  # fresh: its last day counted alone, no day before it made
    assert run_start(condition, counted) == expected
    assert (
        episode_start(condition, series_of(spans), every_day[-1].as_of) == every_day[expected].as_of
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spans=runs)
def test_the_peak_is_reached_on_the_day_the_series_says(spans: list[tuple[bool, int]]) -> None:
    series = series_of(spans)
    reached = peak_reached(series.marks)
    for rank in range(len(BANDS)):
        days = [i for i, day in enumerate(series) if day.peak_band_rank >= rank]
        assert reached[rank] == (days[0] if days else None)
