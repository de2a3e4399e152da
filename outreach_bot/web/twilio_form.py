"""Twilio's webhook forms, checked and made storable before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Twilio's message SIDs: SM (a text) or MM (a picture message), then 32 letters and digits.
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9A-Za-z]{32}")
# PostgreSQL's text and JSON take no NUL; the rest of a text the family sent is kept.
NUL_STAND_IN = "\ufffd"


def webhook_form(form: Mapping[str, str]) -> dict[str, str]:
    """The form with NULs replaced, once its MessageSid has Twilio's shape; else ValueError.

    The signature covers the fields' names and values run together, so the same signature
    can be replayed with the fields split differently (a new SmsSid, no MessageSid): only
    a MessageSid of Twilio's shape, matched by any SmsSid, is taken.
    """
    sid = form.get("MessageSid", "")
    if not MESSAGE_SID.fullmatch(sid):
        raise ValueError(
            "MessageSid is missing or not a Twilio message SID (SM or MM and 32 letters or "
            "digits); send Twilio's own webhook fields."
        )
    if form.get("SmsSid", sid) != sid or form.get("SmsMessageSid", sid) != sid:
        raise ValueError("SmsSid differs from MessageSid; send Twilio's own webhook fields.")
    return {
        key.replace("\x00", NUL_STAND_IN): value.replace("\x00", NUL_STAND_IN)
        for key, value in form.items()
    }
