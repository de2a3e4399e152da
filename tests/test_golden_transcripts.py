"""Golden transcripts: every flow, scripted, in English and Spanish, as a family would read it.

A change to a flow or a catalog shows up here as a diff to review. After reviewing, rewrite
the files with: UPDATE_GOLDEN=1 pytest tests/test_golden_transcripts.py
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach_bot.engine.library import load_library
from outreach_bot.engine.simulator import Simulation
from outreach_bot.i18n.catalogs import Catalogs

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "flows"
LIBRARY = load_library(ROOT / "flows")
CATALOGS = Catalogs(ROOT / "locales")
START = datetime(2026, 10, 14, 22, 30, tzinfo=UTC)
SCRIPTS: dict[str, list[list[str]]] = {
    "missed_you": [["1"], ["3", "1"], ["4"], ["no sé", "???"], ["/wait 2d"], ["5"]],
    "barriers": [["2"], ["3", "2"], ["4"], ["5", "1"], ["5", "2"], ["5", "3"], ["6"]],
    "chronic_outreach": [["1"], ["2", "1"], ["3"], ["/wait 3d"]],
    "followup": [["1"], ["2"], ["3"], ["/wait 3d"]],
    "attendance_lookup": [[]],
    "recognition": [[]],
    "language": [[]],
    "language_offer": [["1"], ["2"], ["/wait 1d"]],
    "received": [[]],
}


def transcript(flow: str, language: str) -> str:
    """Every script of a flow, run in a language."""
    sections = []
    for replies in SCRIPTS[flow]:
        simulation = Simulation(LIBRARY, flow, CATALOGS.get(language), START)
        lines = simulation.start()
        for reply in replies:
            lines += simulation.say(reply)
        title = " / ".join(replies) or "(no reply)"
        sections.append(f"=== {title}\n" + "\n".join(lines))
    return "\n\n".join(sections) + "\n"


def test_every_flow_has_scripts():
    assert set(SCRIPTS) == set(LIBRARY.flows)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("flow", sorted(SCRIPTS))
def test_golden_transcript(flow: str, language: str) -> None:
    path = GOLDEN / f"{flow}.{language}.txt"
    actual = transcript(flow, language)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
