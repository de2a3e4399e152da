"""Joining a family's children ("Ana, Luis y Eva") as each language joins a list.

CLDR, through Babel, joins Haitian Creole lists with French "et" and has no Hmong at all, so
a list would silently take another language's "and". This table is ours, one pattern per
catalog language, and a language without one is joined with commas only: never with another
language's word. `flows check` names a catalog language missing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from outreach_bot.i18n.catalogs import fallback_chain


@dataclass(frozen=True)
class ListPattern:
    """How a language joins items: two alone, and the start, middle and end of a longer list.

    Each is a pattern of `{0}` (what comes before) and `{1}` (what comes after), as in CLDR.
    """

    two: str
    start: str
    middle: str
    end: str

    def join(self, items: Sequence[str]) -> str:
        """The items joined by this pattern."""
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        if len(items) == 2:
            return self.two.format(items[0], items[1])
        text = self.end.format(items[-2], items[-1])
        for item in reversed(items[1:-2]):
            text = self.middle.format(item, text)
        return self.start.format(items[0], text)


def _and(word: str, comma: str = ", ", serial: bool = False) -> ListPattern:
    """A list joined by commas and the word for "and" before the last item."""
    last = f"{{0}}{comma.rstrip()} {word} {{1}}" if serial else f"{{0}} {word} {{1}}"
    return ListPattern(f"{{0}} {word} {{1}}", f"{{0}}{comma}{{1}}", f"{{0}}{comma}{{1}}", last)


# Checked against CLDR where CLDR has the language itself; Haitian Creole and Hmong are ours.
LIST_PATTERNS: dict[str, ListPattern] = {
    "en": _and("and", serial=True),
    "es": _and("y"),
    "vi": _and("và"),
    "zh-Hans": ListPattern("{0}和{1}", "{0}、{1}", "{0}、{1}", "{0}和{1}"),
    "zh-Hant": ListPattern("{0}和{1}", "{0}、{1}", "{0}、{1}", "{0}和{1}"),
    # Arabic writes "و" (and) against the next word, between every item.
    "ar": ListPattern("{0} و{1}", "{0} و{1}", "{0} و{1}", "{0} و{1}"),
    "tl": _and("at", serial=True),
    "ko": _and("및"),
    "ru": _and("и"),
    "uk": _and("і"),
    # Persian's comma is followed by a RIGHT-TO-LEFT MARK, so a Latin name after it stays in order.
    "fa": ListPattern("{0} و {1}", "{0}،\u200f {1}", "{0}،\u200f {1}", "{0}، و {1}"),
    "ps": _and("او", comma="، ", serial=True),
    "pa": _and("ਅਤੇ"),
    "ht": _and("ak"),
    "so": _and("iyo"),
    "pt": _and("e"),
    "hmn": _and("thiab"),
}
# For a catalog language missing above: commas only, which every reader can follow.
COMMAS_ONLY = ListPattern("{0}, {1}", "{0}, {1}", "{0}, {1}", "{0}, {1}")


@lru_cache(maxsize=256)  # asked thrice for every family a scan texts
def list_pattern(language: str) -> ListPattern | None:
    """The project's pattern for a language (or the variety it falls back to), if it has one."""
    return next(
        (LIST_PATTERNS[tag] for tag in fallback_chain(language) if tag in LIST_PATTERNS), None
    )


def format_list(items: Sequence[str], language: str) -> str:
    """Items joined as the language joins them ("A, B y C"); each item once, in order."""
    unique = list(dict.fromkeys(items))
    return (list_pattern(language) or COMMAS_ONLY).join(unique)
