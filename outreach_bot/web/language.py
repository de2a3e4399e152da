"""The dashboard's language: each staff member's preference, else the browser's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_datetime
from flask import Flask, current_app, g, has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context

from outreach_bot.staff.case_file import text_direction
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.web import runtime

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def init_app(app: Flask) -> None:
    """Load the dashboard catalog and teach the templates `_()` and local times."""
    settings = app.extensions["outreach"].settings
    app.extensions["staff_catalog"] = StaffCatalog(settings.locales_dir)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext, ngettext=ngettext, newstyle=True
    )
    app.jinja_env.filters["local_time"] = per_request(local_time)
    app.jinja_env.filters["language_name"] = per_request(language_name)
    app.jinja_env.globals["staff_language"] = staff_language
    app.jinja_env.globals["direction"] = text_direction


def per_request(function: Callable[..., str]) -> Callable[..., str]:
    """A template filter whose answer depends on who reads the page, never folded by Jinja.

    Jinja computes a filter with constant arguments (`"present"|label`) once, when it compiles
    the template, and keeps the result: in the first reader's language, for every reader after.
    A filter that takes the template context is never computed ahead.
    """

    @pass_context
    @wraps(function)
    def filter_(_context: Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return filter_


def catalog() -> StaffCatalog:
    """The dashboard catalog of the running app."""
    found: StaffCatalog = current_app.extensions["staff_catalog"]
    return found


def staff_language() -> str:
    """The signed-in user's language, else the best the browser asks for, else English."""
    if not has_request_context():
        return "en"
    person = g.get("staff")
    if person is not None:
        return str(person.language)
    return request.accept_languages.best_match(catalog().languages()) or "en"


def gettext(message: str) -> str:
    """A dashboard string in the staff member's language."""
    return catalog().get(staff_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """A dashboard string with a count, in the staff member's language."""
    return catalog().get(staff_language()).ngettext(singular, plural, count)


def t(message: str, **values: object) -> str:
    """A translated string for Python code (flash messages), with %(name)s values filled in."""
    text = gettext(message)
    return text % values if values else text


def local_time(moment: datetime | None, pattern: str = "EEE d MMM, HH:mm") -> str:
    """A moment in the district's timezone, in the staff member's language."""
    if moment is None:
        return ""
    zone = ZoneInfo(runtime().settings.district_timezone)
    return format_datetime(moment, pattern, tzinfo=zone, locale=staff_language())


def language_name(tag: str | None) -> str:
    """A family's language by name, in the staff member's language ('es' -> 'Spanish')."""
    if not tag:
        return "?"
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(staff_language())
    except (UnknownLocaleError, ValueError):
        return tag
    return f"{name} ({tag})" if name else tag
