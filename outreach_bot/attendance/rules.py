"""Trigger rules: parse `flows/triggers.yaml` data and decide which triggers fire for a student.

Pure: the caller reads the file and records the firings. A trigger fires once per student per
episode: the unbroken run of instructional days on which its condition held, named by the ISO
date of the run's first day. The condition must hold on the scanned day itself, so a run that
ended earlier never fires late, and a scan on a weekend or holiday fires nothing. Where a
running episode began is defined by walking back a day at a time (`walked_back`) and, on an
`AttendanceSeries`, counted instead (`episodes.run_start`), at a cost that does not grow
with the episode.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal, Protocol

from outreach_bot.attendance.episodes import run_start
from outreach_bot.attendance.metrics import (
    BANDS,
    SATISFACTORY,
    AttendanceMetrics,
    AttendanceSeries,
    band_rank,
)

SPEC_VERSION = 1
# Must match outreach_bot.models.escalation.PRIORITIES (a test checks).
PRIORITIES = ("low", "normal", "high", "urgent")
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_COUNTS = (
    "consecutive_absences_at_least",
    "absences_at_least",
    "min_instructional_days",
    "present_streak_at_least",
)
CONDITION_KEYS = ("absent_today", *_COUNTS, "band_at_least", "was_band_at_least", "band_improved")
_TRIGGER_KEYS = ("name", "description", "when", "flow", "escalate", "holdout")
# A holdout above half would text fewer families than it leaves out, which no district means.
MAX_HOLDOUT_PERCENT = 50
HOLDOUT, TEXTED = "holdout", "texted"  # the two arms of a trigger with a holdout
# Sections of the triggers file read elsewhere (the conversation engine's keyword triggers).
OTHER_SECTIONS = ("keywords", "catch_all")


class TriggerFileError(ValueError):
    """The triggers file is not what the scan expects; the message says where and why."""


@dataclass(frozen=True)
class Condition:
    """All of these must hold on a day (None: not part of the condition)."""

    absent_today: bool | None = None
    consecutive_absences_at_least: int | None = None
    absences_at_least: int | None = None
    band_at_least: str | None = None
    min_instructional_days: int | None = None
    present_streak_at_least: int | None = None
    was_band_at_least: str | None = None
    band_improved: bool | None = None

    def holds(self, day: AttendanceMetrics) -> bool:
        """True when every part of the condition holds on this day."""
        # Plain comparisons: the scan calls this for every day of every running episode.
        if self.absent_today is not None and day.absent_today != self.absent_today:
            return False
        floor = self.consecutive_absences_at_least
        if floor is not None and day.consecutive_absences < floor:
            return False
        if self.absences_at_least is not None and day.absences < self.absences_at_least:
            return False
        floor = self.min_instructional_days
        if floor is not None and day.instructional_days < floor:
            return False
        floor = self.present_streak_at_least
        if floor is not None and day.consecutive_present < floor:
            return False
        if self.was_band_at_least is not None:
            if day.peak_band_rank < band_rank(self.was_band_at_least):
                return False
        if self.band_improved is not None:
            if (band_rank(day.band) < day.peak_band_rank) != self.band_improved:
                return False
        if self.band_at_least is not None:
            return band_rank(day.band) >= band_rank(self.band_at_least)
        return True


@dataclass(frozen=True)
class StartFlow:
    """Start a conversation flow with each reachable guardian."""

    flow: str
    kind: Literal["flow"] = "flow"


@dataclass(frozen=True)
class Escalate:
    """Open an escalation so that a person reaches the family."""

    reason: str
    priority: str = "normal"
    kind: Literal["escalate"] = "escalate"


Action = StartFlow | Escalate


@dataclass(frozen=True)
class Trigger:
    """A named rule: when the condition starts to hold, take the action once."""

    name: str
    condition: Condition
    action: Action
    description: str = ""
    holdout: Fraction = Fraction(0)  # the share of students its flow is held back from

    def arm(self, draw: float) -> str | None:
        """The arm a uniform draw in [0, 1) puts a student in (None: the trigger has no holdout)."""
        if not self.holdout:
            return None
        return HOLDOUT if draw < self.holdout else TEXTED


class DailySeries(Protocol):
    """What the rules need of a daily series: an `AttendanceSeries` or a list of metrics."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> AttendanceMetrics: ...


