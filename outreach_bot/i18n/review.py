"""Who checked each translation: reviews kept as data in locales/reviews.yaml.

A qualified person (a fluent speaker who knows the district's families) marks a catalog
reviewed with `outreach-bot i18n review LANG --by NAME`. The review records a fingerprint of
the translations they read: the msgids, the translations and which are fuzzy, not the .po
file's headers, comments or line wrapping. When any translation changes, or a new text
arrives, the fingerprint no longer matches and the review is stale until someone reads the
catalog again. So a district always knows which languages it sends unchecked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from babel.messages.catalog import Catalog

from outreach_bot.i18n.catalogs import catalog_path, read_catalog

REVIEWS_FILE = "reviews.yaml"
ReviewState = Literal["reviewed", "stale", "unreviewed"]
_HEADER = """\
# Who reviewed each translation catalog, and when. Written by
#   outreach-bot i18n review LANG --by NAME
# `fingerprint` is a hash of the translations the reviewer read: when any of them changes,
# or a new text is added, the review is stale and `outreach-bot i18n status` says so.
# Only a fluent speaker who has read the whole catalog should be named here.
"""


@dataclass(frozen=True)
class Review:
    """One language's review: who, when, and what they read."""

    language: str
    reviewer: str
    reviewed_on: date
    fingerprint: str


def fingerprint(catalog: Catalog) -> str:
    """A hash of a catalog's translations (ids, strings, fuzzy flags), ignoring its layout."""
    entries = sorted(
        json.dumps([message.context, message.id, message.string, message.fuzzy])
        for message in catalog
        if message.id
    )
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()[:16]


def catalog_fingerprint(locales_dir: Path, language: str) -> str:
    """The fingerprint of a language's catalog as it is on disk now."""
    return fingerprint(read_catalog(catalog_path(locales_dir, language), language))


def load_reviews(locales_dir: Path) -> dict[str, Review]:
    """Every recorded review, by language; an absent file means none yet."""
    path = locales_dir / REVIEWS_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of language -> reviewer, date, fingerprint")
    reviews = {}
    for language, entry in data.items():
        try:
            reviews[str(language)] = Review(
                language=str(language),
                reviewer=str(entry["reviewer"]),
                reviewed_on=date.fromisoformat(str(entry["date"])),
                fingerprint=str(entry["fingerprint"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{path}, language {language!r}: expected reviewer, date (YYYY-MM-DD) and"
                f" fingerprint ({error})"
            ) from error
    return reviews


def save_reviews(locales_dir: Path, reviews: dict[str, Review]) -> None:
    """Write reviews.yaml, languages in order."""
    data = {
        language: {
            "reviewer": review.reviewer,
            "date": review.reviewed_on.isoformat(),
            "fingerprint": review.fingerprint,
        }
        for language, review in sorted(reviews.items())
    }
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if data else ""
    (locales_dir / REVIEWS_FILE).write_text(_HEADER + body, encoding="utf-8")


def mark_reviewed(locales_dir: Path, language: str, reviewer: str, on: date) -> Review:
    """Record that `reviewer` read the whole catalog for `language` as it is now."""
    if not reviewer.strip():
        raise ValueError("a review needs the reviewer's name (--by NAME)")
    if not catalog_path(locales_dir, language).exists():
        raise ValueError(f"there is no catalog for {language!r} under {locales_dir}")
    review = Review(language, reviewer.strip(), on, catalog_fingerprint(locales_dir, language))
    reviews = load_reviews(locales_dir)
    reviews[language] = review
    save_reviews(locales_dir, reviews)
    return review


def review_state(review: Review | None, current_fingerprint: str) -> ReviewState:
    """Whether a review covers the catalog as it is now."""
    if review is None:
        return "unreviewed"
    return "reviewed" if review.fingerprint == current_fingerprint else "stale"
