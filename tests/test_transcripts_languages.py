"""Golden transcripts: missed_you and barriers, as a family reads them, in every language.

Run with UPDATE_GOLDEN=1 to rewrite tests/golden/<flow>.<lang>.txt after a deliberate change,
then read the diff: these files are what a family will see.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import Reply, SendText, Start, State, advance
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
CONTEXT = {
    "school_name": "Lincoln Elementary",
    "first_name": "Ana",
    "days_missed": 4,
    "district_name": "Riverside Unified",
    "school_phone": "(503) 555-0142",
    "children_count": 1,
}
# Each flow's script: the family's replies after the flow starts.
SCRIPTS = {"missed_you": ["1"], "barriers": ["6"]}


def transcript(flow_name: str, language: str) -> str:
    """The conversation as text: '>' the family, '<' a text to them, '=' anything else."""
    flow = load_library(ROOT / "flows").flows[flow_name]
    localizer = Catalogs(ROOT / "locales").get(language)
    lines = [f"# {flow_name} in {language}"]
    state = State()
    for reply in [None, *SCRIPTS[flow_name]]:
        lines.append("> (start)" if reply is None else f"> {reply}")
        event = Start() if reply is None else Reply(reply)
        events, state = advance(flow, state, event, now=NOW, context=CONTEXT, localizer=localizer)
        for found in events:
            if isinstance(found, SendText):
                lines += [f"< {line}" for line in found.text.splitlines()]
            else:
                fields = ", ".join(f"{v}" for v in vars(found).values())
                lines.append(f"= {type(found).__name__}({fields})")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("flow_name", sorted(SCRIPTS))
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_transcript_matches_golden_file(flow_name, language):
    path = GOLDEN / f"{flow_name}.{language}.txt"
    text = transcript(flow_name, language)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_no_english_reaches_a_family_in_another_language(language):
    for flow_name in SCRIPTS:
        english = transcript(flow_name, "en").splitlines()
        translated = transcript(flow_name, language).splitlines()
        texts = [line for line in translated if line.startswith("< ")]
        assert texts and not set(texts) & {line for line in english if line.startswith("< ")}
