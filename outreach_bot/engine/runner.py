"""The pure conversation engine: (flow, state, input, now) -> (events, new state).

It reads no database, sends nothing and keeps no clock: the caller persists the state it
returns and performs the events (texts, barriers, resource sheets, escalations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from outreach_bot.engine.definition import Flow, Step, Text
from outreach_bot.engine.matching import match_choice

MAX_STEPS_PER_INPUT = 50


class Localizer(Protocol):
    """Translates msgids into the family's language (a gettext Translations object fits)."""

    def gettext(self, message: str, /) -> str:
        """The translation of `message`."""
        ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        """The translation of the form of `singular`/`plural` that fits `n`."""
        ...


# Inputs
@dataclass(frozen=True)
class Start:
    """Begin the flow at its start step."""


@dataclass(frozen=True)
class Reply:
    """The family texted back."""

    text: str


@dataclass(frozen=True)
class Timeout:
    """The clock passed the state's due time with no answer."""


@dataclass(frozen=True)
class DeliveryFailed:
    """Our last text could not be delivered."""


Input = Start | Reply | Timeout | DeliveryFailed


# Events
@dataclass(frozen=True)
class SendText:
    """Text the family this (already localized and filled in) message.

    A `same_day` text is true only on the day it speaks of; `later` is its day-neutral
    wording, for when it cannot go out on that day (None: it has none).
    """

    text: str
    same_day: bool = False
    later: str | None = None


@dataclass(frozen=True)
class RecordBarrier:
    """The family named what is keeping the child home."""

    barrier: str


@dataclass(frozen=True)
class SendResources:
    """Text the resource sheet for this barrier."""

    barrier: str


@dataclass(frozen=True)
class OpenEscalation:
    """A person must reach this family."""

    reason: str
    priority: str


@dataclass(frozen=True)
class HandOver:
    """End here and start another flow with the family now."""

    flow: str


@dataclass(frozen=True)
class ScheduleFlow:
    """Start another flow with the family at a later time (a follow-up)."""

    flow: str
    at: datetime


@dataclass(frozen=True)
class SwitchLanguage:
    """From now on, text the family in this language (the one the flow offered)."""

    language: str


@dataclass(frozen=True)
class NotExpected:
    """A reply came while the flow was not asking anything; the caller decides what to do."""

    text: str


@dataclass(frozen=True)
class Ended:
    """The conversation is over."""

    reason: str


Event = (
    SendText | RecordBarrier | SendResources | OpenEscalation | HandOver | ScheduleFlow
    | SwitchLanguage | NotExpected | Ended
)  # fmt: skip


@dataclass(frozen=True)
class State:
    """Where a conversation stands: the step it waits at, its retries, its timer."""

    step: str | None = None
    waiting: bool = False
    retries: int = 0
    due_at: datetime | None = None
    ended: bool = False
    end_reason: str | None = None
    path: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """A JSON-safe form for the database (the timer lives in its own column)."""
        return {
            "step": self.step,
            "waiting": self.waiting,
            "retries": self.retries,
            "ended": self.ended,
            "end_reason": self.end_reason,
            "path": list(self.path),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object], due_at: datetime | None) -> State:
        """Rebuild a state stored by to_json."""
        path = data.get("path") or []
        retries = data.get("retries") or 0
        return cls(
            step=str(data["step"]) if data.get("step") else None,
            waiting=bool(data.get("waiting")),
            retries=int(retries) if isinstance(retries, int | str) else 0,
            due_at=due_at,
            ended=bool(data.get("ended")),
            end_reason=str(data["end_reason"]) if data.get("end_reason") else None,
            path=tuple(str(name) for name in path) if isinstance(path, list) else (),
        )


def render(text: Text, context: Mapping[str, object], localizer: Localizer) -> str:
    """The text in the family's language with its placeholders filled in."""
    return _render(text, context, _values(context), localizer)


def _values(context: Mapping[str, object]) -> _Blank:
    """The placeholders' values as text (a missing one is blank)."""
    return _Blank({name: str(value) for name, value in context.items()})


