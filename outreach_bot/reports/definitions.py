"""Who counts in a report and how a rate and a band are computed: the one place that says so.

Pure. A student's absences, instructional days and band come from the scan's own arithmetic
(`outreach_bot.attendance.metrics`); this module adds what reports need on top of it:

- A student counts in a report on a date once enrolled at least `MIN_INSTRUCTIONAL_DAYS`
  instructional days by then (fewer days make one absence look like a crisis).
- "Chronically absent" is moderate plus severe chronic: missing 10% or more of school days.
- Rates are printed as percentages with one decimal, rounded half up, from exact fractions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from outreach_bot.attendance.metrics import (
    AT_RISK,
    BANDS,
    MODERATE_CHRONIC,
    SATISFACTORY,
    SEVERE_CHRONIC,
    band_for,
)

__all__ = [
    "AT_RISK",
    "BANDS",
    "CHRONIC_BANDS",
    "CONTACT_MADE",
    "MIN_INSTRUCTIONAL_DAYS",
    "MODERATE_CHRONIC",
    "SATISFACTORY",
    "SEVERE_CHRONIC",
    "UNDELIVERABLE_CODES",
    "band_for",
    "counts_in_report",
    "grade_order",
    "is_chronic",
    "one_decimal",
    "percent",
    "rate_at_least",
]

MIN_INSTRUCTIONAL_DAYS = 10
# The casework outcome that closes a case because a person reached the family ("Contact made").
CONTACT_MADE = "reached"
# Carrier errors meaning a number cannot take texts at all (landline, unreachable handset).
UNDELIVERABLE_CODES: frozenset[str] = frozenset({"30005", "30006"})
CHRONIC_BANDS: frozenset[str] = frozenset({MODERATE_CHRONIC, SEVERE_CHRONIC})
_TENTH = Decimal("0.1")
# Grades before first grade, youngest first; any other grade that is not a number sorts last.
_EARLY_GRADES = {"IT": -5, "PR": -4, "PK": -3, "TK": -2, "K": -1, "KG": -1}


def counts_in_report(instructional_days: int, minimum: int = MIN_INSTRUCTIONAL_DAYS) -> bool:
    """True when a student enrolled this many instructional days counts in a report."""
    return instructional_days >= minimum


def is_chronic(band: str) -> bool:
    """True for the chronically absent bands (moderate and severe chronic)."""
    return band in CHRONIC_BANDS


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, rounded half up (None when whole is 0)."""
    if whole <= 0:
        return None
    return one_decimal(Fraction(100 * part, whole))


def one_decimal(exact: Fraction) -> Decimal:
    """An exact number rounded half up to one decimal, as reports print it."""
    # Decimal division of two small integers is exact to 28 digits, so halves stay halves.
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(_TENTH, ROUND_HALF_UP)


def rate_at_least(absences: int, instructional_days: int, min_percent: Fraction) -> bool:
    """True when absences / instructional_days is at least min_percent %, compared exactly."""
    if instructional_days <= 0:
        return False
    return Fraction(100 * absences, instructional_days) >= min_percent


def grade_order(grade: str) -> tuple[int, int, str]:
    """A sort key putting grades in school order: PK, TK, K, 1 … 12, then anything else."""
    text = grade.strip().upper()
    if text in _EARLY_GRADES:
        return (0, _EARLY_GRADES[text], text)
    if text.isascii() and text.isdigit():
        return (0, int(text), text)
    return (1, 0, text)
