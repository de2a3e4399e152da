"""The `label` filter: the dashboard's word for a stored code, in the reader's language."""

from __future__ import annotations

from flask import Flask

from outreach_bot.staff.labels import LABELS
from outreach_bot.web.language import gettext, per_request


def label(code: str | None) -> str:
    """The dashboard's word for a stored code; unknown codes are shown readable as they are."""
    if not code:
        return ""
    text = LABELS.get(code)
    return gettext(text) if text else code.replace("_", " ")


def init_app(app: Flask) -> None:
    """Make `label` a template filter."""
    app.jinja_env.filters["label"] = per_request(label)
