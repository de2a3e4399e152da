"""Noticing a reply written in another language, so the bot can offer to switch.

The detector is py3langid (langid.py's maintained fork): offline, deterministic, with its
model inside the package. It is asked twice: once over all of its languages, and once over
only the ones we text in; a switch is suggested only when both agree, with high confidence,
on a language we support that is not the family's current one, and only for a reply of at
least three words. A one-word reply ("ok", "gracias", "1") never suggests anything. The
model has no Hmong, so a reply in Hmong is never detected (families can still switch by
naming their language).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, fallback_chain
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES

MIN_WORDS = 3
MIN_CONFIDENCE = 0.95  # among our languages
MIN_OVERALL = 0.5  # among every language the model knows
# Characters written only in one of the two Chinese scripts, common in short texts.
_SIMPLIFIED_ONLY = frozenset("们这个来时会说话学么为没们请谢还对给让发间问题电车钱书见长门")
_TRADITIONAL_ONLY = frozenset("們這個來時會說話學麼為沒請謝還對給讓發間問題電車錢書見長門")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()


@cache
def _identifiers() -> tuple[LanguageIdentifier, LanguageIdentifier]:
    everything = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ours = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ours.set_languages(sorted(_model_codes() & set(ours.labels)))
    return everything, ours


def _model_codes() -> set[str]:
    return {tag.split("-")[0] for tag in SUPPORTED_LANGUAGES}


def _is_word(token: str) -> bool:
    letters = [char for char in token if unicodedata.category(char)[0] in "LM"]
    if any(ord(char) > 0x24F for char in letters):
        return True  # a word in a non-Latin script, however short
    return len(letters) >= 3  # "ok", "is", "si" are too slight to go on


def count_words(text: str) -> int:
    """Words in a reply (Latin ones of three letters or more); Chinese, written without
    spaces, counts two characters a word."""
    han = len(_HAN.findall(text))
    words = [token for token in _HAN.sub(" ", text).split() if _is_word(token)]
    return len(words) + (han + 1) // 2


def _chinese_script(text: str) -> str:
    simplified = sum(char in _SIMPLIFIED_ONLY for char in text)
    traditional = sum(char in _TRADITIONAL_ONLY for char in text)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _base(language: str) -> str:
    chain = list(fallback_chain(language))
    return next((tag for tag in chain if tag in SUPPORTED_LANGUAGES), SOURCE_LANGUAGE)


def detect_language(text: str) -> tuple[str, float] | None:
    """The supported language a text is most likely in, and how sure, when both passes agree."""
    everything, ours = _identifiers()
    with _lock:  # the identifiers keep per-call state in numpy arrays; keep calls apart
        overall, overall_confidence = everything.classify(text)
        language, confidence = ours.classify(text)
    if language != overall or overall_confidence < MIN_OVERALL:
        return None
    tag = _chinese_script(text) if language == "zh" else language
    return tag, confidence


def detect_switch(text: str, current_language: str | None) -> str | None:
    """A supported language to offer when a reply is clearly written in it, else None."""
    if count_words(text) < MIN_WORDS:
        return None
    found = detect_language(text)
    if found is None or found[1] < MIN_CONFIDENCE:
        return None
    tag = found[0]
    current = _base(current_language or SOURCE_LANGUAGE)
    if tag == current or (tag.startswith("zh") and current.startswith("zh")):
        return None
    return tag
