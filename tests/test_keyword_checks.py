"""`flows check` fails on choice keywords a family could not be understood by, in any language.

A choice keyword that STOP, START or HELP would take first never reaches the flow (STOP ends
the family's texts); a keyword that lies inside another choice's matches both and neither.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from outreach_bot.engine.definition import FlowError, overlapping, parse_flow
from tests.test_flows_cli import run

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path / "flows", tmp_path / "locales"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def catalog(locales: Path, language: str) -> Path:
    return locales / language / "LC_MESSAGES" / "messages.po"


# (where to edit: a catalog's language or a flow file, the text there, what it becomes,
# the problem `flows check` must then report).
BROKEN = [
    # The two: "rete" (stay) and "tsis xav tau" (no), were they STOP words again.
    ("es", '"lugar, vivir, vivienda,', '"alto, lugar, vivir, vivienda,',
     "es: missed_you.yaml, step housing_or_food: the keyword 'alto' is also a STOP word"),
    ("hmn", '"tsis, tsis xav, tsis xav tau,', '"nres, tsis, tsis xav, tsis xav tau,',
     "hmn: language_offer.yaml, step offer: the keyword 'nres' is also a STOP word"),
    ("ru", '"да, да пожалуйста,', '"помощь, да, да пожалуйста,',
     "ru: language_offer.yaml, step offer: the keyword 'помощь' is also a HELP word"),
    # Pooled: a Korean word that is English START is caught in Korean too.
    ("ko", '"네, 예, 응,', '"start, 네, 예, 응,',
     "ko: language_offer.yaml, step offer: the keyword 'start' is also a START word"),
    # Read as the inbox reads it: a Vietnamese keyword whose unmarked form is STOP there.
    ("vi", '"có, có ạ, vâng,', '"dừng, có, có ạ, vâng,',
     "vi: language_offer.yaml, step offer: the keyword 'dừng' is also a STOP word"),
    ("vi", '"có, có ạ, vâng,', '"dưng, có, có ạ, vâng,',
     "vi: language_offer.yaml, step offer: the keyword 'dưng' is also a STOP word"),
    ("chronic_outreach.yaml", '"tell, problem, need help"', '"tell, help, problem"',
     "en: chronic_outreach.yaml, step offer: the keyword 'help' is also a HELP word"),
    # Overlapping keyword lists of two choices.
    ("es", "dale, si quiero", "dale, quiero",
     "the keyword 'quiero' of one choice is part of 'no quiero' of another"),
    ("zh_Hans", '"好, 好的, 可以,', '"要, 好, 好的, 可以,',
     "the keyword '要' of one choice is part of '不要' of another"),
    ("hmn", '"kuv xav tau, yog lawm,', '"xav tau, kuv xav tau, yog lawm,',
     "the keyword 'xav tau' of one choice is part of 'tsis xav tau' of another"),
    ("pa", '"ਹਾਂ, ਹਾਂ ਜੀ, ਜ਼ਰੂਰ,', '"ਜੀ, ਹਾਂ, ਹਾਂ ਜੀ, ਜ਼ਰੂਰ,',
     "the keyword 'ਜੀ' of one choice is part of 'ਨਹੀਂ ਜੀ' of another"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "old", "new", "problem"), BROKEN)
def test_flows_check_fails_on_keywords_a_family_would_not_be_understood_by(
    monkeypatch, folders, where, old, new, problem
):
    flows, locales = folders
    edit(flows / where if where.endswith(".yaml") else catalog(locales, where), old, new)
    outcome = run(monkeypatch, ["flows", "check"], FLOWS_DIR=str(flows), LOCALES_DIR=str(locales))
    assert outcome.exit_code != 0
    assert problem in outcome.output, outcome.output


@pytest.mark.parametrize(
    ("lists", "found"),
    [
        (["yes, ok", "no, ok"], ("ok", "ok")),
        (["call", "call me, talk"], ("call", "call me")),
        (["要, 好", "不要, 不"], ("要", "不要")),
        (["bus, ride", "bus stop"], ("bus", "bus stop")),
        (["yes", "no", None], None),
        (["call me", "call"], ("call", "call me")),
        (["stay", "stayed"], None),  # whole words only
    ],
)
def test_overlapping_finds_a_keyword_inside_another_choice_s(lists, found):
    assert overlapping(lists) == found


def test_an_english_flow_with_overlapping_choices_is_refused_when_loaded():
    flow = {
        "spec_version": 1,
        "name": "overlap",
        "expires_after": "1d",
        "start": "ask",
        "steps": {
            "ask": {
                "ask": "1 Call me 2 Text me",
                "choices": [
                    {"keywords": "call, phone", "next": "done"},
                    {"keywords": "text, dont call", "next": "done"},
                ],
                "other": {"next": "done"},
                "timeout": {"after": "1d", "next": "done"},
            },
            "done": {"end": "done"},
        },
    }
    with pytest.raises(FlowError, match="'call' of one choice is part of 'dont call'"):
        parse_flow(flow, "overlap.yaml")
