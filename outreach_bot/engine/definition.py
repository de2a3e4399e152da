"""Flow definitions: versioned YAML data, parsed, migrated and checked in one place.

A flow is a set of named steps. Each step does exactly one thing, named by its key:

    send: TEXT          text the family, then go on
    ask: TEXT           text a numbered question and wait for the answer (needs choices, timeout)
    record: BARRIER     note what is keeping the child home
    resources: BARRIER  text the resource sheet for that barrier
    escalate: {reason, priority, say?}   hand the family to a person
    wait: DURATION      pause (e.g. 2h, 1d), then go on
    goto: STEP          go on at another step
    start: FLOW         hand the family over to another flow now
    schedule: {flow, after}   start another flow later (e.g. a follow-up in 4d)
    switch_language: true   switch the family to the language the flow was offering
    end: REASON         the conversation is over

Every step but `ask`, `goto`, `start` and `end` goes on to its `next` step (or ends when it
has none). TEXT is English source text with {named} placeholders, or a mapping with a plural
form `{one: ..., other: ..., count: NAME}` and/or a `several:` form used when the text is about
more than one child. Each text is the gettext msgid translators work from.

A send step whose words are true only on the day they speak of ("We missed Ana today!")
says `same_day: true`, and may give `later: TEXT`, its day-neutral wording for when it can
first go out on a later day (see messaging/same_day.py: the district rewords or drops it).

Flow-level settings: `expires_after` (required), `interruptions` (keyword triggers allowed to
interrupt this flow while it waits), `once_a_day` (at most one such conversation per family
per day).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from outreach_bot.engine.matching import contains_keyword, fold

SPEC_VERSION = 1
# Rewrites of older spec versions to the next one, applied in order by the loader:
# {1: upgrade_1_to_2, ...}. Empty while version 1 is the only one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
STEP_KINDS = (
    "send", "ask", "record", "resources", "escalate", "wait", "goto", "start", "schedule",
    "switch_language", "end",
)  # fmt: skip
PLACEHOLDERS = frozenset(
    {
        "first_name", "school_name", "days_missed", "district_name", "school_phone",
        "children_days", "attendance_summary", "language_name", "suggested_language",
        "absence_day",
    }
)  # fmt: skip
PRIORITIES = ("low", "normal", "high", "urgent")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class FlowError(ValueError):
    """A flow file that cannot be run; the message names the file, the step and the problem."""

    def __init__(self, source: str, step: str | None, problem: str) -> None:
        where = f"{source}, step {step!r}" if step else source
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.step = step
        self.problem = problem


@dataclass(frozen=True)
class Text:
    """Family-facing text: a msgid, its plural form, and its form for several children."""

    msgid: str
    plural: str | None = None
    count: str | None = None
    several: str | None = None

    def placeholders(self) -> set[str]:
        """The {names} the text uses."""
        found: set[str] = set()
        for text in (self.msgid, self.plural, self.several):
            found |= set(PLACEHOLDER.findall(text or ""))
        return found


@dataclass(frozen=True)
class Choice:
    """One numbered answer to a question; `keywords` is a translatable comma-separated list."""

    next: str
    keywords: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of a flow."""

    name: str
    kind: str
    text: Text | None = None
    next: str | None = None
    barrier: str | None = None
    reason: str | None = None
    priority: str = "normal"
    choices: tuple[Choice, ...] = ()
    retry_text: Text | None = None
    retries: int = 1
    unclear_next: str | None = None
    timeout: timedelta | None = None
    timeout_next: str | None = None
    flow: str | None = None
    same_day: bool = False
    later_text: Text | None = None

    def exits(self) -> list[str]:
        """Every step this one can lead to."""
        found = [self.next, self.unclear_next, self.timeout_next]
        found += [choice.next for choice in self.choices]
        return [name for name in found if name]


@dataclass(frozen=True)
class Flow:
    """A parsed, checked flow."""

    name: str
    start: str
    steps: Mapping[str, Step]
    expires_after: timedelta
    source: str = "<memory>"
    description: str = ""
    texts: tuple[Text, ...] = field(default=())
    interruptions: frozenset[str] = frozenset()
    once_a_day: bool = False

    def flows_started(self) -> set[str]:
        """Other flows this one hands over to or schedules."""
        return {step.flow for step in self.steps.values() if step.flow}


def parse_duration(raw: object, source: str, step: str | None) -> timedelta:
    """'90m', '6h' or '2d' as a timedelta."""
    match = _DURATION.match(str(raw))
    if not match:
        raise FlowError(source, step, f"{raw!r} is not a duration; expected e.g. 30m, 6h or 2d")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})


