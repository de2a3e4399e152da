"""Matching a family's reply to a numbered choice or a localized keyword."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_KEYCAP = "\ufe0f\u20e3"
# A Persian or Pashto family on an Arabic keyboard types ي, ى and ك for ی and ک: the same
# letters to a reader, different characters to a computer.
_KEYBOARD_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})


def one_keyboard(text: str) -> str:
    """Letters that keyboards type differently, written one way (Arabic ي ى ك as ی ی ک)."""
    return text.translate(_KEYBOARD_LETTERS)


def fold(text: str) -> str:
    """Case, accents, width, spacing and punctuation folded away, digits made ASCII."""
    decomposed = one_keyboard(unicodedata.normalize("NFKD", text))
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) or char in _KEYCAP:
            continue
        if char.isdigit():
            kept.append(str(unicodedata.digit(char, 0)))
        elif char.isalnum() or unicodedata.category(char).startswith("M"):
            # Spacing vowel signs (Gurmukhi ਿ, ੀ) are part of the word, not punctuation.
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


def contains_keyword(text: str, keyword: str) -> bool:
    """True when a keyword occurs in a text as whole words (anywhere, for CJK), both folded."""
    return _matcher(keyword).found_in(fold(text))


def _unspaced(char: str) -> bool:
    # CJK ideographs, kana and Thai are written without spaces between words.
    return (
        "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff" or "\u0e00" <= char <= "\u0e7f"
    )
