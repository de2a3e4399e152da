"""The dashboard's own strings in each staff member's language (gettext domain `dashboard`).

Family texts live in `messages.po`; staff-facing words live in
`locales/<lang>/LC_MESSAGES/dashboard.po`, compiled in memory on first use.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "dashboard"


class StaffCatalog:
    """Dashboard translations, loaded once per language per process; English is the source."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._loaded: dict[str, NullTranslations] = {}
        self._lock = threading.Lock()

    def languages(self) -> list[str]:
        """English and every language with a dashboard catalog."""
        found = sorted(
            p.parent.parent.name for p in self.locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        )
        return ["en", *found]

    def get(self, language: str | None) -> NullTranslations:
        """The translations for a language, English when there is no catalog for it."""
        language = language if language in self.languages() else "en"
        with self._lock:
            if language not in self._loaded:
                self._loaded[language] = self._load(language)
            return self._loaded[language]

    def _load(self, language: str) -> NullTranslations:
        if language == "en":
            return NullTranslations()
        path = self.locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
