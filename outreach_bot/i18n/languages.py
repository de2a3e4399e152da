"""Naming languages: a BCP 47 tag from whatever a roster says ("Spanish", "es_MX", "Tiếng Việt").

Tags and names come from CLDR through Babel. CLDR lacks some languages families here speak,
so a small table adds them. Every function is pure and cached: an import calls them per row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.localedata import locale_identifiers
from babel.messages.plurals import get_plural

# Languages CLDR has no locale data (or no English name) for: tag -> (English name, other names).
EXTRA_LANGUAGES: dict[str, tuple[str, ...]] = {
    "hmn": ("Hmong", "Hmoob", "Hmong Daw", "Hmoob Dawb"),
    "mh": ("Marshallese", "Kajin M̧ajeļ"),
    "mam": ("Mam",),
    "kjb": ("Qʼanjobʼal", "Q'anjob'al", "Kanjobal"),
    "kar": ("Karen",),
}
# The languages families are texted in out of the box, English (the source) first.
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en",
    "es",
    "vi",
    "zh-Hans",
    "zh-Hant",
    "ar",
    "tl",
    "ko",
    "ru",
    "uk",
    "fa",
    "ps",
    "pa",
    "ht",
    "so",
    "pt",
    "hmn",
)
# Plural rules (gettext's nplurals and plural expression) for languages CLDR has no rules for.
# Hmong nouns do not change with number ("1 hnub", "5 hnub"), so it has one form.
EXTRA_PLURALS: dict[str, tuple[int, str]] = {"hmn": (1, "0")}
# What a language calls itself, where CLDR has no name or not the one families use.
EXTRA_OWN_NAMES: dict[str, str] = {"hmn": "Hmoob", "tl": "Tagalog", "ht": "Kreyòl ayisyen"}
# Names rosters use that CLDR spells another way: name -> tag.
EXTRA_NAMES: dict[str, str] = {
    "Bengali": "bn",
    "Farsi": "fa",
    "Mandarin": "zh",
    "Haitian": "ht",
}
# Chinese is written in two scripts, and a text must pick one, so a Chinese tag always says
# which (zh-TW -> zh-Hant-TW, zh -> zh-Hans), following CLDR's likely subtags.
_SCRIPT_REQUIRED = frozenset({"zh"})
_EXPECTED = (
    "expected a language tag such as es, vi or zh-Hant, or a language name such as Spanish,"
    " español or Vietnamese"
)
_TAG_SHAPE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


@cache
def _english() -> Locale:
    return Locale("en")


def _key(name: str) -> str:
    """A name folded for lookup: case, accents and punctuation do not matter."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"\w+", bare))


def _known_language(code: str) -> bool:
    return code in _english().languages or code in EXTRA_LANGUAGES


def _parse_tag(raw: str) -> str | None:
    """The canonical tag when `raw` is a tag of a known language, else None."""
    parts = raw.replace("_", "-").split("-")
    language, script, region = parts[0].lower(), None, None
    alias = get_global("language_aliases").get(language)
    if alias:
        language, *implied = alias.split("_")
        script = next((part for part in implied if len(part) == 4), None)
        region = next((part for part in implied if len(part) in (2, 3)), None)
    if not _known_language(language):
        return None
    english = _english()
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and part.title() in english.scripts:
            script = part.title()
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            if part.upper() not in english.territories:
                return None
            region = part.upper()
        else:
            return None
    if language in _SCRIPT_REQUIRED and script is None:
        likely = get_global("likely_subtags")
        full = likely.get(f"{language}_{region}") or likely.get(language, "")
        script = next((part for part in full.split("_") if len(part) == 4), None)
    return "-".join(part for part in (language, script, region) if part)


