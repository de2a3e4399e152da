"""Log lines: one JSON object each, with the request id, and never a phone number."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# A run of 10 or more digits with the separators people write phone numbers with; digits
# inside a word (a message SID such as SM0123...) are left alone.
PHONE_LIKE = re.compile(r"(?<![\w+(])\+?\(?\d[\d\-. ()]{8,}\d(?!\w)")
HANDLER_NAME = "outreach-bot"
# PostgreSQL's errors quote the failing row or key ("DETAIL: Failing row contains (...)").
ERROR_DETAIL = re.compile(r"^DETAIL:.*$", re.MULTILINE)


def without_phones(text: str) -> str:
    """The text with anything shaped like a phone number replaced by [phone]."""
    return PHONE_LIKE.sub(
        lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 10 else m.group(), text
    )


class PhoneFilter(logging.Filter):
    """Takes phone numbers out of every record that passes (a last line of defence: the code
    logs ids, never numbers or the words of a text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_phones(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class ResultRowFilter(logging.Filter):
    """Drops SQLAlchemy's DEBUG lines, which print result rows: phones and texts' words.

    (Its INFO lines, the statements, stay: engines hide their parameters.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("sqlalchemy.engine") and record.levelno <= logging.DEBUG)


class RequestIdFilter(logging.Filter):
    """Adds the current web request's id (or '-') to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            from flask import g, has_request_context

            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def safe_traceback(text: str) -> str:
    """A traceback without the database's quoted rows and without phone numbers."""
    return without_phones(ERROR_DETAIL.sub("DETAIL: (hidden: it can quote phones and texts)", text))


class TextFormatter(logging.Formatter):
    """Plain lines, for a developer's terminal (LOG_FORMAT=text)."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return safe_traceback(super().formatException(ei))


class JsonFormatter(TextFormatter):
    """One JSON object a line: time, level, logger, message, request id, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_lines: bool = True) -> logging.Handler:
    """Send every log record to stderr through the filters above; safe to call twice."""
    root = logging.getLogger()
    for existing in root.handlers:
        if existing.get_name() == HANDLER_NAME:
            return existing
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    handler.addFilter(ResultRowFilter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PhoneFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
