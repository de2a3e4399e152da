"""A flow run on paper: the pure engine, a fixed clock, and a transcript as a family sees it.

Used by `outreach-bot flows simulate` and by the golden transcript tests. Nothing is stored
or sent; resource sheets, escalations and follow-ups appear as notes in brackets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach_bot.engine.definition import parse_duration
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.engine.runner import (
    Ended,
    Event,
    HandOver,
    Input,
    Localizer,
    NotExpected,
    OpenEscalation,
    RecordBarrier,
    Reply,
    ScheduleFlow,
    SendResources,
    SendText,
    Start,
    State,
    SwitchLanguage,
    Timeout,
    advance,
)

SAMPLE_CONTEXT: Mapping[str, object] = {
    "first_name": "Ana",
    "school_name": "Lincoln Elementary",
    "school_phone": "(503) 555-0100",
    "days_missed": 4,
    "district_name": "Maple Valley Schools",
    "children_days": "Ana 4",
    "children_count": 1,
    "attendance_summary": "Ana: 4 days missed this year. Missing some days.",
    "suggested_language": "es",
    "language_name": "español",
    "absence_day": "Wednesday, October 14",
}
_WAIT = re.compile(r"^/wait\s+(\S+)\s*$")


@dataclass
class Simulation:
    """One family's conversation with a flow, advanced by hand."""

    library: FlowLibrary
    flow: str
    localizer: Localizer
    now: datetime
    context: Mapping[str, object] = field(default_factory=lambda: dict(SAMPLE_CONTEXT))
    sheet: Callable[[str], str] | None = None
    state: State = field(default_factory=State)
    lines: list[str] = field(default_factory=list)

    def start(self) -> list[str]:
        """Start the flow; returns the new transcript lines."""
        return self._feed(Start())

    def say(self, line: str) -> list[str]:
        """A family's text, or `/wait 2d` to let time pass (firing any timer that comes due)."""
        waited = _WAIT.match(line.strip())
        if waited:
            self.now += parse_duration(waited.group(1), "/wait", None)
            return self._note(f"[{waited.group(1)} later]") + self._feed(Timeout())
        return self._note(f"family ▸ {line}") + self._feed(Reply(line))

    @property
    def over(self) -> bool:
        """True once the conversation has ended."""
        return self.state.ended

    def _note(self, line: str) -> list[str]:
        self.lines.append(line)
        return [line]

    def _feed(self, event: Input) -> list[str]:
        flow = self.library.flows[self.flow]
        events, self.state = advance(
            flow, self.state, event, now=self.now, context=self.context, localizer=self.localizer
        )
        shown: list[str] = []
        for item in events:
            shown += self._show(item)
        return shown

    def _show(self, event: Event) -> list[str]:
        if isinstance(event, SendText):
            first, *rest = event.text.splitlines() or [""]
            return self._note(f"school ◂ {first}") + [
                line for part in rest for line in self._note(f"         {part}")
            ]
        if isinstance(event, SendResources):
            if self.sheet is not None:
                return self._show(SendText(self.sheet(event.barrier)))
            return self._note(f"  [resource sheet: {event.barrier}]")
        if isinstance(event, RecordBarrier):
            return self._note(f"  [barrier recorded: {event.barrier}]")
        if isinstance(event, OpenEscalation):
            return self._note(f"  [escalation: {event.reason}, {event.priority}]")
        if isinstance(event, ScheduleFlow):
            days = (event.at - self.now) / timedelta(days=1)
            return self._note(f"  [follow-up scheduled: {event.flow} in {days:g} days]")
        if isinstance(event, SwitchLanguage):
            return self._note(f"  [language switched to {event.language}]")
        if isinstance(event, NotExpected):
            return self._note("  [not expected: goes to the catch-all flow]")
        if isinstance(event, HandOver):
            self.flow, self.state = event.flow, State()
            return self._note(f"  [handed over to {event.flow}]") + self._feed(Start())
        if isinstance(event, Ended) and event.reason != "handed_over":
            return self._note(f"  [ended: {event.reason}]")
        return []
