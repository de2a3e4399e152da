"""The Twilio channel: the real twilio library, with a timeout always and an optional gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    TwilioException,
    TwilioRestException,
    TwilioServiceException,
)
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped, unused-ignore]
from twilio.http.response import Response  # type: ignore[import-untyped, unused-ignore]
from twilio.rest import Client  # type: ignore[import-untyped, unused-ignore]
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from outreach_bot.channels import ChannelError, SendResult

if TYPE_CHECKING:
    from outreach_bot.config import Settings


def _is_twilio_host(host: str) -> bool:
    return host == "twilio.com" or host.endswith(".twilio.com")


class GatewayHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's HTTP client with a timeout on every request, optionally sent to another base URL."""

    def __init__(self, *, timeout: float, base_url: str | None = None) -> None:
        if timeout <= 0:
            raise ValueError(
                f"TWILIO_TIMEOUT_SECONDS must be a positive number of seconds, not {timeout}."
            )
        if base_url and (
            urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc
        ):
            raise ValueError(
                f"TWILIO_API_BASE_URL must be an http(s) URL such as "
                f"'https://sms-gateway.example.org', not {base_url!r}."
            )
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None

    def rewrite(self, url: str) -> str:
        """The URL the request really goes to: Twilio's own, or the same path on the gateway."""
        if not self.base_url:
            return url
        parts = urlsplit(url)
        if not _is_twilio_host(parts.hostname or ""):
            return url
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one API request, never without a timeout."""
        return super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            allow_redirects=allow_redirects,
        )


@dataclass
class TwilioChannel:
    """Sends texts through Twilio's Messages API."""

    client: Client
    messaging_service_sid: str | None = None
    from_number: str | None = None
    timeout: float = 10.0
    name: str = "twilio"

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioChannel:
        """A channel configured from TWILIO_* settings."""
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise ValueError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if not (settings.twilio_messaging_service_sid or settings.twilio_from_number):
            raise ValueError(
                "SMS_BACKEND=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER."
            )
        http_client = GatewayHttpClient(
            timeout=settings.twilio_timeout_seconds, base_url=settings.twilio_api_base_url
        )
        client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=http_client,
            # Settings are the one source of configuration: a non-empty mapping here keeps the
            # library from reading TWILIO_EDGE / TWILIO_REGION from the process environment.
            environment={"OUTREACH_BOT": "settings"},
        )
        return cls(
            client=client,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            from_number=settings.twilio_from_number,
            timeout=settings.twilio_timeout_seconds,
        )

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        """Hand one text to Twilio; raise ChannelError (retryable or not) when it is not taken."""
        options: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        else:
            options["from_"] = self.from_number
        if status_callback:
            options["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**options)
        except (TwilioRestException, TwilioServiceException) as error:
            # Twilio's own message can quote the phone number, so it is left out of ours.
            status = int(error.status)
            code = str(error.code) if error.code is not None else None
            # Twilio's own 429 and 5xx say it did not take the text: retried after a backoff.
            # A 502 or 504 comes from a proxy that gave up on Twilio, which may have taken it.
            raise ChannelError(
                f"Twilio did not take the message (HTTP {status}, error {code}).",
                code=code,
                http_status=status,
                retryable=status == 429 or status >= 500,
                maybe_taken=status in PROXY_GAVE_UP,
            ) from None
        except requests.RequestException as error:
            raise _unanswered(error, self.timeout) from None
        if not message.sid:
            raise ChannelError("Twilio answered without a message SID.", code="no_sid")
        return SendResult(sid=message.sid, status=str(message.status or "queued"))

    def warm_up(self) -> None:
        """Import the Messages API now: the library loads it on first use, a tenth of a
        second that would otherwise fall between a text's room and its request."""
        self.client.api.v2010.account.messages  # noqa: B018 - loaded as it is read

    def lookup(self, to: str, body: str, since: datetime) -> list[SendResult]:
        """Twilio's newest texts to `to`, those with this body created since `since`.

        Twilio takes no idempotency key for a new message, so the phone, the exact body and
        the time of the attempt are its marker (see docs/production.md).
        """
        try:
            found = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)
        except TwilioException:
            # A page Twilio refused comes as its base exception, with the response only.
            raise ChannelError("Twilio did not list the messages.", code="lookup") from None
        except requests.RequestException as error:
            raise _unanswered(error, self.timeout) from None
        taken = [
            message
            for message in found
            if message.body == body
            and message.date_created is not None
            and message.date_created >= since
        ]
        taken.sort(key=lambda message: message.date_created)
        return [SendResult(sid=m.sid, status=str(m.status or "queued")) for m in taken]


PROXY_GAVE_UP = (502, 504)
# Texts to one phone read when looking one up: a family gets a few a week, so the newest
# fifty reach well past any attempt still in doubt.
LOOKUP_LIMIT = 50


def _unanswered(error: requests.RequestException, timeout: float) -> ChannelError:
    """The ChannelError for a request Twilio did not answer: retried at once only when it
    never reached Twilio (no connection), else looked up first (it may have been taken)."""
    never_reached = isinstance(error, requests.ConnectTimeout) or (
        isinstance(error, requests.ConnectionError)
        and _caused_by(error, (NewConnectionError, ConnectTimeoutError))
    )
    if never_reached:
        return ChannelError(
            "Could not connect to Twilio's API; check the network or TWILIO_API_BASE_URL.",
            code="connection",
            retryable=True,
        )
    if isinstance(error, requests.Timeout):
        return ChannelError(
            f"Twilio did not answer within {timeout:g} seconds; it may have taken the text.",
            code="timeout",
            maybe_taken=True,
        )
    return ChannelError(
        f"The request to Twilio failed ({type(error).__name__}) after Twilio may have taken it.",
        code="request_error",
        maybe_taken=True,
    )


def _caused_by(error: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether `kinds` is among the error's arguments or causes (urllib3 wraps its errors)."""
    seen: list[BaseException] = [error]
    for _ in range(20):  # a short chain in practice; never a loop
        if not seen:
            break
        current = seen.pop()
        if isinstance(current, kinds):
            return True
        seen.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            seen.append(reason)
        if current.__cause__ is not None:
            seen.append(current.__cause__)
    return False
