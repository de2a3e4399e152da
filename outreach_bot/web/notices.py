"""The Notices page: the truancy notices of the schools within reach, filtered by school, stage
and whether the letter was mailed; each letter as a PDF, a day's batch as one PDF to print
(rendered by a worker: `notices.prints`), and a button to record a letter as mailed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.models import Notice, NoticePrint, School, Student
from outreach_bot.notices import mailing, prints
from outreach_bot.notices.letter import Letter, letter_pdf
from outreach_bot.notices.packet import packet_for, packet_pdf
from outreach_bot.notices.printing import LetterIncomplete, letters_for
from outreach_bot.notices.rules import NoticeRulesError
from outreach_bot.queue import QueueUnreachable
from outreach_bot.web import runtime
from outreach_bot.web.dashboard import record
from outreach_bot.web.language import t
from outreach_bot.web.security import require_sign_in, staff

blueprint = Blueprint("notices", __name__)
blueprint.before_request(require_sign_in)

# California's stages, offered in the filter before any notice has been sent.
STAGES = ("first", "second", "conference")
MAILED = ("no", "yes")


@dataclass(frozen=True)
class NoticeFilters:
    """What the page shows: one school, one stage, mailed or not, one day's notices."""

    school: str | None
    stage: str | None
    mailed: str | None
    issued_on: date | None

    def query(self) -> Select[Notice, Student, School]:
        """The notices these filters and the user's schools let through, newest day first."""
        query = (
            select(Notice, Student, School)
            .join(Student, Student.id == Notice.student_id)
            .join(School, School.id == Student.school_id)
            .where(staff().scope.where(Student.school_id))
            .order_by(Notice.issued_on.desc(), School.name, Student.last_name, Notice.id)
        )
        if self.school:
            query = query.where(Student.school_id == self.school)
        if self.stage:
            query = query.where(Notice.stage == self.stage)
        if self.mailed == "yes":
            query = query.where(Notice.mailed_at.is_not(None))
        elif self.mailed == "no":
            query = query.where(Notice.mailed_at.is_(None))
        if self.issued_on:
            query = query.where(Notice.issued_on == self.issued_on)
        return query

    def args(self) -> dict[str, str]:
        """The filters as query arguments, to keep them across a form post or a PDF link."""
        values = {
            "school": self.school,
            "stage": self.stage,
            "mailed": self.mailed,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
        }
        return {name: value for name, value in values.items() if value}


def _filters() -> NoticeFilters:
    """The filters asked for (404 for a school out of reach, 400 for a day that is no date)."""
    args = request.values
    school = args.get("school") or None
    if school is not None and not staff().scope.covers(school):
        abort(404)
    mailed = args.get("mailed") or None
    if mailed is not None and mailed not in MAILED:
        abort(400, description=f"mailed: expected one of {', '.join(MAILED)}, got {mailed!r}")
    day = args.get("issued_on") or None
    try:
        issued_on = date.fromisoformat(day) if day else None
    except ValueError:
        abort(400, description=f"issued_on: expected a date as YYYY-MM-DD, got {day!r}")
    return NoticeFilters(school, args.get("stage") or None, mailed, issued_on)


def _notice(db: Session, notice_id: int) -> Notice:
    """The notice, or 404 when it does not exist or its student's school is out of reach."""
    notice = db.get(Notice, notice_id)
    if notice is None:
        abort(404)
    student = db.get_one(Student, notice.student_id)
    if not staff().scope.covers(student.school_id):
        abort(404)
    return notice


def _letters(db: Session, notices: list[Notice]) -> list[Letter]:
    """The notices' letters, each under the rules it was sent by."""
    settings = runtime().settings
    try:
        return letters_for(
            db,
            notices,
            settings.flows_dir,
            settings.district_name,
            settings.district_address_lines,
        )
    except NoticeRulesError as error:
        abort(500, description=str(error))
    except LetterIncomplete as error:
        abort(409, description=str(error))


