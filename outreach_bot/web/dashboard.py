"""The staff dashboard: the queue, a student's record, and each person's preferences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.barriers import BARRIERS
from outreach_bot.models import AttendanceSummary, Student, User
from outreach_bot.phones import normalize_phone
from outreach_bot.staff import audit
from outreach_bot.staff.case_file import attendance_strip, student_cases
from outreach_bot.staff.queue import QueueFilters, count_queue, filter_choices, list_queue
from outreach_bot.staff.users import AccountError, set_language, set_notify_by
from outreach_bot.web import runtime
from outreach_bot.web.language import LANGUAGE_NAMES, t
from outreach_bot.web.security import require_sign_in, staff

blueprint = Blueprint("dashboard", __name__)
blueprint.before_request(require_sign_in)
# Templates and styles: a blueprint of their own so the sign-in page gets them too.
assets = Blueprint(
    "staff_assets",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


def record(db: Session, action: str, target_type: str | None = None, target: object = None) -> None:
    """Audit one view or action by the signed-in user."""
    audit.record(
        db,
        user_id=staff().id,
        action=action,
        now=runtime().clock(),
        target_type=target_type,
        target_id=target,
    )


@blueprint.get("/")
def queue() -> str:
    """Open cases by priority and due time, with filters and counts."""
    args = request.args
    filters = QueueFilters(
        school=args.get("school", ""),
        reason=args.get("reason", ""),
        barrier=args.get("barrier", ""),
        language=args.get("language", ""),
        overdue=args.get("overdue") == "1",
        mine=args.get("mine") == "1",
    )
    rt = runtime()
    now = rt.clock()
    scope = staff().scope
    with rt.db.transaction() as db:
        rows = list_queue(db, scope, filters, now)
        counts = count_queue(db, scope, now)
        choices = filter_choices(db, scope)
        record(db, "viewed_queue")
        return render_template(
            "staff/queue.html",
            rows=rows,
            counts=counts,
            filters=filters,
            choices=choices,
            barriers=list(BARRIERS),
            now=now,
        )


@blueprint.get("/students/<student_id>")
def student(student_id: str) -> str:
    """A student's record and every case about them (404 outside the user's schools)."""
    rt = runtime()
    with rt.db.transaction() as db:
        found = db.get(Student, student_id)
        if found is None or not staff().scope.covers(found.school_id):
            abort(404)
        summary = db.get(AttendanceSummary, found.id)
        record(db, "viewed_student", "student", found.id)
        return render_template(
            "staff/student.html",
            student=found,
            summary=summary,
            days=attendance_strip(db, found, summary.as_of if summary else None),
            cases=student_cases(db, found.id),
            now=rt.clock(),
        )


@blueprint.get("/preferences")
def preferences() -> str:
    """The dashboard language, a staff phone, and how to hear about new cases."""
    with runtime().db.transaction() as db:
        user = db.get_one(User, staff().id)
        return render_template("staff/preferences.html", user=user, languages=LANGUAGE_NAMES)


@blueprint.post("/preferences")
def preferences_post() -> BaseResponse:
    """Save the preferences."""
    form = request.form
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            user = db.get_one(User, staff().id)
            set_language(user, form.get("language", "en"))
            raw_phone = form.get("phone", "").strip()
            user.phone = normalize_phone(raw_phone) if raw_phone else None
            set_notify_by(user, form.get("notify_by", "email"))
            record(db, "changed_preferences", "user", user.id)
    except (AccountError, ValueError) as error:
        flash(str(error), "error")
        return redirect(url_for("dashboard.preferences"))
    flash(t("Preferences saved."), "ok")
    return redirect(url_for("dashboard.preferences"))
