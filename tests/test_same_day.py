"""Same-day texts, pure parts: the decision table, the flow marker, and the engine's words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.support import NullTranslations

from outreach_bot.checks.flows import review_library
from outreach_bot.engine.definition import FlowError, parse_flow
from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import SendText, Start, State, advance
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.extract import FIRST_TEXT_NOTE, LATER_NOTE, extract_flows
from outreach_bot.messaging.same_day import decide, local_day, parse_choice

FLOWS = Path(__file__).resolve().parent.parent / "flows"
WEDNESDAY = date(2026, 10, 14)
THURSDAY = WEDNESDAY + timedelta(days=1)
MONDAY = WEDNESDAY + timedelta(days=5)
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("valid_on", "sends_on", "choice", "has_later", "expected"),
    [
        # On its day a same-day text goes as written, whatever the district chose.
        (WEDNESDAY, WEDNESDAY, "reword", True, "send"),
        (WEDNESDAY, WEDNESDAY, "drop", True, "send"),
        (WEDNESDAY, WEDNESDAY, "reword", False, "send"),
        # A text about no day always goes as written.
        (None, MONDAY, "drop", False, "send"),
        (None, MONDAY, "reword", True, "send"),
        # After its day: the district's choice.
        (WEDNESDAY, THURSDAY, "reword", True, "reword"),
        (WEDNESDAY, MONDAY, "reword", True, "reword"),
        (WEDNESDAY, THURSDAY, "drop", True, "drop"),
        # Without day-neutral words there is nothing true to send: dropped.
        (WEDNESDAY, THURSDAY, "reword", False, "drop"),
        (WEDNESDAY, THURSDAY, "drop", False, "drop"),
        # A send day before the text's day (a scan for tomorrow's date) is still in time.
        (THURSDAY, WEDNESDAY, "drop", False, "send"),
    ],
)
def test_the_decision_table(valid_on, sends_on, choice, has_later, expected):
    assert decide(valid_on, sends_on, choice, has_later=has_later) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 10, 15, 6, 59, tzinfo=UTC), WEDNESDAY),  # 23:59 in Los Angeles
        (datetime(2026, 10, 15, 7, 0, tzinfo=UTC), THURSDAY),  # midnight there
        (datetime(2026, 10, 15, 8, 0, tzinfo=LA), THURSDAY),
    ],
)
def test_the_day_is_the_districts_calendar_date(moment, expected):
    assert local_day(moment, LA) == expected


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="aware"):
        local_day(datetime(2026, 10, 15, 8, 0), LA)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("reword", "reword"), (" DROP ", "drop"), ("send", None), ("", None), ("1", None)],
)
def test_choices_are_read_strictly(raw, expected):
    assert parse_choice(raw) == expected


def test_missed_you_opening_is_same_day_with_words_that_name_the_day():
    flow = load_library(FLOWS).flows["missed_you"]
    context = {
        "first_name": "Ana",
        "school_name": "Lincoln Elementary",
        "days_missed": 3,
        "absence_day": "Wednesday, October 14",
    }
    events, _ = advance(
        flow, State(), Start(), now=datetime(2026, 10, 15, 4, 30, tzinfo=UTC),
        context=context, localizer=NullTranslations(),
    )  # fmt: skip
    opening, question = [event for event in events if isinstance(event, SendText)]
    assert opening.same_day and "We missed Ana today!" in opening.text
    assert opening.later is not None
    assert opening.later.startswith(
        "Hi, this is Lincoln Elementary. We missed Ana on Wednesday, October 14. "
        "Ana has missed 3 days of school this year."
    )
    assert "today" not in opening.later
    assert not question.same_day and question.later is None


BASE = {"spec_version": 1, "name": "t", "start": "a", "expires_after": "1d"}
ASK = {
    "ask": "1 or 2?",
    "choices": [{"next": "b"}],
    "other": {"next": "b"},
    "timeout": {"after": "1d", "next": "b"},
}


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ({"send": "hi", "later": "hello"}, "`later` words are for a `same_day: true` step"),
        ({"send": "hi", "same_day": "yes"}, "same_day is 'yes'; write true or false"),
        ({**ASK, "same_day": True}, "only a send step can be `same_day`"),
        ({"end": "done", "later": "bye"}, "only a send step can be `same_day`"),
        ({"send": "hi", "same_day": True, "later": "on {weekday}"}, "unknown placeholder"),
        ({"send": "hi", "same_day": True, "later": ""}, "text must be a non-empty string"),
    ],
)
def test_bad_same_day_steps_are_rejected(step, problem):
    with pytest.raises(FlowError) as error:
        parse_flow({**BASE, "steps": {"a": step, "b": {"end": "done"}}}, "t.yaml")
    assert problem in str(error.value)
    assert str(error.value).startswith("t.yaml, step 'a'")


def test_a_same_day_step_without_later_words_parses_and_its_later_words_are_translatable():
    steps = {
        "a": {"send": "See you today!", "same_day": True, "next": "b"},
        "b": {"send": "Hi", "same_day": True, "later": "Hi on {absence_day}"},
    }
    flow = parse_flow({**BASE, "steps": steps}, "t.yaml")
    assert flow.steps["a"].same_day and flow.steps["a"].later_text is None
    assert "Hi on {absence_day}" in {text.msgid for text in flow.texts}


def test_translators_see_the_later_words_with_a_note_on_the_day():
    with (FLOWS / "missed_you.yaml").open("rb") as handle:
        found = list(extract_flows(handle, None, None, {}))
    later = [(message, notes) for _, _, message, notes in found if ".later" in notes[0]]
    assert [notes[0] for _, notes in later] == [
        "missed_you.steps.hello.later",
        "missed_you.steps.hello.later.several: about two or more children",
    ]
    for message, notes in later:
        assert LATER_NOTE in notes and FIRST_TEXT_NOTE in notes
        assert "{absence_day}" in str(message)


def test_flows_check_measures_the_later_words_in_every_language():
    library = load_library(FLOWS)
    catalogs = Catalogs(FLOWS.parent / "locales")
    review = review_library(library, catalogs, "Maple Valley Unified School District")
    rows = {row.where: row.counts for row in review.segments}
    later = rows["missed_you.yaml, step hello (later)"]
    assert later.keys() == rows["missed_you.yaml, step hello"].keys()
    assert max(later.values()) <= 3
    assert not any("hello" in problem for problem in review.problems)
