"""Replies per second through the pure conversation engine, on one core.

Each conversation is started once (Start is deterministic, so its state is reused) and then
fed the family's replies: one that picks a choice by number, one that names a keyword inside
a sentence, and one the engine does not understand followed by one it does. Every run is
checked against the path the flow should take, so a broken flow cannot make the figure fast.

The ceiling is the same loop calling a no-op with `advance`'s signature, measured in the same
run: the most any engine could do inside this loop on this machine right now.

Run: .venv/bin/python bench/engine.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from outreach_bot.config import load_settings
from outreach_bot.engine.definition import Flow
from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import (
    Ended,
    Event,
    Localizer,
    Reply,
    SendText,
    Start,
    State,
    advance,
)
from outreach_bot.i18n.catalogs import Catalogs

TARGET = 20_000  # replies/s on one core, from the issue
FLOW = "missed_you"
RETRY = "(asked again)"
# A Wednesday afternoon in the district (22:30 UTC is 15:30 in Los Angeles).
NOW = datetime(2026, 10, 14, 22, 30, tzinfo=UTC)

Advance = Callable[..., tuple[list[Event], State]]


@dataclass(frozen=True)
class Script:
    """The replies one family sends, and the step each reply must lead through."""

    label: str
    replies: tuple[str, ...]
    # After each reply: a step the path must now contain, or RETRY for "asked again".
    expect: tuple[str, ...]


def scripts(language: str) -> list[Script]:
    """Realistic replies to 'What would help?' in one language."""
    if language == "es":
        keyword, unclear = "No tenemos raite para la escuela", "no se"
    else:
        keyword, unclear = "The bus is late again", "not sure"
    return [
        Script("by number", ("1",), ("transportation",)),
        Script("by keyword", (keyword,), ("transportation",)),
        Script("unrecognized, then a match", (unclear, "2"), (RETRY, "health")),
    ]


@dataclass(frozen=True)
class Case:
    """One language's flow, catalog, family context, and started state."""

    language: str
    flow: Flow
    localizer: Localizer
    context: Mapping[str, object]
    started: State
    scripts: list[Script]


def build_case(flow: Flow, catalogs: Catalogs, language: str) -> Case:
    """Start the conversation once; every measured script replies to this state."""
    localizer = catalogs.get(language)
    context = {
        "first_name": "Ana" if language == "en" else "Sofia",
        "school_name": "Lincoln Elementary",
        "school_phone": "+15035550100",
        "days_missed": 4,
        "district_name": "Maple Valley Schools",
    }
    events, started = advance(flow, State(), Start(), now=NOW, context=context, localizer=localizer)
    if not started.waiting or started.step != "what_would_help" or len(events) != 2:
        raise SystemExit(f"{language}: Start did not reach the first question: {events}")
    return Case(language, flow, localizer, context, started, scripts(language))


def check(case: Case) -> None:
    """Run each script once and stop with a message when it takes the wrong path."""
    for script in case.scripts:
        state = case.started
        for reply, step in zip(script.replies, script.expect, strict=True):
            events, state = advance(
                case.flow,
                state,
                Reply(reply),
                now=NOW,
                context=case.context,
                localizer=case.localizer,
            )
            if step == RETRY:
                went = state.step == "what_would_help" and state.retries == 1
            else:
                went = step in state.path
            if not went or not any(isinstance(e, SendText) for e in events):
                raise SystemExit(
                    f"{case.language} {script.label!r}: {reply!r} should lead through {step!r};"
                    f" got path {state.path} and events {events}"
                )
        if not any(isinstance(e, Ended) for e in events) and not state.ended:
            raise SystemExit(f"{case.language} {script.label!r}: the conversation did not end")


def replies_loop(cases: Sequence[Case], rounds: int, step: Advance) -> int:
    """Feed every script's replies `rounds` times through `step`; returns replies fed."""
    fed = 0
    plan = [(case, script.replies) for case in cases for script in case.scripts]
    for _ in range(rounds):
        for case, replies in plan:
            flow, context, localizer, state = case.flow, case.context, case.localizer, case.started
            for text in replies:
                _events, state = step(
                    flow, state, Reply(text), now=NOW, context=context, localizer=localizer
                )
            fed += len(replies)
    return fed


