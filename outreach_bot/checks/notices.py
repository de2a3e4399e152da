"""Checking the notice rules files (flows/notices/*.yaml) for `flows check`: each file reads
well, every content key its stages need has the letter's text in every family language, and
no translation leaves out a {name} of the English (the child's name above all) or adds one."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from outreach_bot.checks.flows import placeholder_names, placeholders_changed
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE
from outreach_bot.notices.rules import RULES_FOLDER, NoticeRules, NoticeRulesError, load_rules

if TYPE_CHECKING:
    from outreach_bot.notices.content import NoticeContent

CONTENT_MODULE = "outreach_bot.notices.content"


def rules_files(flows_dir: Path) -> list[str]:
    """The states with a rules file in the flows folder, by file name."""
    folder = flows_dir / RULES_FOLDER
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def review_notice_rules(
    flows_dir: Path, locales_dir: Path, languages: Iterable[str]
) -> tuple[list[NoticeRules], list[str], list[str]]:
    """Every rules file, read and checked: (the rules that read, problems, warnings)."""
    found: list[NoticeRules] = []
    problems: list[str] = []
    warnings: list[str] = []
    for state in rules_files(flows_dir):
        try:
            found.append(load_rules(flows_dir, state))
        except NoticeRulesError as error:
            problems.append(str(error))
    if not found:
        return found, problems, warnings
    if find_spec(CONTENT_MODULE) is None:
        warnings.append(
            f"{CONTENT_MODULE} is not installed, so the letters' wording of each content key"
            " was not checked"
        )
        return found, problems, warnings
    from outreach_bot.notices.content import FRAME_KEYS, missing_content, notice_content

    wanted = list(languages)
    for rules in found:
        for key, language in missing_content(rules.content_keys(), wanted, locales_dir):
            stages = [stage.name for stage in rules.stages if key in stage.content]
            problems.append(
                f"{language}: {rules.source}: content key {key!r} (stage {', '.join(stages)})"
                " has no text in this language's letter catalog"
            )
        frame = [*FRAME_KEYS, *(f"title.{stage.name}" for stage in rules.stages)]
        for key, language in missing_content(frame, wanted, locales_dir):
            problems.append(
                f"{language}: {rules.source}: the letter's {key!r} has no text in this"
                " language's letter catalog"
            )
    problems += placeholder_problems(notice_content(locales_dir), wanted)
    return found, problems, warnings


def placeholder_problems(content: NoticeContent, languages: Iterable[str]) -> list[str]:
    """Letter texts whose {names} are not the English text's: a translation that leaves out
    {student} writes to a family without naming its child, and a name the English lacks
    cannot be filled."""
    problems = []
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        for key, text in content.translations(language).items():
            wanted, used = placeholder_names(content.english[key]), placeholder_names(text)
            if wanted != used:
                said = placeholders_changed(wanted - used, used - wanted)
                problems.append(f"{language}: letter text {key!r} is translated {said}")
    return problems
