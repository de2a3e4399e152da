"""Checking flows against every language: untranslated text, placeholders a translation
leaves out or adds, keyword clashes, SMS segments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from babel.messages.pofile import read_po

from outreach_bot.attendance.rules import Escalate, Trigger
from outreach_bot.checks.segments import worst_costs
from outreach_bot.engine.definition import PLACEHOLDER, overlap_problem
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.engine.matching import fold
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs, catalog_folder
from outreach_bot.i18n.direction import RIGHT_TO_LEFT_MARK as RLM
from outreach_bot.i18n.lists import list_pattern
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.segments import MAX_SEGMENTS


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


def _translations(
    catalogs: Catalogs, language: str
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """A language's finished translations (not fuzzy, not empty): msgid to (its English
    forms, its translated forms)."""
    path = catalogs.locales_dir / catalog_folder(language) / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    done: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for message in catalog:
        ids = _forms(message.id)
        strings = _forms(message.string)
        if message.id and not message.fuzzy and all(strings):
            done[ids[0]] = (ids, strings)
    return done


def translated(catalogs: Catalogs, language: str) -> set[str]:
    """Msgids a language's catalog translates (not fuzzy, not empty)."""
    return set(_translations(catalogs, language))


def placeholder_problems(catalogs: Catalogs, language: str, msgids: Iterable[str]) -> list[str]:
    """Translations whose {names} are not the English text's: a name left out drops what the
    family needs (the child's name, the count of days, the school's phone), and a name the
    English lacks cannot be filled. A plural's forms may each use fewer ("one day"), but
    together they use them all."""
    done = _translations(catalogs, language)
    problems = []
    for msgid in sorted(set(msgids) & set(done)):
        english, forms = done[msgid]
        wanted = set().union(*(placeholder_names(text) for text in english))
        used = [placeholder_names(text) for text in forms]
        extra = set().union(*used) - wanted
        missing = wanted - (set().union(*used) if len(english) > 1 else used[0])
        if extra or missing:
            said = placeholders_changed(missing, extra)
            problems.append(f"{language}: {msgid[:60]!r} is translated {said}")
    return problems


def placeholders_changed(missing: set[str], extra: set[str]) -> str:
    """How a translation's {names} differ from the English's, as `flows check` says it."""
    said = [f"without {{{name}}}" for name in sorted(missing)]
    said += [f"with {{{name}}}, which the English does not have" for name in sorted(extra)]
    return " and ".join(said)


def placeholder_names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def review_library(library: FlowLibrary, catalogs: Catalogs, district_name: str) -> Review:
    """Untranslated texts, keyword clashes and texts over MAX_SEGMENTS are problems."""
    review = Review(problems=keyword_problems(library, catalogs))
    languages = catalogs.languages()
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        missing = sorted(_msgids(library) - translated(catalogs, language))
        for msgid in missing:
            review.problems.append(f"{language}: not translated: {msgid[:60]!r}")
        review.problems += placeholder_problems(catalogs, language, _msgids(library))
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


def keyword_problems(library: FlowLibrary, catalogs: Catalogs) -> list[str]:
    """Keywords a family could not be understood by, in each language, as sentences.

    A choice's keyword that overlaps another choice's matches neither; a choice or trigger
    keyword that is also a STOP, START or HELP word never reaches the flow (STOP would even
    end the family's texts). Each keyword is read exactly as the inbox reads a family's text
    in that language, as written and as typed without accents.
    """
    problems = []
    for language in catalogs.languages():
        localizer = catalogs.get(language)
        for where, keyword_lists in _keyword_lists(library):
            words = [localizer.gettext(k) if k else None for k in keyword_lists]
            overlap = overlap_problem(words) if len(words) > 1 else None
            if overlap:
                problems.append(f"{language}: {where}: {overlap}")
            for word in {w.strip() for k in words for w in (k or "").split(",") if w.strip()}:
                taken = classify_keyword(word, language) or classify_keyword(fold(word), language)
                if taken:
                    problems.append(
                        f"{language}: {where}: the keyword {word!r} is also a "
                        f"{taken.upper()} word, so a family who sends it gets {taken.upper()}; "
                        "change the keyword (or the table in outreach_bot/messaging/opt_words.py)"
                    )
    return problems


def _keyword_lists(library: FlowLibrary) -> Iterator[tuple[str, list[str | None]]]:
    """Each ask's choice keywords, and each keyword trigger's, with where they are written."""
    for flow in library.flows.values():
        for step in flow.steps.values():
            if step.choices:
                yield f"{flow.source}, step {step.name}", [c.keywords for c in step.choices]
    for trigger in library.keywords.triggers:
        if trigger.keywords:
            yield f"triggers.yaml, keyword trigger {trigger.name}", [trigger.keywords]


def escalation_reasons(library: FlowLibrary, triggers: Iterable[Trigger]) -> set[str]:
    """Every reason the flows and the scan triggers can open a case for."""
    found = {
        step.reason
        for flow in library.flows.values()
        for step in flow.steps.values()
        if step.kind == "escalate" and step.reason
    }
    return found | {t.action.reason for t in triggers if isinstance(t.action, Escalate)}


def _forms(forms: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A catalog message's id or string as its forms (one, or singular and plurals)."""
    if forms is None:
        return ("",)
    return (forms,) if isinstance(forms, str) else tuple(forms)
