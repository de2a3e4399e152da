"""Quick replies: short texts staff send from a case, in the family's own language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from outreach_bot.engine.definition import FlowError, Text
from outreach_bot.engine.library import load_messages
from outreach_bot.engine.runner import render
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE, Catalogs

FILE_NAME = "quick_replies.yaml"
PLACEHOLDERS = frozenset({"first_name", "school_name", "district_name", "school_phone"})


@dataclass(frozen=True)
class QuickReply:
    """One quick reply, rendered for one family."""

    name: str
    body: str
    language: str
    translated: bool


def load_quick_replies(flows_dir: Path) -> dict[str, Text]:
    """The named texts in flows/quick_replies.yaml; FlowError on a bad file or placeholder."""
    path = flows_dir / FILE_NAME
    if not path.exists():
        return {}
    texts = load_messages(path)
    for name, text in texts.items():
        if unknown := text.placeholders() - PLACEHOLDERS:
            raise FlowError(
                path.name,
                name,
                f"uses unknown placeholder(s) {', '.join(sorted(unknown))}; "
                f"quick replies may use {', '.join(sorted(PLACEHOLDERS))}",
            )
    return texts


def render_quick_replies(
    texts: Mapping[str, Text],
    language: str,
    context: Mapping[str, object],
    catalogs: Catalogs,
) -> list[QuickReply]:
    """Every quick reply in the family's catalog language, filled in with the family's facts."""
    chosen = catalogs.choose(language)
    localizer = catalogs.get(chosen)
    allowed = {key: value for key, value in context.items() if key in PLACEHOLDERS}
    replies = []
    for name, text in texts.items():
        translated = chosen == SOURCE_LANGUAGE or localizer.gettext(text.msgid) != text.msgid
        body = render(text, allowed, localizer)
        replies.append(
            QuickReply(name, body, chosen if translated else SOURCE_LANGUAGE, translated)
        )
    return replies
