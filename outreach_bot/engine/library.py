"""Loading the flows folder: every flow, the keyword triggers, and the shared system messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from outreach_bot.engine.definition import (
    PLACEHOLDERS,
    SPEC_VERSION,
    Flow,
    FlowError,
    Text,
    parse_flow,
    parse_text,
)
from outreach_bot.engine.keywords import KeywordRules, parse_keyword_rules

NOT_FLOWS = frozenset({"triggers.yaml", "system.yaml", "quick_replies.yaml", "resource_page.yaml"})


@dataclass(frozen=True)
class FlowLibrary:
    """The flows a district runs, by name, its keyword triggers and its system messages."""

    flows: Mapping[str, Flow]
    system: Mapping[str, Text]
    keywords: KeywordRules = field(default_factory=KeywordRules)

    def message(self, name: str) -> Text:
        """A system message by name."""
        return self.system[name]


def read_yaml(path: Path) -> object:
    """A YAML file's data; a syntax error names the file, line and column."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FlowError(f"{path.name}{where}", None, f"is not valid YAML ({error})") from error


def load_messages(path: Path) -> dict[str, Text]:
    """The named texts of a messages file (system.yaml, quick_replies.yaml)."""
    data = read_yaml(path)
    if not isinstance(data, Mapping) or data.get("spec_version") != SPEC_VERSION:
        raise FlowError(path.name, None, f"expected spec_version: {SPEC_VERSION} and messages")
    messages = data.get("messages")
    if not isinstance(messages, Mapping):
        raise FlowError(path.name, None, "expected `messages:` mapping names to texts")
    found = {str(name): parse_text(text, path.name, str(name)) for name, text in messages.items()}
    for name, text in found.items():
        unknown = text.placeholders() - PLACEHOLDERS
        if unknown:
            raise FlowError(path.name, name, f"unknown placeholder {{{sorted(unknown)[0]}}}")
    return found


def load_library(folder: Path) -> FlowLibrary:
    """Parse every flow in the folder; raise FlowError on the first bad one."""
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in NOT_FLOWS:
            continue
        flow = parse_flow(read_yaml(path), path.name)
        if flow.name in flows:
            raise FlowError(path.name, None, f"flow name {flow.name!r} is used twice")
        flows[flow.name] = flow
    triggers = folder / "triggers.yaml"
    keywords = (
        parse_keyword_rules(read_yaml(triggers), triggers.name)
        if triggers.exists()
        else KeywordRules()
    )
    for name in sorted(keywords.flows() - set(flows)):
        raise FlowError(triggers.name, None, f"starts flow {name!r}, which does not exist")
    for flow in flows.values():
        for name in sorted(flow.flows_started() - set(flows)):
            raise FlowError(flow.source, None, f"starts flow {name!r}, which does not exist")
    return FlowLibrary(flows=flows, system=load_messages(folder / "system.yaml"), keywords=keywords)
