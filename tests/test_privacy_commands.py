"""`outreach-bot purge --before DATE` and `outreach-bot export family PHONE`."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from outreach_bot.cli import main
from outreach_bot.escalations import open_escalation
from outreach_bot.models import AuditEvent, Conversation, Escalation, Message, PhoneNumber
from tests.factories import start_missed_you

FAMILY = "+15035550142"
OTHER = "+15035550143"


def _count(runtime, model, *where) -> int:
    with runtime.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _family_texted_weeks_ago(runtime, clock) -> None:
    """Two families texted; the first one's case closed; then the clock moves on 60 days."""
    start_missed_you(runtime, FAMILY, OTHER)
    with runtime.db.transaction() as session:
        case = open_escalation(session, reason="no_reply", now=clock(), phone=FAMILY)
        case.status, case.closed_at = "closed", clock()
        for conversation in session.scalars(select(Conversation)):
            conversation.status, conversation.ended_at = "ended", clock()
        session.add(PhoneNumber(phone=OTHER, opted_out_at=clock(), opt_out_source="STOP"))
    clock.advance(days=60)


def test_purge_removes_old_texts_and_closed_cases_and_keeps_opt_outs(runtime, cli, clock):
    _family_texted_weeks_ago(runtime, clock)
    assert _count(runtime, Message) > 0
    with runtime.db.transaction() as session:  # a text still waiting to go: never purged
        waiting = session.scalars(select(Message)).first()
        waiting.status = "queued"
    day = (clock() - timedelta(days=1)).date().isoformat()
    outcome = cli.invoke(main, ["purge", "--before", day, "--yes"])
    assert outcome.exit_code == 0, outcome.output
    assert "purged before" in outcome.output
    assert _count(runtime, Message) == 1 and _count(runtime, Escalation) == 0
    assert _count(runtime, PhoneNumber, PhoneNumber.opted_out_at.is_not(None)) == 1
    assert _count(runtime, AuditEvent, AuditEvent.action == "purged") == 1


def test_purge_refuses_a_future_date_and_a_malformed_one(runtime, cli, clock):
    future = (clock() + timedelta(days=3)).date().isoformat()
    outcome = cli.invoke(main, ["purge", "--before", future, "--yes"])
    assert outcome.exit_code != 0 and "in the future" in outcome.output
    outcome = cli.invoke(main, ["purge", "--before", "last week", "--yes"])
    assert outcome.exit_code != 0 and "%Y-%m-%d" in outcome.output


def test_export_family_gives_one_familys_data_only(runtime, cli, clock, tmp_path):
    _family_texted_weeks_ago(runtime, clock)
    out = tmp_path / "family.json"
    outcome = cli.invoke(main, ["export", "family", "(503) 555-0142", "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["phone"] == FAMILY
    assert [s["first_name"] for s in data["students"]] == ["Ana"]
    assert data["texts"] and all(text["phone"] == FAMILY for text in data["texts"])
    assert len(data["cases"]) == 1
    assert OTHER not in out.read_text(encoding="utf-8")
    assert _count(runtime, AuditEvent, AuditEvent.action == "exported_family") == 1
    unknown = cli.invoke(main, ["export", "family", "+15035550177"])
    assert unknown.exit_code != 0 and "Nothing is kept" in unknown.output
