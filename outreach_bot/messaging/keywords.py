"""Reading a family's text for STOP, START or HELP, however politely or plainly it is put.

Three ways in, tried in order: the whole message is a keyword phrase of `opt_words.KEYWORDS`;
it is one once polite words around it are set aside ("alto por favor", "stop po"); or one of
its clauses is an opt-out sentence ("please stop sending me messages"). A text that merely
holds a keyword among other words ("the bus stop is far") is none of these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

from outreach_bot.engine.matching import one_keyboard
from outreach_bot.messaging.opt_words import (
    KEYWORDS,
    POLITE,
    SENTENCES,
    Keyword,
    KeywordSet,
    SentenceWords,
)

_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")
# Where one clause of a message ends and the next begins ("No, text me" is not "no text me").
_CLAUSE_END = re.compile(r"[.,;:!?\n。，、！？；：،؛؟…]+")
# A sentence longer than this is a letter, not an opt-out; a person reads it.
_LONGEST_SENTENCE = 160
_VERB, _OBJECT = 1, 2


def normalize(text: str, *, fold_accents: bool) -> str:
    """The form keywords are compared in: casefolded, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = one_keyboard(text)
    kept = [" " if unicodedata.category(char)[0] in "PSZC" else char for char in text]
    text = " ".join("".join(kept).split())
    if fold_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize(
            "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
        )
    return text


def _table_language(tag: str | None) -> str | None:
    # The KEYWORDS row language for a family's tag: zh-Hans and zh-Hant share "zh".
    return tag.split("-")[0].split("_")[0].lower() if tag else None


def classify_keyword(text: str, language: str | None = None) -> Keyword | None:
    """'stop', 'start' or 'help' when a text means that keyword, else None.

    `language` is the family's: a few forms count only in it (Vietnamese typed without marks).
    """
    exact = normalize(text, fold_accents=False)
    if not exact:
        return None
    scope = _table_language(language)
    for form in (exact, _without_courtesy(exact)):
        found = _phrase(form, scope) if form else None
        if found is not None:
            return found
    return "stop" if any(_is_opt_out_sentence(clause) for clause in _clauses(text)) else None


def _phrase(exact: str, scope: str | None) -> Keyword | None:
    folded = normalize(exact, fold_accents=True)
    for exact_index, folded_index in (_INDEX, _scoped(scope)):
        found = exact_index.get(exact) or folded_index.get(folded)
        if found is not None:
            return found
    return None


def _index(entries: tuple[KeywordSet, ...]) -> tuple[dict[str, Keyword], dict[str, Keyword]]:
    """Phrases as typed (marks kept) and folded, each mapped to its keyword."""
    exact: dict[str, Keyword] = {}
    folded: dict[str, Keyword] = {}
    for entry in entries:
        for phrase in entry.phrases:
            forms = [(exact, normalize(phrase, fold_accents=False))]
            if entry.fold_accents:
                forms.append((folded, normalize(phrase, fold_accents=True)))
            for index, key in forms:
                if index.get(key, entry.keyword) != entry.keyword:
                    raise ValueError(
                        f"opt_words.py: the phrase {phrase!r} ({entry.language}) means both "
                        f"{index[key]!r} and {entry.keyword!r}; keep it in one row only."
                    )
                index[key] = entry.keyword
    return exact, folded


_INDEX = _index(tuple(entry for entry in KEYWORDS if entry.everyone))


@cache
def _scoped(language: str | None) -> tuple[dict[str, Keyword], dict[str, Keyword]]:
    """Phrases that count only for families of `language`."""
    return _index(
        tuple(entry for entry in KEYWORDS if not entry.everyone and entry.language == language)
    )


@cache
def _courtesy() -> tuple[str, ...]:
    """Polite words in every form a text may take (marks kept and folded), longest first."""
    forms = {normalize(word, fold_accents=fold) for word in POLITE for fold in (False, True)}
    return tuple(sorted(forms, key=len, reverse=True))


def _without_courtesy(text: str) -> str:
    """`text` without the polite words at either end ("stop po" → "stop")."""
    changed = True
    while changed and text:
        changed = False
        for word in _courtesy():
            if text.startswith(word) and _between_words(text, len(word)):
                text, changed = text[len(word) :].strip(), True
            elif text.endswith(word) and _between_words(text, len(text) - len(word)):
                text, changed = text[: len(text) - len(word)].strip(), True
    return text


def _between_words(text: str, at: int) -> bool:
    """True when `at` is a word boundary in `text` (scripts without spaces join anywhere)."""
    if at <= 0 or at >= len(text):
        return True
    before, after = text[at - 1], text[at]
    return " " in (before, after) or (_unspaced(before) and _unspaced(after))


def _unspaced(char: str) -> bool:
    # Chinese and Korean join words (and Korean its particles) without a space.
    return "\u3400" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7a3"


def _clauses(text: str) -> Iterator[str]:
    for clause in _CLAUSE_END.split(text):
        if clause.strip():
            yield clause


def _is_opt_out_sentence(clause: str) -> bool:
    """True when a clause is made of one language's opt-out words, with a verb and an object."""
    for words in SENTENCES:
        text = normalize(clause, fold_accents=words.fold_accents)
        if 0 < len(text) <= _LONGEST_SENTENCE and _covers(text, _vocabulary(words)):
            return True
    return False


@cache
def _vocabulary(words: SentenceWords) -> tuple[tuple[str, int], ...]:
    """Each word of a language's opt-out sentences with what it is (verb, object, or neither)."""
    kinds: dict[str, int] = {}
    groups = ((words.verbs, _VERB), (words.objects, _OBJECT), (words.fillers, 0), (POLITE, 0))
    for group, kind in groups:
        for word in group:
            key = normalize(word, fold_accents=words.fold_accents)
            kinds[key] = kinds.get(key, 0) | kind
    return tuple(sorted(kinds.items(), key=lambda item: len(item[0]), reverse=True))


def _covers(text: str, vocabulary: tuple[tuple[str, int], ...]) -> bool:
    """True when `text` splits wholly into vocabulary words, at least one verb and one object."""

    @cache
    def walk(at: int, kinds: int) -> bool:
        if at == len(text):
            return kinds == _VERB | _OBJECT
        if text[at] == " ":
            return walk(at + 1, kinds)
        for word, kind in vocabulary:
            end = at + len(word)
            if text.startswith(word, at) and _between_words(text, end) and walk(end, kinds | kind):
                return True
        return False

    return walk(0, 0)
