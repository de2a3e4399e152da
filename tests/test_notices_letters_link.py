"""Where notices meet the letters (`outreach_bot/notices/letter.py` and `content.py`, built on
the "letters" branch): `notices pdf` and `flows check`'s content keys.

These pass once both branches are merged; before that, this branch lacks the letter modules
and they fail on the missing import, as they should.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from outreach_bot import create_app
from outreach_bot.cli import main
from outreach_bot.models import AttendanceRecord, Guardian
from tests.factories import add_family, add_school

ROOT = Path(__file__).resolve().parent.parent
OCTOBER = [date(2026, 10, day) for day in (5, 6, 7)]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "NOTICES_STATE": "CA"}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_notices_pdf_prints_the_letter_of_a_notice_run_sent(runtime, cli, tmp_path, language):
    with runtime.db.transaction() as session:
        add_school(session)
        guardian = add_family(session, phone="+15035550142", language=language)
        session.get_one(Guardian, guardian.id).address_line1 = "12 Testing Lane"
        session.add_all(
            AttendanceRecord(student_id="S1001", date=day, status="unexcused") for day in OCTOBER
        )
    assert cli.invoke(main, ["notices", "run", "--date", "2026-10-14"]).exit_code == 0
    out = tmp_path / "notice.pdf"
    outcome = cli.invoke(main, ["notices", "pdf", "1", "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    assert f"(first, {language})" in outcome.output
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Ana Testperson" in text and "Lincoln Elementary" in text
    assert "12 Testing Lane" in text
    for removed in ("infraction", "prosecut", "driving privilege"):
        assert removed not in text.lower()


def test_flows_check_names_a_content_key_no_language_has_text_for(monkeypatch, tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    rules = flows / "notices" / "CA.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(
        text.replace(
            "      - conference_invitation\n", "      - conference_invitation\n      - court_date\n"
        ),
        encoding="utf-8",
    )
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://", "FLOWS_DIR": str(flows)})
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    outcome = CliRunner().invoke(main, ["flows", "check"])
    assert outcome.exit_code == 1
    assert "en: notices/CA.yaml: content key 'court_date' (stage conference)" in outcome.output


def test_flows_check_reads_the_letters_wording_of_every_key(monkeypatch):
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://"})
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    outcome = CliRunner().invoke(main, ["flows", "check"])
    assert outcome.exit_code == 0, outcome.output
    assert "was not checked" not in outcome.output
    assert outcome.output.splitlines()[-1].endswith("1 notice rules, 17 languages: all good")


def test_notices_pdf_refuses_a_letter_without_the_schools_phone(runtime, cli, tmp_path):
    with runtime.db.transaction() as session:
        add_school(session, phone=None)
        add_family(session, phone="+15035550142")
        session.add_all(
            AttendanceRecord(student_id="S1001", date=day, status="unexcused") for day in OCTOBER
        )
    assert cli.invoke(main, ["notices", "run", "--date", "2026-10-14"]).exit_code == 0
    out = tmp_path / "notice.pdf"
    outcome = cli.invoke(main, ["notices", "pdf", "1", "--out", str(out)])
    assert outcome.exit_code == 1
    assert "has no phone on file" in outcome.output and "schools.csv" in outcome.output
    assert not out.exists()
