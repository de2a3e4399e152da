"""Gettext catalogs for family text, read from locales/<lang>/LC_MESSAGES/messages.po.

The .po files are the source of truth and are compiled in memory on first use, so there
is no build step and no stale .mo file can ever be sent to a family.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SOURCE_LANGUAGE = "en"
# Tags whose catalog lives under another language (BCP 47 tag -> catalog language).
ALIASES = {
    "zh-TW": "zh-Hant",
    "zh-HK": "zh-Hant",
    "zh-MO": "zh-Hant",
    "zh-CN": "zh-Hans",
    "zh-SG": "zh-Hans",
    "zh": "zh-Hans",
    "fil": "tl",
    "pt-BR": "pt",
    "pt-PT": "pt",
    "iw": "he",
    "no": "nb",
}


def catalog_folder(language: str) -> str:
    """The folder name Babel uses for a BCP 47 tag ('zh-Hant' -> 'zh_Hant')."""
    return language.replace("-", "_")


class Catalogs:
    """The translations of every language with a catalog, loaded once per process."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._loaded: dict[str, NullTranslations] = {}
        self._lock = threading.Lock()

    def languages(self) -> list[str]:
        """Every language families can be texted in, English first."""
        found = sorted(
            path.parent.parent.name.replace("_", "-")
            for path in self.locales_dir.glob("*/LC_MESSAGES/messages.po")
        )
        return [SOURCE_LANGUAGE, *found]

    def choose(self, tag: str | None) -> str:
        """The catalog language for a guardian's language tag, falling back to English."""
        available = set(self.languages())
        if not tag:
            return SOURCE_LANGUAGE
        candidates = [tag, ALIASES.get(tag, "")]
        parts = tag.split("-")
        for length in range(len(parts) - 1, 0, -1):
            prefix = "-".join(parts[:length])
            candidates += [prefix, ALIASES.get(prefix, "")]
        return next((c for c in candidates if c in available), SOURCE_LANGUAGE)

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
        path = self.locales_dir / catalog_folder(language) / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=catalog_folder(language))
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext does
        buffer.seek(0)
        return Translations(buffer, domain="messages")
