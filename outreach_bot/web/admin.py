"""District admin pages: staff accounts, district settings, and the audit log (read, export)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE
from outreach_bot.i18n.status import catalog_status
from outreach_bot.messaging.segments import MAX_SEGMENTS
from outreach_bot.models import School, User
from outreach_bot.models.staff import ROLES
from outreach_bot.staff import audit, district_settings
from outreach_bot.staff.district_settings import DistrictDeadlines, DistrictSettingsError
from outreach_bot.staff.users import AccountError, create_user, set_role
from outreach_bot.web import runtime
from outreach_bot.web.dashboard import record
from outreach_bot.web.language import t
from outreach_bot.web.security import admin_only, require_sign_in, staff

blueprint = Blueprint("admin", __name__)
blueprint.before_request(require_sign_in)


@blueprint.get("/users")
@admin_only
def users() -> str:
    """Every staff account, and a form to add one."""
    with runtime().db.transaction() as db:
        accounts = db.scalars(select(User).order_by(User.email)).all()
        schools = db.scalars(select(School).order_by(School.name)).all()
        record(db, "viewed_users")
        return render_template("staff/users.html", accounts=accounts, schools=schools, roles=ROLES)


@blueprint.post("/users")
@admin_only
def create() -> BaseResponse:
    """Add a staff account."""
    form = request.form
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            user = create_user(
                db,
                email=form.get("email", ""),
                password=form.get("password", ""),
                role=form.get("role", ""),
                school_ids=form.getlist("school_ids"),
                language=form.get("language", "en"),
                now=rt.clock(),
            )
            record(db, "created_user", "user", user.id)
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash(t("Account created."), "ok")
    return redirect(url_for("admin.users"))


@blueprint.post("/users/<int:user_id>")
@admin_only
def update(user_id: int) -> BaseResponse:
    """Change an account's role and schools, or turn it off (its sessions end at once)."""
    form = request.form
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            user = db.get(User, user_id)
            if user is None:
                return redirect(url_for("admin.users"))
            set_role(db, user, form.get("role", user.role), form.getlist("school_ids"))
            active = form.get("active") == "1"
            if user.active and not active:
                user.session_version += 1
            user.active = active
            record(db, "changed_user", "user", user.id)
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash(t("Account saved."), "ok")
    return redirect(url_for("admin.users"))


def _settings_page(
    current: DistrictDeadlines, typed: dict[str, str], errors: dict[str, str]
) -> str:
    """The District settings form: what is in force (or what was typed), and any errors."""
    rt = runtime()
    return render_template(
        "staff/district_settings.html",
        values={
            name: typed.get(name, district_settings.as_text(getattr(current, name)))
            for name in district_settings.NAMES
        },
        errors=errors,
        rules=district_settings.RULES,
        defaults=asdict(district_settings.defaults(rt.settings)),
        settings=rt.settings,
        quiet_hours=rt.quiet_hours,
    )


@blueprint.get("/settings")
@admin_only
def district_settings_form() -> str:
    """Case deadlines, notice pace and late same-day texts, which an admin may change; quiet
    hours and timezone, read-only."""
    rt = runtime()
    with rt.db.transaction() as db:
        current = district_settings.effective(db, rt.settings)
        record(db, "viewed_district_settings")
    return _settings_page(current, {}, {})


@blueprint.post("/settings")
@admin_only
def district_settings_save() -> BaseResponse | tuple[str, int]:
    """Save the district settings; refused values are shown beside their fields, none saved."""
    typed = {name: request.form[name] for name in district_settings.NAMES if name in request.form}
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            changed = district_settings.update(
                db, typed, user_id=staff().id, now=rt.clock(), settings=rt.settings
            )
    except DistrictSettingsError as error:
        errors = {name: t(e.message, **e.values) for name, e in error.errors.items()}
        with rt.db.transaction() as db:
            current = district_settings.effective(db, rt.settings)
        return _settings_page(current, typed, errors), 400
    flash(
        t("District settings saved.") if changed else t("Nothing to save: no value changed."), "ok"
    )
    return redirect(url_for("admin.district_settings_form"))


@blueprint.get("/languages")
@admin_only
def languages() -> str:
    """Each family language: how much is translated, who reviewed it, what it costs."""
    rt = runtime()
    rows = catalog_status(rt.settings.locales_dir, rt.library, rt.settings.district_name)
    unreviewed = [
        row.language
        for row in rows
        if row.language != SOURCE_LANGUAGE and row.review_state != "reviewed"
    ]
    with rt.db.transaction() as db:
        record(db, "viewed_languages")
    return render_template(
        "staff/languages.html",
        rows=rows,
        unreviewed=unreviewed,
        source=SOURCE_LANGUAGE,
        max_segments=MAX_SEGMENTS,
    )


@blueprint.get("/audit")
@admin_only
def audit_log() -> str:
    """The newest audit events."""
    action = request.args.get("action", "")
    with runtime().db.transaction() as db:
        events = audit.recent(db, action=action or None)
        record(db, "viewed_audit_log")
        return render_template("staff/audit.html", events=events, action=action)


@blueprint.get("/audit.csv")
@admin_only
def audit_export() -> Response:
    """The whole audit log as CSV."""
    rt = runtime()
    with rt.db.transaction() as db:
        record(db, "exported_audit_log")
        body = "".join(audit.export_csv(db))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
