"""The engine against the table of cases in tests/engine_cases/, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from babel.support import NullTranslations

from outreach_bot.engine.definition import parse_duration
from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import (
    Ended,
    Event,
    HandOver,
    NotExpected,
    OpenEscalation,
    RecordBarrier,
    Reply,
    ScheduleFlow,
    SendResources,
    SendText,
    Start,
    State,
    Timeout,
    advance,
)
from outreach_bot.engine.simulator import SAMPLE_CONTEXT

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library(ROOT / "flows")
START = datetime(2026, 10, 14, 22, 30, tzinfo=UTC)


def _cases():
    for path in sorted((ROOT / "tests" / "engine_cases").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for case in document["cases"]:
                yield pytest.param(
                    document["flow"], case["steps"], id=f"{path.stem}: {case['name']}"
                )


def describe(event: Event) -> str:
    """An event in the table's words."""
    if isinstance(event, SendText):
        return f"text {event.text}"
    if isinstance(event, RecordBarrier):
        return f"barrier {event.barrier}"
    if isinstance(event, SendResources):
        return f"resources {event.barrier}"
    if isinstance(event, OpenEscalation):
        return f"escalate {event.reason} {event.priority}"
    if isinstance(event, ScheduleFlow):
        return f"schedule {event.flow}"
    if isinstance(event, HandOver):
        return f"handover {event.flow}"
    if isinstance(event, NotExpected):
        return "not_expected"
    assert isinstance(event, Ended)
    return f"end {event.reason}"


def matches(expected: str, actual: str) -> bool:
    """Texts match by prefix (the table quotes their start); everything else exactly."""
    if expected.startswith("text "):
        return actual.startswith(expected)
    return expected == actual


@pytest.mark.parametrize(("flow_name", "steps"), list(_cases()))
def test_engine_case(flow_name: str, steps: list[dict[str, object]]) -> None:
    flow, state, now = LIBRARY.flows[flow_name], State(), START
    for number, step in enumerate(steps, start=1):
        command, _, argument = str(step["input"]).partition(" ")
        if command == "start":
            event = Start()
        elif command == "reply":
            event = Reply(argument)
        else:
            now += parse_duration(argument, "case", None) if argument else timedelta(0)
            event = Timeout()
        events, state = advance(
            flow, state, event, now=now, context=SAMPLE_CONTEXT, localizer=NullTranslations()
        )
        actual = [describe(e) for e in events]
        expected = [str(e) for e in step["events"]]  # type: ignore[attr-defined]
        assert len(actual) == len(expected) and all(map(matches, expected, actual)), (
            f"step {number} ({step['input']}): expected {expected}, got {actual}"
        )
