"""Staff sessions: signed cookies, idle timeout, CSRF on every form, and who is signed in."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Flask,
    Request,
    Response,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.models import User
from outreach_bot.staff.scope import Scope
from outreach_bot.web import runtime
from outreach_bot.web.language import t

F = TypeVar("F", bound=Callable[..., Any])
# Machine-to-machine endpoints with their own authentication (Twilio signs its webhooks;
# API clients send a bearer token, never a cookie).
CSRF_EXEMPT = frozenset({"twilio", "health", "api"})
STAFF_BLUEPRINTS = frozenset(
    {"auth", "dashboard", "cases", "admin", "reports", "directory", "notices"}
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

# Twilio's webhooks (the twilio blueprint's prefix): no browser posts them, so no session.
WEBHOOKS = "/twilio/"
# A year, the usual minimum for browsers' preload lists; HTTP is never used again.
HSTS = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member, as loaded at the start of a request."""

    id: int
    email: str
    role: str
    language: str
    school_ids: frozenset[str]

    @property
    def scope(self) -> Scope:
        """What this person may see and do."""
        return Scope(user_id=self.id, role=self.role, school_ids=self.school_ids)


class StaffSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, not opened for Twilio's webhooks.

    Opening one (the signing key derived, the cookies parsed) was a part of every webhook's
    CPU; a webhook gets Flask's null session, empty and never saved.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(WEBHOOKS):
            return None
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Cookie settings from the runtime's settings, and the per-request checks."""
    settings = runtime_for(app).settings
    app.session_interface = StaffSessions()
    app.config.update(
        SESSION_COOKIE_NAME="outreach_session",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    app.before_request(load_staff)
    app.before_request(check_csrf)
    app.after_request(protect_response)
    app.jinja_env.globals["csrf_field"] = csrf_field


def runtime_for(app: Flask) -> Any:
    """The runtime stored on an app (before any request context exists)."""
    return app.extensions["outreach"]


def load_staff() -> None:
    """Find the signed-in user; end the session when it sat idle too long or was signed out."""
    g.staff = None
    g.session_expired = False
    if request.blueprint not in STAFF_BLUEPRINTS or "user_id" not in session:
        return
    rt = runtime()
    now = rt.clock().timestamp()
    idle = rt.settings.session_idle_minutes * 60
    if now - float(session.get("seen", 0)) > idle:
        session.clear()
        g.session_expired = True
        return
    with rt.db.transaction() as db:
        user = db.get(User, session["user_id"])
        valid = user is not None and user.active and user.session_version == session.get("v")
        if not valid or user is None:
            session.clear()
            return
        g.staff = StaffIdentity(
            user.id, user.email, user.role, user.language, frozenset(user.school_ids)
        )
    session["seen"] = now


def start_session(user: User) -> None:
    """Sign a user in on a fresh session: nothing from before sign-in survives."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["v"] = user.session_version
    session["csrf"] = secrets.token_urlsafe(32)
    session["seen"] = runtime().clock().timestamp()


def csrf_token() -> str:
    """This session's form token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def csrf_field() -> Markup:
    """The hidden input every form carries."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token())}">')


def check_csrf() -> None:
    """Refuse (400) any form post whose token does not match the session's."""
    if request.method != "POST" or request.blueprint in CSRF_EXEMPT:
        return
    if request.url_rule is None:
        return  # no view matched, so no form is taken: routing answers 404 or 405
    expected = session.get("csrf")
    given = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(str(expected), given):
        abort(400, _why_the_form_failed(expected is None))


def _why_the_form_failed(no_session: bool) -> str:
    """The likeliest reason a form's token did not match, as a sentence that says what to do."""
    cookie_sent = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if not no_session or cookie_sent:
        return t("This form has expired. Go back, reload the page and try again.")
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    if current_app.config["SESSION_COOKIE_SECURE"] and scheme.lower() != "https":
        return t(
            "Signing in needs HTTPS. This dashboard's session cookie is sent only over HTTPS "
            "(SESSION_COOKIE_SECURE, on outside development), and this page was opened over "
            "plain HTTP, so your browser did not keep it. Open the dashboard at an https:// "
            "address; a proxy that ends HTTPS in front of it must send X-Forwarded-Proto: https."
        )
    return t(
        "Your browser did not send this site's cookie, so the form could not be checked. "
        "Allow cookies for this site, then reload the page and try again."
    )


def protect_response(response: Response) -> Response:
    """Every answer (static files too) runs only our own scripts, is never framed or sniffed,
    and, over HTTPS, tells browsers to use nothing else; staff pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")  # a public page may say no-referrer
    if request.is_secure:  # behind a proxy that ends HTTPS, TRUSTED_PROXY_COUNT makes this true
        headers["Strict-Transport-Security"] = HSTS
    if request.blueprint in STAFF_BLUEPRINTS:
        headers["Cache-Control"] = "no-store"
    return response


def staff() -> StaffIdentity:
    """The signed-in user (only inside views that require sign-in)."""
    found: StaffIdentity = g.staff
    return found


def require_sign_in() -> BaseResponse | None:
    """A blueprint guard: send anyone not signed in to the sign-in page."""
    if g.get("staff") is None:
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        expired = "1" if g.get("session_expired") else None
        return redirect(url_for("auth.login", next=target, expired=expired))
    return None


def admin_only(view: F) -> F:
    """A view only district admins may open (403 for everyone else)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not staff().scope.can_administer:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
