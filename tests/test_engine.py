"""The pure engine, table-driven, on the real flow files with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.support import NullTranslations

from outreach_bot.engine.definition import FlowError, parse_flow
from outreach_bot.engine.library import load_library
from outreach_bot.engine.matching import fold, match_choice
from outreach_bot.engine.runner import (
    Ended,
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

FLOWS = Path(__file__).resolve().parent.parent / "flows"
NOW = datetime(2026, 10, 14, 22, 30, tzinfo=UTC)
CONTEXT = {"first_name": "Ana", "school_name": "Lincoln Elementary", "days_missed": 3}
ENGLISH = NullTranslations()
TRANSPORT = [RecordBarrier("transportation"), SendResources("transportation")]
FOLLOWUP = ScheduleFlow("followup", NOW + timedelta(days=4))


@pytest.fixture(scope="module")
def missed_you():
    return load_library(FLOWS).flows["missed_you"]


def run(flow, inputs, now=NOW):
    """Feed inputs one by one; return every event and the final state."""
    state, events = State(), []
    for item in inputs:
        new_events, state = advance(flow, state, item, now=now, context=CONTEXT, localizer=ENGLISH)
        events += new_events
    return events, state


def test_start_says_who_writes_the_count_and_how_to_stop_then_asks(missed_you):
    events, state = run(missed_you, [Start()])
    texts = [e.text for e in events if isinstance(e, SendText)]
    assert texts[0].startswith("Hi, this is Lincoln Elementary. We missed Ana today!")
    assert "Ana has missed 3 days of school this year" in texts[0]
    assert "Reply STOP" in texts[0]
    assert texts[1].startswith("What would help Ana get to school?")
    assert state.waiting and state.step == "what_would_help"
    assert state.due_at == NOW + timedelta(days=2)


def test_one_day_is_singular(missed_you):
    events, _ = advance(
        missed_you,
        State(),
        Start(),
        now=NOW,
        context={**CONTEXT, "days_missed": 1},
        localizer=ENGLISH,
    )
    assert "has missed 1 day of school" in events[0].text


@pytest.mark.parametrize(
    ("replies", "expected", "end_reason"),
    [
        (["1"], [*TRANSPORT, FOLLOWUP], "completed"),
        (["the bus never came"], [*TRANSPORT, FOLLOWUP], "completed"),
        (["2"], [RecordBarrier("health"), SendResources("health"), FOLLOWUP], "completed"),
        (["3", "2"], [RecordBarrier("food"), SendResources("food"), FOLLOWUP], "completed"),
        (
            ["3", "1"],
            [
                RecordBarrier("housing"),
                SendResources("housing"),
                FOLLOWUP,
                OpenEscalation("housing", "high"),
            ],
            "completed",
        ),
        (["4"], [RecordBarrier("other"), OpenEscalation("other_barrier", "normal")], "completed"),
        (["5"], [OpenEscalation("asked_for_a_person", "high")], "completed"),
        (["１"], [*TRANSPORT, FOLLOWUP], "completed"),
        (["5️⃣"], [OpenEscalation("asked_for_a_person", "high")], "completed"),
        (["what?", "huh"], [OpenEscalation("reply_not_understood", "normal")], "completed"),
    ],
)
def test_answers(missed_you, replies, expected, end_reason):
    events, state = run(missed_you, [Start(), *[Reply(text) for text in replies]])
    actions = [e for e in events if not isinstance(e, SendText | Ended)]
    assert actions == expected
    assert state.ended and state.end_reason == end_reason


def test_one_unrecognized_answer_asks_again_without_escalating(missed_you):
    events, state = run(missed_you, [Start(), Reply("maybe")])
    assert events[-1] == SendText(
        "Sorry, we did not understand. Please reply with a number from 1 to 5."
    )
    assert state.waiting and state.retries == 1
    assert not any(isinstance(e, OpenEscalation) for e in events)


def test_timeout_escalates_only_once_due(missed_you):
    _, state = run(missed_you, [Start()])
    early, same = advance(
        missed_you,
        state,
        Timeout(),
        now=NOW + timedelta(days=1),
        context=CONTEXT,
        localizer=ENGLISH,
    )
    assert early == [] and same == state
    late, ended = advance(
        missed_you,
        state,
        Timeout(),
        now=NOW + timedelta(days=2),
        context=CONTEXT,
        localizer=ENGLISH,
    )
    assert late == [OpenEscalation("no_reply", "normal"), Ended("no_reply")]
    assert ended.ended


def test_nothing_happens_after_the_end(missed_you):
    _, state = run(missed_you, [Start(), Reply("1")])
    assert advance(missed_you, state, Reply("5"), now=NOW, context=CONTEXT, localizer=ENGLISH) == (
        [],
        state,
    )


def test_state_survives_json(missed_you):
    _, state = run(missed_you, [Start(), Reply("??")])
    assert State.from_json(state.to_json(), state.due_at) == state


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("2", 1),
        (" 2. ", 1),
        ("٢", 1),
        ("۲", 1),
        ("2️⃣", 1),
        ("9", None),
        ("", None),
        ("BUS", 0),
        ("Autobús", None),
        ("sick and no bus", None),
        ("a doctor visit", 1),
    ],
)
def test_match_choice(reply, expected):
    assert match_choice(reply, ["bus, ride", "sick, doctor", None]) == expected


def test_fold():
    assert fold("  ¡Sí, AUTOBÚS!! ") == "si autobus"


BASE = {"spec_version": 1, "name": "t", "start": "a", "expires_after": "1d"}


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ({"a": {"send": "hi", "next": "b"}}, "goes to 'b', which does not exist"),
        ({"a": {"end": "done"}, "b": {"end": "done"}}, "unreachable"),
        ({"a": {"send": "hi {grade}"}}, "unknown placeholder {grade}"),
        (
            {
                "a": {
                    "ask": "1 or 2",
                    "choices": [{"next": "b"}, {"keywords": "x"}],
                    "other": {"next": "b"},
                    "timeout": {"after": "1d", "next": "b"},
                },
                "b": {"end": "done"},
            },
            "choice 2 has no path",
        ),
        (
            {
                "a": {"ask": "1?", "choices": [{"next": "b"}], "other": {"next": "b"}},
                "b": {"end": "done"},
            },
            "an ask needs a timeout",
        ),
        ({"a": {"send": "hi", "record": "food"}}, "exactly one of"),
    ],
)
def test_bad_flows_are_rejected_with_file_step_and_reason(steps, problem):
    with pytest.raises(FlowError) as error:
        parse_flow({**BASE, "steps": steps}, "t.yaml")
    assert problem in str(error.value)
    assert str(error.value).startswith("t.yaml")


def test_every_shipped_flow_loads():
    library = load_library(FLOWS)
    assert {"missed_you", "barriers"} <= set(library.flows)
    assert {"opted_out", "opted_in", "help", "resources_intro"} <= set(library.system)


WAITING = {
    **BASE,
    "steps": {
        "a": {"send": "first", "next": "b"},
        "b": {"wait": "2h", "next": "c"},
        "c": {"send": "second", "next": "d"},
        "d": {"end": "done"},
    },
}


def test_a_wait_step_pauses_until_its_time_and_ignores_replies_meanwhile():
    flow = parse_flow(WAITING, "wait.yaml")
    events, state = advance(flow, State(), Start(), now=NOW, context=CONTEXT, localizer=ENGLISH)
    assert events == [SendText("first")] and state.due_at == NOW + timedelta(hours=2)
    events, same = advance(flow, state, Reply("hi"), now=NOW, context=CONTEXT, localizer=ENGLISH)
    assert events == [NotExpected("hi")] and same == state
    later = NOW + timedelta(hours=2)
    events, state = advance(flow, state, Timeout(), now=later, context=CONTEXT, localizer=ENGLISH)
    assert events == [SendText("second"), Ended("done")] and state.ended


def test_older_spec_versions_are_migrated_and_newer_ones_refused(monkeypatch):
    from outreach_bot.engine import definition

    def rename_version_zero_steps(data):
        return {**data, "steps": data["stages"], "stages": None}

    monkeypatch.setattr(definition, "SPEC_VERSION", 2)
    monkeypatch.setitem(definition.MIGRATIONS, 1, rename_version_zero_steps)
    old = {**BASE, "spec_version": 1, "stages": {"a": {"end": "done"}}}
    assert parse_flow(old, "old.yaml").steps["a"].kind == "end"
    with pytest.raises(FlowError, match="newer than this engine"):
        parse_flow({**BASE, "spec_version": 3, "steps": {"a": {"end": "x"}}}, "new.yaml")


def test_chinese_keywords_match_inside_unspaced_text():
    assert match_choice("我们没有车", ["车, 公交", "生病, 医生"]) == 0
    assert match_choice("孩子生病了", ["车, 公交", "生病, 医生"]) == 1
    assert match_choice("abus", ["bus", "sick"]) is None  # Latin words still need boundaries