def noop(
    flow: Flow, state: State, event: Any, *, now: datetime, context: Any, localizer: Any
) -> tuple[list[Event], State]:
    """The ceiling: a call with advance's signature that does nothing."""
    return [], state


@dataclass
class Row:
    """One measured line: what it feeds, through what, and the rate of each timed run."""

    label: str
    cases: Sequence[Case]
    step: Advance
    rounds: int = 1
    rates: list[float] = field(default_factory=list)

    def calibrate(self, seconds: float) -> None:
        """Warm up, and size a run to last about `seconds`."""
        rounds = 1
        while True:  # grow the run until it lasts a tenth of the budget
            began = time.perf_counter()
            replies_loop(self.cases, rounds, self.step)
            elapsed = time.perf_counter() - began
            if elapsed >= seconds / 10:
                break
            rounds *= 2
        self.rounds = max(1, int(rounds * seconds / elapsed))

    def run(self) -> float:
        """One timed run; returns and keeps its replies/s."""
        began = time.perf_counter()
        fed = replies_loop(self.cases, self.rounds, self.step)
        self.rates.append(fed / (time.perf_counter() - began))
        return self.rates[-1]


def measure(rows: Sequence[Row], seconds: float, repeats: int) -> list[float]:
    """Time every row once per repeat, interleaved, so each repeat sees the same machine.

    The first row is the ceiling. Returns, per row, the median of its rate divided by the
    ceiling's rate in the same repeat.
    """
    for row in rows:
        row.calibrate(seconds)
    ratios: list[list[float]] = [[] for _ in rows]
    for _ in range(repeats):
        ceiling = rows[0].run()
        for index, row in enumerate(rows):
            rate = row.run() if index else ceiling
            ratios[index].append(rate / ceiling)
    return [statistics.median(r) for r in ratios]


def pin_to_one_core(cpu: int) -> str:
    """Keep this process on one CPU, as the target says; returns a description."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here); one thread"


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print replies/s beside the ceiling and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="length of each timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median is shown")
    parser.add_argument("--cpu", type=int, default=0, help="the CPU to pin to")
    args = parser.parse_args(argv)

    pinned = pin_to_one_core(args.cpu)
    settings = load_settings()  # FLOWS_DIR and LOCALES_DIR, as the service reads them
    library = load_library(settings.flows_dir)
    catalogs = Catalogs(settings.locales_dir)
    flow = library.flows[FLOW]
    english, spanish = build_case(flow, catalogs, "en"), build_case(flow, catalogs, "es")
    for case in (english, spanish):
        check(case)

    both = [english, spanish]
    rows = [
        Row("ceiling: no-op with advance signature, same loop", both, noop),
        Row("engine: English and Spanish (headline)", both, advance),
    ]
    for case in both:
        rows.append(Row(f"  {case.language}", [case], advance))
        for script in case.scripts:
            rows.append(
                Row(
                    f"  {case.language}, {script.label}", [replace(case, scripts=[script])], advance
                )
            )
    of_ceiling = measure(rows, args.seconds, args.repeats)

    print(f"outreach-bot engine benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {pinned};"
        f" median of {args.repeats} runs of ~{args.seconds:g}s; flow {FLOW!r}."
    )
    print("Each language: '1'; a keyword in a sentence; an unrecognized reply, then '2'.")
    print()
    width = 50
    print(f"{'':{width}} {'replies/s':>10} {'of ceiling':>11} {'x target':>9}")
    for index, (row, ratio) in enumerate(zip(rows, of_ceiling, strict=True)):
        rate = statistics.median(row.rates)
        if index == 0:
            print(f"{row.label:{width}} {rate:>10,.0f}")
            continue
        line = f"{row.label:{width}} {rate:>10,.0f} {ratio:>11.2%} {rate / TARGET:>9.2f}"
        if index == 1:
            line += "  meets target" if rate >= TARGET else "  BELOW TARGET"
        print(line)
    print(f"{'target (issue): replies/s on one core':{width}} {TARGET:>10,}")
    print("(of ceiling: the median, over the runs, of the row's rate over the ceiling's rate")
    print(" in the same run; it moves less than the raw figures on a busy machine)")


if __name__ == "__main__":
    main()