@dataclass(frozen=True)
class Firing:
    """A trigger that fires for a student, and the episode it fires for."""

    trigger: Trigger
    episode: str


def episode_start(condition: Condition, series: DailySeries, as_of: date) -> date | None:
    """First day of the run on which the condition has held up to as_of (None: not on as_of)."""
    if len(series) == 0 or series[-1].as_of != as_of or not condition.holds(series[-1]):
        return None
    return _run_first_day(condition, series)


def _run_first_day(condition: Condition, series: DailySeries) -> date:
    """The first day of the run ending on the series' last day, on which the condition holds:
    counted on an `AttendanceSeries` (see `episodes`), walked back on any other series."""
    if isinstance(series, AttendanceSeries):
        return series.days[run_start(condition, series)]
    return series[walked_back(condition, series)].as_of


def walked_back(condition: Condition, series: DailySeries) -> int:
    """The first day of the run ending on the series' last day, found a day at a time: what
    `run_start` must equal (the condition holds on the last day)."""
    index = len(series) - 1
    while index > 0 and condition.holds(series[index - 1]):
        index -= 1
    return index


def evaluate(triggers: list[Trigger], series: DailySeries, as_of: date) -> list[Firing]:
    """Triggers whose condition holds on as_of, each with the key of its current episode."""
    if len(series) == 0 or series[-1].as_of != as_of:
        return []
    last = series[-1]
    return [
        Firing(trigger, _run_first_day(trigger.condition, series).isoformat())
        for trigger in triggers
        if trigger.condition.holds(last)
    ]


def referenced_flows(triggers: list[Trigger]) -> set[str]:
    """Names of the flows the triggers start (for `flows check`)."""
    return {t.action.flow for t in triggers if isinstance(t.action, StartFlow)}


def parse_triggers(data: object, source: str) -> list[Trigger]:
    """Validated triggers from a loaded triggers file; `source` names the file in every error."""
    if not isinstance(data, Mapping):
        raise TriggerFileError(
            f"{source}: expected a mapping with 'spec_version' and 'triggers', got {_shown(data)}."
        )
    _no_unknown_keys(data, ("spec_version", "triggers", *OTHER_SECTIONS), source)
    version = data.get("spec_version")
    if version != SPEC_VERSION or isinstance(version, bool):
        raise TriggerFileError(
            f"{source}: expected 'spec_version: {SPEC_VERSION}', got {_shown(version)}."
        )
    items = data.get("triggers")
    if not isinstance(items, list):
        raise TriggerFileError(
            f"{source}: expected 'triggers' to be a list of triggers, got {_shown(items)}."
        )
    triggers: list[Trigger] = []
    for position, item in enumerate(items, start=1):
        trigger = _parse_trigger(item, source, position)
        if any(seen.name == trigger.name for seen in triggers):
            raise TriggerFileError(
                f"{source}: trigger {trigger.name!r} appears twice; each name must be unique, "
                "because firings are remembered by name."
            )
        triggers.append(trigger)
    return triggers


def _parse_trigger(item: object, source: str, position: int) -> Trigger:
    where = f"{source}: trigger #{position}"
    if not isinstance(item, Mapping):
        raise TriggerFileError(
            f"{where}: expected a mapping with 'name', 'when' and 'flow' or 'escalate', "
            f"got {_shown(item)}."
        )
    name = _name(item.get("name"), f"{where}: 'name'")
    where = f"{source}: trigger {name!r}"
    _no_unknown_keys(item, _TRIGGER_KEYS, where)
    description = item.get("description", "")
    if not isinstance(description, str):
        raise TriggerFileError(
            f"{where}: expected 'description' to be text, got {_shown(description)}."
        )
    condition = _parse_condition(item.get("when"), where)
    action = _parse_action(item, where)
    return Trigger(
        name=name,
        condition=condition,
        action=action,
        description=description.strip(),
        holdout=_holdout(item.get("holdout"), action, where),
    )


