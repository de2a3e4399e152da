"""Notice rules as data: the shipped CA file, its checks, and which stage is due when."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from outreach_bot.notices.counters import AttendanceRow, count_truancy
from outreach_bot.notices.rules import (
    NoticeRulesError,
    Sent,
    due_stage,
    load_rules,
    parse_rules,
)

FLOWS = Path(__file__).resolve().parent.parent / "flows"
FIRST_CONTENT = (
    "truant",
    "compel_attendance",
    "alternative_programs",
    "meet_staff",
    "support_services",
    "attendance_strategies",
    "research_ten_percent",
)
AS_OF = date(2026, 11, 30)


def ca_data() -> dict:
    return yaml.safe_load((FLOWS / "notices" / "CA.yaml").read_text(encoding="utf-8"))


def unexcused(*days: int):
    truancy_rows = [AttendanceRow(date(2026, 10, day), "unexcused") for day in days]
    return count_truancy(truancy_rows, AS_OF)


def test_the_california_file_has_three_stages_in_order():
    rules = load_rules(FLOWS, "CA")
    assert [stage.name for stage in rules.stages] == ["first", "second", "conference"]
    first = rules.stage("first")
    assert first.content == FIRST_CONTENT
    assert (first.counter, first.at_least, first.channels) == ("truancies", 3, ("letter", "text"))
    assert rules.stage("conference").requires_contact_attempt
    assert rules.partial_minutes == 30


def test_no_stage_asks_for_the_removed_threats():
    keys = " ".join(load_rules(FLOWS, "CA").content_keys())
    for removed in ("infraction", "prosecut", "driving", "attend_class", "court", "fine"):
        assert removed not in keys


def test_the_first_notice_is_due_at_exactly_three():
    rules = load_rules(FLOWS, "CA")
    assert due_stage(rules, unexcused(5, 6), [], contact_attempted=False).stage is None
    due = due_stage(rules, unexcused(5, 6, 7), [], contact_attempted=False)
    assert due.stage is not None and due.stage.name == "first"


def test_the_second_needs_a_day_beyond_those_the_first_listed():
    rules = load_rules(FLOWS, "CA")
    first = Sent("first", (date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)))
    assert due_stage(rules, unexcused(5, 6, 7), [first], contact_attempted=False).stage is None
    due = due_stage(rules, unexcused(5, 6, 7, 12), [first], contact_attempted=False)
    assert due.stage is not None and due.stage.name == "second"


def test_one_stage_at_a_time_even_with_many_days():
    rules = load_rules(FLOWS, "CA")
    due = due_stage(rules, unexcused(*range(1, 20)), [], contact_attempted=True)
    assert due.stage is not None and due.stage.name == "first"


def test_the_conference_waits_for_a_contact_attempt():
    rules = load_rules(FLOWS, "CA")
    first = Sent("first", tuple(date(2026, 10, d) for d in (5, 6, 7)))
    second = Sent("second", tuple(date(2026, 10, d) for d in (5, 6, 7, 12)))
    truancy = unexcused(5, 6, 7, 12, 13)
    waiting = due_stage(rules, truancy, [first, second], contact_attempted=False)
    assert waiting.stage is None
    assert waiting.waiting_for_contact is not None
    assert waiting.waiting_for_contact.name == "conference"
    due = due_stage(rules, truancy, [first, second], contact_attempted=True)
    assert due.stage is not None and due.stage.name == "conference"
    third = Sent("conference", tuple(date(2026, 10, d) for d in (5, 6, 7, 12, 13)))
    after = due_stage(
        rules, unexcused(5, 6, 7, 12, 13, 14), [first, second, third], contact_attempted=True
    )
    assert after.stage is None and after.waiting_for_contact is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(spec_version=2), "expected spec_version: 1"),
        (lambda d: d.update(state="California"), "two-letter state code"),
        (lambda d: d["stages"][0].update(counter="days"), "stage first: counter must be one of"),
        (lambda d: d["stages"][0].update(at_least=0), "stage first: at_least must be"),
        (
            lambda d: d["stages"][1].update(after="conference"),
            "stage second: expected `after: first`",
        ),
        (lambda d: d["stages"][1].update(channels=["text"]), "must include letter"),
        (lambda d: d["stages"][1].update(channels=["letter", "fax"]), "unknown channel 'fax'"),
        (lambda d: d["stages"][2].update(content=[]), "stage conference: content must list"),
        (lambda d: d["stages"][2].update(content=["Truant Letter"]), "is not a lowercase name"),
        (lambda d: d["stages"][2].update(name="first"), "used twice"),
        (lambda d: d["stages"][0].update(threshold=3), "unknown key 'threshold'"),
    ],
)
def test_a_broken_file_is_refused_with_where_and_why(change, message):
    data = ca_data()
    change(data)
    with pytest.raises(NoticeRulesError, match=message) as raised:
        parse_rules(data, "notices/CA.yaml")
    assert str(raised.value).startswith("notices/CA.yaml")


def test_a_state_without_a_file_is_named(tmp_path):
    with pytest.raises(NoticeRulesError, match="no rules file notices/TX.yaml"):
        load_rules(tmp_path, "TX")


def test_a_yaml_syntax_error_gives_line_and_column(tmp_path):
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "CA.yaml").write_text("spec_version: 1\nstages: [\n", encoding="utf-8")
    with pytest.raises(NoticeRulesError, match=r"notices/CA.yaml, line \d+, column \d+"):
        load_rules(tmp_path, "CA")


def test_flows_check_refuses_a_broken_rules_file(monkeypatch, tmp_path):
    import shutil

    from click.testing import CliRunner

    from outreach_bot import create_app
    from outreach_bot.cli import main

    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    rules = flows / "notices" / "CA.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("at_least: 3", "at_least: 0"))
    app = create_app({"ENVIRONMENT": "test", "DATABASE_URL": "sqlite://", "FLOWS_DIR": str(flows)})
    monkeypatch.setattr("outreach_bot.create_app", lambda pages=True: app)
    outcome = CliRunner().invoke(main, ["flows", "check"])
    assert outcome.exit_code == 1
    assert "error: notices/CA.yaml, stage first: at_least must be" in outcome.output
