"""Malformed requests answered 400, 404, 413 or 415 before any view or database sees them."""

from __future__ import annotations

import re

from flask import Flask, abort, request

# Twilio's webhooks and the dashboard's forms are small; the JSON API sets its own larger limit.
MAX_FORM_BYTES = 64 * 1024
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# A NUL a family sent is text to keep: the webhook stores it as U+FFFD (web/twilio_form.py).
TAKES_NUL_IN_FORMS = frozenset({"twilio"})
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def init_app(app: Flask) -> None:
    """Check every request before the rest of the app's checks run."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    app.before_request(refuse_malformed)


def _has_control_character(text: str) -> bool:
    """True for NUL and the other C0 controls (and DEL), which no id, path or form field holds."""
    return CONTROL_CHARACTER.search(text) is not None


def refuse_malformed() -> None:
    """A control byte in the path: 404; a NUL in the query or a form: 400; a form of another
    type: 415 (no id or page address holds a control byte, so no such page exists)."""
    if _has_control_character(request.path):
        abort(404, "No page has a control character (such as a NUL byte) in its address.")
    if request.blueprint == "api":
        return  # the JSON API checks its own queries and bodies, and answers as its document says
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, "The address's query holds a NUL byte; remove it and try again.")
    if request.method != "POST" or request.url_rule is None:
        return
    empty = not request.content_length and not request.mimetype
    if not empty and request.mimetype not in FORM_TYPES:
        abort(415, "Send this form as application/x-www-form-urlencoded.")
    if request.blueprint in TAKES_NUL_IN_FORMS:
        return
    if any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)):
        abort(400, "The form holds a NUL byte; remove it and send the form again.")
