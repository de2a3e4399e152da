"""District settings a district admin edits on the dashboard: case deadlines, notice pace,
whether weekdays the school calendar does not list count as school days, what becomes of a
same-day text that can only go out on a later day, how period attendance rolls up to the day,
the hour of the nightly sync, and whether the public aggregates page is published.

Each setting has a default: a new case's first deadline per priority, the calendar choice
(off), publishing (off), the same-day choice (reword), the roll-up (absent every period) and
the sync hour (2 at night) come from the code, the others from the environment
(ESCALATION_CLIMB_HOURS, FOLLOW_UP_HOURS, STAFF_NOTIFY_MINUTES).
A stored row overrides the default until an admin clears the field again. Quiet hours and the
district's timezone stay environment settings: they carry the district's promises to families.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.periods import ALL_PERIODS, PeriodRule
from outreach_bot.config import Settings
from outreach_bot.messaging import same_day
from outreach_bot.models import DistrictSetting
from outreach_bot.staff import audit

log = logging.getLogger(__name__)

# A new case's first deadline by priority, in hours, until an admin changes it.
DEFAULT_RESPONSE_HOURS = {"urgent": 4, "high": 24, "normal": 48, "low": 72}
PRIORITIES = tuple(DEFAULT_RESPONSE_HOURS)
# After the SIS's own nightly export, and long before anyone texts (quiet hours hold texts).
DEFAULT_SYNC_HOUR = 2


def N_(text: str) -> str:
    """Mark an error sentence for the dashboard catalog; the dashboard translates it."""
    return text


@dataclass(frozen=True)
class Rule:
    """What one setting may hold: a whole number of `unit` from `low` to `high`, or yes/no."""

    unit: str  # "hours", "minutes", "percent", "hour_of_day", or YES_NO (stored as 1 or 0)
    low: int
    high: int
    environment: str | None = None


YES_NO = "yes_no"
HOURS = Rule("hours", 1, 720)  # up to 30 days
RULES: dict[str, Rule] = {
    **{f"{priority}_hours": HOURS for priority in PRIORITIES},
    "climb_hours": replace(HOURS, environment="ESCALATION_CLIMB_HOURS"),
    "follow_up_hours": replace(HOURS, environment="FOLLOW_UP_HOURS"),
    "notify_minutes": Rule("minutes", 1, 1440, "STAFF_NOTIFY_MINUTES"),
    # Off: a date outside the imported calendar is no school day, so a missing calendar is
    # reported, never guessed. On: for districts whose calendar lists only the days off.
    "unlisted_weekdays": Rule(YES_NO, 0, 1),
    # A day of period attendance is an absence when at least this share of its periods was
    # missed; 100 is "absent all periods", anything less a partial day.
    "period_absent_percent": Rule("percent", 1, 100),
    # The hour, in the district's timezone, from which the nightly sync reads IMPORT_DIR.
    "sync_hour": Rule("hour_of_day", 0, 23),
    # Off: /public/chronic-absence answers 404 until the district decides to publish.
    "publish_public_aggregates": Rule(YES_NO, 0, 1),
}
_OUT_OF_RANGE = {
    "hours": N_("Enter a whole number of hours from %(low)d to %(high)d."),
    "minutes": N_("Enter a whole number of minutes from %(low)d to %(high)d."),
    YES_NO: N_("Choose yes or no."),
    "percent": N_("Enter a whole number from %(low)d to %(high)d."),
    "hour_of_day": N_("Enter a whole number from %(low)d to %(high)d."),
}
_UNKNOWN = N_("There is no district setting called %(name)s.")
# Settings that hold one of a few words rather than a number, with their default.
CHOICES: dict[str, tuple[str, ...]] = {"same_day_texts": same_day.CHOICES}
_NOT_A_CHOICE = N_("Choose one of: %(choices)s.")
NAMES = (*RULES, *CHOICES)


@dataclass(frozen=True)
class DistrictDeadlines:
    """The deadlines, notice pace, calendar, same-day, roll-up and sync choices in force now."""

    urgent_hours: int
    high_hours: int
    normal_hours: int
    low_hours: int
    climb_hours: int
    follow_up_hours: int
    notify_minutes: int
    unlisted_weekdays: bool = False  # a weekday the school calendar does not list is a school day
    period_absent_percent: int = ALL_PERIODS  # share of periods missed that makes an absent day
    sync_hour: int = DEFAULT_SYNC_HOUR  # the nightly sync's hour, in the district's timezone
    same_day_texts: same_day.Choice = same_day.DEFAULT_CHOICE
    publish_public_aggregates: bool = False  # the public chronic-absence page is on

    def response_time(self, priority: str) -> timedelta:
        """How long a new case of this priority may wait for a first response."""
        hours: int = getattr(self, f"{priority}_hours")
        return timedelta(hours=hours)

    @property
    def climb_after(self) -> timedelta:
        """How long a late case stays at each level before it climbs again."""
        return timedelta(hours=self.climb_hours)

    @property
    def follow_up_after(self) -> timedelta:
        """The next follow-up after an attempt without contact, unless staff pick a time."""
        return timedelta(hours=self.follow_up_hours)

    @property
    def notify_every(self) -> timedelta:
        """Staff notices go out at most this often."""
        return timedelta(minutes=self.notify_minutes)

    @property
    def period_rule(self) -> PeriodRule:
        """How a day of period attendance rolls up to the day."""
        return PeriodRule(self.period_absent_percent)


@dataclass(frozen=True)
class FieldError:
    """Why one value was refused: an English sentence with %(name)s values, translatable."""

    message: str
    values: Mapping[str, object]

    def __str__(self) -> str:
        return self.message % dict(self.values)


class DistrictSettingsError(ValueError):
    """Some values were refused and nothing was saved; `errors` says why, per setting."""

    def __init__(self, errors: Mapping[str, FieldError]) -> None:
        super().__init__("; ".join(f"{name}: {error}" for name, error in errors.items()))
        self.errors = dict(errors)


def defaults(settings: Settings) -> DistrictDeadlines:
    """The values in force when no admin has changed anything."""
    hours: dict[str, Any] = {
        f"{priority}_hours": DEFAULT_RESPONSE_HOURS[priority] for priority in PRIORITIES
    }
    return DistrictDeadlines(
        **hours,
        climb_hours=settings.escalation_climb_hours,
        follow_up_hours=settings.follow_up_hours,
        notify_minutes=settings.staff_notify_minutes,
    )


def _read(name: str, raw: str) -> int | str | FieldError:
    """A stored or typed value as a whole number within its rule (a bool for yes/no, or one of
    its choices), or why it is not one."""
    if name in CHOICES:
        choice = same_day.parse_choice(raw)
        return choice or FieldError(_NOT_A_CHOICE, {"choices": ", ".join(CHOICES[name])})
    rule = RULES.get(name)
    if rule is None:
        return FieldError(_UNKNOWN, {"name": name})
    text = raw.strip()
    # Only ASCII digits: int() would also take "+5", "5_0" and other scripts' digits.
    if not (text.isascii() and text.isdigit()) or not rule.low <= int(text) <= rule.high:
        return FieldError(_OUT_OF_RANGE[rule.unit], {"low": rule.low, "high": rule.high})
    return bool(int(text)) if rule.unit == YES_NO else int(text)


def _usable(row: DistrictSetting) -> int | str | None:
    """A stored row's value; None (and a warning) when it no longer reads well."""
    value = _read(row.name, row.value)
    if isinstance(value, FieldError):
        log.warning("district setting %s holds an unusable value; using the default", row.name)
        return None
    return value


