"""Same-day texts: words true only on the school day they speak of ("We missed Ana today!").

A text like that which can first go out on a later day (quiet hours held it overnight, the
provider was down, a scan ran late) is never sent as if it were still that day: the
district chooses to send its day-neutral wording instead, or to drop it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

Choice = Literal["reword", "drop"]
Decision = Literal["send", "reword", "drop"]
CHOICES: tuple[Choice, ...] = ("reword", "drop")
DEFAULT_CHOICE: Choice = "reword"
# The error_code of a same-day text dropped because its day had passed.
DAY_PASSED = "day_passed"


@dataclass(frozen=True)
class SameDay:
    """A same-day text's day, and whether it has words for a later day. The texts that
    follow it in one step share its day."""

    day: date
    rewordable: bool

    def later_for(self, body: str) -> str | None:
        """Words for after the day of a text that followed the same-day one: its own (it
        speaks of no day), or none when the opening has none, so that both are dropped."""
        return body if self.rewordable else None


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The district's calendar date at `moment` (aware)."""
    if moment.tzinfo is None:
        raise ValueError("local_day needs an aware datetime, not a naive one.")
    return moment.astimezone(zone).date()


def decide(valid_on: date | None, sends_on: date, choice: Choice, *, has_later: bool) -> Decision:
    """What to do with a text about `valid_on` that can first go out on `sends_on`.

    On its day (or for a text about no day) it goes as written. After it, the district's
    choice applies; a text with no day-neutral wording cannot be reworded, so it is dropped.
    """
    if valid_on is None or sends_on <= valid_on:
        return "send"
    if choice == "reword" and has_later:
        return "reword"
    return "drop"


def parse_choice(raw: str) -> Choice | None:
    """A stored or typed choice ('reword' or 'drop'), or None when it is neither."""
    value = raw.strip().casefold()
    for choice in CHOICES:
        if value == choice:
            return choice
    return None
