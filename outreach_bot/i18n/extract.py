"""A Babel extractor for flow YAML: every family-facing text becomes a msgid.

Registered as the `outreach_flows` extractor (see pyproject.toml and babel.cfg), so
`pybabel extract -F babel.cfg -o locales/messages.pot .` pulls flow text into the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

TEXT_KEYS = frozenset({"send", "ask", "say", "keywords"})


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
        in_messages = len(trail) == 1 and trail[0] == "messages"
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
                    continue
        yield from _walk(value, (*trail, key))


def extract_flows(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Yield (line, function, message, comments) for each text in a flow or system file."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        name = ""
        if isinstance(root, yaml.MappingNode):
            name = next((str(v.value) for k, v in root.value if k.value == "name"), "")
        yield from _walk(root, (name,) if name else ())