def _english_names() -> Iterator[tuple[str, str]]:
    english = _english()
    for code, name in english.languages.items():
        yield name, code
    for code, names in EXTRA_LANGUAGES.items():
        for name in names:
            yield name, code
    yield from EXTRA_NAMES.items()
    # "Chinese (Traditional)", "Spanish (Mexico)": how CLDR displays each of its locales.
    for identifier in locale_identifiers():
        language, *rest = identifier.split("_")
        details = [english.scripts.get(p) or english.territories.get(p) for p in rest]
        if language in english.languages and rest and all(details):
            yield f"{english.languages[language]} ({', '.join(map(str, details))})", identifier


def _own_names() -> Iterator[tuple[str, str]]:
    """Each language's name for itself ("español", "Tiếng Việt", "繁體中文"), and its regions'."""
    for identifier in locale_identifiers():
        parts = identifier.split("_")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) != 4):
            continue  # regional locales name themselves like their base locale does
        locale = Locale.parse(identifier)
        yield locale.get_display_name(locale) or identifier, identifier
        for code, name in locale.languages.items():
            if code == locale.language or code.startswith(f"{locale.language}_"):
                yield name, code


def _index(names: Iterator[tuple[str, str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, code in names:
        tag = _parse_tag(code)
        if tag is not None:
            index.setdefault(_key(name), tag)  # the first source wins a clash
    return index


@cache
def _english_index() -> dict[str, str]:
    return _index(_english_names())


@cache
def _own_index() -> dict[str, str]:
    # Loading every locale's data takes about a second, so it is done only when needed.
    return _index(_own_names())


@lru_cache(maxsize=1024)
def normalize_language(raw: str) -> str:
    """The canonical BCP 47 tag for a tag or a language name; ValueError when unknown."""
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        raise ValueError(f"'' is empty; {_EXPECTED}")
    text = text.rpartition("#")[2].strip()  # an Ed-Fi descriptor: "uri://ed-fi.org/...#spa"
    key = _key(text)
    if text.istitle() and key in _english_index():
        return _english_index()[key]  # "Ga" is the Ga language, though "ga" is Irish
    if _TAG_SHAPE.match(text):
        tag = _parse_tag(text)
        if tag is not None:
            return tag
    found = _english_index().get(key) or _own_index().get(key)
    if found is None:
        raise ValueError(f"{text!r} is not a language we know; {_EXPECTED}")
    return found


def language_name(tag: str) -> str:
    """The English name of a tag ("zh-Hant" -> "Chinese (Traditional)"), or the tag if unknown."""
    parts = tag.split("-")
    english = _english()
    name = english.languages.get(parts[0]) or EXTRA_LANGUAGES.get(parts[0], (None,))[0]
    if name is None:
        return tag
    details = [english.scripts.get(p) or english.territories.get(p) or p for p in parts[1:]]
    return f"{name} ({', '.join(details)})" if details else name


def babel_locale(tag: str) -> Locale | None:
    """Babel's locale for a tag ("zh-Hant" -> zh_Hant), or None when CLDR lacks it (hmn)."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def own_name(tag: str) -> str:
    """The name a language calls itself ("español", "Tiếng Việt", "Hmoob"), or the tag."""
    base = tag.split("-")[0]
    if tag in EXTRA_OWN_NAMES or base in EXTRA_OWN_NAMES:
        return EXTRA_OWN_NAMES.get(tag) or EXTRA_OWN_NAMES[base]
    locale = babel_locale(tag)
    return (locale.get_display_name(locale) or tag) if locale else tag


@lru_cache(maxsize=256)
def text_direction(tag: str) -> str:
    """'rtl' for a right-to-left language (Arabic, Persian, Pashto), else 'ltr'; for dir=""."""
    locale = babel_locale(tag)
    return locale.text_direction if locale else "ltr"


def plural_forms(tag: str) -> tuple[int, str]:
    """gettext's (nplurals, plural expression) for a language, from CLDR or EXTRA_PLURALS."""
    base = tag.split("-")[0]
    if base in EXTRA_PLURALS:
        return EXTRA_PLURALS[base]
    rule = get_plural(babel_locale(tag) or "en")
    return rule.num_plurals, rule.plural_expr
