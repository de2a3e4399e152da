"""Removing guardians an export no longer lists, without losing the texts on record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, delete, select, tuple_, update
from sqlalchemy.orm import Session

from outreach_bot.models import Base, Guardian

_CHUNK = 500  # pairs per query, well under every database's parameter limit


def remove_guardians(session: Session, pairs: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Delete these (student_id, phone) guardians; keep, without consent, those with history.

    A guardian with messages, conversations or escalations on record stays so that the
    history still names them, but never gets another text. Returns (deleted, kept).
    """
    wanted = sorted(pairs)
    ids: list[int] = []
    for start in range(0, len(wanted), _CHUNK):
        pairs_chunk = wanted[start : start + _CHUNK]
        ids += session.scalars(
            select(Guardian.id).where(tuple_(Guardian.student_id, Guardian.phone).in_(pairs_chunk))
        )
    if not ids:
        return 0, 0
    with_history: set[int] = set()
    for column in _references():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            with_history.update(session.scalars(select(column).where(column.in_(chunk))))
    kept = [guardian for guardian in ids if guardian in with_history]
    deleted = [guardian for guardian in ids if guardian not in with_history]
    if kept:
        session.execute(update(Guardian).where(Guardian.id.in_(kept)).values(sms_consent=False))
    if deleted:
        session.execute(delete(Guardian).where(Guardian.id.in_(deleted)))
    return len(deleted), len(kept)


def _references() -> list[Column[Any]]:
    """Every column that points at a guardian, found from the models, so none is missed."""
    guardians = Guardian.__table__
    return [
        foreign_key.parent
        for table in Base.metadata.sorted_tables
        for foreign_key in table.foreign_keys
        if foreign_key.column.table is guardians
    ]
