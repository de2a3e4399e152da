"""Conversations: run the pure engine for a family and carry out what it decides."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.engine.definition import Flow
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.engine.runner import (
    Ended,
    Event,
    Input,
    OpenEscalation,
    RecordBarrier,
    Reply,
    SendResources,
    SendText,
    Start,
    State,
    Timeout,
    advance,
    render,
)
from outreach_bot.escalations import open_escalation
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.messaging.optout import is_opted_out, is_undeliverable
from outreach_bot.messaging.outbox import Origin, queue_text
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.models import AttendanceSummary, BarrierReport, Conversation, Guardian, Student
from outreach_bot.resources import render_sheet, sheet_for

log = logging.getLogger(__name__)


def family_context(session: Session, student: Student, district_name: str) -> dict[str, object]:
    """The few facts a text may carry: first name, school, days missed; nothing private."""
    summary = session.get(AttendanceSummary, student.id)
    return {
        "first_name": student.first_name,
        "school_name": student.school.name,
        "school_phone": student.school.phone or "",
        "days_missed": summary.absences if summary else 0,
        "district_name": district_name,
    }


def reachable(session: Session, guardian: Guardian) -> bool:
    """The guardian agreed to texts and the phone is neither opted out nor undeliverable."""
    return (
        guardian.sms_consent
        and not is_opted_out(session, guardian.phone)
        and not is_undeliverable(session, guardian.phone)
    )


def active_conversation(session: Session, phone: str) -> Conversation | None:
    """The conversation waiting on this phone, if any (there is at most one)."""
    return session.scalars(
        select(Conversation)
        .where(Conversation.phone == phone, Conversation.status == "active")
        .order_by(Conversation.id.desc())
    ).first()


def end_conversation(conversation: Conversation, reason: str, now: datetime) -> None:
    """Close a conversation for good, keeping why."""
    conversation.status = "ended"
    conversation.end_reason = reason
    conversation.ended_at = now
    conversation.due_at = None


@dataclass
class Conversations:
    """Starts flows, feeds them replies and timeouts, and performs the events they return."""

    library: FlowLibrary
    catalogs: Catalogs
    quiet: QuietHours
    district_name: str

    def start(
        self,
        session: Session,
        *,
        flow_name: str,
        guardian: Guardian,
        now: datetime,
        firing_id: int | None = None,
    ) -> Conversation | None:
        """Begin a flow with a guardian, unless they cannot be texted or one is already running."""
        if not reachable(session, guardian) or active_conversation(session, guardian.phone):
            return None
        flow = self.library.flows[flow_name]
        conversation = Conversation(
            phone=guardian.phone,
            guardian_id=guardian.id,
            student_id=guardian.student_id,
            trigger_firing_id=firing_id,
            flow=flow.name,
            language=self.catalogs.choose(guardian.language),
            status="active",
            state={},
            context=family_context(session, guardian.student, self.district_name),
            started_at=now,
        )
        session.add(conversation)
        session.flush()
        self._advance(session, conversation, Start(), now, origin="district")
        return conversation

    def reply(self, session: Session, conversation: Conversation, text: str, now: datetime) -> None:
        """The family answered: move the conversation on and answer at once."""
        self._advance(session, conversation, Reply(text), now, origin="reply")

    def run_timers(self, session: Session, now: datetime) -> int:
        """End expired conversations and move those whose answer is overdue; returns how many."""
        due = session.scalars(select(Conversation).where(Conversation.status == "active")).all()
        moved = 0
        for conversation in due:
            flow = self.library.flows.get(conversation.flow)
            # An overdue answer takes its timeout path (often an escalation) before expiry.
            if flow and conversation.due_at is not None and conversation.due_at <= now:
                self._advance(session, conversation, Timeout(), now, origin="district")
                moved += 1
            elif flow is None or conversation.started_at + flow.expires_after <= now:
                end_conversation(conversation, "expired", now)
                moved += 1
        return moved

    def text(self, name: str, language: str, context: dict[str, object]) -> str:
        """A system message (HELP, STOP...) in a language, filled in."""
        return render(self.library.message(name), context, self.catalogs.get(language))

    def _advance(
        self,
        session: Session,
        conversation: Conversation,
        event: Input,
        now: datetime,
        *,
        origin: Origin,
    ) -> None:
        flow = self.library.flows[conversation.flow]
        state = State.from_json(conversation.state, conversation.due_at)
        events, new_state = advance(
            flow,
            state,
            event,
            now=now,
            context=conversation.context,
            localizer=self.catalogs.get(conversation.language),
        )
        conversation.state = new_state.to_json()
        conversation.due_at = new_state.due_at if new_state.waiting else None
        self._perform(session, conversation, flow, events, now, origin)

    def _perform(
        self,
        session: Session,
        conversation: Conversation,
        flow: Flow,
        events: list[Event],
        now: datetime,
        origin: Origin,
    ) -> None:
        for event in events:
            if isinstance(event, SendText):
                self._send(session, conversation, event.text, now, origin, f"flow:{flow.name}")
            elif isinstance(event, RecordBarrier):
                session.add(
                    BarrierReport(
                        student_id=conversation.student_id,
                        guardian_id=conversation.guardian_id,
                        conversation_id=conversation.id,
                        barrier=event.barrier,
                        reported_at=now,
                    )
                )
            elif isinstance(event, SendResources):
                self._send(
                    session,
                    conversation,
                    self._sheet(session, conversation, event.barrier),
                    now,
                    origin,
                    f"resources:{event.barrier}",
                )
            elif isinstance(event, OpenEscalation):
                open_escalation(
                    session,
                    reason=event.reason,
                    priority=event.priority,
                    now=now,
                    student_id=conversation.student_id,
                    guardian_id=conversation.guardian_id,
                    conversation_id=conversation.id,
                    phone=conversation.phone,
                )
            elif isinstance(event, Ended):
                end_conversation(conversation, event.reason, now)

    def _sheet(self, session: Session, conversation: Conversation, barrier: str) -> str:
        student = session.get(Student, conversation.student_id) if conversation.student_id else None
        found = sheet_for(session, barrier, student, conversation.language)
        name = "resources_intro" if found else "resources_none"
        intro = self.text(name, conversation.language, conversation.context)
        return render_sheet(intro, found) if found else intro

    def _send(
        self,
        session: Session,
        conversation: Conversation,
        body: str,
        now: datetime,
        origin: Origin,
        purpose: str,
    ) -> None:
        queue_text(
            session,
            phone=conversation.phone,
            body=body,
            language=conversation.language,
            origin=origin,
            purpose=purpose,
            now=now,
            quiet=self.quiet,
            guardian_id=conversation.guardian_id,
            conversation_id=conversation.id,
        )
