"""`report board`: the school board's one page, rendered by WeasyPrint and read back by pypdf."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pypdf import PdfReader

from outreach_bot.cli import main
from tests.report_district import build_district


def _board(runtime, cli, clock, tmp_path, month):
    with runtime.db.transaction() as session:
        build_district(session)
    clock.current = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
    out = tmp_path / "board.pdf"
    outcome = cli.invoke(main, ["report", "board", "--month", month, "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    reader = PdfReader(out)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    return outcome.output, reader, text


def test_the_board_page_carries_the_reports_numbers_on_one_page(runtime, cli, clock, tmp_path):
    output, reader, text = _board(runtime, cli, clock, tmp_path, "2026-11")
    assert len(reader.pages) == 1
    assert "as of 2026-11-06" in output
    # The district on 11-06 (tests/report_district.py): 10 counted, 4 moderate + 1 severe.
    assert "50.0% of 10 students are chronically absent (5: 4 moderate, 1 severe); 2 more" in text
    # The trend: October's end 4/9, then 11-06 5/10.
    assert "Chronic rate 44.4% 50.0%" in text
    # Schools ranked: Maple 4/7 before Oak 1/3.
    assert re.search(r"Maple Elementary 7 4 57\.1%.*Oak Elementary 3 1 33\.3%", text)
    assert "Families texted 0 0" in text
    assert "No holdout measured yet" in text


def test_an_earlier_month_ends_on_its_last_day_as_in_the_trend(runtime, cli, clock, tmp_path):
    output, _, text = _board(runtime, cli, clock, tmp_path, "2026-10")
    assert "as of 2026-10-31" in output
    assert "44.4% of 9 students are chronically absent" in text


def test_a_bad_or_empty_month_names_the_option(runtime, cli, clock, tmp_path):
    with runtime.db.transaction() as session:
        build_district(session)
    clock.current = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)
    for month, expected in (
        ("2026-13", "expected YYYY-MM"),
        ("2026-08", "No school days with attendance from 2026-07-01 to 2026-08-31"),
        ("2026-12", "2026-12 has not started yet"),
    ):
        outcome = cli.invoke(
            main, ["report", "board", "--month", month, "--out", str(tmp_path / "x.pdf")]
        )
        assert outcome.exit_code == 2, outcome.output
        assert "--month" in outcome.output and expected in outcome.output
        assert not (tmp_path / "x.pdf").exists()
