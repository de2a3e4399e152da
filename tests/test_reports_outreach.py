"""`report outreach` on a hand-built October: every count worked out below, on both databases."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from outreach_bot.cli import main
from outreach_bot.models import (
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Guardian,
    Message,
    PhoneNumber,
    School,
    Student,
    TriggerFiring,
)

PHONES = {"g1": "+15035550101", "g2": "+15035550102", "g3": "+15035550103"}
OCTOBER = ["--from", "2026-10-01", "--to", "2026-10-31", "--format", "csv"]
BARRIER_COLUMNS = (
    "barrier_transportation,barrier_health,barrier_housing,barrier_food,barrier_childcare,"
    "barrier_work_schedule,barrier_safety,barrier_bullying,barrier_anxiety,"
    "barrier_disengagement,barrier_other"
)
COLUMNS = (
    "triggers_fired,families_texted,texts_sent,texts_delivered,texts_failed,"
    "texts_undeliverable,families_replied,reply_rate,barriers_named,"
    f"{BARRIER_COLUMNS},resource_sheets_sent,escalations_opened,contact_made,"
    "median_hours_to_contact,opt_outs"
)


def utc(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def october(session: Session) -> None:
    """s1 and s2 at Maple (guardians g1 English, g2 Spanish), s3 at Oak (g3 Spanish)."""
    for school_id in ("maple", "oak"):
        session.add(School(id=school_id, name=f"{school_id.title()} Elementary", zip="90001"))
    session.flush()
    for number, (student, school) in enumerate((("s1", "maple"), ("s2", "maple"), ("s3", "oak"))):
        session.add(
            Student(
                id=student, first_name="Kid", last_name="Testperson", school_id=school, grade="3"
            )
        )
        session.flush()
        session.add(
            Guardian(
                id=number + 1,
                student_id=student,
                name="Pat Testperson",
                phone=PHONES[f"g{number + 1}"],
                language="en" if number == 0 else "es",
            )
        )
    session.flush()
    session.add(
        Conversation(
            id=1,
            phone=PHONES["g1"],
            guardian_id=1,
            student_id="s1",
            flow="missed_you",
            language="en",
            started_at=utc(10, 5, 15),
        )
    )
    session.flush()
    texts = [
        # guardian, purpose, status, error, created (UTC)
        (1, "flow:missed_you", "delivered", None, utc(10, 5, 16)),
        (1, "resources:transportation", "delivered", None, utc(10, 6)),
        (2, "flow:missed_you", "undelivered", "30006", utc(10, 5, 16)),
        (3, "flow:missed_you", "failed", "30007", utc(10, 8)),
        (3, "flow:barriers", "sent", None, utc(10, 10)),
        # 23:30 on 09-30 in the district (UTC-7): before the period.
        (1, "flow:missed_you", "delivered", None, utc(10, 1, 6, 30)),
        # Never went to the provider: waiting, or held back after an opt-out.
        (2, "flow:followup", "pending", None, utc(10, 20)),
        (2, "flow:followup", "suppressed", "opted_out", utc(10, 21)),
    ]
    for number, (guardian, purpose, status, error, created) in enumerate(texts):
        handed_over = status in ("delivered", "sent", "undelivered")
        session.add(
            Message(
                direction="outbound",
                phone=PHONES[f"g{guardian}"],
                guardian_id=guardian,
                body="Hi from school.",
                language="en" if guardian == 1 else "es",
                purpose=purpose,
                status=status,
                error_code=error,
                created_at=created,
                provider_sid=f"SM{number:032d}" if handed_over else None,
            )
        )
    # A staff notice is not a text to a family.
    session.add(
        Message(
            direction="outbound",
            phone="+15035550199",
            body="3 new cases",
            purpose="staff_notification",
            status="delivered",
            created_at=utc(10, 7),
            provider_sid="SM" + "9" * 32,
        )
    )
    # g1 answers after its first text; g3 wrote only before we first texted it.
    for phone, created in ((PHONES["g1"], utc(10, 5, 18)), (PHONES["g3"], utc(10, 2))):
        session.add(
            Message(
                direction="inbound", phone=phone, body="1", status="received", created_at=created
            )
        )
    session.add_all(
        [
            BarrierReport(
                student_id="s1",
                guardian_id=1,
                conversation_id=1,
                barrier="transportation",
                reported_at=utc(10, 6),
            ),
            BarrierReport(
                student_id="s3", guardian_id=3, barrier="housing", reported_at=utc(10, 12)
            ),
            BarrierReport(student_id="s3", guardian_id=3, barrier="food", reported_at=utc(11, 2)),
        ]
    )
    firings = [
        # student, trigger, school day, outcome (a baseline scan's firing did nothing)
        ("s1", "absent_today", 5, None),
        ("s2", "absent_today", 5, "baseline"),
        ("s3", "three_in_a_row", 7, "escalation 2"),
    ]
    for student, trigger, day, outcome in firings:
        session.add(
            TriggerFiring(student_id=student, trigger=trigger, episode=f"2026-10-{day:02d}",
                          as_of=utc(10, day).date(), fired_at=utc(10, day + 1, 3), outcome=outcome)
        )  # fmt: skip
    cases = [
        # id, student, school, guardian, opened, contact made
        (1, "s2", "maple", 2, utc(10, 7, 12), utc(10, 7, 15)),  # 3 hours
        (2, "s3", None, None, utc(10, 8, 0), utc(10, 9, 12)),  # 36 hours
        (3, "s1", "maple", None, utc(10, 20), utc(11, 3)),  # reached after the period
        (4, "s1", "maple", None, utc(9, 15), utc(9, 16)),  # opened before it
    ]
    for case_id, student, school, guardian, opened, reached in cases:
        session.add(
            Escalation(
                id=case_id,
                student_id=student,
                school_id=school,
                guardian_id=guardian,
                reason="no_reply",
                due_at=opened,
                created_at=opened,
            )
        )
        session.flush()
        for outcome, attempted in (("no_answer", opened), ("reached", reached)):
            session.add(
                ContactAttempt(
                    escalation_id=case_id, method="call", outcome=outcome, attempted_at=attempted
                )
            )
    session.add_all([
        PhoneNumber(phone=PHONES["g2"], opted_out_at=utc(10, 15)),
        PhoneNumber(phone=PHONES["g3"], opted_out_at=utc(11, 5)),
        PhoneNumber(phone="+15035550150", opted_out_at=utc(10, 16)),  # no family on file
    ])  # fmt: skip


def rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def test_outreach_for_the_district(runtime, cli):
    with runtime.db.transaction() as session:
        october(session)
    outcome = cli.invoke(main, ["report", "outreach", *OCTOBER])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines()[0] == COLUMNS
    [row] = rows(outcome.output)
    # Texts written in October that reached the provider: 5 (not the 09-30 one, the waiting
    # or suppressed ones, nor the staff notice): 2 delivered, 1 undeliverable (30006),
    # 1 failed (30007), 1 still in flight. Families: g1, g2, g3. Replies: g1 only (g3 wrote
    # before its first text) -> 1/3 = 33.3%. Firings: s1 and s3 (s2's was a baseline).
    # Cases opened: 1, 2, 3; contact made in October for 1 (3 h) and 2 (36 h): median of
    # 3 and 36 = 19.5. Opt-outs in October: g2 and a number with no family on file.
    expected = {
        "triggers_fired": "2",
        "families_texted": "3",
        "texts_sent": "5",
        "texts_delivered": "2",
        "texts_failed": "1",
        "texts_undeliverable": "1",
        "families_replied": "1",
        "reply_rate": "33.3",
        "barriers_named": "2",
        "barrier_transportation": "1",
        "barrier_housing": "1",
        "barrier_food": "0",  # named in November
        "resource_sheets_sent": "1",
        "escalations_opened": "3",
        "contact_made": "2",
        "median_hours_to_contact": "19.5",
        "opt_outs": "2",
    }
    assert {name: row[name] for name in expected} == expected
    # As a table the measures run down the page, one column per school.
    table = cli.invoke(main, ["report", "outreach", "--by", "school", *OCTOBER[:4]]).output
    lines = table.splitlines()
    assert lines[0] == "report outreach, from 2026-10-01, to 2026-10-31, by school"
    assert lines[1].split() == ["measure", "maple", "not", "recorded", "oak"]
    assert lines[3].split() == ["triggers_fired", "1", "0", "1"]
    assert lines[-2].split() == ["median_hours_to_contact", "3.0", "-", "36.0"]


def test_outreach_by_school_and_by_language(runtime, cli):
    with runtime.db.transaction() as session:
        october(session)
    by_school = cli.invoke(main, ["report", "outreach", "--by", "school", *OCTOBER])
    assert by_school.exit_code == 0, by_school.output
    maple, unknown, oak = rows(by_school.output)
    picked = ("school_id", "triggers_fired", "families_texted", "texts_sent", "families_replied",
              "reply_rate", "escalations_opened", "contact_made", "median_hours_to_contact",
              "opt_outs")  # fmt: skip
    # Maple: texts 1, 2 (g1) and 3 (g2): 2 families, g1 replied -> 50.0; s1 fired; cases 1
    # (3 h) and 3 (no contact in October); g2 opted out. Oak: texts 4, 5 to g3, no reply;
    # s3 fired; case 2 (36 h). The number with no family is "not recorded".
    assert [maple[name] for name in picked] == [
        "maple", "1", "2", "3", "1", "50.0", "2", "1", "3.0", "1"
    ]  # fmt: skip
    assert [oak[name] for name in picked] == [
        "oak",
        "1",
        "1",
        "2",
        "0",
        "0.0",
        "1",
        "1",
        "36.0",
        "0",
    ]
    assert [unknown[name] for name in picked] == [
        "not recorded", "0", "0", "0", "0", "", "0", "0", "", "1"
    ]  # fmt: skip
    by_language = cli.invoke(main, ["report", "outreach", "--by", "language", *OCTOBER])
    english, spanish, _unknown = rows(by_language.output)
    # English: g1's 2 texts, its reply (100.0), s1's firing, case 3 (s1's first guardian
    # speaks English; no contact yet). Spanish: texts 3, 4, 5 to g2 and g3, no reply; s3's
    # firing; cases 1 (g2) and 2 (s3's guardian g3): 3 h and 36 h -> 19.5; g2's opt-out.
    assert [english[name] for name in picked[1:]] == [
        "1",
        "1",
        "2",
        "1",
        "100.0",
        "1",
        "0",
        "",
        "0",
    ]
    assert [spanish[name] for name in picked[1:]] == [
        "1", "2", "3", "0", "0.0", "2", "2", "19.5", "1"
    ]  # fmt: skip
    assert (english["language"], spanish["language"]) == ("en", "es")


def test_outreach_dates_and_grouping_are_checked(runtime, cli):
    backwards = cli.invoke(
        main, ["report", "outreach", "--from", "2026-10-31", "--to", "2026-10-01"]
    )
    assert backwards.exit_code == 2
    assert "'--from'" in backwards.output and "on or before" in backwards.output
    by = cli.invoke(main, ["report", "outreach", "--by", "grade"])
    assert by.exit_code == 2 and "'district', 'school', 'language'" in by.output
    # Nothing happened yet: one district row of zeros, and rates left empty.
    quiet = cli.invoke(main, ["report", "outreach", *OCTOBER])
    assert quiet.exit_code == 0
    [row] = rows(quiet.output)
    assert (row["texts_sent"], row["reply_rate"], row["median_hours_to_contact"]) == ("0", "", "")