def _holdout(value: object, action: Action, where: str) -> Fraction:
    """The share in `holdout: 10%`, exactly (none: 0)."""
    if value is None:
        return Fraction(0)
    if isinstance(action, Escalate):
        raise TriggerFileError(
            f"{where}: 'holdout' holds back texts only, and this trigger opens an escalation; "
            "a family a person should call is never held out. Remove the 'holdout' line."
        )
    text = value.strip() if isinstance(value, str) else ""
    try:
        percent = Fraction(Decimal(text[:-1])) if text.endswith("%") else Fraction(-1)
    except (InvalidOperation, ValueError, OverflowError):
        percent = Fraction(-1)
    if not 0 < percent <= MAX_HOLDOUT_PERCENT:
        raise TriggerFileError(
            f"{where}: expected 'holdout' to be a percentage above 0% and at most "
            f"{MAX_HOLDOUT_PERCENT}%, such as '10%', got {_shown(value)}."
        )
    return percent / 100


def _parse_condition(when: object, where: str) -> Condition:
    if not isinstance(when, Mapping) or not when:
        raise TriggerFileError(
            f"{where}: expected 'when' to be a mapping with at least one of "
            f"{_listed(CONDITION_KEYS)}, got {_shown(when)}."
        )
    _no_unknown_keys(when, CONDITION_KEYS, f"{where}: 'when'")
    absent_today = when.get("absent_today")
    if absent_today is not None and not isinstance(absent_today, bool):
        raise TriggerFileError(
            f"{where}: expected 'absent_today' to be true or false, got {_shown(absent_today)}."
        )
    counts = {key: _count(when.get(key), key, where) for key in _COUNTS}
    band = _band(when.get("band_at_least"), "band_at_least", where)
    improved = when.get("band_improved")
    if improved is not None and not isinstance(improved, bool):
        raise TriggerFileError(
            f"{where}: expected 'band_improved' to be true or false, got {_shown(improved)}."
        )
    return Condition(
        absent_today=absent_today,
        consecutive_absences_at_least=counts["consecutive_absences_at_least"],
        absences_at_least=counts["absences_at_least"],
        band_at_least=band,
        min_instructional_days=counts["min_instructional_days"],
        present_streak_at_least=counts["present_streak_at_least"],
        was_band_at_least=_band(when.get("was_band_at_least"), "was_band_at_least", where),
        band_improved=improved,
    )


def _band(band: object, key: str, where: str) -> str | None:
    allowed = [b for b in BANDS if b != SATISFACTORY]
    if band is not None and band not in allowed:
        raise TriggerFileError(
            f"{where}: expected {key!r} to be one of {_listed(allowed)}, got {_shown(band)}."
        )
    return band if isinstance(band, str) else None


def _parse_action(item: Mapping[object, object], where: str) -> Action:
    if ("flow" in item) == ("escalate" in item):
        raise TriggerFileError(
            f"{where}: expected exactly one action, either 'flow: NAME' or "
            "'escalate: {reason: ..., priority: ...}'."
        )
    if "flow" in item:
        return StartFlow(flow=_name(item["flow"], f"{where}: 'flow'"))
    escalate = item["escalate"]
    if not isinstance(escalate, Mapping):
        raise TriggerFileError(
            f"{where}: expected 'escalate' to be a mapping with 'reason' and 'priority', "
            f"got {_shown(escalate)}."
        )
    _no_unknown_keys(escalate, ("reason", "priority"), f"{where}: 'escalate'")
    reason = _name(escalate.get("reason"), f"{where}: 'escalate' 'reason'")
    priority = escalate.get("priority", "normal")
    if priority not in PRIORITIES:
        raise TriggerFileError(
            f"{where}: expected the escalation 'priority' to be one of {_listed(PRIORITIES)}, "
            f"got {_shown(priority)}."
        )
    return Escalate(reason=reason, priority=str(priority))


def _count(value: object, key: str, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TriggerFileError(
            f"{where}: expected {key!r} to be a whole number of at least 1, got {_shown(value)}."
        )
    return value


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value) or len(value) > MAX_NAME_LENGTH:
        raise TriggerFileError(
            f"{what}: expected a name of lowercase letters, digits and underscores, starting with "
            f"a letter, at most {MAX_NAME_LENGTH} characters; got {_shown(value)}."
        )
    return value


def _no_unknown_keys(mapping: Mapping[object, object], known: tuple[str, ...], where: str) -> None:
    unknown = [key for key in mapping if key not in known]
    if unknown:
        raise TriggerFileError(
            f"{where}: unknown key {_shown(unknown[0])}; expected {_listed(known)}."
        )


def _listed(names: tuple[str, ...] | list[str]) -> str:
    quoted = [repr(name) for name in names]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0]


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
