"""Loading the flows folder: every flow file, and the system messages every flow shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from outreach_bot.engine.definition import SPEC_VERSION, Flow, FlowError, Text, parse_flow

NOT_FLOWS = frozenset({"triggers.yaml", "system.yaml", "quick_replies.yaml"})


@dataclass(frozen=True)
class FlowLibrary:
    """The flows a district runs, by name, and its system messages (HELP, STOP, ...)."""

    flows: Mapping[str, Flow]
    system: Mapping[str, Text]

    def message(self, name: str) -> Text:
        """A system message by name."""
        return self.system[name]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FlowError(f"{path.name}{where}", None, f"is not valid YAML ({error})") from error


def load_system_messages(path: Path) -> dict[str, Text]:
    """The named texts in system.yaml."""
    data = _read_yaml(path)
    if not isinstance(data, Mapping) or data.get("spec_version") != SPEC_VERSION:
        raise FlowError(path.name, None, f"expected spec_version: {SPEC_VERSION} and messages")
    messages = data.get("messages")
    if not isinstance(messages, Mapping):
        raise FlowError(path.name, None, "expected `messages:` mapping names to texts")
    return {str(name): Text(str(text).strip()) for name, text in messages.items()}


def load_library(folder: Path) -> FlowLibrary:
    """Parse every flow in the folder; raise FlowError on the first bad one."""
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in NOT_FLOWS:
            continue
        flow = parse_flow(_read_yaml(path), path.name)
        if flow.name in flows:
            raise FlowError(path.name, None, f"flow name {flow.name!r} is used twice")
        flows[flow.name] = flow
    return FlowLibrary(flows=flows, system=load_system_messages(folder / "system.yaml"))