def stored(session: Session) -> dict[str, Any]:
    """The values admins have set (rows that no longer read well are skipped)."""
    rows = session.scalars(select(DistrictSetting)).all()
    return {row.name: value for row in rows if (value := _usable(row)) is not None}


def effective(session: Session, settings: Settings) -> DistrictDeadlines:
    """What the service uses now: each stored value, else its default."""
    return replace(defaults(settings), **stored(session))


def response_time(session: Session, priority: str) -> timedelta:
    """A new case's first deadline for a priority: the stored hours, else the code's default."""
    row = session.get(DistrictSetting, f"{priority}_hours")
    hours = _usable(row) if row is not None else None
    return timedelta(hours=DEFAULT_RESPONSE_HOURS[priority] if hours is None else int(hours))


def same_day_choice(session: Session) -> same_day.Choice:
    """Reword or drop a same-day text that can only go out after its day: the stored choice,
    else rewording (a family still hears from the school, in words that are true)."""
    row = session.get(DistrictSetting, "same_day_texts")
    choice = same_day.parse_choice(row.value) if row is not None else None
    return choice or same_day.DEFAULT_CHOICE


def as_text(value: object) -> str:
    """A value as it is stored and as the form sends it back: a yes/no as 1 or 0."""
    return str(int(value)) if isinstance(value, bool) else str(value)


def update(
    session: Session,
    changes: Mapping[str, str],
    *,
    user_id: int | None,
    now: datetime,
    settings: Settings,
) -> list[str]:
    """Save typed values (an empty one returns to the default); returns the names changed.

    Every value is checked first: when any is refused, DistrictSettingsError names each one
    and nothing is saved. Each change is written to the audit log with its old and new value.
    """
    errors: dict[str, FieldError] = {}
    wanted: dict[str, int | str | None] = {}
    for name, raw in changes.items():
        value = _read(name, raw) if raw.strip() or name not in NAMES else None
        if isinstance(value, FieldError):
            errors[name] = value
        else:
            wanted[name] = value
    if errors:
        raise DistrictSettingsError(errors)
    base = defaults(settings)
    rows = {row.name: row for row in session.scalars(select(DistrictSetting))}
    current = effective(session, settings)
    changed: list[str] = []
    for name, value in wanted.items():
        row = rows.get(name)
        old = getattr(current, name)
        if value is None:
            if row is None:
                continue
            session.delete(row)
            new_text = f"{getattr(base, name)} (default)"
        else:
            text = as_text(value)
            if value == old and (row is None or row.value == text):
                continue  # unchanged: a value equal to the default stays the default
            if row is None:
                row = DistrictSetting(name=name)
                session.add(row)
            row.value, row.updated_at, row.updated_by_id = text, now, user_id
            new_text = str(value)
        audit.record(
            session,
            user_id=user_id,
            action="changed_district_setting",
            now=now,
            target_type="district_setting",
            target_id=name,
            detail=f"{name}: {old} -> {new_text}",
        )
        changed.append(name)
    session.flush()
    return changed
