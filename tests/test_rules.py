"""Trigger rules: the file's validation, and firing once per episode over a daily series."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from outreach_bot.attendance.metrics import daily_series, instructional_days
from outreach_bot.attendance.rules import (
    Condition,
    Escalate,
    StartFlow,
    Trigger,
    TriggerFileError,
    episode_start,
    evaluate,
    parse_triggers,
    referenced_flows,
)

MONDAY = date(2026, 9, 7)
WEEKDAYS = instructional_days({}, MONDAY, MONDAY + timedelta(days=60), unlisted_weekdays=True)
SOURCE = "flows/triggers.yaml"
ENTERING_CHRONIC = Condition(band_at_least="moderate_chronic", min_instructional_days=10)


def daily_firings(condition: Condition, pattern: str) -> list[int]:
    """Scan every school day of a pattern ("A" absent, "P" present), twice each, like the
    nightly job run twice; return the day numbers on which a new episode fired."""
    days = WEEKDAYS[: len(pattern)]
    absent = {day for day, mark in zip(days, pattern, strict=True) if mark == "A"}
    trigger = Trigger("rule", condition, StartFlow("missed_you"))
    fired: set[str] = set()
    fired_on = []
    for number, day in enumerate(days):
        for _ in range(2):
            series = daily_series(days, enrolled_from=days[0], absent_days=absent, as_of=day)
            for firing in evaluate([trigger], series, day):
                if firing.episode not in fired:
                    fired.add(firing.episode)
                    fired_on.append(number)
    return fired_on


@pytest.mark.parametrize(
    ("condition", "pattern", "fires_on"),
    [
        (Condition(absent_today=True), "PAAPA", [1, 4]),
        (Condition(absent_today=True), "PPPP", []),
        (Condition(absent_today=False), "PAAPPAP", [0, 3, 6]),
        (Condition(consecutive_absences_at_least=3), "AAAAPAAA", [2, 7]),
        (Condition(consecutive_absences_at_least=3), "AAPAAPAA", []),
        (Condition(absences_at_least=2), "APPAPAAA", [3]),
        (Condition(absent_today=True, absences_at_least=3), "AAAPA", [2, 4]),
        # 1 of 10 days is 10%: enters on day 10 (index 9), leaves at 1 of 11, re-enters at 2 of 12.
        (ENTERING_CHRONIC, "APPPPPPPPPPA", [9, 11]),
        # Without a minimum, one absence on the first day is 100%: one episode, still running.
        (Condition(band_at_least="severe_chronic"), "APPA", [0]),
        (Condition(band_at_least="at_risk", min_instructional_days=3), "PPPPP", []),
    ],
    ids=[
        "absent today: once per run of absences",
        "absent today: never present",
        "present today (welcome back)",
        "three in a row: once per streak",
        "three in a row: streaks too short",
        "two absences: once, and for good",
        "absent today with three absences",
        "entering moderate chronic, leaving, re-entering",
        "severe from day one",
        "never at risk",
    ],
)
def test_a_trigger_fires_once_per_episode(
    condition: Condition, pattern: str, fires_on: list[int]
) -> None:
    assert daily_firings(condition, pattern) == fires_on


def test_the_episode_is_named_by_its_first_day() -> None:
    days = WEEKDAYS[:6]
    series = daily_series(days, enrolled_from=days[0], absent_days=set(days[1:]), as_of=days[5])
    condition = Condition(consecutive_absences_at_least=3)
    assert episode_start(condition, series, days[5]) == days[3]
    trigger = Trigger("three", condition, Escalate("consecutive_absences"))
    [firing] = evaluate([trigger], series, days[5])
    assert firing.trigger is trigger
    assert firing.episode == days[3].isoformat()


def test_nothing_fires_unless_the_condition_holds_on_the_scanned_day() -> None:
    days = WEEKDAYS[:5]  # Monday to Friday, absent all week
    series = daily_series(days, enrolled_from=days[0], absent_days=set(days), as_of=days[4])
    trigger = Trigger("absent", Condition(absent_today=True), StartFlow("missed_you"))
    assert evaluate([trigger], series, days[4]) != []
    saturday = days[4] + timedelta(days=1)
    assert evaluate([trigger], series, saturday) == []
    assert (
        evaluate(
            [trigger],
            daily_series(days, enrolled_from=None, absent_days=set(), as_of=days[4]),
            days[4],
        )
        == []
    )


def valid_trigger(**changes: Any) -> dict[str, Any]:
    """A valid trigger mapping with some keys changed (None removes a key)."""
    trigger: dict[str, Any] = {
        "name": "three_in_a_row",
        "when": {"consecutive_absences_at_least": 3},
        "escalate": {"reason": "consecutive_absences", "priority": "high"},
    }
    trigger.update(changes)
    return {key: value for key, value in trigger.items() if value is not None}


def test_parse_a_valid_file() -> None:
    data = {
        "spec_version": 1,
        "triggers": [
            {
                "name": "absent",
                "description": " Same day. ",
                "when": {"absent_today": True},
                "flow": "missed_you",
            },
            valid_trigger(),
            {
                "name": "chronic",
                "when": {
                    "band_at_least": "moderate_chronic",
                    "min_instructional_days": 10,
                    "absences_at_least": 2,
                },
                "flow": "barriers",
            },
        ],
    }
    absent, three, chronic = parse_triggers(data, SOURCE)
    assert absent == Trigger(
        "absent", Condition(absent_today=True), StartFlow("missed_you"), "Same day."
    )
    assert three.action == Escalate(reason="consecutive_absences", priority="high")
    assert chronic.condition == Condition(
        band_at_least="moderate_chronic", min_instructional_days=10, absences_at_least=2
    )
    assert referenced_flows([absent, three, chronic]) == {"missed_you", "barriers"}


def test_priority_defaults_to_normal_and_triggers_may_be_empty() -> None:
    [trigger] = parse_triggers(
        {"spec_version": 1, "triggers": [valid_trigger(escalate={"reason": "streak"})]}, SOURCE
    )
    assert trigger.action == Escalate("streak", "normal")
    assert parse_triggers({"spec_version": 1, "triggers": []}, SOURCE) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping with 'spec_version' and 'triggers', got a list"),
        ({"triggers": []}, "expected 'spec_version: 1', got nothing"),
        ({"spec_version": 2, "triggers": []}, "expected 'spec_version: 1', got 2"),
        ({"spec_version": True, "triggers": []}, "expected 'spec_version: 1', got True"),
        ({"spec_version": 1}, "expected 'triggers' to be a list of triggers, got nothing"),
        (
            {"spec_version": 1, "triggers": [], "rules": []},
            "unknown key 'rules'; expected 'spec_version', 'triggers', 'keywords' or 'catch_all'",
        ),
    ],
)
def test_file_errors_say_what_was_expected(data: object, message: str) -> None:
    with pytest.raises(TriggerFileError) as caught:
        parse_triggers(data, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {message}."


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("absent_today", "trigger #1: expected a mapping with 'name', 'when' and 'flow' or"),
        (valid_trigger(name=None), "trigger #1: 'name': expected a name of lowercase letters"),
        (valid_trigger(name="Three In A Row"), "got 'Three In A Row'"),
        (valid_trigger(name="x" * 65), "at most 64 characters"),
        (valid_trigger(name="absent\n"), "got 'absent\\n'"),
        (valid_trigger(then="call"), "trigger 'three_in_a_row': unknown key 'then'; expected"),
        (valid_trigger(description=5), "expected 'description' to be text, got 5"),
        (valid_trigger(when=None), "expected 'when' to be a mapping with at least one of"),
        (valid_trigger(when={}), "expected 'when' to be a mapping"),
        (valid_trigger(when=["absent_today"]), "'when' to be a mapping with at least one of"),
        (valid_trigger(when={"absences_over": 3}), "'when': unknown key 'absences_over'"),
        (valid_trigger(when={"absent_today": "yes please"}), "'absent_today' to be true or false"),
        (valid_trigger(when={"absences_at_least": 0}), "'absences_at_least' to be a whole number"),
        (valid_trigger(when={"absences_at_least": "three"}), "at least 1, got 'three'"),
        (valid_trigger(when={"absences_at_least": True}), "at least 1, got True"),
        (valid_trigger(when={"min_instructional_days": 2.5}), "at least 1, got 2.5"),
        (
            valid_trigger(when={"band_at_least": "chronic"}),
            "'band_at_least' to be one of 'at_risk', 'moderate_chronic' or 'severe_chronic'",
        ),
        (valid_trigger(when={"band_at_least": "satisfactory"}), "got 'satisfactory'"),
        (valid_trigger(escalate=None), "expected exactly one action, either 'flow: NAME' or"),
        (valid_trigger(flow="missed_you"), "expected exactly one action"),
        (valid_trigger(escalate=None, flow=3), "'flow': expected a name"),
        (valid_trigger(escalate="call them"), "expected 'escalate' to be a mapping"),
        (valid_trigger(escalate={"priority": "high"}), "'escalate' 'reason': expected a name"),
        (
            valid_trigger(escalate={"reason": "streak", "priority": "asap"}),
            "'priority' to be one of 'low', 'normal', 'high' or 'urgent', got 'asap'",
        ),
        (
            valid_trigger(escalate={"reason": "streak", "who": "clerk"}),
            "'escalate': unknown key 'who'; expected 'reason' or 'priority'",
        ),
    ],
)
def test_trigger_errors_name_the_file_and_trigger(trigger: object, message: str) -> None:
    with pytest.raises(TriggerFileError) as caught:
        parse_triggers({"spec_version": 1, "triggers": [trigger]}, SOURCE)
    assert str(caught.value).startswith(f"{SOURCE}: trigger ")
    assert message in str(caught.value)


def test_trigger_names_are_unique() -> None:
    with pytest.raises(TriggerFileError, match="trigger 'three_in_a_row' appears twice"):
        parse_triggers({"spec_version": 1, "triggers": [valid_trigger(), valid_trigger()]}, SOURCE)


def _series_of(pattern: str):
    """A series from a pattern of school days: 'A' absent, '.' present."""
    days = [date(2026, 9, 1) + timedelta(days=n) for n in range(len(pattern))]
    absent = {day for day, mark in zip(days, pattern, strict=True) if mark == "A"}
    return days, daily_series(days, enrolled_from=days[0], absent_days=absent, as_of=days[-1])


FULL_WEEK = {"was_band_at_least": "moderate_chronic", "present_streak_at_least": 5}
BETTER_BAND = {"band_improved": True, "was_band_at_least": "moderate_chronic"}


@pytest.mark.parametrize(
    ("when", "pattern", "fires"),
    [
        # 4 of the first 20 days missed (20%, severe), then a clean week: recognised.
        (FULL_WEEK, "A.A.A.A............." + ".....", True),
        (FULL_WEEK, "A.A.A.A............." + "....A", False),
        # Never chronic: a clean week is not a comeback.
        (FULL_WEEK, "." * 25, False),
        # Severe at day 20 (4/20), 4/45 = 9% later: a band better.
        (BETTER_BAND, "A.A.A.A............." + "." * 25, True),
        # One absence in week one: 50% on day 2, only 5% by day 20 when peaks start counting.
        (BETTER_BAND, ".A" + "." * 28, False),
    ],
)
def test_recognition_conditions(when, pattern, fires):
    days, series = _series_of(pattern)
    trigger = parse_triggers(
        {"spec_version": 1, "triggers": [{"name": "t", "when": when, "flow": "recognition"}]},
        "triggers.yaml",
    )[0]
    assert bool(evaluate([trigger], series, days[-1])) is fires
