"""The summaries' step in SQL agrees with the series, and its candidates never miss a firing.

For seeded random series and every kind of condition (the shipped triggers, the term test's
extra triggers and random conditions of every kind), PostgreSQL steps each day's numbers on
from the eve's, as `summary_steps` does each night, and evaluates the candidate test. The
step must give the series' own numbers for the day, and a day on which a trigger's episode
is new (its condition holds and did not on the eve, or its run began elsewhere than the
eve's, by `rules.walked_back`) must find the student a candidate.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest
from sqlalchemy import text

from outreach_bot.attendance.metrics import BANDS, AttendanceMetrics, AttendanceSeries, band_rank
from outreach_bot.attendance.rules import Condition, Trigger, walked_back
from outreach_bot.attendance.scan import load_triggers
from outreach_bot.attendance.summary_steps import (
    EVE,
    TODAY,
    band_rank_sql,
    holds_sql,
    step_sql,
)
from outreach_bot.db import make_engine
from tests.conftest import POSTGRES_URL
from tests.test_scan_days import EXTRA

FIRST_DAY = date(2026, 8, 17)
FLOWS = Path(__file__).resolve().parents[1] / "flows"
KINDS = (
    "absent_today",
    "consecutive_absences_at_least",
    "absences_at_least",
    "band_at_least",
    "min_instructional_days",
    "present_streak_at_least",
    "was_band_at_least",
    "band_improved",
)


def random_condition(random: Random, kinds: list[str]) -> Condition:
    """A condition of these kinds, with random thresholds."""
    parts: dict[str, object] = {}
    for kind in kinds:
        if kind in ("absent_today", "band_improved"):
            parts[kind] = random.random() < 0.5
        elif kind in ("band_at_least", "was_band_at_least"):
            parts[kind] = random.choice(BANDS[1:])
        else:
            parts[kind] = random.randint(1, 30)
    return Condition(**parts)  # type: ignore[arg-type]


def conditions(random: Random) -> list[Condition]:
    """The shipped triggers' and the term test's conditions, each kind alone, and mixes."""
    shipped = load_triggers(FLOWS / "triggers.yaml")
    found = [trigger.condition for trigger in [*shipped, *EXTRA]]
    for kind in KINDS:
        found += [random_condition(random, [kind]) for _ in range(4)]
    found += [random_condition(random, random.sample(KINDS, 2)) for _ in range(20)]
    found += [random_condition(random, random.sample(KINDS, 3)) for _ in range(10)]
    return found


def series_of(random: Random) -> AttendanceSeries:
    """Runs of days absent and present, up to 150 days, so that streaks and bands move."""
    absent: list[bool] = []
    chance = random.choice([0.05, 0.1, 0.2, 0.4])
    while len(absent) < random.randint(2, 150):
        absent += [random.random() < chance] * random.choice([1, 1, 2, 3, 6, 12])
    days = [FIRST_DAY + timedelta(days=n) for n in range(len(absent))]
    return AttendanceSeries(days, absent)


def new_episode(condition: Condition, prefix: list[AttendanceMetrics]) -> bool:
    """A scan of the prefix's last day fires a new episode, the eve's scan having recorded
    its own."""
    today = len(prefix) - 1
    if not condition.holds(prefix[today]):
        return False
    if not condition.holds(prefix[today - 1]):
        return True
    return walked_back(condition, prefix) != walked_back(condition, prefix[:today])


def eve_values(series: AttendanceSeries, today: int) -> str:
    """The eve's numbers as the summary keeps them, and today's mark."""
    eve = series[today - 1]
    mark = "true" if series.marks[today] else "false"
    return (
        f"{eve.instructional_days}, {eve.absences}, {eve.consecutive_absences},"
        f" {eve.consecutive_present}, {eve.peak_band_rank}, {mark}"
    )


def numbers(day: AttendanceMetrics) -> tuple[int, int, int, int, int, int, bool]:
    return (
        day.instructional_days,
        day.absences,
        day.consecutive_absences,
        day.consecutive_present,
        day.peak_band_rank,
        band_rank(day.band),
        day.absent_today,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_step_counts_the_series_and_its_candidates_miss_no_new_episode(seed: int) -> None:
    random = Random(seed)
    checked = conditions(random)
    cases: list[tuple[AttendanceSeries, int]] = []
    for _ in range(600):
        series = series_of(random)
        days = sorted(random.sample(range(1, len(series)), min(6, len(series) - 1)))
        cases += [(series, today) for today in days]
    rows = ", ".join(f"({n}, {eve_values(s, today)})" for n, (s, today) in enumerate(cases))
    newly = ", ".join(
        f"({holds_sql(c, TODAY)} AND NOT {holds_sql(c, EVE)}) AS c{n}"
        for n, c in enumerate(checked)
    )
    query = f"""
WITH v AS (
    SELECT v.*, {band_rank_sql("v.a0", "v.d0")} AS rk0
    FROM (VALUES {rows}) AS v(n, d0, a0, ca0, cp0, pk0, mark)
), e AS (SELECT v.*, {step_sql(True, "v")} FROM v)
SELECT e.n, e.d1, e.a1, e.ca1, e.cp1, e.pk1, e.rk1, e.mark, {newly} FROM e ORDER BY e.n
"""
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            found = connection.execute(text(query)).all()
    finally:
        engine.dispose()
    assert len(found) == len(cases)
    candidates = new = 0
    for row, (series, today) in zip(found, cases, strict=True):
        assert tuple(row[1:8]) == numbers(series[today]), (series.marks, today)
        prefix = list(series)[: today + 1]
        for n, condition in enumerate(checked):
            is_new = new_episode(condition, prefix)
            assert row[8 + n] or not is_new, (condition, series.marks, today)
            candidates += bool(row[8 + n])
            new += is_new
    # Not agreeing on nothing: new episodes are common, and candidates are not everyone.
    assert new > 1000
    assert candidates < len(cases) * len(checked) / 4


def test_every_kind_of_condition_is_checked() -> None:
    checked = conditions(Random(0))
    for kind in KINDS:
        assert any(getattr(condition, kind) is not None for condition in checked), kind
    assert all(isinstance(t, Trigger) for t in EXTRA)
