"""The words of a legally required notice, by key, in every family language (gettext domain
`notices`).

`locales/notices.pot` is the source: each entry's msgctxt is a content key (the keys a stage of
the notice rules names, such as `truant` or `research_ten_percent`, and the letter's frame,
`letter.dear`, `title.first`...), its msgid the English. Each language's
`locales/<lang>/LC_MESSAGES/notices.po` translates it. Another state's rules need new keys in
these files, not new code.

A key has text in a language when that language's catalog, or one along its fallback chain
(`i18n/catalogs.fallback_chain`, which never crosses a script), translates it; English is the
source and has every key. The letter itself falls back to English paragraph by paragraph
(`letter.py`), so a missing translation never drops a paragraph the law requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from outreach_bot.config import PROJECT_ROOT
from outreach_bot.i18n.catalogs import (
    SOURCE_LANGUAGE,
    Catalogs,
    catalog_path,
    fallback_chain,
    read_catalog,
)

DOMAIN = "notices"
TEMPLATE_NAME = "notices.pot"
LOCALES = PROJECT_ROOT / "locales"
# What every letter says besides its stage's content keys (and its title, `title.<stage>`).
FRAME_KEYS = (
    "letter.dear",
    "letter.dear_family",
    "letter.opening",
    "letter.dates_heading",
    "letter.call_school",
    "letter.closing",
)


class NoticeContent:
    """The notice texts of one locales folder: the English source and every translation."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self.catalogs = Catalogs(locales_dir, domain=DOMAIN)
        with (locales_dir / TEMPLATE_NAME).open("rb") as handle:
            template = read_po(handle)
        self.english: dict[str, str] = {
            str(message.context): str(message.id)
            for message in template
            if message.id and message.context
        }
        self._translated: dict[str, dict[str, str]] = {}

    def keys(self) -> tuple[str, ...]:
        """Every content key, in the template's order."""
        return tuple(self.english)

    def languages(self) -> list[str]:
        """Every language with a notices catalog, English first."""
        return self.catalogs.languages()

    def choose(self, tag: str | None) -> str:
        """The catalog language a letter for this language tag is written in (English if none)."""
        return self.catalogs.choose(tag)

    def text(self, key: str, language: str) -> str | None:
        """The text of a key in a language, along its fallback chain; None when it has none."""
        english = self.english.get(key)
        if english is None:
            return None
        available = set(self.languages())
        for candidate in fallback_chain(language):
            if candidate == SOURCE_LANGUAGE:
                return english
            if candidate in available:
                found = self._translations(candidate).get(key)
                if found:
                    return found
        return None

    def missing(self, keys: Iterable[str], languages: Iterable[str]) -> list[tuple[str, str]]:
        """The (key, language) pairs with no text, in the order given."""
        keys = list(keys)
        return [
            (key, language)
            for language in languages
            for key in keys
            if self.text(key, language) is None
        ]

    def translations(self, language: str) -> dict[str, str]:
        """A language's own catalog, key to text (no fallback): what `flows check` reviews."""
        return dict(self._translations(language))

    def _translations(self, language: str) -> dict[str, str]:
        """A catalog's translated keys (fuzzy and empty entries left out, as gettext does)."""
        if language not in self._translated:
            catalog = read_catalog(catalog_path(self.locales_dir, language, DOMAIN), language)
            self._translated[language] = {
                str(message.context): str(message.string)
                for message in catalog
                if message.id
                and message.context
                and message.string
                and not message.fuzzy
                and self.english.get(str(message.context)) == message.id
            }
        return self._translated[language]


@cache
def notice_content(locales_dir: Path = LOCALES) -> NoticeContent:
    """The notice texts of a locales folder, read once per process."""
    return NoticeContent(locales_dir)


def content_text(key: str, language: str, locales_dir: Path = LOCALES) -> str | None:
    """The text of a content key in a language; None when the language has no text for it."""
    return notice_content(locales_dir).text(key, language)


def missing_content(
    keys: Iterable[str], languages: Iterable[str], locales_dir: Path = LOCALES
) -> list[tuple[str, str]]:
    """The (key, language) pairs lacking text, for `outreach-bot flows check`."""
    return notice_content(locales_dir).missing(keys, languages)