def _render(text: Text, context: Mapping[str, object], values: _Blank, localizer: Localizer) -> str:
    """`render`, with the context's values as text already (a walk renders several texts
    with one context)."""
    several = context.get("children_count", 1)
    if text.several and isinstance(several, int) and several > 1:
        template = localizer.gettext(text.several)
    elif text.plural and text.count:
        count = context.get(text.count, 0)
        number = count if isinstance(count, int) else 0
        template = localizer.ngettext(text.msgid, text.plural, number)
    else:
        template = localizer.gettext(text.msgid)
    return template.format_map(values)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def advance(
    flow: Flow,
    state: State,
    event: Input,
    *,
    now: datetime,
    context: Mapping[str, object],
    localizer: Localizer,
) -> tuple[list[Event], State]:
    """Apply one input to a conversation and return what to do and where it now stands."""
    if state.ended:
        return [], state
    if isinstance(event, Start):
        return _run(flow, flow.start, State(), now, context, localizer)
    current = flow.steps.get(state.step or "")
    if current is None or not state.waiting:
        return [], state
    if isinstance(event, Timeout):
        if state.due_at is not None and now < state.due_at:
            return [], state
        after = current.timeout_next if current.kind == "ask" else current.next
        return _run(flow, after, state, now, context, localizer)
    if current.kind != "ask":
        return ([NotExpected(event.text)] if isinstance(event, Reply) else []), state
    if isinstance(event, DeliveryFailed):
        return _run(flow, current.timeout_next, state, now, context, localizer)
    return _answer(flow, current, state, event.text, now, context, localizer)


def understood(flow: Flow, state: State, reply: str, localizer: Localizer) -> bool:
    """True when the conversation waits at a question and this reply picks one of its answers."""
    step = flow.steps.get(state.step or "")
    if step is None or step.kind != "ask" or not state.waiting or state.ended:
        return False
    keywords = [localizer.gettext(c.keywords) if c.keywords else None for c in step.choices]
    return match_choice(reply, keywords) is not None


def _answer(
    flow: Flow,
    step: Step,
    state: State,
    reply: str,
    now: datetime,
    context: Mapping[str, object],
    localizer: Localizer,
) -> tuple[list[Event], State]:
    keywords = [localizer.gettext(c.keywords) if c.keywords else None for c in step.choices]
    picked = match_choice(reply, keywords)
    if picked is not None:
        return _run(flow, step.choices[picked].next, state, now, context, localizer)
    if state.retries < step.retries:
        retry = step.retry_text or step.text
        events: list[Event] = [SendText(render(retry, context, localizer))] if retry else []
        return events, replace(state, retries=state.retries + 1)
    return _run(flow, step.unclear_next, state, now, context, localizer)


def _run(
    flow: Flow,
    start: str | None,
    state: State,
    now: datetime,
    context: Mapping[str, object],
    localizer: Localizer,
) -> tuple[list[Event], State]:
    events: list[Event] = []
    name: str | None = start
    path = state.path
    values = _values(context)

    def fill(text: Text) -> str:
        return _render(text, context, values, localizer)

    for _ in range(MAX_STEPS_PER_INPUT):
        if name is None:
            events.append(Ended("completed"))
            return events, State(step=None, ended=True, end_reason="completed", path=path)
        step = flow.steps[name]
        path = (*path, name)
        if step.kind == "ask":
            assert step.text is not None and step.timeout is not None
            events.append(SendText(fill(step.text)))
            return events, State(step=name, waiting=True, due_at=now + step.timeout, path=path)
        if step.kind == "wait":
            assert step.timeout is not None
            return events, State(step=name, waiting=True, due_at=now + step.timeout, path=path)
        if step.kind == "end":
            reason = step.reason or "completed"
            events.append(Ended(reason))
            return events, State(step=name, ended=True, end_reason=reason, path=path)
        if step.kind == "start" and step.flow:
            events += [HandOver(step.flow), Ended("handed_over")]
            return events, State(step=name, ended=True, end_reason="handed_over", path=path)
        if step.kind == "send" and step.text:
            later = fill(step.later_text) if step.later_text else None
            events.append(SendText(fill(step.text), step.same_day, later))
        elif step.kind == "record" and step.barrier:
            events.append(RecordBarrier(step.barrier))
        elif step.kind == "resources" and step.barrier:
            events.append(SendResources(step.barrier))
        elif step.kind == "switch_language" and context.get("suggested_language"):
            events.append(SwitchLanguage(str(context["suggested_language"])))
        elif step.kind == "schedule" and step.flow and step.timeout:
            events.append(ScheduleFlow(step.flow, now + step.timeout))
        elif step.kind == "escalate":
            events.append(OpenEscalation(step.reason or "flow", step.priority))
            if step.text:
                events.append(SendText(fill(step.text)))
        name = step.next
    events.append(Ended("loop"))
    return events, State(step=name, ended=True, end_reason="loop", path=path)
