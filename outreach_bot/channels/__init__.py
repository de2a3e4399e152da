"""SMS providers behind one small interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from outreach_bot.config import Settings


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it took a message."""

    sid: str
    status: str


class ChannelError(Exception):
    """The provider refused or could not be reached; `retryable` says whether to try again."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.retryable = retryable


class Channel(Protocol):
    """Hands one text to a provider."""

    name: str

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        """Send `body` to the E.164 number `to`; raise ChannelError when it is not taken."""


def make_channel(settings: Settings) -> Channel:
    """The channel SMS_BACKEND names."""
    if settings.sms_backend == "twilio":
        from outreach_bot.channels.twilio import TwilioChannel

        return TwilioChannel.from_settings(settings)
    from outreach_bot.channels.console import ConsoleChannel

    return ConsoleChannel()
