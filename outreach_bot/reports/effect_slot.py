"""The effect of texting (the randomized holdout) as the Reports page and the board show it.

The same rows as `outreach-bot report effect`, for every trigger that put students in arms
this school year; None while none has, so the page and the PDF say "No holdout measured yet".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.reports import effect


@dataclass(frozen=True)
class EffectTable:
    """The effect report's header and rows, plus its plain sentence for each trigger."""

    columns: tuple[str, ...]
    rows: Sequence[Sequence[object]]
    sentences: Sequence[str] = ()


def effect_table(session: Session, as_of: date, *, unlisted_weekdays: bool) -> EffectTable | None:
    """The holdout comparison as of a date; None while no trigger has put students in arms."""
    triggers = effect.arm_triggers(session, school_year_start(as_of))
    if not triggers:
        return None
    rows = effect.effect_rows(session, as_of, triggers, unlisted_weekdays=unlisted_weekdays)
    # The same columns as `report effect --format csv`, its plain sentence (verdict) last.
    return EffectTable(columns=effect.COLUMNS, rows=[row.values() for row in rows])
