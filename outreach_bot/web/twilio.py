"""Twilio's webhooks: store first, answer an empty TwiML at once, process after."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator

from outreach_bot.inbox.store import store_inbound
from outreach_bot.jobs import PROCESS_INBOX
from outreach_bot.messaging.status import store_status_callback
from outreach_bot.queue import QueueUnreachable
from outreach_bot.web import runtime
from outreach_bot.web.twilio_form import webhook_form

log = logging.getLogger(__name__)
blueprint = Blueprint("twilio", __name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _signed_url() -> str:
    """The URL Twilio signed: the public base URL when behind a proxy, else what we were asked."""
    base = runtime().settings.public_base_url
    if not base:
        return request.url
    query = request.query_string.decode()
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def _signed(validator: RequestValidator, url: str, form: dict[str, str], signature: str) -> bool:
    """Twilio's own check, in one HMAC when the signature is of the URL as we know it.

    `validate` always computes two (the URL with its port and without), though Twilio signs
    the URL it was given, which is ours; only a signature that does not match that one is
    handed to `validate`, which tries both.
    """
    expected = validator.compute_signature(url, form)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, form, signature))


UNSIGNED_REFUSED = (
    "TWILIO_AUTH_TOKEN is not set, so this webhook cannot check that Twilio sent it; "
    "outside development it is refused until the token is set."
)


@blueprint.before_request
def verify_signature() -> None:
    """Refuse (403) any request not signed with our auth token.

    Without a token, only development accepts webhooks: in production anyone could post a
    text as a family (or a STOP, or a delivery report), so every webhook gets 503 and nothing
    is stored, whatever the SMS backend.
    """
    settings = runtime().settings
    token = settings.twilio_auth_token
    if not token:
        if settings.is_development:
            return
        log.error("refused a webhook on %s: TWILIO_AUTH_TOKEN is not set", request.path)
        abort(503, UNSIGNED_REFUSED)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not _signed(RequestValidator(token), _signed_url(), request.form.to_dict(), signature):
        log.warning("rejected a webhook with a missing or wrong signature on %s", request.path)
        abort(403)


@blueprint.post("/inbound")
def inbound() -> Response:
    """A family's text: stored (once per MessageSid), then processed by a job."""
    rt = runtime()
    now = rt.clock()
    try:
        form = webhook_form(request.form)
        # Twilio does not send a text again: a connection found dead is retried, not lost.
        stored = rt.db.retrying(lambda connection: store_inbound(connection, form, now=now))
    except ValueError as error:
        abort(400, str(error))
    if stored:
        try:
            rt.queue.wake(PROCESS_INBOX, lane="inbox", burst=True)
        except QueueUnreachable as error:
            # Stored is what matters: the tick answers it once Redis is back. A 500 here
            # would only make Twilio report a failure for a text that is safe.
            log.warning("inbound message %s stored; not queued: %s", stored, error)
    return Response(EMPTY_TWIML, mimetype="text/xml")


@blueprint.post("/status")
def status() -> Response:
    """A delivery report: stored raw (once per SID and status), then applied by a job."""
    rt = runtime()
    try:
        form = webhook_form(request.form)
    except ValueError as error:
        abort(400, str(error))
    if not form.get("MessageStatus"):
        abort(400, "expected MessageSid and MessageStatus")
    with rt.db.transaction() as session:
        stored = store_status_callback(session, form, now=rt.clock())
        callback_id = stored.id if stored else None
    if callback_id is not None:
        try:
            rt.queue.enqueue(
                "outreach_bot.jobs.apply_statuses", job_id=f"apply-status-{callback_id}"
            )
        except QueueUnreachable as error:
            log.warning("status callback %s stored; not queued: %s", callback_id, error)
    return Response(EMPTY_TWIML, mimetype="text/xml")
