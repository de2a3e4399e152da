"""Opt-outs and what we know about a phone; the words that opt out are in `keywords`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from outreach_bot.db import among, per_transaction
from outreach_bot.models import PhoneNumber

# session.info key: (transaction, {phone: its PhoneNumber row, or None for no row}).
_KNOWN = "outreach_bot.phone_numbers"


def _known(session: Session) -> dict[str, PhoneNumber | None]:
    return per_transaction(session, _KNOWN, dict[str, PhoneNumber | None])


def read_phones(session: Session, phones: Iterable[str]) -> None:
    """Read the rows of many phones in one SELECT, for the checks that follow (a batch)."""
    wanted = set(phones) - _known(session).keys()
    if not wanted:
        return
    found = {
        row.phone: row
        for row in session.scalars(select(PhoneNumber).where(PhoneNumber.phone.in_(wanted)))
    }
    if session.get_transaction() is not None:
        _known(session).update({phone: found.get(phone) for phone in wanted})


class PhoneCheck(NamedTuple):
    """What decides whether the bot may start texting a phone, as plain values."""

    opted_out: bool = False
    undeliverable: bool = False
    held: bool = False  # a person on staff has the family's conversation

    @property
    def open_to_the_bot(self) -> bool:
        """Neither opted out, undeliverable nor held by staff."""
        return not (self.opted_out or self.undeliverable or self.held)


def phone_checks(session: Session, phones: Iterable[str]) -> dict[str, PhoneCheck]:
    """`PhoneCheck` of many phones, in one SELECT (a phone with no row has nothing against it)."""
    rows = session.execute(
        select(
            PhoneNumber.phone,
            PhoneNumber.opted_out_at.is_not(None),
            PhoneNumber.undeliverable_at.is_not(None),
            PhoneNumber.held_by_user_id.is_not(None),
        ).where(among(session, PhoneNumber.phone, phones))
    )
    return {phone: PhoneCheck(*checks) for phone, *checks in rows}


def phone_number(session: Session, phone: str) -> PhoneNumber | None:
    """What we know about `phone` (None: nothing yet), read at most once per transaction.

    The checks one reply makes (opted out? held by staff? undeliverable, for each text?)
    cost one SELECT, not one each. Rows are created through `phone_row`, which keeps this
    up to date; the send job reads the row again, on its own, just before it hands a text to
    the provider.
    """
    known = _known(session)
    if phone in known:
        row = known[phone]
        if row is None and not _added_in_session(session, phone):
            return None
        if row is not None and inspect(row).persistent:
            return row
    row = session.get(PhoneNumber, phone)
    if session.get_transaction() is not None:
        _known(session)[phone] = row
    return row


def _added_in_session(session: Session, phone: str) -> bool:
    """A row for `phone` loaded or flushed in this session by other means than phone_row."""
    return session.identity_map.get(identity_key(PhoneNumber, phone)) is not None


def phone_row(session: Session, phone: str) -> PhoneNumber:
    """The PhoneNumber row for `phone`, created (empty) when there is none yet."""
    row = phone_number(session, phone)
    if row is not None:
        return row
    # Two webhooks for one new number may race: INSERT ... ON CONFLICT DO NOTHING lets both
    # go on without a savepoint (which SQLite's Python driver does not nest reliably).
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(PhoneNumber).values(phone=phone).on_conflict_do_nothing())
    row = session.get(PhoneNumber, phone)
    assert row is not None
    _known(session)[phone] = row
    return row


def opt_out(session: Session, phone: str, *, source: str, now: datetime) -> PhoneNumber:
    """Stop all texts to `phone`, for every student; the first opt-out's time is kept."""
    row = phone_row(session, phone)
    if row.opted_out_at is None:
        row.opted_out_at = now
        row.opt_out_source = source
    return row


def opt_in(session: Session, phone: str, *, now: datetime) -> PhoneNumber:
    """Let texts to `phone` flow again (the family sent START)."""
    row = phone_row(session, phone)
    row.opted_out_at = None
    row.opt_out_source = None
    return row


def is_opted_out(session: Session, phone: str) -> bool:
    """True while the family at `phone` has asked for no texts."""
    row = phone_number(session, phone)
    return row is not None and row.opted_out_at is not None


def mark_undeliverable(session: Session, phone: str, *, code: str, now: datetime) -> PhoneNumber:
    """Record that the carrier says `phone` cannot receive texts (e.g. error 30005, 30006)."""
    row = phone_row(session, phone)
    if row.undeliverable_at is None:
        row.undeliverable_at = now
    row.undeliverable_code = code
    return row


def mark_deliverable(session: Session, phone: str) -> None:
    """Forget an undeliverable mark, e.g. when the family texts us from that phone."""
    row = phone_number(session, phone)
    if row is not None:
        row.undeliverable_at = None
        row.undeliverable_code = None


def is_undeliverable(session: Session, phone: str) -> bool:
    """True when the carrier has told us `phone` cannot receive texts."""
    row = phone_number(session, phone)
    return row is not None and row.undeliverable_at is not None
