"""Notice rules: a state's truancy notices as data (`flows/notices/<STATE>.yaml`), and which
stage a student's counters call for.

Pure apart from reading the file: the caller counts (counters.py), looks up what was sent,
and records the notice. A stage fires once per student per school year, in order: the first
when its counter reaches `at_least`; a later one when the counter has counted at least
`further_at_least` days beyond those the previous notice listed (and, with
`requires_contact_attempt`, once staff have recorded a try to reach the family since the
first notice).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from outreach_bot.notices.counters import COUNTERS, PARTIAL_MINUTES, Truancy

SPEC_VERSION = 1
CHANNELS = ("letter", "text")
RULES_FOLDER = "notices"  # under FLOWS_DIR
_STATE = re.compile(r"[A-Z]{2}")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_FILE_KEYS = frozenset({"spec_version", "state", "name", "law", "partial_minutes", "stages"})
_STAGE_KEYS = frozenset(
    {
        "name", "law", "after", "counter", "at_least", "further_at_least",
        "requires_contact_attempt", "content", "channels",
    }
)  # fmt: skip


class NoticeRulesError(ValueError):
    """A rules file is not what `notices run` expects; the message says where and why."""


@dataclass(frozen=True)
class Stage:
    """One notice: when it is due, what its letter says (content keys), how it is sent."""

    name: str
    law: str
    counter: str
    content: tuple[str, ...]
    channels: tuple[str, ...]
    after: str | None = None  # the stage that must have been sent first
    at_least: int | None = None  # the first stage: the counter's value
    further_at_least: int | None = None  # a later stage: days beyond the previous notice's
    requires_contact_attempt: bool = False


@dataclass(frozen=True)
class NoticeRules:
    """A state's notices: its stages, in the order they are sent."""

    state: str
    name: str
    law: str
    stages: tuple[Stage, ...]
    partial_minutes: int = PARTIAL_MINUTES
    source: str = ""

    def stage(self, name: str) -> Stage:
        """A stage by name."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def content_keys(self) -> list[str]:
        """Every content key any stage needs, each once, in order of first use."""
        return list(dict.fromkeys(key for stage in self.stages for key in stage.content))


@dataclass(frozen=True)
class Sent:
    """A notice already sent this school year: its stage and the dates it listed."""

    stage: str
    absence_dates: tuple[date, ...]


@dataclass(frozen=True)
class Due:
    """What the rules decided for one student: a stage to send now, or one that waits."""

    stage: Stage | None
    waiting_for_contact: Stage | None = None  # due but for the conscientious effort


def rules_path(flows_dir: Path, state: str) -> Path:
    """Where a state's rules file lives."""
    return flows_dir / RULES_FOLDER / f"{state}.yaml"


def load_rules(flows_dir: Path, state: str) -> NoticeRules:
    """Read and check a state's rules file (NOTICES_STATE), or raise NoticeRulesError."""
    from outreach_bot.engine.definition import FlowError
    from outreach_bot.engine.library import read_yaml

    path = rules_path(flows_dir, state)
    where = f"{RULES_FOLDER}/{path.name}"
    if not path.is_file():
        raise NoticeRulesError(
            f"NOTICES_STATE is {state!r}, but there is no rules file {where} in the flows"
            " folder; set NOTICES_STATE to a state that has one (CA), or empty to turn notices off"
        )
    try:
        data = read_yaml(path)
    except FlowError as error:
        raise NoticeRulesError(f"{RULES_FOLDER}/{error}") from error
    return parse_rules(data, where, state)


def parse_rules(data: object, source: str, state: str | None = None) -> NoticeRules:
    """Check a rules file's data; every problem names the file, the stage and the key."""

    def fail(where: str, problem: str) -> NoticeRulesError:
        return NoticeRulesError(f"{source}{where}: {problem}")

    if not isinstance(data, Mapping) or data.get("spec_version") != SPEC_VERSION:
        raise fail("", f"expected spec_version: {SPEC_VERSION}, state, name, law and stages")
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise fail("", f"unknown key {unknown[0]!r}; expected {', '.join(sorted(_FILE_KEYS))}")
    code = data.get("state")
    if not isinstance(code, str) or not _STATE.fullmatch(code):
        raise fail("", f"state must be a two-letter state code such as CA, not {code!r}")
    if state is not None and code != state:
        raise fail("", f"state is {code!r}, but the file is for {state!r}")
    partial = data.get("partial_minutes", PARTIAL_MINUTES)
    if not isinstance(partial, int) or isinstance(partial, bool) or not 0 <= partial < 1440:
        raise fail("", f"partial_minutes must be a whole number of minutes, not {partial!r}")
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, Sequence) or isinstance(raw_stages, str) or not raw_stages:
        raise fail("", "expected `stages:`, a list of notices in the order they are sent")
    stages: list[Stage] = []
    for number, raw in enumerate(raw_stages, start=1):
        stage = _parse_stage(raw, number, [s.name for s in stages], fail)
        stages.append(stage)
    return NoticeRules(
        state=code,
        name=str(data.get("name") or code),
        law=str(data.get("law") or ""),
        stages=tuple(stages),
        partial_minutes=partial,
        source=source,
    )


