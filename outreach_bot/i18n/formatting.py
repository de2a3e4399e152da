"""Dates and numbers in a family's own language ("martes, 24 de noviembre").

Babel's CLDR data does the work. Hmong has no CLDR data at all, and CLDR's Haitian Creole
borrows French day and month names, so both get their own small tables here. Lists are
joined in `outreach_bot/i18n/lists.py`, from the project's own table.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import match_skeleton
from babel.numbers import format_decimal

from outreach_bot.i18n.languages import babel_locale

# Monday first, as Python's date.weekday() counts.
_OWN_DAYS: dict[str, tuple[str, ...]] = {
    "hmn": ("Hnub Ib", "Hnub Ob", "Hnub Peb", "Hnub Plaub", "Hnub Tsib", "Hnub Rau", "Hnub Xya"),
    "ht": ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch"),
}
_OWN_MONTHS: dict[str, tuple[str, ...]] = {
    "hmn": tuple(
        f"Lub {number} Hlis"
        for number in (
            "Ib",
            "Ob",
            "Peb",
            "Plaub",
            "Tsib",
            "Rau",
            "Xya",
            "Yim",
            "Cuaj",
            "Kaum",
            "Kaum Ib",
            "Kaum Ob",
        )
    ),
    "ht": (
        "janvye",
        "fevriye",
        "mas",
        "avril",
        "me",
        "jen",
        "jiyè",
        "out",
        "septanm",
        "oktòb",
        "novanm",
        "desanm",
    ),
}
_FALLBACK = Locale("en")


def _locale(language: str) -> Locale:
    return babel_locale(language) or _FALLBACK


def _base(language: str) -> str:
    return language.split("-")[0]


@lru_cache(maxsize=1024)  # a scan names one day, in each family's language
def format_date(day: date, language: str) -> str:
    """Weekday, day and month, as a parent writes them ("martes, 24 de noviembre")."""
    own = _base(language)
    if own in _OWN_DAYS:
        weekday, month = _OWN_DAYS[own][day.weekday()], _OWN_MONTHS[own][day.month - 1]
        return f"{weekday}, {day.day} {month}"
    locale = _locale(language)
    skeletons = locale.datetime_skeletons
    best = match_skeleton("MMMMEd", skeletons)
    if best is None:
        return babel_format_date(day, "long", locale=locale)
    pattern = str(skeletons[best])
    return babel_format_date(day, _whole_words(pattern), locale=locale)


def format_long_date(day: date, language: str) -> str:
    """Day, month and year, as a letter is dated ("7 de diciembre de 2026")."""
    own = _base(language)
    if own in _OWN_MONTHS:
        return f"{day.day} {_OWN_MONTHS[own][day.month - 1]} {day.year}"
    return babel_format_date(day, "long", locale=_locale(language))


def _whole_words(pattern: str) -> str:
    """The nearest skeleton may abbreviate ("mar", "нояб."); a text reads better in full."""
    pieces = pattern.split("'")
    for index in range(0, len(pieces), 2):  # even pieces are outside 'quoted literals'
        piece = re.sub(r"(?<![Ec])([Ec])\1{0,2}(?![Ec])", r"\1\1\1\1", pieces[index])
        pieces[index] = re.sub(r"(?<![ML])([ML])\1\1(?![ML])", r"\1\1\1\1", piece)
    return "'".join(pieces)


def format_number(number: float, language: str) -> str:
    """A number with the language's separators ("1.234,5" in Spanish)."""
    return format_decimal(number, locale=_locale(language))
