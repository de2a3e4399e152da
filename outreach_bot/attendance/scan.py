"""The scan: every student's numbers as of a date, saved, and the triggers they newly fire."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from random import SystemRandom
from typing import Any, cast

import yaml
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData
from outreach_bot.attendance.metrics import BANDS
from outreach_bot.attendance.rules import (
    HOLDOUT,
    StartFlow,
    Trigger,
    TriggerFileError,
    evaluate,
    parse_triggers,
)
from outreach_bot.attendance.school_year import SchoolYear
from outreach_bot.attendance.summary_steps import SchoolNight, mark_evaluated, step_school
from outreach_bot.escalations import open_escalation
from outreach_bot.models import AttendanceSummary, School, TriggerFiring

# Who is held out is drawn from the operating system's randomness, so nobody can predict or
# steer it; the draw is recorded with the firing, and that record is what keeps it stable.
_SYSTEM_RANDOM = SystemRandom()
# Rows a statement writes at most, to bound the memory of its parameters.
_BATCH = 10_000
# A summary's columns that differ by student, and those every summary of a scan shares.
_PER_STUDENT = (
    "student_id",
    "instructional_days",
    "absences",
    "consecutive_absences",
    "absent_today",
    "band",
    "consecutive_present",
    "peak_band_rank",
)
_SHARED = ("as_of", "scanned_at")


@dataclass(frozen=True)
class NewFiring:
    """A trigger that fired for a new episode in this scan, for the caller to act on."""

    firing_id: int
    student_id: str
    trigger: str
    # "flow", "escalate", "holdout" (the flow held back for the holdout), or "baseline"
    # (recorded, nothing done).
    action: str
    flow: str | None = None
    escalation_id: int | None = None


@dataclass(frozen=True)
class SkippedSchool:
    """A school the scan left alone, because its data does not reach the day scanned."""

    school_id: str
    name: str
    students: int
    missing: MissingData


@dataclass
class ScanResult:
    """What a scan found: students in each band, what newly fired, and which schools it skipped.

    Withdrawn students (exit date before the day scanned) and the students of skipped
    schools are in no band.
    """

    as_of: date
    students_scanned: int = 0
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))
    fired: list[NewFiring] = field(default_factory=list)
    withdrawn: int = 0
    # Students the rules ran for: every one on SQLite; on PostgreSQL those the summaries'
    # step could not vouch for (see `summary_steps`).
    rules_run_for: int = 0
    skipped: list[SkippedSchool] = field(default_factory=list)

    @property
    def flow_firings(self) -> list[NewFiring]:
        """New firings whose action is to start a conversation flow."""
        return [firing for firing in self.fired if firing.action == "flow"]

    def fired_by_trigger(self) -> dict[str, int]:
        """How many new firings each trigger had, by trigger name."""
        return dict(Counter(firing.trigger for firing in self.fired))


def load_triggers(path: Path) -> list[Trigger]:
    """Read and validate a triggers file (YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise TriggerFileError(
            f"{path}: the triggers file is missing; create it, or point FLOWS_DIR at the folder "
            "that holds it."
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise TriggerFileError(f"{path}: could not read the triggers file ({error}).") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise TriggerFileError(f"{where}: the file is not valid YAML ({problem}).") from error
    return parse_triggers(data, str(path))


def scan(
    session: Session,
    *,
    as_of: date,
    now: datetime,
    triggers: list[Trigger],
    act: bool = True,
    unlisted_weekdays: bool = False,
    draw: Callable[[], float] = _SYSTEM_RANDOM.random,
    schools: Collection[str] | None = None,
) -> ScanResult:
    """Compute every student's numbers as of a date, save them, and record new trigger firings.

    `schools` narrows the scan to the students of some schools (a batch of a scan fanned out,
    see `scan_runs`); None scans the whole district.

    Opens an escalation for each new `escalate` firing; starts no conversations (the caller
    does, from `ScanResult.flow_firings` or from the firings still waiting, `acted_at` None).
    The database keeps each episode unique: a firing another scan recorded first (a rerun,
    or two scans at once) is left to it, so each trigger fires once. With `act=False` (a
    baseline, for the first scan of a deployment mid-year) firings are recorded as already
    handled and nothing is done.

    Never guesses: a school whose calendar or attendance does not reach as_of is skipped
    (its summaries stay as they were, nothing fires) and listed in `ScanResult.skipped`. A
    date the calendar does not list is no school day unless `unlisted_weekdays` (the
    district's setting). A withdrawn student's numbers stop at their exit date, and nothing
    fires for them.

    A trigger with a holdout puts each student in an arm at their first acted firing of it in
    the school year, with `draw` (uniform in [0, 1)), and keeps them there for its later
    episodes that year; a held-out firing is recorded with `action` "holdout" and starts no flow.
    """
    # On PostgreSQL the summaries step on from the eve's in SQL (`summary_steps`), and the
    # rules run for the students the step leaves; SQLite runs them for every student.
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    year = SchoolYear(
        session,
        as_of,
        unlisted_weekdays=unlisted_weekdays,
        schools=schools,
        students=() if on_postgresql else None,
    )
    result = ScanResult(as_of=as_of, skipped=_skipped_schools(session, year))
    skipped = {school.school_id for school in result.skipped}
    nights: dict[str, SchoolNight] = {}
    if on_postgresql:
        left: list[str] = []
        for school_id in sorted(set(year.enrolled) - skipped):
            night = SchoolNight.of(
                school_id, as_of, year.start, year.school_days(school_id), year.full_feed(school_id)
            )
            nights[school_id] = night
            stepped = step_school(session, night, triggers, now)
            left += stepped.left
            for band, students in stepped.bands.items():
                result.bands[band] += students
                result.students_scanned += students
        year.load_students(session, left)
    summaries: list[dict[str, Any]] = []
    running: list[tuple[str, Trigger, str]] = []
    evaluated: dict[str, list[str]] = defaultdict(list)  # students the rules ran for, a school
    for student in year.roster:
        if student.school_id in skipped:
            continue
        series = year.series(student)
        metrics = series.as_of(as_of)
        summaries.append(
            {
                "student_id": student.student_id,
                "as_of": as_of,
                "instructional_days": metrics.instructional_days,
                "absences": metrics.absences,
                "consecutive_absences": metrics.consecutive_absences,
                "absent_today": metrics.absent_today,
                "band": metrics.band,
                "consecutive_present": metrics.consecutive_present,
                "peak_band_rank": metrics.peak_band_rank,
                "scanned_at": now,
            }
        )
        if student.withdrawn_before(as_of):
            result.withdrawn += 1
            continue  # the family of a student who has left is not texted about them
        result.students_scanned += 1
        result.rules_run_for += 1
        result.bands[metrics.band] += 1
        if len(series) and series.days[-1] == as_of:
            evaluated[student.school_id].append(student.student_id)
        for firing in evaluate(triggers, series, as_of):
            running.append((student.student_id, firing.trigger, firing.episode))
    _save_summaries(session, summaries)
    for school_id, student_ids in evaluated.items():
        if school_id in nights:
            mark_evaluated(session, nights[school_id], triggers, student_ids)
    already_fired = _fired_episodes(session, year.start, running)
    new_episodes = [
        (student_id, trigger, episode)
        for student_id, trigger, episode in running
        if (student_id, trigger.name, episode) not in already_fired
    ]
    arms = _arms_drawn(session, year.start, new_episodes, draw) if act else {}
    result.fired = _record_firings(session, new_episodes, arms, as_of=as_of, now=now, act=act)
    return result


def _skipped_schools(session: Session, year: SchoolYear) -> list[SkippedSchool]:
    """The schools with students whose data does not reach as_of, by school id."""
    students = year.enrolled
    missing = {school_id: gap for school_id in students if (gap := year.missing_data(school_id))}
    if not missing:
        return []
    names = dict(
        session.execute(select(School.id, School.name).where(School.id.in_(missing))).all()
    )
    return [
        SkippedSchool(school_id, names.get(school_id, school_id), students[school_id], gap)
        for school_id, gap in sorted(missing.items())
    ]


def _fired_episodes(
    session: Session, year_start: date, running: list[tuple[str, Trigger, str]]
) -> set[tuple[str, str, str]]:
    """Which of the running episodes (student, trigger, episode) are recorded already this
    school year: looked up by the students, triggers and first days of today's episodes
    (the firings' unique index), so that the cost follows today's episodes, not the year's
    firings."""
    keys = {(student_id, trigger.name, episode) for student_id, trigger, episode in running}
    students = sorted({student_id for student_id, _, _ in keys})
    names = sorted({name for _, name, _ in keys})
    episodes = sorted({episode for _, _, episode in keys})
    found: set[tuple[str, str, str]] = set()
    for start in range(0, len(students), _BATCH):
        rows = session.execute(
            select(TriggerFiring.student_id, TriggerFiring.trigger, TriggerFiring.episode).where(
                TriggerFiring.student_id.in_(students[start : start + _BATCH]),
                TriggerFiring.trigger.in_(names),
                TriggerFiring.episode.in_(episodes),
                TriggerFiring.as_of >= year_start,
            )
        )
        for student_id, name, episode in rows:
            if (student_id, name, episode) in keys:
                found.add((student_id, name, episode))
    return found


def _arms_drawn(
    session: Session,
    year_start: date,
    new_episodes: list[tuple[str, Trigger, str]],
    draw: Callable[[], float],
) -> dict[tuple[str, str], str]:
    """Each new firing's holdout arm by (student, trigger): the one recorded this school year,
    else a fresh draw (a trigger without a holdout has no arm)."""
    names = sorted({trigger.name for _, trigger, _ in new_episodes if trigger.holdout})
    if not names:
        return {}
    students = sorted({student_id for student_id, trigger, _ in new_episodes if trigger.holdout})
    rows = session.execute(
        select(TriggerFiring.student_id, TriggerFiring.trigger, TriggerFiring.arm)
        .where(
            TriggerFiring.as_of >= year_start,
            TriggerFiring.trigger.in_(names),
            TriggerFiring.arm.is_not(None),
            TriggerFiring.student_id.in_(students),
        )
        .order_by(TriggerFiring.as_of, TriggerFiring.id)
    )
    arms: dict[tuple[str, str], str] = {}
    for student_id, name, arm in rows:
        arms.setdefault((student_id, name), cast(str, arm))  # arm IS NOT NULL
    for student_id, trigger, _episode in new_episodes:
        arm = trigger.arm(draw()) if (student_id, trigger.name) not in arms else None
        if arm is not None:
            arms[student_id, trigger.name] = arm
    return arms


def _save_summaries(session: Session, summaries: list[dict[str, Any]]) -> None:
    """Insert or update every student's summary, in bulk, in one statement a batch."""
    if not summaries:
        return
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _summaries_unnested() if on_postgresql else sqlite.insert(AttendanceSummary)
    kept = {name: statement.excluded[name] for name in summaries[0] if name != "student_id"}
    upsert = statement.on_conflict_do_update(index_elements=["student_id"], set_=kept)
    for start in range(0, len(summaries), _BATCH):
        batch = summaries[start : start + _BATCH]
        if on_postgresql:
            # A column an array, in one statement: an executemany sends one a student.
            columns = {name: [row[name] for row in batch] for name in _PER_STUDENT}
            shared = {name: batch[0][name] for name in _SHARED}
            session.execute(upsert, columns | shared)
        else:
            session.execute(upsert, batch)


def _summaries_unnested() -> Any:
    """INSERT INTO attendance_summaries SELECT FROM unnest(a column's array, ...) (PostgreSQL):
    the per-student columns in arrays, the scan's day and time once."""
    table = cast(Table, AttendanceSummary.__table__)
    arrays = [bindparam(name, type_=postgresql.ARRAY(table.c[name].type)) for name in _PER_STUDENT]
    rows = func.unnest(*arrays).table_valued(*_PER_STUDENT).render_derived()
    shared = [bindparam(name, type_=table.c[name].type).label(name) for name in _SHARED]
    return postgresql.insert(table).from_select([*_PER_STUDENT, *_SHARED], select(*rows.c, *shared))


def _insert(session: Session, table: Any) -> Any:
    """An INSERT with ON CONFLICT clauses, in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _record_firings(
    session: Session,
    new_episodes: list[tuple[str, Trigger, str]],
    arms: dict[tuple[str, str], str],
    *,
    as_of: date,
    now: datetime,
    act: bool,
) -> list[NewFiring]:
    """Store the firings in bulk, keeping the ones no other scan recorded first, then open
    the escalations their actions ask for."""
    if not new_episodes:
        return []
    rows = [
        {
            "student_id": student_id,
            "trigger": trigger.name,
            "episode": episode,
            "as_of": as_of,
            "fired_at": now,
            "outcome": None if act else "baseline",
            "arm": arms.get((student_id, trigger.name)),
            # A flow waits for the scan's last step, which starts it with the whole family.
            "acted_at": _acted_at(trigger, arms.get((student_id, trigger.name)), act, now),
        }
        for student_id, trigger, episode in new_episodes
    ]
    statement = _insert(session, TriggerFiring.__table__).on_conflict_do_nothing(
        index_elements=["student_id", "trigger", "episode"]
    )
    # Keyed by (student, trigger), unique within a scan, so RETURNING order does not matter.
    firing_ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), _BATCH):
        inserted = session.execute(
            statement.returning(TriggerFiring.id, TriggerFiring.student_id, TriggerFiring.trigger),
            rows[start : start + _BATCH],
        )
        firing_ids |= {(student_id, name): firing_id for firing_id, student_id, name in inserted}
    firings = []
    outcomes = []
    for student_id, trigger, _episode in new_episodes:
        key = (student_id, trigger.name)
        if key not in firing_ids:
            continue  # another scan recorded this episode first: it is that scan's to act on
        firing_id, action = firing_ids[key], trigger.action
        if not act:
            firings.append(NewFiring(firing_id, student_id, trigger.name, "baseline"))
        elif arms.get(key) == HOLDOUT:
            firings.append(NewFiring(firing_id, student_id, trigger.name, "holdout"))
        elif isinstance(action, StartFlow):
            firings.append(NewFiring(firing_id, student_id, trigger.name, "flow", action.flow))
        else:
            escalation = open_escalation(
                session,
                reason=action.reason,
                priority=action.priority,
                student_id=student_id,
                now=now,
            )
            outcomes.append({"id": firing_id, "outcome": _outcome(escalation.id)})
            firings.append(
                NewFiring(
                    firing_id, student_id, trigger.name, "escalate", escalation_id=escalation.id
                )
            )
    if outcomes:
        session.execute(update(TriggerFiring), outcomes)
    return firings


def _acted_at(trigger: Trigger, arm: str | None, act: bool, now: datetime) -> datetime | None:
    """None for a flow that waits for the scan's last step; now for every other firing."""
    waits = act and isinstance(trigger.action, StartFlow) and arm != HOLDOUT
    return None if waits else now


def _outcome(escalation_id: int | None) -> str | None:
    return f"escalation {escalation_id}" if escalation_id is not None else None
