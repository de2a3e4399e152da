"""Gettext catalogs for family text, read from locales/<lang>/LC_MESSAGES/messages.po.

The .po files are the source of truth and are compiled in memory on first use, so there
is no build step and no stale .mo file can ever be sent to a family.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileParser
from babel.support import NullTranslations, Translations

from outreach_bot.i18n.languages import babel_locale, normalize_language, plural_forms
from outreach_bot.i18n.varieties import script_of, variety_of

SOURCE_LANGUAGE = "en"
# Tags whose catalog lives under another language (BCP 47 tag -> catalog language).
ALIASES = {
    "zh-TW": "zh-Hant",
    "zh-HK": "zh-Hant",
    "zh-MO": "zh-Hant",
    "zh-CN": "zh-Hans",
    "zh-SG": "zh-Hans",
    "zh": "zh-Hans",
    # Written Cantonese is read in Traditional characters.
    "yue": "zh-Hant",
    "fil": "tl",
    # Hmong Daw (White Hmong) and Hmong Njua (Green Hmong) read the same RPA spelling.
    "mww": "hmn",
    "hnj": "hmn",
    "pt-BR": "pt",
    "pt-PT": "pt",
    "iw": "he",
    "no": "nb",
}


def catalog_folder(language: str) -> str:
    """The folder name Babel uses for a BCP 47 tag ('zh-Hant' -> 'zh_Hant')."""
    return language.replace("-", "_")


def catalog_path(locales_dir: Path, language: str, domain: str = "messages") -> Path:
    """Where a language's .po file for a gettext domain lives."""
    return locales_dir / catalog_folder(language) / "LC_MESSAGES" / f"{domain}.po"


def fallback_chain(tag: str) -> Iterator[str]:
    """The catalog languages to try for a tag, best first ('zh-TW' -> zh-Hant-TW, zh-Hant...).

    A shorter tag is tried only while it is written in the same script ('pa-Arab' never falls
    to the Gurmukhi 'pa'); a variety then offers what its readers read (outreach_bot/i18n/
    varieties.py). English, the source, comes last of all, outside this chain.
    """
    return iter(dict.fromkeys(_candidates(tag)))


def _candidates(tag: str) -> Iterator[str]:
    raw = tag.strip().replace("_", "-")
    try:
        canonical = normalize_language(raw)
    except ValueError:
        canonical = raw
    for start in dict.fromkeys((canonical, raw)):
        parts = start.split("-")
        script = script_of(start)
        for length in range(len(parts), 0, -1):
            prefix = "-".join(parts[:length])
            if script is not None and script_of(prefix) not in (script, None):
                break
            yield prefix
            if prefix in ALIASES:
                yield ALIASES[prefix]
        variety = variety_of(start)
        if variety is not None:
            yield from variety.reads


class LanguageCatalog(Catalog):
    """A Babel catalog that keeps its plural rule for a language CLDR lacks (Hmong).

    Babel writes the Plural-Forms header (into .po and .mo alike) only for locales CLDR
    knows; without it gettext would treat Hmong as having English's two forms.
    """

    def _get_mime_headers(self) -> list[tuple[str, str]]:
        headers = super()._get_mime_headers()
        if self.locale is None and not any(name == "Plural-Forms" for name, _ in headers):
            headers.insert(-3, ("Plural-Forms", self.plural_forms))
        return headers

    mime_headers = property(_get_mime_headers, Catalog._set_mime_headers)


def empty_catalog(language: str, **options: str) -> LanguageCatalog:
    """A catalog for a language, with its plural rule (our own where CLDR has none)."""
    if babel_locale(language) is not None:
        return LanguageCatalog(locale=catalog_folder(language), **options)  # type: ignore[arg-type]
    catalog = LanguageCatalog(locale=None, **options)  # type: ignore[arg-type]
    count, expression = plural_forms(language)
    catalog.mime_headers = [
        ("Language", catalog_folder(language)),
        ("Plural-Forms", f"nplurals={count}; plural={expression};"),
    ]
    return catalog


def read_catalog(path: Path, language: str) -> LanguageCatalog:
    """Parse a language's .po file."""
    catalog = empty_catalog(language)
    with path.open("rb") as handle:
        PoFileParser(catalog).parse(handle)
    if catalog.locale is None:  # the file's own header may lack or misstate the rule
        count, expression = plural_forms(language)
        catalog.mime_headers = [("Plural-Forms", f"nplurals={count}; plural={expression};")]
    return catalog


class Catalogs:
    """The translations of every language with a catalog, loaded once per process.

    The `messages` domain holds family texts; `dashboard` holds the staff pages' words.
    """

    def __init__(self, locales_dir: Path, domain: str = "messages") -> None:
        self.locales_dir = locales_dir
        self.domain = domain
        self._loaded: dict[str, NullTranslations] = {}
        self._languages: list[str] | None = None
        self._available: frozenset[str] = frozenset()
        self._every: tuple[NullTranslations, ...] | None = None
        # By tag, what `choose` chose and what `needs_invitation` found (catalogs never change).
        self._chosen: dict[str, str] = {}
        self._invite: dict[str, bool] = {}
        self._lock = threading.Lock()

    def languages(self) -> list[str]:
        """Every language with a catalog in this domain, English first (read once)."""
        if self._languages is None:
            found = sorted(
                path.parent.parent.name.replace("_", "-")
                for path in self.locales_dir.glob(f"*/LC_MESSAGES/{self.domain}.po")
            )
            self._languages = [SOURCE_LANGUAGE, *found]
            self._available = frozenset(self._languages)
        return list(self._languages)

    def every(self) -> tuple[NullTranslations, ...]:
        """The translations of every language, in the order of `languages` (made once)."""
        if self._every is None:
            self._every = tuple(self.get(language) for language in self.languages())
        return self._every

    def choose(self, tag: str | None) -> str:
        """The catalog language for a guardian's language tag, falling back to English."""
        if not tag or not tag.strip():
            return SOURCE_LANGUAGE
        chosen = self._chosen.get(tag)
        if chosen is None:
            if self._languages is None:
                self.languages()
            available = self._available
            chosen = next((c for c in fallback_chain(tag) if c in available), SOURCE_LANGUAGE)
            self._chosen[tag] = chosen  # a scan asks it thrice a family, of a few tags
        return chosen

    def needs_invitation(self, tag: str | None) -> bool:
        """True when a guardian's language has no catalog, so they get English and an invite."""
        if not tag or not tag.strip() or self.choose(tag) != SOURCE_LANGUAGE:
            return False
        if tag not in self._invite:
            self._invite[tag] = SOURCE_LANGUAGE not in fallback_chain(tag)
        return self._invite[tag]

    def get(self, language: str) -> NullTranslations:
        """Translations for a catalog language; English (the source) translates to itself."""
        language = self.choose(language)
        with self._lock:
            if language not in self._loaded:
                self._loaded[language] = self._load(language)
            return self._loaded[language]

    def _load(self, language: str) -> NullTranslations:
        if language == SOURCE_LANGUAGE:
            return NullTranslations()
        path = catalog_path(self.locales_dir, language, self.domain)
        catalog = read_catalog(path, language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext does
        buffer.seek(0)
        return Translations(buffer, domain=self.domain)
