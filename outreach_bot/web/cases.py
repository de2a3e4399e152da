"""A case: the student, the family, the conversation, and the work until contact is made."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.models import Escalation, Guardian, Notice, User
from outreach_bot.notices import mailing
from outreach_bot.staff import casework, district_settings, takeover
from outreach_bot.staff.case_file import CaseFile, PhoneStatus, colleagues, load_case_file
from outreach_bot.staff.casework import CaseworkError
from outreach_bot.staff.quick_replies import load_quick_replies, render_quick_replies
from outreach_bot.web import runtime
from outreach_bot.web.dashboard import record
from outreach_bot.web.language import t
from outreach_bot.web.security import require_sign_in, staff

blueprint = Blueprint("cases", __name__)
blueprint.before_request(require_sign_in)


def _case(db: Session, case_id: int) -> Escalation:
    """The case, or 404 when it does not exist or lies outside the user's schools."""
    case = db.get(Escalation, case_id)
    if case is None or not staff().scope.covers(case.school_id):
        abort(404)
    return case


def _back(case_id: int, anchor: str = "") -> BaseResponse:
    return redirect(url_for("cases.show", case_id=case_id) + (f"#{anchor}" if anchor else ""))


def _reply_target(file: CaseFile, wanted: str | None) -> PhoneStatus | None:
    """The phone the reply box texts: the one asked for (by its place on the page, so no phone
    number is ever in an address or an access log), the case's own, or the first guardian's."""
    if wanted and wanted.isdigit() and 1 <= int(wanted) <= len(file.phones):
        return file.phones[int(wanted) - 1]
    phones = {p.phone: p for p in file.phones}
    for phone in (file.case.phone, *phones):
        if phone and phone in phones:
            return phones[phone]
    return None


def _reply_box(case_id: int, place: int) -> BaseResponse:
    """Back to the reply box, with the phone named by its place on the page."""
    return redirect(url_for("cases.show", case_id=case_id, to=place) + "#reply")


def _reply_context(file: CaseFile) -> dict[str, object]:
    student, school = file.student, file.school
    return {
        "first_name": student.first_name if student else "",
        "school_name": school.name if school else "",
        "school_phone": (school.phone or "") if school else "",
        "district_name": runtime().settings.district_name,
    }


@blueprint.get("/<int:case_id>")
def show(case_id: int) -> str:
    """The case page (each view is audited)."""
    rt = runtime()
    with rt.db.transaction() as db:
        case = _case(db, case_id)
        file = load_case_file(db, case, staff().scope)
        target = _reply_target(file, request.args.get("to"))
        language = rt.catalogs.choose(
            target.guardian.language if target and target.guardian else None
        )
        replies = render_quick_replies(
            load_quick_replies(rt.settings.flows_dir), language, _reply_context(file), rt.catalogs
        )
        record(db, "viewed_case", "case", case.id)
        if file.student is not None:
            record(db, "viewed_student", "student", file.student.id)
        return render_template(
            "staff/case.html",
            file=file,
            target=target,
            family_language=language,
            quick_replies=replies,
            colleagues=colleagues(db, case.school_id) if staff().scope.can_assign else [],
            methods=casework.METHODS,
            attempt_outcomes=casework.ATTEMPT_OUTCOMES,
            case_outcomes=casework.CASE_OUTCOMES,
            follow_up_hours=district_settings.effective(db, rt.settings).follow_up_hours,
            now=rt.clock(),
            me=staff(),
        )


@blueprint.post("/<int:case_id>/claim")
def claim(case_id: int) -> BaseResponse:
    """Take the case."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            case = _case(db, case_id)
            casework.claim(case, db.get_one(User, staff().id), rt.clock())
            record(db, "claimed_case", "case", case.id)
    except CaseworkError as error:
        flash(str(error), "error")
    return _back(case_id)


@blueprint.post("/<int:case_id>/unclaim")
def unclaim(case_id: int) -> BaseResponse:
    """Put the case back in the queue."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            case = _case(db, case_id)
            casework.unclaim(case, staff().scope)
            record(db, "unclaimed_case", "case", case.id)
    except CaseworkError as error:
        flash(str(error), "error")
    return _back(case_id)


@blueprint.post("/<int:case_id>/assign")
def assign(case_id: int) -> BaseResponse:
    """Hand the case to a colleague (school leads and district admins)."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            case = _case(db, case_id)
            assignee = db.get(User, request.form.get("assignee_id", type=int) or 0)
            if assignee is None:
                raise CaseworkError(t("Choose who should take this case."))
            casework.assign(case, assignee, staff().scope, rt.clock())
            record(db, "assigned_case", "case", case.id)
    except CaseworkError as error:
        flash(str(error), "error")
    return _back(case_id)


def _follow_up(raw: str | None) -> datetime | None:
    """A datetime-local value, read in the district's timezone."""
    if not raw:
        return None
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError as error:
        raise CaseworkError(t("Give the next follow-up as a date and time.")) from error
    return naive.replace(tzinfo=ZoneInfo(runtime().settings.district_timezone))


