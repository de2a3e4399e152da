"""A Babel extractor for flow YAML: every family-facing text becomes a msgid.

Registered as the `outreach_flows` extractor (see pyproject.toml and babel.cfg), so
`pybabel extract -F babel.cfg -o locales/messages.pot .` pulls flow text into the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

TEXT_KEYS = frozenset({"send", "ask", "say", "keywords", "later"})
# Notes every translator sees beside the text (#. lines in the .po files).
BUDGET_NOTE = (
    "Keep it to 2 SMS segments: 306 characters when every character is in the GSM-7"
    " alphabet (so no curly quotes or accents it lacks, where the language allows), 134"
    " otherwise; never more than 3. Keep {placeholders} exactly as they are."
)
QUESTION_NOTE = (
    "One question with numbered answers: keep each digit at the start of its line, and the"
    " line breaks; a few plain words per answer."
)
FIRST_TEXT_NOTE = (
    "The first text of a conversation: it says who is writing and how to stop. Use the STOP"
    " word this language's parents reply with (outreach_bot/messaging/optout.py knows it)."
)
LATER_NOTE = (
    "Sent instead of the text above when it can only go out on a later day. {absence_day} is"
    ' that day, written as this language writes a date ("Wednesday, October 14"); it never'
    " changes form, so place it where it reads well, in brackets if need be."
)
PAGE_NOTE = (
    "Words on the printable web page a family opens from a text's link (not an SMS, so no"
    " segment limit): a heading or a label beside a place's phone, address, opening hours."
    " Short and plain; keep {placeholders} exactly as they are."
)
KEYWORDS_NOTE = (
    "Not sent: words a parent may reply with instead of the number, comma-separated, in lower"
    " case. Add the spellings parents really type (without accents, in Latin letters). A word"
    " must not belong to two answers of the same question."
)


def _scalar(node: yaml.Node) -> str | None:
    return node.value.strip() if isinstance(node, yaml.ScalarNode) and node.value.strip() else None


def _walk(node: yaml.Node, trail: tuple[str, ...]) -> Iterator[tuple[int, str, Any, list[str]]]:
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value, start=1):
            yield from _walk(item, (*trail, str(index)))
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value in node.value:
        key = str(key_node.value)
        where = ".".join((*trail, key))
        in_messages = len(trail) == 1 and trail[0] in ("messages", "page")
        if key in TEXT_KEYS or in_messages:
            text = _scalar(value)
            if text:
                note = "comma-separated words a family may reply with" if key == "keywords" else ""
                yield (
                    value.start_mark.line + 1,
                    "gettext",
                    text,
                    [f"{where}: {note}" if note else where],
                )
                continue
            if isinstance(value, yaml.MappingNode):
                forms = {str(k.value): v for k, v in value.value}
                one, other = _scalar(forms.get("one", value)), _scalar(forms.get("other", value))
                if one and other:
                    yield value.start_mark.line + 1, "ngettext", (one, other), [where]
                for form in ("text", "several"):
                    text = _scalar(forms.get(form, value))
                    if text:
                        note = "about two or more children" if form == "several" else ""
                        comments = [f"{where}.{form}: {note}" if note else where]
                        yield forms[form].start_mark.line + 1, "gettext", text, comments
                continue
        yield from _walk(value, (*trail, key))


def translator_notes(where: str, start_step: str = "") -> list[str]:
    """Context for translators: who speaks, to whom, what the text is for, how long it may be."""
    path = where.partition(":")[0]
    if path.endswith(".keywords"):
        return [KEYWORDS_NOTE]
    if path.startswith("page."):
        return [PAGE_NOTE]
    who = "The district" if path.startswith("messages.") else "The school"
    notes = [f"{who} to a parent, by SMS: warm, plain, short. {BUDGET_NOTE}"]
    if path.endswith((".ask", ".ask.text", ".ask.several")):
        notes.append(QUESTION_NOTE)
    if path.endswith((".later", ".later.text", ".later.several")):
        notes.append(LATER_NOTE)
    if start_step and any(f".steps.{start_step}.{key}" in path for key in ("send", "later")):
        notes.append(FIRST_TEXT_NOTE)
    return notes


def extract_flows(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Yield (line, function, message, comments) for each text in a flow or system file."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is None:
        return
    name = start = ""
    if isinstance(root, yaml.MappingNode):
        top = {str(key.value): value for key, value in root.value}
        name = _scalar(top["name"]) or "" if "name" in top else ""
        start = _scalar(top["start"]) or "" if "start" in top else ""
    for line, function, message, comments in _walk(root, (name,) if name else ()):
        yield line, function, message, [*comments, *translator_notes(comments[0], start)]
