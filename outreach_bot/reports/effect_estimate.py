"""What a holdout shows: texted against held-out students' absence rates, with a 95% interval.

Pure. Each student's absence rate over the days measured is one observation; the estimate is
the difference in mean rates (texted minus held out) with Welch's 95% confidence interval,
which does not assume both arms vary alike, from scipy rather than hand-written formulas.
Rates are printed as percentages (percentage points for the difference) with one decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from outreach_bot.reports.definitions import one_decimal

# Fewer students than this in either arm, and chance alone can look like an effect.
MIN_PER_ARM = 30
CONFIDENCE = 0.95
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Estimate:
    """The comparison of two arms, rates and difference in percent (None: cannot be said)."""

    texted: int
    holdout: int
    texted_rate: Decimal | None
    holdout_rate: Decimal | None
    difference: Decimal | None  # texted minus held out, percentage points
    low: Decimal | None  # the 95% confidence interval of the difference
    high: Decimal | None
    verdict: str


def mean_percent(rates: Sequence[Fraction]) -> Decimal | None:
    """The mean of exact rates as a percentage with one decimal (None for no rates)."""
    if not rates:
        return None
    return one_decimal(sum(rates, Fraction(0)) * 100 / len(rates))


def estimate(
    texted: Sequence[Fraction], holdout: Sequence[Fraction], min_per_arm: int = MIN_PER_ARM
) -> Estimate:
    """Compare the arms' absence rates (each a student's absences over days measured)."""
    texted_rate, holdout_rate = mean_percent(texted), mean_percent(holdout)
    difference = low = high = None
    if texted and holdout:
        exact = sum(texted, Fraction(0)) / len(texted) - sum(holdout, Fraction(0)) / len(holdout)
        difference = one_decimal(exact * 100)
    # Two rates an arm at least, and some spread: arms whose students all missed the same
    # share of days (every one 0%, early on) give no interval to speak of.
    spread = len(set(texted)) > 1 or len(set(holdout)) > 1
    if len(texted) >= 2 and len(holdout) >= 2 and spread:
        from scipy import stats  # half a second to load: only here, not in every command

        result = stats.ttest_ind(
            [float(rate) for rate in texted], [float(rate) for rate in holdout], equal_var=False
        )
        interval = result.confidence_interval(CONFIDENCE)
        if math.isfinite(interval.low) and math.isfinite(interval.high):
            low, high = _points(interval.low), _points(interval.high)
    counts = (len(texted), len(holdout))
    return Estimate(
        texted=counts[0],
        holdout=counts[1],
        texted_rate=texted_rate,
        holdout_rate=holdout_rate,
        difference=difference,
        low=low,
        high=high,
        verdict=verdict(counts, difference, low, high, min_per_arm),
    )


def verdict(
    counts: tuple[int, int],
    difference: Decimal | None,
    low: Decimal | None,
    high: Decimal | None,
    min_per_arm: int,
) -> str:
    """One plain sentence for a school board."""
    texted, holdout = counts
    if min(texted, holdout) < min_per_arm:
        return (
            f"Too few students yet to tell: {texted} texted and {holdout} held out so far;"
            f" at least {min_per_arm} in each are needed."
        )
    if difference is None or low is None or high is None:
        return "No difference to measure: every student measured missed the same share of days."
    span = f"(95% confidence interval {low} to {high} points)"
    if high < 0:
        return (
            f"Texted students missed fewer school days: {-difference} percentage points less"
            f" than held-out students {span}; the texts appear to help."
        )
    if low > 0:
        return (
            f"Texted students missed more school days: {difference} percentage points more"
            f" than held-out students {span}; look again at what the texts say."
        )
    return (
        f"No clear difference yet: texted students missed {_more_or_less(difference)}"
        f" {span}, a range that includes no difference at all."
    )


def _more_or_less(difference: Decimal) -> str:
    if difference < 0:
        return f"{-difference} percentage points less than held-out students"
    if difference > 0:
        return f"{difference} percentage points more than held-out students"
    return "the same share of days as held-out students"


def _points(share: float) -> Decimal:
    """A difference of rates (a float from scipy) in percentage points, one decimal."""
    return (Decimal(repr(float(share))) * 100).quantize(_TENTH, ROUND_HALF_UP)