def _download(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def _pdf(letters: list[Letter], filename: str) -> Response:
    """The letters as one PDF download (rendered after the database transaction ends)."""
    return _download(letter_pdf(letters, runtime().settings.locales_dir), filename)


@blueprint.get("/")
def page() -> str:
    """The notices within reach, with filters."""
    filters = _filters()
    scope = staff().scope
    with runtime().db.transaction() as db:
        rows = db.execute(filters.query()).all()
        schools = db.scalars(select(School).where(scope.where(School.id)).order_by(School.name))
        sent = set(db.scalars(select(Notice.stage).distinct()))
        stages = [*STAGES, *sorted(sent - set(STAGES))]
        record(db, "viewed_notices")
        return render_template(
            "staff/notices.html",
            rows=rows,
            schools=list(schools),
            stages=stages,
            filters=filters,
            notices_on=runtime().settings.notices_state is not None,
        )


@blueprint.post("/prints")
def ask_print() -> BaseResponse:
    """Print every letter the filters show as one PDF (a day's batch: filter by day), by
    school, then by student, as they go in envelopes. A worker renders it; the batch's page
    shows it until it can be downloaded."""
    rt = runtime()
    filters = _filters()
    with rt.db.transaction() as db:
        rows = list(db.execute(filters.query()))
        if not rows:
            abort(404, description="No notices match these filters.")
        rows.sort(key=lambda row: (row[2].name, row[1].last_name, row[1].first_name, row[0].id))
        record(db, "printed_notices", "notices", len(rows))
        day = filters.issued_on.isoformat() if filters.issued_on else "all"
        print_id = prints.ask(
            db,
            user_id=staff().id,
            notice_ids=[notice.id for notice, _, _ in rows],
            filename=f"notices-{day}.pdf",
            now=rt.clock(),
        ).id
    try:
        rt.queue.enqueue(
            prints.PRINT_LETTERS,
            print_id,
            job_id=f"notice-print-{print_id}",
            timeout=prints.PRINT_SECONDS,
        )
    except QueueUnreachable:
        prints.print_letters(print_id)  # no worker can be reached: print it here, slowly
    return redirect(url_for("notices.print_page", print_id=print_id))


def _print(db: Session, print_id: int) -> NoticePrint:
    """A batch the signed-in user asked for (404 for anyone else's, or one past its day)."""
    found = db.get(NoticePrint, print_id)
    if found is None or found.requested_by != staff().id:
        abort(404)
    return found


@blueprint.get("/prints/<int:print_id>")
def print_page(print_id: int) -> str:
    """A batch being printed: waiting (the page refreshes itself), ready, or why it failed."""
    with runtime().db.transaction() as db:
        found = _print(db, print_id)
        return render_template(
            "staff/notice_print.html", batch=found, lost=prints.lost(found, runtime().clock())
        )


@blueprint.get("/prints/<int:print_id>.pdf")
def print_pdf(print_id: int) -> Response:
    """A printed batch's PDF, for the one who asked for it."""
    with runtime().db.transaction() as db:
        found = _print(db, print_id)
        if found.pdf is None:
            abort(404, description="These letters are not printed yet.")
        return _download(found.pdf, found.filename)


@blueprint.get("/<int:notice_id>.pdf")
def letter(notice_id: int) -> Response:
    """One notice's letter, in the family's language, as a PDF."""
    with runtime().db.transaction() as db:
        notice = _notice(db, notice_id)
        record(db, "printed_notices", "notice", notice.id)
        letters = _letters(db, [notice])
        filename = f"notice-{notice.id}-{notice.stage}.pdf"
    return _pdf(letters, filename)


@blueprint.get("/students/<student_id>/packet-<int:year>.pdf")
def packet(student_id: str, year: int) -> Response:
    """The referral packet for a review board: a student's notices and contact attempts in the
    school year starting July 1 of `year`."""
    if not 2000 <= year <= 2100:
        abort(404)
    rt = runtime()
    today = rt.clock().astimezone(ZoneInfo(rt.settings.district_timezone)).date()
    with rt.db.transaction() as db:
        student = db.get(Student, student_id)
        if student is None or not staff().scope.covers(student.school_id):
            abort(404)
        found = packet_for(
            db,
            student_id,
            date(year, 7, 1),
            today,
            rt.settings.district_name,
            rt.settings.district_timezone,
        )
        record(db, "printed_packet", "student", student_id)
    return Response(
        packet_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=packet-{student_id}-{year}.pdf"},
    )


@blueprint.post("/<int:notice_id>/mailed")
def mark_mailed(notice_id: int) -> BaseResponse:
    """Record that the letter went in the post (once: a second click changes nothing)."""
    rt = runtime()
    filters = _filters()
    try:
        with rt.db.transaction() as db:
            mailing.mark_mailed(db, _notice(db, notice_id), user_id=staff().id, now=rt.clock())
    except mailing.MailingError:
        flash(t("That letter was already marked as mailed."), "info")
    else:
        flash(t("Letter marked as mailed."), "ok")
    return redirect(url_for("notices.page", **cast(dict[str, Any], filters.args())))
