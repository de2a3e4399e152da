"""Phone numbers: every number is stored in E.164 (+15035550142), or not at all."""

from __future__ import annotations

from outreach_bot.phones.numbers import (
    EXAMPLE,
    display_phone,
    normalize_phone,
    normalize_service_number,
    sender_phone,
)

__all__ = [
    "EXAMPLE",
    "display_phone",
    "normalize_phone",
    "normalize_service_number",
    "sender_phone",
]
