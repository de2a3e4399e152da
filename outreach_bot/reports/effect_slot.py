"""The place where the effect of texting (the randomized holdout) joins the Reports page and
the board summary.

PLACEHOLDER, to be wired at merge: `report effect` and its numbers are built on another
branch (`outreach_bot/reports/effect.py`). Make `effect_table` return that report's columns
and rows; the page and the PDF then show them as they are, and say "No holdout measured yet"
while it returns None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class EffectTable:
    """The effect report's header and rows, plus its plain sentence for each trigger."""

    columns: tuple[str, ...]
    rows: Sequence[Sequence[object]]
    sentences: Sequence[str] = ()


def effect_table(session: Session, as_of: date) -> EffectTable | None:
    """The holdout comparison as of a date; None while no trigger has a holdout measured."""
    del session, as_of  # used once the effect report is wired in (see the module docstring)
    return None
