"""A scan part's new conversations and their first texts, as plain rows written together.

The scan starts tens of thousands of conversations a night, nearly all alike: a flow's
opening texts, then a question or the end. Each is kept here as two kinds of plain rows
(the conversation, its texts) and the part's rows are written in one `COPY` a table
(`db.insert_rows`), with no ORM object built, tracked and flushed for each. What a flow's
first step does with a family (its texts, its state) is the pure engine's answer, as for
any conversation; only the writing differs from `Conversations.start`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert
from sqlalchemy.orm import Session

from outreach_bot.conversations.family import FamilyRow
from outreach_bot.conversations.lifecycle import Opened
from outreach_bot.db import insert_rows
from outreach_bot.engine.runner import Ended, Event, SendText, State
from outreach_bot.messaging.outbox import district_text_row
from outreach_bot.messaging.same_day import SameDay
from outreach_bot.models import Conversation, Message

_CONVERSATIONS = cast(Table, Conversation.__table__)
_MESSAGES = cast(Table, Message.__table__)


def plain(events: list[Event]) -> bool:
    """True when an opening only texts and perhaps ends, which is what `Openings` writes;
    anything else (an escalation, a follow-up, a hand-over...) takes `Conversations.start`'s
    way."""
    return all(isinstance(event, SendText | Ended) for event in events)


@dataclass
class Openings:
    """The conversations a batch opens and their first texts, kept as rows until `write`."""

    now: datetime
    # Quiet hours' end when they hold the district's texts now, else None.
    not_before: datetime | None
    conversations: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)

    def open(
        self,
        session: Session,
        family: FamilyRow,
        *,
        conversation_id: int | None,
        language: str,
        context: dict[str, object],
        events: list[Event],
        state: State,
        school_day: date,
    ) -> Opened:
        """Keep a family's conversation (at `state`, after `events`, all `plain`) and its
        texts, as `Conversations.start` would store them.

        Without an id (SQLite, where ids come from inserts) the conversation is inserted
        at once, for the id its texts carry; its texts wait for `write` all the same.
        """
        ended = next((event for event in reversed(events) if isinstance(event, Ended)), None)
        status = "active" if ended is None else "ended"
        row: dict[str, Any] = {
            "phone": family.phone,
            "guardian_id": family.guardian_id,
            "student_id": family.children[0].id,
            "trigger_firing_id": family.firing_id,
            "flow": family.flow,
            "language": language,
            "status": status,
            "state": state.to_json(),
            "context": context,
            "due_at": state.due_at if state.waiting and ended is None else None,
            "started_at": self.now,
            "ended_at": None if ended is None else self.now,
            "end_reason": None if ended is None else ended.reason,
        }
        if conversation_id is None:
            inserted = cast(CursorResult[Any], session.execute(insert(_CONVERSATIONS).values(row)))
            key = inserted.inserted_primary_key
            assert key is not None  # an INSERT of one row
            conversation_id = key[0]
        else:
            self.conversations.append({"id": conversation_id, **row})
        self._texts(family, conversation_id, language, events, school_day)
        return Opened(family.phone, family.flow, status, self.now)

    def _texts(
        self,
        family: FamilyRow,
        conversation_id: int | None,
        language: str,
        events: list[Event],
        school_day: date,
    ) -> None:
        same_day: SameDay | None = None
        for event in events:
            if not isinstance(event, SendText):
                continue
            if event.same_day:
                same_day = SameDay(school_day, rewordable=event.later is not None)
            later = (event.later or same_day.later_for(event.text)) if same_day else None
            self.texts.append(
                district_text_row(
                    phone=family.phone,
                    body=event.text,
                    language=language,
                    purpose=f"flow:{family.flow}",
                    now=self.now,
                    not_before=self.not_before,
                    guardian_id=family.guardian_id,
                    conversation_id=conversation_id,
                    valid_on=same_day.day if same_day else None,
                    later_body=later,
                )
            )

    def write(self, session: Session) -> None:
        """Insert the rows kept so far (conversations, then their texts), and forget them."""
        insert_rows(session, _CONVERSATIONS, self.conversations)
        insert_rows(session, _MESSAGES, self.texts)
        self.conversations, self.texts = [], []