def _parse_stage(
    raw: object, number: int, earlier: list[str], fail: Callable[[str, str], NoticeRulesError]
) -> Stage:
    if not isinstance(raw, Mapping):
        raise fail(f", stage {number}", "expected a mapping with name, counter and content")
    name = raw.get("name")
    if not isinstance(name, str) or not _KEY.fullmatch(name) or len(name) > 20:
        raise fail(
            f", stage {number}", f"name must be a short lowercase word such as first, not {name!r}"
        )
    where = f", stage {name}"
    if name in earlier:
        raise fail(where, "this stage name is used twice")
    unknown = sorted(set(raw) - _STAGE_KEYS)
    if unknown:
        raise fail(where, f"unknown key {unknown[0]!r}; expected {', '.join(sorted(_STAGE_KEYS))}")
    counter = raw.get("counter")
    if counter not in COUNTERS:
        raise fail(where, f"counter must be one of {', '.join(COUNTERS)}, not {counter!r}")
    after = raw.get("after")
    if not earlier:
        if after is not None or "further_at_least" in raw:
            raise fail(where, "the first stage has no `after` or `further_at_least`; use at_least")
        threshold_key = "at_least"
    else:
        if after != earlier[-1]:
            raise fail(where, f"expected `after: {earlier[-1]}` (the stage before it)")
        if "at_least" in raw:
            raise fail(where, "a later stage counts days since the one before: further_at_least")
        threshold_key = "further_at_least"
    threshold = raw.get(threshold_key)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise fail(where, f"{threshold_key} must be a whole number of days, 1 or more")
    content = raw.get("content")
    if not isinstance(content, Sequence) or isinstance(content, str) or not content:
        raise fail(where, "content must list the keys of what the letter must say")
    for key in content:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise fail(where, f"content key {key!r} is not a lowercase name such as truant")
    if len(set(content)) != len(content):
        raise fail(where, "a content key is listed twice")
    channels = raw.get("channels", ["letter"])
    if not isinstance(channels, Sequence) or isinstance(channels, str):
        raise fail(where, f"channels must be a list of {', '.join(CHANNELS)}")
    for channel in channels:
        if channel not in CHANNELS:
            raise fail(where, f"unknown channel {channel!r}; expected {', '.join(CHANNELS)}")
    if "letter" not in channels:
        raise fail(where, "every notice is a letter: channels must include letter")
    attempt = raw.get("requires_contact_attempt", False)
    if not isinstance(attempt, bool):
        raise fail(where, "requires_contact_attempt must be true or false")
    return Stage(
        name=name,
        law=str(raw.get("law") or ""),
        counter=counter,
        content=tuple(content),
        channels=tuple(channels),
        after=after,
        at_least=threshold if threshold_key == "at_least" else None,
        further_at_least=threshold if threshold_key == "further_at_least" else None,
        requires_contact_attempt=attempt,
    )


def due_stage(
    rules: NoticeRules, truancy: Truancy, sent: Sequence[Sent], *, contact_attempted: bool
) -> Due:
    """The next stage the student's counters call for this school year, if any.

    One stage at a time: a later stage counts only days beyond those its previous notice
    listed, so a run that sends one notice never sends the next one with it.
    """
    done = {notice.stage: notice for notice in sent}
    for stage in rules.stages:
        if stage.name in done:
            continue
        counted = truancy.counted(stage.counter)
        if stage.after is None:
            assert stage.at_least is not None
            reached = len(counted) >= stage.at_least
        else:
            previous = done.get(stage.after)
            if previous is None:
                return Due(None)
            listed = set(previous.absence_dates)
            more = sum(1 for day in counted if day not in listed)
            assert stage.further_at_least is not None
            reached = more >= stage.further_at_least
        if not reached:
            return Due(None)
        if stage.requires_contact_attempt and not contact_attempted:
            return Due(None, waiting_for_contact=stage)
        return Due(stage)
    return Due(None)
