"""`outreach-bot flows check` and `flows simulate`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach_bot import create_app
from outreach_bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", folder)
    return folder


def run(monkeypatch, args: list[str], **settings: object):
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://", **settings})
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    return CliRunner().invoke(main, args)


def test_the_shipped_flows_pass_with_segments_per_language(monkeypatch):
    outcome = run(monkeypatch, ["flows", "check"])
    assert outcome.exit_code == 0, outcome.output
    assert "missed_you.yaml, step hello" in outcome.output
    assert outcome.output.splitlines()[-1].endswith("all good")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("next: what_would_help", "next: what_would_hep"), "goes to 'what_would_hep'"),
        (
            ("We missed {first_name} today!", "We missed {student_name} today!"),
            "unknown placeholder {student_name}",
        ),
        (
            ('- keywords: "health, sick', '- keywords: "bus, health, sick'),
            "the keyword 'bus' is claimed by two choices",
        ),
        (
            (
                "    timeout:\n      after: 2d\n      next: no_reply\n\n  transportation:",
                "\n  transportation:",
            ),
            "an ask needs a timeout",
        ),
    ],
)
def test_a_broken_flow_is_rejected_naming_file_step_and_reason(
    monkeypatch, flows_copy, edit, message
):
    path = flows_copy / "missed_you.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    outcome = run(monkeypatch, ["flows", "check"], FLOWS_DIR=str(flows_copy))
    assert outcome.exit_code == 1
    assert "missed_you.yaml" in outcome.output and message in outcome.output


def test_untranslated_text_is_rejected_per_language(monkeypatch, flows_copy):
    path = flows_copy / "recognition.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Thank you for all you do.", "Thanks a lot.", 1), encoding="utf-8")
    outcome = run(monkeypatch, ["flows", "check"], FLOWS_DIR=str(flows_copy))
    assert outcome.exit_code == 1
    assert "es: not translated: 'Great news from {school_name}" in outcome.output


def test_simulate_reads_a_script_and_passes_time(monkeypatch, tmp_path):
    script = tmp_path / "replies.txt"
    script.write_text("hmm\n/wait 2d\n", encoding="utf-8")
    outcome = run(
        monkeypatch, ["flows", "simulate", "missed_you", "--lang", "es", "--script", str(script)]
    )
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[0].startswith("school ◂ Hola, le escribe Lincoln Elementary.")
    assert "family ▸ hmm" in lines
    assert "[2d later]" in lines
    assert lines[-2:] == ["  [escalation: no_reply, normal]", "  [ended: no_reply]"]


def test_simulate_refuses_an_unknown_flow(monkeypatch):
    outcome = run(monkeypatch, ["flows", "simulate", "nope"])
    assert outcome.exit_code == 1 and "no flow named 'nope'" in outcome.output


@pytest.fixture
def locales_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", folder)
    return folder


def _lengthen(locales: Path, language: str, old: str, new: str) -> None:
    path = locales / language / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


THANKS = 'msgstr "Gracias por decirnos. ¡Esperamos ver a {first_name} pronto en la escuela!'
SHEET_INTRO = 'msgstr "가까운 곳의 도움:'


@pytest.mark.parametrize(
    ("language", "old", "new", "message"),
    [
        # GSM-7 and 2 segments with "Ana"; UCS-2 and 4 with "Nicolás y Zoë".
        (
            "es",
            THANKS,
            THANKS + " Cada dia cuenta." * 8,
            "error: es: barriers.yaml, step thanks: 4 segments, more than 3 at its longest",
        ),
        # So long an intro that only two places fit, even without their web addresses.
        (
            "ko",
            SHEET_INTRO,
            SHEET_INTRO[:-1] + "입니다. 전화하시면 친절하게 안내해 드립니다." * 3 + ":",
            "error: ko: resource sheet of 3 places: only 2 of 3 places fit within 3 segments",
        ),
    ],
)
def test_a_text_or_sheet_over_three_segments_fails_naming_language_text_and_count(
    monkeypatch, locales_copy, language, old, new, message
):
    _lengthen(locales_copy, language, old, new)
    outcome = run(monkeypatch, ["flows", "check"], LOCALES_DIR=str(locales_copy))
    assert outcome.exit_code == 1
    assert message in outcome.output


def test_the_district_name_is_measured_as_the_district_set_it(monkeypatch):
    long_name = "The Consolidated Independent School District of Maple Valley County"
    outcome = run(monkeypatch, ["flows", "check"], DISTRICT_NAME=long_name)
    assert outcome.exit_code == 1
    assert "attendance_lookup.yaml, step summary: 4 segments" in outcome.output


def test_the_shipped_flows_pass_with_a_long_district_name(monkeypatch):
    # 36 letters, as long as many real district names: HELP and the attendance summary
    # name the district in every language and must still fit.
    long_name = "Maple Valley Unified School District"
    outcome = run(monkeypatch, ["flows", "check"], DISTRICT_NAME=long_name)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines()[-1].endswith("all good")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        # The child's name left out: the family reads a thank-you about nobody.
        (
            'msgstr "Gracias por decirnos. ¡Esperamos ver a su hijo pronto en la escuela!',
            "error: es: 'Thank you for telling us. We hope to see {first_name} at sch' "
            "is translated without {first_name}",
        ),
        # A name the English does not have cannot be filled in.
        (
            'msgstr "Gracias por decirnos. ¡Esperamos ver a {first_name} pronto en {escuela}!',
            "is translated with {escuela}, which the English does not have",
        ),
    ],
)
def test_a_translation_that_drops_or_adds_a_placeholder_fails(
    monkeypatch, locales_copy, new, message
):
    old = 'msgstr "Gracias por decirnos. ¡Esperamos ver a {first_name} pronto en la escuela!'
    _lengthen(locales_copy, "es", old, new)
    outcome = run(monkeypatch, ["flows", "check"], LOCALES_DIR=str(locales_copy))
    assert outcome.exit_code == 1
    assert message in outcome.output
