"""SMS providers behind one small interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from outreach_bot.config import Settings


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it took a message."""

    sid: str
    status: str


class ChannelError(Exception):
    """The provider refused or could not be reached; `retryable` says whether to try again.

    `maybe_taken`: the request may have reached the provider and been taken (a timeout
    waiting for its answer), so the text is looked up before it is ever sent again.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
        maybe_taken: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.retryable = retryable
        self.maybe_taken = maybe_taken


class Channel(Protocol):
    """Hands one text to a provider."""

    name: str

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        """Send `body` to the E.164 number `to`; raise ChannelError when it is not taken."""

    def warm_up(self) -> None:
        """Load what the first send needs, so that it goes the moment its room is granted."""

    def lookup(self, to: str, body: str, since: datetime) -> list[SendResult]:
        """The texts the provider took for `to` with this body since `since`, oldest first;
        raise ChannelError when the provider cannot be asked."""


def make_channel(settings: Settings) -> Channel:
    """The channel SMS_BACKEND names."""
    if settings.sms_backend == "twilio":
        from outreach_bot.channels.twilio import TwilioChannel

        return TwilioChannel.from_settings(settings)
    from outreach_bot.channels.console import ConsoleChannel

    return ConsoleChannel()
