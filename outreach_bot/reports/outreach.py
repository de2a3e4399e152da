"""Outreach results for a period: what fired, who was texted, who answered, what they needed,
and how soon a person reached the families a case was opened for."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from outreach_bot.barriers import BARRIERS
from outreach_bot.reports import outreach_sources as sources
from outreach_bot.reports.definitions import UNDELIVERABLE_CODES, one_decimal, percent
from outreach_bot.reports.outreach_sources import Period
from outreach_bot.reports.standing import NOT_RECORDED

OUTREACH_BY: tuple[str, ...] = ("district", "school", "language")
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "district": (),
    "school": ("school_id",),
    "language": ("language",),
}
COUNT_COLUMNS: tuple[str, ...] = (
    "triggers_fired",
    "families_texted",
    "texts_sent",
    "texts_delivered",
    "texts_failed",
    "texts_undeliverable",
    "families_replied",
    "reply_rate",
    "barriers_named",
    *(f"barrier_{name}" for name in BARRIERS),
    "resource_sheets_sent",
    "escalations_opened",
    "contact_made",
    "median_hours_to_contact",
    "opt_outs",
)
_HOUR = timedelta(hours=1)
_MICROSECOND = timedelta(microseconds=1)


@dataclass
class OutreachRow:
    """One school's, language's or the district's outreach in the period."""

    key: tuple[str, ...]
    triggers_fired: int = 0
    texts: Counter[str] = field(default_factory=Counter)  # sent, delivered, failed, …
    first_texted: dict[str, datetime] = field(default_factory=dict)  # by phone
    replied: set[str] = field(default_factory=set)  # phones
    barriers: Counter[str] = field(default_factory=Counter)
    escalations_opened: int = 0
    hours_to_contact: list[Fraction] = field(default_factory=list)
    opt_outs: set[str] = field(default_factory=set)  # phones

    @property
    def reply_rate(self) -> Decimal | None:
        """Families who replied over families texted, a percentage with one decimal."""
        return percent(len(self.replied), len(self.first_texted))

    @property
    def median_hours_to_contact(self) -> Decimal | None:
        """Median hours from a case opening to the first contact made (None: no contact)."""
        if not self.hours_to_contact:
            return None
        return one_decimal(Fraction(statistics.median(self.hours_to_contact)))

    def values(self) -> tuple[object, ...]:
        """The row's cells after its key, in COUNT_COLUMNS order."""
        return (
            self.triggers_fired,
            len(self.first_texted),
            self.texts["sent"],
            self.texts["delivered"],
            self.texts["failed"],
            self.texts["undeliverable"],
            len(self.replied),
            self.reply_rate,
            sum(self.barriers.values()),
            *(self.barriers[name] for name in BARRIERS),
            self.texts["resource_sheets"],
            self.escalations_opened,
            len(self.hours_to_contact),
            self.median_hours_to_contact,
            len(self.opt_outs),
        )


def columns(by: str) -> tuple[str, ...]:
    """The header of an outreach report grouped `by`."""
    return (*KEY_COLUMNS[by], *COUNT_COLUMNS)


def period_of(first: date, last: date, timezone: str) -> Period:
    """The district's days `first` to `last`, inclusive, from midnight to midnight local time."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return Period(start, end)


def outreach_rows(
    session: Session, period: Period, by: str, *, schools: frozenset[str] | None = None
) -> list[OutreachRow]:
    """One row per school or language (or one for the district), in alphabetical order;
    with `schools`, counting only what happened at those schools."""
    if by not in KEY_COLUMNS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(OUTREACH_BY)}")
    rows: dict[tuple[str, ...], OutreachRow] = {(): OutreachRow(())} if by == "district" else {}

    def row(school: str | None, language: str | None) -> OutreachRow:
        if schools is not None and school not in schools:
            return OutreachRow(("",))  # counted nowhere: outside the schools asked for
        if by == "district":
            key: tuple[str, ...] = ()
        else:
            key = ((school if by == "school" else language) or NOT_RECORDED,)
        return rows.setdefault(key, OutreachRow(key))

    for text in sources.texts(session, period):
        found = row(text.school_id, text.language)
        found.texts["sent"] += 1
        found.texts[_outcome(text.status, text.error_code)] += 1
        if (text.purpose or "").startswith(sources.RESOURCE_SHEET):
            found.texts["resource_sheets"] += 1
        earliest = found.first_texted.get(text.phone)
        found.first_texted[text.phone] = min(earliest or text.created_at, text.created_at)
    replies = sources.replies(session, period)
    for found in rows.values():
        # A family replied when it wrote to us after our first text in the period.
        found.replied = {
            phone
            for phone, first in found.first_texted.items()
            if phone in replies and replies[phone] >= first
        }
    for firing in sources.firings(session, period):
        row(firing.school_id, firing.language).triggers_fired += 1
    for barrier in sources.barriers(session, period):
        row(barrier.school_id, barrier.language).barriers[barrier.detail] += 1
    for case in sources.cases(session, period):
        found = row(case.school_id, case.language)
        found.escalations_opened += 1
        if case.contact_at is not None:
            found.hours_to_contact.append(_hours(case.contact_at - case.opened_at))
    for phone, families in sources.opt_outs(session, period):
        for family in families:
            row(family.school_id, family.language).opt_outs.add(phone)
    return [rows[key] for key in sorted(rows)]


def _hours(span: timedelta) -> Fraction:
    """A time span in hours, exactly."""
    return Fraction(span // _MICROSECOND, _HOUR // _MICROSECOND)


def _outcome(status: str, error_code: str | None) -> str:
    """delivered, undeliverable (the number cannot take texts), failed, or in flight."""
    if error_code in UNDELIVERABLE_CODES:
        return "undeliverable"
    if status in ("delivered", "read"):
        return "delivered"
    if status in ("failed", "undelivered"):
        return "failed"
    return "in_flight"