def parse_text(raw: object, source: str, step: str) -> Text:
    """A text from YAML: a string, a plural {one, other, count}, or {text, several}."""
    if isinstance(raw, str) and raw.strip():
        return Text(raw.strip())
    if isinstance(raw, Mapping):
        several = str(raw["several"]).strip() if raw.get("several") else None
        if {"one", "other", "count"} <= set(raw):
            plural = str(raw["other"]).strip()
            return Text(str(raw["one"]).strip(), plural, str(raw["count"]), several)
        if raw.get("text") and set(raw) <= {"text", "several"}:
            return Text(str(raw["text"]).strip(), several=several)
    raise FlowError(
        source, step, "text must be a non-empty string, {one, other, count} or {text, several}"
    )


def _step(name: str, raw: object, source: str) -> Step:
    if not isinstance(raw, Mapping):
        raise FlowError(
            source, name, "a step must be a mapping with one of " + ", ".join(STEP_KINDS)
        )
    kinds = [kind for kind in STEP_KINDS if kind in raw]
    if len(kinds) != 1:
        raise FlowError(source, name, "a step needs exactly one of " + ", ".join(STEP_KINDS))
    kind = kinds[0]
    value = raw[kind]
    nxt = str(raw["next"]) if raw.get("next") else None
    if kind == "send":
        same_day, later = _same_day(raw, source, name)
        text = parse_text(value, source, name)
        return Step(name, kind, text=text, next=nxt, same_day=same_day, later_text=later)
    if "same_day" in raw or "later" in raw:
        raise FlowError(source, name, "only a send step can be `same_day` or have `later` words")
    if kind in ("record", "resources"):
        return Step(name, kind, barrier=str(value), next=nxt)
    if kind == "goto":
        return Step(name, kind, next=str(value))
    if kind == "wait":
        return Step(name, kind, timeout=parse_duration(value, source, name), next=nxt)
    if kind == "start":
        return Step(name, kind, flow=str(value))
    if kind == "switch_language":
        return Step(name, kind, next=nxt)
    if kind == "schedule":
        if not isinstance(value, Mapping) or not value.get("flow") or not value.get("after"):
            raise FlowError(source, name, "schedule needs {flow: NAME, after: DURATION}")
        after = parse_duration(value["after"], source, name)
        return Step(name, kind, flow=str(value["flow"]), timeout=after, next=nxt)
    if kind == "end":
        return Step(name, kind, reason=str(value or "completed"))
    if kind == "escalate":
        if not isinstance(value, Mapping) or not value.get("reason"):
            raise FlowError(
                source, name, "escalate needs a reason, e.g. {reason: asked_for_a_person}"
            )
        priority = str(value.get("priority", "normal"))
        if priority not in PRIORITIES:
            raise FlowError(source, name, f"priority {priority!r} is not one of {PRIORITIES}")
        say = parse_text(value["say"], source, name) if value.get("say") else None
        return Step(name, kind, text=say, reason=str(value["reason"]), priority=priority, next=nxt)
    return _ask(name, raw, source)


def _same_day(raw: Mapping[str, Any], source: str, name: str) -> tuple[bool, Text | None]:
    """A send step's `same_day: true` and its day-neutral `later` wording, checked."""
    same_day = raw.get("same_day", False)
    if not isinstance(same_day, bool):
        raise FlowError(source, name, f"same_day is {same_day!r}; write true or false")
    if "later" not in raw:
        return same_day, None
    if not same_day:
        raise FlowError(
            source, name, "`later` words are for a `same_day: true` step; add it or drop `later`"
        )
    return True, parse_text(raw["later"], source, name)


def _ask(name: str, raw: Mapping[str, Any], source: str) -> Step:
    choices_raw = raw.get("choices") or []
    if not isinstance(choices_raw, list) or not choices_raw:
        raise FlowError(source, name, "an ask needs a list of choices")
    if len(choices_raw) > 6:
        raise FlowError(source, name, "an ask offers six choices at most; families must not scroll")
    choices = []
    for number, choice in enumerate(choices_raw, start=1):
        if not isinstance(choice, Mapping) or not choice.get("next"):
            raise FlowError(source, name, f"choice {number} has no path; give it `next: STEP`")
        keywords = str(choice["keywords"]).strip() if choice.get("keywords") else None
        choices.append(Choice(next=str(choice["next"]), keywords=keywords))
    clash = overlap_problem([choice.keywords for choice in choices])
    if clash:
        raise FlowError(source, name, clash)
    other = raw.get("other") or {}
    timeout = raw.get("timeout")
    if not isinstance(timeout, Mapping) or "after" not in timeout or "next" not in timeout:
        raise FlowError(source, name, "an ask needs a timeout: {after: 2d, next: STEP}")
    if not isinstance(other, Mapping) or not other.get("next"):
        raise FlowError(
            source, name, "an ask needs `other: {say, retries, next}` for answers it cannot match"
        )
    return Step(
        name,
        "ask",
        text=parse_text(raw["ask"], source, name),
        choices=tuple(choices),
        retry_text=parse_text(other["say"], source, name) if other.get("say") else None,
        retries=int(other.get("retries", 1)),
        unclear_next=str(other["next"]),
        timeout=parse_duration(timeout["after"], source, name),
        timeout_next=str(timeout["next"]),
    )


