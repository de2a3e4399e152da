"""Checking flows against every language: untranslated text, keyword clashes, SMS segments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from babel.messages.pofile import read_po

from outreach_bot.attendance.rules import Escalate, Trigger
from outreach_bot.engine.definition import claimed_twice
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs, catalog_folder
from outreach_bot.i18n.direction import RIGHT_TO_LEFT_MARK as RLM
from outreach_bot.i18n.lists import list_pattern
from outreach_bot.messaging.segments import MAX_SEGMENTS
from outreach_bot.segment_budget import worst_costs


@dataclass(frozen=True)
class SegmentRow:
    """How many SMS segments one text costs in each language, at its longest."""

    where: str
    counts: dict[str, int]


@dataclass
class Review:
    """What `flows check` found."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    segments: list[SegmentRow] = field(default_factory=list)


def _msgids(library: FlowLibrary) -> set[str]:
    found = {text.msgid for flow in library.flows.values() for text in flow.texts}
    found |= {text.msgid for text in library.system.values()}
    found |= {
        text.several for flow in library.flows.values() for text in flow.texts if text.several
    }
    found |= {t.keywords for t in library.keywords.triggers if t.keywords}
    return found


def translated(catalogs: Catalogs, language: str) -> set[str]:
    """Msgids a language's catalog translates (not fuzzy, not empty)."""
    path = catalogs.locales_dir / catalog_folder(language) / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    done = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not message.fuzzy and all(strings):
            done.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    return done


def review_library(library: FlowLibrary, catalogs: Catalogs, district_name: str) -> Review:
    """Untranslated texts, keyword clashes and texts over MAX_SEGMENTS are problems."""
    review = Review()
    languages = catalogs.languages()
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        missing = sorted(_msgids(library) - translated(catalogs, language))
        for msgid in missing:
            review.problems.append(f"{language}: not translated: {msgid[:60]!r}")
        localizer = catalogs.get(language)
        for flow in library.flows.values():
            for step in flow.steps.values():
                words = [
                    localizer.gettext(c.keywords) if c.keywords else None for c in step.choices
                ]
                clash = claimed_twice(words)
                if clash:
                    review.problems.append(
                        f"{language}: {flow.source}, step {step.name}: "
                        f"the keyword {clash!r} is claimed by two choices"
                    )
    by_text: dict[str, dict[str, int]] = {}
    for language, found in worst_costs(library, catalogs, district_name).items():
        for cost in found:
            by_text.setdefault(cost.where, {})[language] = cost.segments
            if cost.segments > MAX_SEGMENTS:
                review.problems.append(
                    f"{language}: {cost.where}: {cost.segments} segments, more than"
                    f" {MAX_SEGMENTS} at its longest: {cost.text.replace(RLM, '')[:60]!r}…"
                )
            elif cost.shortfall:
                review.problems.append(
                    f"{language}: {cost.where}: {cost.shortfall} within {MAX_SEGMENTS} segments"
                )
        if list_pattern(language) is None:
            review.warnings.append(
                f"{language}: no list pattern in outreach_bot/i18n/lists.py: several children"
                " are joined with commas only"
            )
    review.segments = [SegmentRow(where, counts) for where, counts in by_text.items()]
    return review


def escalation_reasons(library: FlowLibrary, triggers: Iterable[Trigger]) -> set[str]:
    """Every reason the flows and the scan triggers can open a case for."""
    found = {
        step.reason
        for flow in library.flows.values()
        for step in flow.steps.values()
        if step.kind == "escalate" and step.reason
    }
    return found | {t.action.reason for t in triggers if isinstance(t.action, Escalate)}
