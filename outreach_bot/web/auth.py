"""Sign-in and sign-out for staff."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.models import User
from outreach_bot.staff import audit
from outreach_bot.staff.users import SignInPolicy, authenticate
from outreach_bot.web import runtime
from outreach_bot.web.language import t
from outreach_bot.web.security import start_session

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another site, whatever tricks the address holds.

    Browsers drop tabs and newlines from an address and read a backslash as a slash, so
    `/<tab>/evil.example` becomes `//evil.example`: anything but a plain path is refused.
    """
    fallback = url_for("dashboard.queue")
    if not target or not target.isprintable() or any(c.isspace() or c == "\\" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if unquote(parts.path).startswith(("//", "/\\")):
        return fallback
    return target


@blueprint.get("/login")
def login() -> str | BaseResponse:
    """The sign-in form."""
    if g.get("staff") is not None:
        return redirect(url_for("dashboard.queue"))
    notice = (
        t("You were signed out after a while without activity.")
        if request.args.get("expired")
        else None
    )
    return render_template("staff/login.html", notice=notice, next=request.args.get("next", ""))


@blueprint.post("/login")
def login_post() -> tuple[str, int] | BaseResponse:
    """Check the email and password; the same answer for an unknown email and a wrong password."""
    rt = runtime()
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    settings = rt.settings
    policy = SignInPolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes)
    )
    now = rt.clock()
    with rt.db.transaction() as db:
        user = authenticate(
            db, email, password, address=request.remote_addr or "", now=now, policy=policy
        )
        if user is not None:
            start_session(user)
            audit.record(db, user_id=user.id, action="signed_in", now=now)
        else:
            audit.record(db, user_id=None, action="sign_in_refused", now=now)
    if user is None:
        error = t(
            "That email and password do not match an account, or there were too many tries. "
            "Check them, or wait a few minutes and try again."
        )
        page = render_template(
            "staff/login.html", error=error, email=email, next=request.form.get("next", "")
        )
        return page, 401
    return redirect(_safe_next(request.form.get("next")))


@blueprint.post("/logout")
def logout() -> BaseResponse:
    """Sign out here and everywhere: every copy of the session cookie stops working."""
    person = g.get("staff")
    if person is None:
        return redirect(url_for("auth.login"))
    rt = runtime()
    with rt.db.transaction() as db:
        user = db.get_one(User, person.id)
        user.session_version += 1
        audit.record(db, user_id=user.id, action="signed_out", now=rt.clock())
    session.clear()
    return redirect(url_for("auth.login"))
