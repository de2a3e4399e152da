"""A batch of letters printed as one PDF: asked for on the Notices page, rendered by a worker.

A day's batch can be hundreds of letters at about half a second each, longer than a web
request may take, so the page only asks (`ask`), a worker renders (`print_letters`, a job),
and the page shows the batch until it is ready to download. Only the person who asked may
download it, and it is kept a day (`KEPT`): it carries every family's name and address.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from outreach_bot.db import rows_changed
from outreach_bot.models import Notice, NoticePrint
from outreach_bot.notices.printing import LetterIncomplete, letters_for
from outreach_bot.notices.rules import NoticeRulesError
from outreach_bot.runtime import Runtime

PRINT_LETTERS = "outreach_bot.notices.prints.print_letters"
KEPT = timedelta(days=1)
# Seconds a worker may take over one batch; a batch still waiting after this was lost with
# its worker, and the page says to ask again.
PRINT_SECONDS = 1800


def ask(
    session: Session, *, user_id: int, notice_ids: Sequence[int], filename: str, now: datetime
) -> NoticePrint:
    """A new batch to print, waiting for a worker."""
    found = NoticePrint(
        requested_by=user_id, requested_at=now, notice_ids=list(notice_ids), filename=filename
    )
    session.add(found)
    session.flush()
    return found


def forget_old(session: Session, now: datetime) -> int:
    """Delete the batches asked for more than `KEPT` ago (every minute's tick); how many."""
    return rows_changed(session, delete(NoticePrint).where(NoticePrint.requested_at < now - KEPT))


def lost(found: NoticePrint, now: datetime) -> bool:
    """Whether a batch has waited longer than any worker may take: its worker died."""
    return found.status == "waiting" and now - found.requested_at > timedelta(seconds=PRINT_SECONDS)


def print_letters(print_id: int) -> str:
    """The job: render a waiting batch's letters into its PDF, or note why it cannot be."""
    rt: Runtime = current_app.extensions["outreach"]
    settings = rt.settings
    with rt.db.transaction() as session:
        found = session.get(NoticePrint, print_id)
        if found is None or found.status != "waiting":
            return "gone"  # deleted after a day, or rendered by an earlier run
        by_id = {
            notice.id: notice
            for notice in session.scalars(select(Notice).where(Notice.id.in_(found.notice_ids)))
        }
        notices = [by_id[notice_id] for notice_id in found.notice_ids if notice_id in by_id]
        try:
            letters = letters_for(
                session,
                notices,
                settings.flows_dir,
                settings.district_name,
                settings.district_address_lines,
            )
        except (LetterIncomplete, NoticeRulesError) as error:
            found.problem = str(error)
            found.finished_at = rt.clock()
            return "failed"
    # Rendered outside any transaction: it takes the time.
    from outreach_bot.notices.letter import letter_pdf

    pdf = letter_pdf(letters, settings.locales_dir)
    with rt.db.transaction() as session:
        found = session.get(NoticePrint, print_id)
        if found is None:
            return "gone"
        found.pdf = pdf
        found.finished_at = rt.clock()
    return "printed"
