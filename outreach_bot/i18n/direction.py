"""Right-to-left texts that read right to left, whatever word they start with.

A phone lays out each line of a text by its first strong character (the Unicode bidi
algorithm's rule P2). An Arabic, Persian or Pashto text that starts with a Latin name
("Ana: 4 days…", "Riverside Unified: …") or with digits is laid out left to right: the
sentence reads backwards, its punctuation lands at the wrong end. A RIGHT-TO-LEFT MARK at
the start of such a line makes it right to left, and costs one UCS-2 unit, in texts that
are UCS-2 already.
"""

from __future__ import annotations

import unicodedata

from outreach_bot.i18n.languages import text_direction

RIGHT_TO_LEFT_MARK = "\u200f"
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
_LEFT_TO_RIGHT = frozenset({"L"})


def first_strong(line: str) -> str | None:
    """The bidi class ('L', 'R' or 'AL') of a line's first strong character, if it has one."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in _RIGHT_TO_LEFT or kind in _LEFT_TO_RIGHT:
            return kind
    return None


def _has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in text)


def for_reading(text: str, language: str | None) -> str:
    """The text as it must be sent in `language`: in a right-to-left language, each line that
    would not start right to left gets a RIGHT-TO-LEFT MARK.

    A text with no right-to-left letter at all (English sent to an Arabic reader, say,
    typed by staff) is left as it is: it is not a right-to-left text.
    """
    if not language or text_direction(language) != "rtl" or not _has_right_to_left(text):
        return text
    lines = text.split("\n")
    return "\n".join(
        line
        if not line.strip() or first_strong(line) in _RIGHT_TO_LEFT
        else RIGHT_TO_LEFT_MARK + line
        for line in lines
    )
