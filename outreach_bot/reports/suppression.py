"""Small-cell suppression for published aggregates: which cells show `*` instead of numbers.

Pure. A cell is hidden when it counts fewer than `MIN_CELL` students (primary suppression).
Published tables also add up: a school's row is the sum of its grades, the district's the sum of
its schools. When exactly one member of such a sum is hidden, the others give it away by
subtraction, so a second member is hidden too (complementary suppression): the smallest shown
part, else the total. That repeats until no sum has exactly one hidden member, since hiding a
school total for the district's sum can in turn expose it through its own grades.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

# The usual floor for publishing student counts (e.g. many states' education data rules).
MIN_CELL = 10
Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Sum(Generic[Key]):
    """A published total and the published parts it is the sum of."""

    total: Key
    parts: tuple[Key, ...]


def hidden_cells(
    sizes: Mapping[Key, int], sums: Sequence[Sum[Key]], minimum: int = MIN_CELL
) -> frozenset[Key]:
    """The cells to show as `*`: every cell under `minimum` students, plus enough others that
    none of them can be worked out from a total and its shown parts."""
    hidden = {key for key, size in sizes.items() if size < minimum}
    changed = True
    while changed:
        changed = False
        for rule in sums:
            members = (rule.total, *rule.parts)
            if not rule.parts or sum(member in hidden for member in members) != 1:
                continue
            hidden.add(_complement(rule, hidden, sizes))
            changed = True
    return frozenset(hidden)


def _complement(rule: Sum[Key], hidden: set[Key], sizes: Mapping[Key, int]) -> Key:
    """The member to hide beside the one already hidden: the smallest shown part (the least
    information lost), else the total when every part is hidden or there is only one."""
    shown = [part for part in rule.parts if part not in hidden]
    if not shown:
        return rule.total
    # Smallest first; among equals, the first listed, so the choice is stable.
    return min(shown, key=lambda part: (sizes[part], rule.parts.index(part)))
