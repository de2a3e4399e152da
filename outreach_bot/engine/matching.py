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
    hits = set()
    for index, keywords in enumerate(keyword_lists):
        for keyword in (keywords or "").split(","):
            word = fold(keyword)
            if word and _contains(folded, word):
                hits.add(index)
    return hits.pop() if len(hits) == 1 else None


def _contains(text: str, word: str) -> bool:
    """A whole word or phrase; in scripts written without spaces (Chinese), any occurrence."""
    if any(_unspaced(char) for char in word):
        return word in text
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _unspaced(char: str) -> bool:
    # CJK ideographs, kana and Thai are written without spaces between words.
    return (
        "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or "\u0e00" <= char <= "\u0e7f"
    )
