"""Matching a family's reply to a numbered choice or a localized keyword."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_KEYCAP = "\ufe0f\u20e3"


def fold(text: str) -> str:
    """Case, accents, width, spacing and punctuation folded away, digits made ASCII."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) or char in _KEYCAP:
            continue
        if char.isdigit():
            kept.append(str(unicodedata.digit(char, 0)))
        elif char.isalnum():
            kept.append(char.casefold())
        else:
            kept.append(" ")
    return " ".join("".join(kept).split())


def match_choice(reply: str, keyword_lists: Sequence[str | None]) -> int | None:
    """The 0-based choice a reply picks, by its number or by one of its keywords, else None.

    `keyword_lists` holds, per choice, a comma-separated list of words or phrases in the
    family's language. A number wins; otherwise exactly one choice's keyword must appear.
    """
    folded = fold(reply)
    if not folded:
        return None
    first = folded.split()[0]
    if first.isdigit():
        number = int(first)
        return number - 1 if 1 <= number <= len(keyword_lists) else None
    padded = f" {folded} "
    hits = set()
    for index, keywords in enumerate(keyword_lists):
        for keyword in (keywords or "").split(","):
            word = fold(keyword)
            if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", padded):
                hits.add(index)
    return hits.pop() if len(hits) == 1 else None