def overlapping(keyword_lists: Iterable[str | None]) -> tuple[str, str] | None:
    """(keyword, phrase) when one choice's keyword is, or lies inside, another's, else None.

    A reply holding the phrase would then match both choices, and be understood as neither.
    """
    folded = [[word for word in map(fold, (keywords or "").split(",")) if word]
              for keywords in keyword_lists]  # fmt: skip
    for index, words in enumerate(folded):
        others = [phrase for at, phrases in enumerate(folded) if at != index for phrase in phrases]
        for word in words:
            for phrase in others:
                if contains_keyword(phrase, word):
                    return word, phrase
    return None


def overlap_problem(keyword_lists: Iterable[str | None]) -> str | None:
    """What is wrong, in a sentence, when two choices' keywords overlap; else None."""
    found = overlapping(keyword_lists)
    if found is None:
        return None
    word, phrase = found
    if word == phrase:
        return f"the keyword {word!r} is claimed by two choices"
    return (
        f"the keyword {word!r} of one choice is part of {phrase!r} of another; "
        f"a reply {phrase!r} would match both and be understood as neither"
    )


def migrate(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Bring flow data written for an older spec_version up to this engine's version."""
    version = data.get("spec_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FlowError(source, None, f"spec_version is {version!r}; expected a whole number")
    if version > SPEC_VERSION:
        raise FlowError(
            source, None, f"spec_version {version} is newer than this engine reads ({SPEC_VERSION})"
        )
    upgraded = dict(data)
    while version < SPEC_VERSION:
        upgraded = MIGRATIONS[version](upgraded)
        version += 1
        upgraded["spec_version"] = version
    return upgraded


def parse_flow(data: object, source: str) -> Flow:
    """Parse, migrate and check one flow file's data; raise FlowError naming file and step."""
    if not isinstance(data, Mapping):
        raise FlowError(source, None, "a flow file must be a mapping with name, start and steps")
    data = migrate(data, source)
    for key in ("name", "start", "steps", "expires_after"):
        if key not in data:
            raise FlowError(source, None, f"missing `{key}`")
    raw_steps = data["steps"]
    if not isinstance(raw_steps, Mapping) or not raw_steps:
        raise FlowError(source, None, "`steps` must map step names to steps")
    steps = {str(name): _step(str(name), raw, source) for name, raw in raw_steps.items()}
    flow = Flow(
        name=str(data["name"]),
        start=str(data["start"]),
        steps=steps,
        expires_after=parse_duration(data["expires_after"], source, None),
        source=source,
        description=str(data.get("description", "")),
        texts=tuple(_texts(steps.values())),
        interruptions=frozenset(str(name) for name in data.get("interruptions") or ()),
        once_a_day=bool(data.get("once_a_day", False)),
    )
    check_flow(flow)
    return flow


def _texts(steps: Iterable[Step]) -> list[Text]:
    found: list[Text] = []
    for step in steps:
        found += [t for t in (step.text, step.retry_text, step.later_text) if t is not None]
        found += [Text(choice.keywords) for choice in step.choices if choice.keywords]
    return found


def check_flow(flow: Flow) -> None:
    """Reject missing or unreachable steps and unknown placeholders."""
    if flow.start not in flow.steps:
        raise FlowError(flow.source, None, f"start step {flow.start!r} does not exist")
    for step in flow.steps.values():
        for target in step.exits():
            if target not in flow.steps:
                raise FlowError(flow.source, step.name, f"goes to {target!r}, which does not exist")
        for text in (step.text, step.retry_text, step.later_text):
            unknown = text.placeholders() - PLACEHOLDERS if text else set()
            if unknown:
                raise FlowError(
                    flow.source,
                    step.name,
                    f"unknown placeholder {{{sorted(unknown)[0]}}}; expected one of "
                    + ", ".join(sorted(PLACEHOLDERS)),
                )
    reached, frontier = {flow.start}, [flow.start]
    while frontier:
        for target in flow.steps[frontier.pop()].exits():
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    unreachable = sorted(set(flow.steps) - reached)
    if unreachable:
        raise FlowError(flow.source, unreachable[0], "no step leads here (unreachable)")
