"""The dashboard's own strings in each staff member's language (gettext domain `dashboard`).

Family texts live in `messages.po`; staff-facing words live in
`locales/<lang>/LC_MESSAGES/dashboard.po`, compiled in memory on first use.
"""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations

from outreach_bot.i18n.catalogs import Catalogs

DOMAIN = "dashboard"


class StaffCatalog(Catalogs):
    """Dashboard translations, loaded once per language per process; English is the source."""

    def __init__(self, locales_dir: Path) -> None:
        super().__init__(locales_dir, domain=DOMAIN)

    def get(self, language: str | None) -> NullTranslations:
        """The translations for a language, English when there is no catalog for it."""
        return super().get(language or "en")