@blueprint.post("/<int:case_id>/attempts")
def log_attempt(case_id: int) -> BaseResponse:
    """Record a call, text, visit or meeting; contact made closes the case."""
    rt = runtime()
    form = request.form
    now = rt.clock()
    try:
        with rt.db.transaction() as db:
            case = _case(db, case_id)
            casework.log_attempt(
                db,
                case,
                db.get_one(User, staff().id),
                method=form.get("method", ""),
                outcome=form.get("outcome", ""),
                note=form.get("note"),
                case_outcome=form.get("case_outcome") or None,
                follow_up_at=_follow_up(form.get("follow_up_at")),
                follow_up_after=district_settings.effective(db, rt.settings).follow_up_after,
                now=now,
            )
            closed = case.status == "closed"
            record(db, "closed_case" if closed else "logged_attempt", "case", case.id)
    except CaseworkError as error:
        flash(str(error), "error")
        return _back(case_id, "work")
    flash(t("Contact made: the case is closed.") if closed else t("Attempt saved."), "ok")
    return _back(case_id, "work")


def _phone_on_file(db: Session, case: Escalation, phone: str) -> tuple[int, PhoneStatus]:
    """A phone of this case's family and its place on the page (from 1); 404 for any other."""
    for place, status in enumerate(load_case_file(db, case, staff().scope).phones, start=1):
        if status.phone == phone:
            return place, status
    abort(404)


@blueprint.post("/<int:case_id>/texts")
def text_family(case_id: int) -> BaseResponse:
    """Text the family: a quick reply in their language, or the words staff wrote."""
    rt = runtime()
    form = request.form
    now = rt.clock()
    with rt.db.transaction() as db:
        case = _case(db, case_id)
        place, target = _phone_on_file(db, case, form.get("phone", ""))
        if target.status != "ok":
            flash(
                t("This phone cannot get texts (opted out or undeliverable). Call instead."),
                "error",
            )
            return _back(case_id, "reply")
        guardian: Guardian | None = target.guardian
        language = rt.catalogs.choose(guardian.language if guardian else None)
        name = form.get("quick_reply", "")
        if name:
            file = load_case_file(db, case, staff().scope)
            texts = load_quick_replies(rt.settings.flows_dir)
            chosen = [
                r
                for r in render_quick_replies(texts, language, _reply_context(file), rt.catalogs)
                if r.name == name
            ]
            if not chosen:
                abort(400, "unknown quick reply")
            body, language = chosen[0].body, chosen[0].language
        else:
            body = form.get("body", "").strip()
            language = form.get("language") or language
        if not body:
            flash(t("Write a message or choose a quick reply."), "error")
            return _back(case_id, "reply")
        takeover.text_family(
            db,
            phone=target.phone,
            body=body,
            language=language,
            user_id=staff().id,
            now=now,
            quiet=rt.quiet_hours,
            guardian_id=guardian.id if guardian else None,
        )
        record(db, "texted_family", "case", case.id)
    rt.queue.enqueue("outreach_bot.jobs.relay_outbox")
    flash(t("Text queued. The bot stays silent with this family until you give it back."), "ok")
    return _reply_box(case_id, place)


@blueprint.post("/<int:case_id>/notices/<int:notice_id>/mailed")
def mark_mailed(case_id: int, notice_id: int) -> BaseResponse:
    """Record that the notice's letter went in the post."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            case = _case(db, case_id)
            notice = db.get(Notice, notice_id)
            if notice is None or notice.student_id != case.student_id:
                abort(404)
            mailing.mark_mailed(db, notice, user_id=staff().id, now=rt.clock())
    except mailing.MailingError as error:
        flash(str(error), "error")
        return _back(case_id, "notices")
    flash(t("Letter marked mailed."), "ok")
    return _back(case_id, "notices")


@blueprint.post("/<int:case_id>/hold")
def hold(case_id: int) -> BaseResponse:
    """Take the conversation from the bot."""
    rt = runtime()
    with rt.db.transaction() as db:
        case = _case(db, case_id)
        place, target = _phone_on_file(db, case, request.form.get("phone", ""))
        takeover.hold(db, target.phone, staff().id, rt.clock())
        record(db, "held_conversation", "case", case.id)
    return _reply_box(case_id, place)


@blueprint.post("/<int:case_id>/release")
def release(case_id: int) -> BaseResponse:
    """Give the conversation back to the bot."""
    rt = runtime()
    with rt.db.transaction() as db:
        case = _case(db, case_id)
        place, target = _phone_on_file(db, case, request.form.get("phone", ""))
        takeover.release(db, target.phone, rt.clock())
        record(db, "released_conversation", "case", case.id)
    flash(t("The bot has the conversation again."), "ok")
    return _reply_box(case_id, place)
