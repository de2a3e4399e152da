"""The conversation service: runs the pure engine for a family and carries out its events."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.conversations import followups
from outreach_bot.conversations.family import (
    Child,
    FamilyRow,
    children_context,
    days_missed_of,
    families_to_reach,
    family_rows,
)
from outreach_bot.conversations.lifecycle import (
    OnPhones,
    active_conversation,
    conversation_of,
    end_conversation,
    reachable,
    write_whole,
)
from outreach_bot.conversations.openings import Openings, plain
from outreach_bot.db import reserve_ids
from outreach_bot.engine.definition import Flow
from outreach_bot.engine.library import FlowLibrary
from outreach_bot.engine.runner import (
    DeliveryFailed,
    Ended,
    Event,
    HandOver,
    Input,
    NotExpected,
    OpenEscalation,
    RecordBarrier,
    Reply,
    ScheduleFlow,
    SendResources,
    SendText,
    Start,
    State,
    SwitchLanguage,
    Timeout,
    advance,
    render,
    understood,
)
from outreach_bot.escalations import open_escalation
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.formatting import format_date
from outreach_bot.messaging.optout import PhoneCheck, is_opted_out, phone_checks
from outreach_bot.messaging.outbox import Origin, queue_text
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.messaging.same_day import SameDay, local_day
from outreach_bot.models import BarrierReport, Conversation, Guardian, Student
from outreach_bot.resources.choice import sheet_for
from outreach_bot.resources.links import sheet_url
from outreach_bot.resources.sheet import render_sheet
from outreach_bot.staff.takeover import held_by

log = logging.getLogger(__name__)
_NOTHING = PhoneCheck()  # a phone with no row: nothing keeps the bot from it


@dataclass
class Conversations:
    """Starts flows, feeds them replies and timers, and performs the events they return."""

    library: FlowLibrary
    catalogs: Catalogs
    quiet: QuietHours
    district_name: str
    # Where the sheets' printable pages are served; without it a sheet carries no link.
    public_base_url: str | None = None

    def start(
        self,
        session: Session,
        *,
        flow_name: str,
        guardian: Guardian,
        now: datetime,
        students: Sequence[Student] | None = None,
        firing_id: int | None = None,
        extra: dict[str, object] | None = None,
        origin: Origin = "district",
        language: str | None = None,
        school_day: date | None = None,
    ) -> Conversation | None:
        """Begin a flow with a guardian about one or more children, when the family can take it.

        Nothing starts for a family that cannot be texted, that is already in a conversation,
        or, for a `once_a_day` flow, that had one of those today. `origin` is "reply" when the
        family asked for this flow (a keyword), so that the answer goes out at once.
        `school_day` is the day the flow's same-day texts speak of (the scanned day; default:
        the district's today), named in the family's language as {absence_day}.
        """
        on_phones = OnPhones.read(session, [guardian.phone], self._midnight(now))
        opening = _Opening(
            guardian, students, flow_name, firing_id, origin, language, extra, school_day
        )
        return self._begin(session, opening, on_phones, None, now, ids=None)

    def start_for_families(
        self,
        session: Session,
        firings: Sequence[tuple[int | None, str, str]],
        now: datetime,
        school_day: date | None = None,
        *,
        each_alone: bool = False,
    ) -> int:
        """Start fired flows, one conversation per family phone; returns how many started.

        `firings` are (firing id, student id, flow) in the order they fired, on `school_day`.
        What the checks and texts ask of the families is read for all of them at once (their
        guardians and children, days missed, phones, running and today's conversations), each
        flow runs in turn as `start` would run it, and what they write is written together
        at the next flush: a few statements for the batch, not a few a family. `each_alone`
        starts each family as `start` does, on reads and writes of its own, as the scan did
        before the batch: the reference the batch is held to (its tests,
        bench/conversations.py).
        """
        if each_alone:
            return sum(
                self.start(
                    session, flow_name=family.flow, guardian=family.guardian,
                    students=family.students, firing_id=family.firing_id, now=now,
                    school_day=school_day,
                ) is not None
                for family in families_to_reach(session, firings)
            )  # fmt: skip
        families = family_rows(session, firings)
        if not families:
            return 0
        phones = {family.phone for family in families}
        checks = phone_checks(session, phones)
        on_phones = OnPhones.read(session, phones, self._midnight(now))
        days = days_missed_of(session, {c.id for family in families for c in family.children})
        reserved = reserve_ids(session, Conversation, len(families))
        ids = iter(reserved) if reserved is not None else None
        not_before = self.quiet.next_send_time(now) if self.quiet.contains(now) else None
        openings = Openings(now, not_before)
        started = 0
        for family in families:
            if not family.sms_consent or not checks.get(family.phone, _NOTHING).open_to_the_bot:
                continue
            started += self._open(session, family, on_phones, days, now, school_day, ids, openings)
        openings.write(session)
        return started

    def _open(
        self,
        session: Session,
        family: FamilyRow,
        on_phones: OnPhones,
        days: Mapping[str, int],
        now: datetime,
        school_day: date | None,
        ids: Iterator[int] | None,
        openings: Openings,
    ) -> bool:
        """`_begin` for a family of the batch whose phone takes texts from the bot: its
        conversation and texts kept as plain rows in `openings`; a flow whose opening does
        more than text (and end) is begun by `_begin` itself, after the rows kept so far
        are written, so that every row keeps its place in the order of ids."""
        flow = self.library.flows[family.flow]
        if on_phones.busy(family.phone):
            return False
        if flow.once_a_day and on_phones.had_today(family.phone, flow.name):
            return False
        language = self.catalogs.choose(family.language)
        day = school_day or local_day(now, self.quiet.tz)
        context = self._opening_context(family.children, days, language, day)
        localizer = self.catalogs.get(language)
        events, state = advance(
            flow, State(), Start(), now=now, context=context, localizer=localizer
        )
        if not plain(events):
            openings.write(session)
            guardian = session.get_one(Guardian, family.guardian_id)
            children = [session.get_one(Student, child.id) for child in family.children]
            opening = _Opening(guardian, children, flow.name, family.firing_id, school_day=day)
            begun = self._begin(session, opening, on_phones, days, now, ids=ids)
            session.flush()
            return begun is not None
        if self.catalogs.needs_invitation(family.language):
            events = self._with_invitation(events, language, context)
        opened = openings.open(
            session, family, conversation_id=next(ids) if ids is not None else None,
            language=language, context=context, events=events, state=state, school_day=day,
        )  # fmt: skip
        on_phones.add(opened)
        return True

    def _begin(
        self,
        session: Session,
        opening: _Opening,
        on_phones: OnPhones,
        days: Mapping[str, int] | None,
        now: datetime,
        *,
        ids: Iterator[int] | None,
    ) -> Conversation | None:
        """`start`'s checks and first step, against the phones' conversations as read
        (`on_phones`, kept up to date) and the children's days missed (None: read here).
        With `ids` the conversation takes the next of them and is inserted at the next
        flush; without, it is flushed at once for its id."""
        guardian, phone = opening.guardian, opening.guardian.phone
        flow = self.library.flows[opening.flow]
        if not reachable(session, guardian) or on_phones.busy(phone):
            return None
        if held_by(session, phone) is not None:
            return None  # a person is talking with this family: the bot stays silent
        if flow.once_a_day and on_phones.had_today(phone, flow.name):
            return None
        language = self.catalogs.choose(opening.language or guardian.language)
        children = list(opening.children or [guardian.student])
        if days is None:
            days = days_missed_of(session, [child.id for child in children])
        day = opening.school_day or local_day(now, self.quiet.tz)
        context = self._opening_context(
            [Child.of(child) for child in children], days, language, day
        )
        conversation = Conversation(
            id=next(ids) if ids is not None else None,
            phone=phone,
            guardian_id=guardian.id,
            student_id=children[0].id,
            trigger_firing_id=opening.firing_id,
            flow=flow.name,
            language=language,
            status="active",
            state={},
            context={**context, **(opening.extra or {})},
            started_at=now,
        )
        session.add(conversation)
        if ids is None:
            session.flush()
        on_phones.add(conversation)
        # A language with no catalog yet gets English, and a line saying how to choose another.
        invite = self.catalogs.needs_invitation(guardian.language)
        self._advance(session, conversation, Start(), now, origin=opening.origin, invite=invite)
        if conversation.end_reason == "handed_over":
            on_phones.read_again(session, [phone])  # its successor runs there now
        return conversation

    def _opening_context(
        self, children: Sequence[Child], days: Mapping[str, int], language: str, day: date
    ) -> dict[str, object]:
        """What a family's first texts are filled from: the children and their days missed,
        the district, the school day; and which children the texts name, so that staff of
        one school never read another's child."""
        context = children_context(children, days, self.district_name, language)
        context |= {"school_day": day.isoformat(), "absence_day": format_date(day, language)}
        context["student_ids"] = [child.id for child in children]
        return context

    def understands(self, conversation: Conversation, text: str) -> bool:
        """True when the conversation is asking a question and `text` answers it."""
        flow = self.library.flows.get(conversation.flow)
        state = State.from_json(conversation.state, conversation.due_at)
        localizer = self.catalogs.get(conversation.language)
        return flow is not None and understood(flow, state, text, localizer)

    def reply(self, session: Session, conversation: Conversation, text: str, now: datetime) -> bool:
        """The family answered: move the conversation on; False when it was not expecting one."""
        return self._advance(session, conversation, Reply(text), now, origin="reply")

    def delivery_failed(self, session: Session, message_id: int, now: datetime) -> None:
        """A text of a running conversation never arrived: take the flow's no-answer path."""
        conversation = conversation_of(session, message_id)
        if conversation is None or conversation.status != "active":
            return
        if is_opted_out(session, conversation.phone):
            end_conversation(conversation, "opted_out", now)
        elif held_by(session, conversation.phone) is None:
            self._advance(session, conversation, DeliveryFailed(), now, origin="district")

    def day_passed(self, session: Session, message_id: int, now: datetime) -> None:
        """A same-day text was dropped after its day: its conversation ends, unanswered by
        anyone, and nothing more of it goes out (a question must not arrive alone)."""
        conversation = conversation_of(session, message_id)
        if conversation is not None and conversation.status == "active":
            end_conversation(conversation, "day_passed", now)

    def run_timers(self, session: Session, now: datetime) -> int:
        """Overdue answers, pauses, expiries and due follow-ups; returns how many moved."""
        moved = 0
        running = session.scalars(select(Conversation).where(Conversation.status == "active"))
        for conversation in running.all():
            if held_by(session, conversation.phone) is not None:
                continue  # its timers wait until staff hand the family back to the bot
            flow = self.library.flows.get(conversation.flow)
            # An overdue answer takes its timeout path (often an escalation) before expiry.
            if flow and conversation.due_at is not None and conversation.due_at <= now:
                self._advance(session, conversation, Timeout(), now, origin="district")
                moved += 1
            elif flow is None or conversation.started_at + flow.expires_after <= now:
                end_conversation(conversation, "expired", now)
                moved += 1
        for conversation in followups.due(session, now):
            moved += self._begin_scheduled(session, conversation, now)
        return moved

    def text(self, name: str, language: str, context: dict[str, object]) -> str:
        """A system message (HELP, STOP...) in a language, filled in."""
        return render(self.library.message(name), context, self.catalogs.get(language))

    def _midnight(self, now: datetime) -> datetime:
        """The start of the district's day `now` falls in (a `once_a_day` flow's day)."""
        return datetime.combine(now.astimezone(self.quiet.tz).date(), time(0), self.quiet.tz)

    def _begin_scheduled(self, session: Session, conversation: Conversation, now: datetime) -> int:
        assert conversation.due_at is not None
        guardian = (
            session.get(Guardian, conversation.guardian_id) if conversation.guardian_id else None
        )
        if guardian is None or not reachable(session, guardian):
            end_conversation(conversation, "not_reachable", now)
            return 1
        if now - conversation.due_at > followups.TOO_LATE:
            end_conversation(conversation, "too_late", now)
            return 1
        busy = active_conversation(session, conversation.phone) is not None
        if busy or held_by(session, conversation.phone) is not None:
            conversation.due_at = now + followups.BUSY_RETRY
            return 0
        conversation.status = "active"
        conversation.started_at = now
        conversation.due_at = None
        self._advance(session, conversation, Start(), now, origin="district")
        return 1

    def _advance(
        self,
        session: Session,
        conversation: Conversation,
        event: Input,
        now: datetime,
        *,
        origin: Origin,
        invite: bool = False,
    ) -> bool:
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
        if invite:
            events = self._with_invitation(events, conversation.language, conversation.context)
        self._perform(session, conversation, flow, events, now, origin)
        write_whole(conversation)
        return not any(isinstance(e, NotExpected) for e in events)

    def _with_invitation(
        self, events: list[Event], language: str, context: Mapping[str, object]
    ) -> list[Event]:
        """The first text, then the invitation to name another language in a text of its own
        (appended, it would take a long first text past MAX_SEGMENTS)."""
        for index, event in enumerate(events):
            if isinstance(event, SendText):
                line = self.text("language_invite", language, dict(context))
                return [*events[: index + 1], SendText(line), *events[index + 1 :]]
        return events

    def _perform(
        self,
        session: Session,
        conversation: Conversation,
        flow: Flow,
        events: list[Event],
        now: datetime,
        origin: Origin,
    ) -> None:
        # Set by a same-day text: the texts after it depend on it, and share its fate.
        same_day: SameDay | None = None
        for event in events:
            if isinstance(event, SendText):
                if event.same_day:
                    day = self._school_day(conversation, now)
                    same_day = SameDay(day, rewordable=event.later is not None)
                purpose = f"flow:{flow.name}"
                self._send(
                    session, conversation, event.text, now, origin, purpose, same_day, event.later
                )
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
                sheet = self._sheet(session, conversation, event.barrier)
                purpose = f"resources:{event.barrier}"
                self._send(session, conversation, sheet, now, origin, purpose, same_day)
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
            elif isinstance(event, ScheduleFlow):
                followups.schedule(session, conversation, event.flow, event.at, self.quiet.tz)
            elif isinstance(event, Ended):
                end_conversation(conversation, event.reason, now)
            elif isinstance(event, SwitchLanguage):
                self._switch_language(session, conversation, event.language)
            elif isinstance(event, HandOver):
                self._hand_over(session, conversation, event.flow, now, origin)

    def _switch_language(self, session: Session, conversation: Conversation, language: str) -> None:
        """Every guardian record on this phone now gets texts in `language`."""
        for guardian in session.scalars(
            select(Guardian).where(Guardian.phone == conversation.phone)
        ):
            guardian.language = language
        conversation.language = self.catalogs.choose(language)

    def _hand_over(
        self, session: Session, conversation: Conversation, flow: str, now: datetime, origin: Origin
    ) -> None:
        end_conversation(conversation, "handed_over", now)
        successor = followups.successor(conversation, flow, status="active", started_at=now)
        session.add(successor)
        session.flush()
        self._advance(session, successor, Start(), now, origin=origin)

    def _sheet(self, session: Session, conversation: Conversation, barrier: str) -> str:
        found = sheet_for(session, barrier, conversation.student, conversation.language)
        name = "resources_intro" if found else "resources_none"
        intro = self.text(name, conversation.language, conversation.context)
        if not found:
            return intro
        link = None
        if self.public_base_url:
            school_id = conversation.student.school_id if conversation.student else None
            link = sheet_url(self.public_base_url, barrier, school_id, conversation.language)
        return render_sheet(intro, found, conversation.language, link)

    def _send(
        self,
        session: Session,
        conversation: Conversation,
        body: str,
        now: datetime,
        origin: Origin,
        purpose: str,
        same_day: SameDay | None = None,
        later: str | None = None,
    ) -> None:
        if same_day is None:
            valid_on, later_body = None, None
        else:
            valid_on, later_body = same_day.day, later or same_day.later_for(body)
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
            flush=False,  # inserted with the conversation's other writes, at the commit
            valid_on=valid_on,
            later_body=later_body,
        )

    def _school_day(self, conversation: Conversation, now: datetime) -> date:
        """The day the conversation's same-day texts speak of."""
        day = conversation.context.get("school_day")
        return date.fromisoformat(day) if isinstance(day, str) else local_day(now, self.quiet.tz)


@dataclass(frozen=True)
class _Opening:
    """What a flow is started with: the guardian, the children it is about, the flow, and
    how (see `Conversations.start`)."""

    guardian: Guardian
    children: Sequence[Student] | None
    flow: str
    firing_id: int | None
    origin: Origin = "district"
    language: str | None = None
    extra: dict[str, object] | None = None
    school_day: date | None = None
