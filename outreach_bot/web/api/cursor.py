"""Opaque page cursors: the last item's place, base64url-encoded, so clients never parse it."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from outreach_bot.staff.feeds import TimelineKey
from outreach_bot.web.api.problems import ApiProblem

_UNKNOWN = (
    "this cursor is not one this API gave out (or it was cut short); pass the next_cursor of"
    " the page before as it came, or leave cursor out to start from the first page"
)


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise ApiProblem(422, _UNKNOWN, field="cursor") from None


def id_cursor(last_id: int) -> str:
    """The cursor after the item with this id."""
    return _encode(str(last_id))


def read_id_cursor(cursor: str | None) -> int | None:
    """The id a cursor from `id_cursor` stands after; None for no cursor."""
    if not cursor:
        return None
    text = _decode(cursor)
    if not text.isdigit() or len(text) > 18:
        raise ApiProblem(422, _UNKNOWN, field="cursor")
    return int(text)


def timeline_cursor(key: TimelineKey) -> str:
    """The cursor after a timeline event."""
    moment, source, row_id = key
    return _encode(f"{moment.astimezone(UTC).isoformat()}|{source}|{row_id}")


def read_timeline_cursor(cursor: str | None) -> TimelineKey | None:
    """The timeline place a cursor from `timeline_cursor` stands after; None for no cursor."""
    if not cursor:
        return None
    parts = _decode(cursor).split("|")
    try:
        moment, source, row_id = datetime.fromisoformat(parts[0]), int(parts[1]), int(parts[2])
        if len(parts) != 3 or moment.tzinfo is None or not 0 <= source <= 2:
            raise ValueError
        if not 0 <= row_id < 2**63:
            raise ValueError
        return moment.astimezone(UTC), source, row_id
    except (IndexError, ValueError, OverflowError):
        raise ApiProblem(422, _UNKNOWN, field="cursor") from None
