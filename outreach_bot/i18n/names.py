"""Language names a family may text to switch language: ESPAÑOL, Tiếng Việt, 中文, Somali..."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from babel import Locale
from babel.core import UnknownLocaleError

from outreach_bot.engine.matching import fold
from outreach_bot.i18n.languages import EXTRA_LANGUAGES, language_name

# How families write the two Chinese scripts' names, beyond CLDR's "中文 (繁體)".
_MORE_NAMES = {
    "zh-Hans": ("简体中文", "简体", "中文", "普通话", "Mandarin"),
    "zh-Hant": ("繁體中文", "繁体中文", "正體中文", "繁體", "Cantonese", "廣東話"),
}


def _names(tag: str) -> Iterator[str]:
    yield language_name(tag)
    yield from _MORE_NAMES.get(tag, ())
    base = tag.split("-")[0]
    yield from EXTRA_LANGUAGES.get(base, ())
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return
    english = Locale("en")
    yield english.languages.get(base, "")
    yield locale.get_display_name(locale) or ""
    yield locale.languages.get(base, "")


@cache
def names_for(languages: tuple[str, ...]) -> dict[str, str]:
    """`language_names`, computed once per set of languages."""
    return language_names(languages)


def language_names(languages: Iterable[str]) -> dict[str, str]:
    """Folded names (in English and in the language itself) -> the language's tag.

    Where two languages share a name ("中文" for both Chinese scripts), the first listed wins.
    Tags themselves ("so", "es") are not names: a reply of "so" must never switch anything.
    """
    found: dict[str, str] = {}
    for tag in languages:
        for name in _names(tag):
            key = fold(name)
            if key and not (key.isascii() and len(key) <= 3):
                found.setdefault(key, tag)
    return found
