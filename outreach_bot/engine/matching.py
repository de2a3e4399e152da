"""Matching a family's reply to a numbered choice or a localized keyword."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

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
        if keywords and _matcher(keywords).found_in(folded):
            hits.add(index)
    return hits.pop() if len(hits) == 1 else None


class _Keywords:
    """A keyword list folded and compiled once: one regex for whole words, substrings for CJK."""

    def __init__(self, keywords: str) -> None:
        words = [word for word in (fold(k) for k in keywords.split(",")) if word]
        self.unspaced = tuple(w for w in words if any(_unspaced(char) for char in w))
        spaced = [re.escape(w) for w in words if w not in self.unspaced]
        self.pattern = re.compile(rf"(?<!\w)(?:{'|'.join(spaced)})(?!\w)") if spaced else None

    def found_in(self, text: str) -> bool:
        """True when any keyword occurs in the folded text."""
        if self.pattern is not None and self.pattern.search(text):
            return True
        return any(word in text for word in self.unspaced)


@lru_cache(maxsize=4096)
def _matcher(keywords: str) -> _Keywords:
    return _Keywords(keywords)


def starts_with_keyword(folded: str, keywords: str) -> bool:
    """True when a folded text is one of the keywords, or begins with one and a space."""
    return _leading(keywords).match(folded) is not None


@lru_cache(maxsize=4096)
def _leading(keywords: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in (fold(k) for k in keywords.split(",")) if word]
    return re.compile(rf"(?:{'|'.join(words) or '(?!)'})(?: |$)")


def _unspaced(char: str) -> bool:
    # CJK ideographs, kana and Thai are written without spaces between words.
    return (
        "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or "\u0e00" <= char <= "\u0e7f"
    )
