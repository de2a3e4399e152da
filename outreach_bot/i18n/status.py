"""How complete, checked and costly each language's catalog is, against locales/messages.pot.

`outreach-bot i18n status` prints this, and the dashboard's Family languages page shows it,
so a district knows what it sends: which languages miss texts, which have fuzzy (unchecked,
never sent) translations, which no qualified person has reviewed, and what a text costs in
segments at its longest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from outreach_bot.checks.segments import TextCost, worst_costs
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs, catalog_path, read_catalog
from outreach_bot.i18n.extract import KEYWORDS_NOTE, PAGE_NOTE
from outreach_bot.i18n.languages import language_name
from outreach_bot.i18n.review import Review, ReviewState, fingerprint, load_reviews, review_state
from outreach_bot.i18n.varieties import VARIETIES, Variety

if TYPE_CHECKING:
    from outreach_bot.engine.library import FlowLibrary

TEMPLATE_NAME = "messages.pot"


@dataclass(frozen=True)
class LanguageStatus:
    """One language's catalog: counts against the template, its review, its cost."""

    language: str
    name: str
    translated: int
    fuzzy: int
    missing: int
    review: Review | None
    review_state: ReviewState
    costs: tuple[TextCost, ...]

    @property
    def complete(self) -> bool:
        """Every template text has a checked (non-fuzzy) translation."""
        return self.fuzzy == 0 and self.missing == 0

    @property
    def max_segments(self) -> int:
        """The costliest text's segments."""
        return max((cost.segments for cost in self.costs), default=0)

    @property
    def encoding(self) -> str:
        """GSM-7 when every text fits it, UCS-2 when none does, else 'mixed'."""
        found = {cost.encoding for cost in self.costs}
        return found.pop() if len(found) == 1 else "mixed"


def read_template(locales_dir: Path) -> Catalog:
    """The template every catalog is measured against."""
    with (locales_dir / TEMPLATE_NAME).open("rb") as handle:
        return read_po(handle)


def is_sent(message: Message) -> bool:
    """False for keyword lists, which families type, and the resource page's words, which
    they read on the web: neither is ever texted."""
    # A .po file wraps a long note over several #. lines: read them as the one note they are.
    notes = " ".join(message.auto_comments)
    return KEYWORDS_NOTE not in notes and PAGE_NOTE not in notes


def _translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def language_status(
    locales_dir: Path,
    language: str,
    template: Catalog,
    reviews: Mapping[str, Review],
    costs: tuple[TextCost, ...] = (),
) -> LanguageStatus:
    """Counts, review and cost for one catalog language (English: the source, complete)."""
    total = sum(1 for message in template if message.id)
    if language == SOURCE_LANGUAGE:
        return LanguageStatus(language, "English (source)", total, 0, 0, None, "reviewed", costs)
    catalog = read_catalog(catalog_path(locales_dir, language), language)
    translated = fuzzy = 0
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id)
        if _translated(message):
            translated += 1
        elif message is not None and message.fuzzy:
            fuzzy += 1
    review = reviews.get(language)
    return LanguageStatus(
        language=language,
        name=language_name(language),
        translated=translated,
        fuzzy=fuzzy,
        missing=total - translated - fuzzy,
        review=review,
        review_state=review_state(review, fingerprint(catalog)),
        costs=costs,
    )


def catalog_status(
    locales_dir: Path, library: FlowLibrary, district_name: str
) -> list[LanguageStatus]:
    """The status of every language with a catalog, English first, with the cost of the
    library's texts in each at their longest."""
    template = read_template(locales_dir)
    reviews = load_reviews(locales_dir)
    costs = worst_costs(library, Catalogs(locales_dir), district_name)
    return [
        language_status(locales_dir, language, template, reviews, tuple(found))
        for language, found in costs.items()
    ]


@dataclass(frozen=True)
class VarietyFallback:
    """Where a variety's families are texted from, and why."""

    variety: Variety
    catalog: str

    @property
    def invited(self) -> bool:
        """True when they get English plus the invitation to name their language."""
        return self.catalog == SOURCE_LANGUAGE


def variety_fallbacks(locales_dir: Path) -> list[VarietyFallback]:
    """Each variety in outreach_bot/i18n/varieties.py, and the catalog its readers get here."""
    catalogs = Catalogs(locales_dir)
    return [VarietyFallback(v, catalogs.choose(v.tags[0])) for v in VARIETIES]
