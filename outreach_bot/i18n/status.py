"""How complete, checked and costly each language's catalog is, against locales/messages.pot.

`outreach-bot i18n status` prints this, and the dashboard can show it, so a district knows
what it sends: which languages miss texts, which have fuzzy (unchecked, never sent)
translations, which no qualified person has reviewed, and what a text costs in segments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs, catalog_path, read_catalog
from outreach_bot.i18n.extract import KEYWORDS_NOTE
from outreach_bot.i18n.languages import language_name
from outreach_bot.i18n.review import Review, ReviewState, fingerprint, load_reviews, review_state
from outreach_bot.messaging.segments import Encoding, measure

TEMPLATE_NAME = "messages.pot"
# Typical values, a little long, for measuring what a text costs once filled in.
SAMPLE_CONTEXT: Mapping[str, object] = {
    "school_name": "Roosevelt Elementary",
    "first_name": "Alejandra",
    "days_missed": 5,
    "district_name": "Riverside Unified",
    "school_phone": "(503) 555-0142",
    "children_days": "Alejandra 5, Mateo 3",
    "attendance_summary": "Alejandra: 5 days missed this year",
    "language_name": "Español",
}
SEGMENT_WARNING = 3


@dataclass(frozen=True)
class TextCost:
    """What one text costs in one language once filled in with sample values."""

    msgid: str
    text: str
    segments: int
    encoding: Encoding


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
    """False for keyword lists, which families type but are never texted."""
    return not any(KEYWORDS_NOTE in comment for comment in message.auto_comments)


def _translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def _forms(source: Message, translation: Message | None) -> list[str]:
    """Every form a family may receive: the translation's, or the English when missing."""
    if _translated(translation):
        assert translation is not None
        found = translation.string
    else:
        found = source.id
    return [str(form) for form in found] if isinstance(found, tuple | list) else [str(found)]


def text_costs(template: Catalog, catalog: Catalog | None) -> tuple[TextCost, ...]:
    """The segments of every sent text in a language (English where untranslated)."""
    costs = []
    for source in template:
        if not source.id or not is_sent(source):
            continue
        translation = catalog.get(source.id) if catalog is not None else None
        for form in _forms(source, translation):
            text = form.format_map(_Samples(SAMPLE_CONTEXT))
            size = measure(text)
            msgid = source.id if isinstance(source.id, str) else source.id[0]
            costs.append(TextCost(msgid, text, size.count, size.encoding))
    return tuple(costs)


class _Samples(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "x" * 10


def language_status(
    locales_dir: Path, language: str, template: Catalog, reviews: Mapping[str, Review]
) -> LanguageStatus:
    """Counts, review and cost for one catalog language (English: the source, complete)."""
    total = sum(1 for message in template if message.id)
    if language == SOURCE_LANGUAGE:
        return LanguageStatus(
            language, "English (source)", total, 0, 0, None, "reviewed", text_costs(template, None)
        )
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
        costs=text_costs(template, catalog),
    )


def catalog_status(locales_dir: Path) -> list[LanguageStatus]:
    """The status of every language with a catalog, English first."""
    template = read_template(locales_dir)
    reviews = load_reviews(locales_dir)
    return [
        language_status(locales_dir, language, template, reviews)
        for language in Catalogs(locales_dir).languages()
    ]
