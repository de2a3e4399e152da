"""Case work: claim or assign a case, log each try to reach the family, close on contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from outreach_bot.models import ContactAttempt, Escalation, User
from outreach_bot.staff.scope import Scope, scope_of

METHODS = ("call", "text", "home_visit", "meeting")
ATTEMPT_OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number")
# What came of a case once someone reached the family.
CASE_OUTCOMES = ("plan_made", "help_referred", "returning", "no_help_needed", "other")
FOLLOW_UP_AFTER = timedelta(hours=24)


class CaseworkError(ValueError):
    """A case action that cannot be done as asked; the message says why."""


def _open(case: Escalation) -> None:
    if case.status != "open":
        raise CaseworkError(f"Case {case.id} is already closed.")


def claim(case: Escalation, user: User, now: datetime) -> None:
    """Take an open case for yourself; a case someone else holds must be reassigned instead."""
    _open(case)
    if case.assigned_to_id not in (None, user.id):
        raise CaseworkError(
            f"Case {case.id} is already claimed by someone else; a school lead can reassign it."
        )
    if case.assigned_to_id is None:
        case.assigned_to_id, case.claimed_at = user.id, now


def assign(case: Escalation, assignee: User, by: Scope, now: datetime) -> None:
    """Hand a case to a colleague who works for its school (school leads and admins)."""
    _open(case)
    if not by.can_assign:
        raise CaseworkError("Only a school lead or a district admin can assign cases.")
    if not assignee.active or not scope_of(assignee).covers(case.school_id):
        raise CaseworkError(f"{assignee.email} does not work for this case's school.")
    case.assigned_to_id, case.claimed_at = assignee.id, now


def unclaim(case: Escalation, by: Scope) -> None:
    """Put a case back in the queue (its holder, a school lead or an admin)."""
    _open(case)
    if case.assigned_to_id != by.user_id and not by.can_assign:
        raise CaseworkError("Only the person holding a case, or a lead, can put it back.")
    case.assigned_to_id, case.claimed_at = None, None


def log_attempt(
    session: Session,
    case: Escalation,
    user: User,
    *,
    method: str,
    outcome: str,
    now: datetime,
    note: str | None = None,
    case_outcome: str | None = None,
    follow_up_at: datetime | None = None,
    follow_up_after: timedelta = FOLLOW_UP_AFTER,
) -> ContactAttempt:
    """Record a try to reach the family.

    Reaching them closes the case with `case_outcome`; any other outcome schedules the next
    follow-up (by default `follow_up_after` from now), which becomes the case's deadline.
    """
    _open(case)
    if method not in METHODS:
        raise CaseworkError(f"Unknown method {method!r}; expected one of {', '.join(METHODS)}.")
    if outcome not in ATTEMPT_OUTCOMES:
        raise CaseworkError(
            f"Unknown outcome {outcome!r}; expected one of {', '.join(ATTEMPT_OUTCOMES)}."
        )
    if outcome == "reached" and case_outcome not in CASE_OUTCOMES:
        raise CaseworkError(f"Contact made: choose what came of it ({', '.join(CASE_OUTCOMES)}).")
    if outcome != "reached" and follow_up_at is not None and follow_up_at <= now:
        raise CaseworkError("The next follow-up must be in the future.")
    attempt = ContactAttempt(
        escalation_id=case.id,
        method=method,
        outcome=outcome,
        note=(note or "").strip() or None,
        staff=user.email,
        user_id=user.id,
        attempted_at=now,
    )
    session.add(attempt)
    if case.assigned_to_id is None:
        case.assigned_to_id, case.claimed_at = user.id, now
    if outcome == "reached":
        close(case, user, outcome=str(case_outcome), now=now)
    else:
        case.next_follow_up_at = follow_up_at or now + follow_up_after
        case.due_at = case.next_follow_up_at
    session.flush()
    return attempt


def close(case: Escalation, user: User, *, outcome: str, now: datetime) -> None:
    """Close a case because a person reached the family; only this ever closes one."""
    _open(case)
    if outcome not in CASE_OUTCOMES:
        raise CaseworkError(f"Unknown case outcome {outcome!r}.")
    case.status, case.outcome, case.closed_at, case.closed_by_id = "closed", outcome, now, user.id
    case.next_follow_up_at = None
