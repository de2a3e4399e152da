"""The console channel: prints each text as the family would see it and sends nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import click

from outreach_bot.channels import SendResult


def mask_phone(phone: str) -> str:
    """A phone number with all but its last two digits hidden, for printing."""
    return phone[:2] + "•" * max(len(phone) - 4, 0) + phone[-2:]


@dataclass
class ConsoleChannel:
    """Keeps what it 'sent' in memory and prints it; for development and the demo."""

    name: str = "console"
    echo: Callable[[str], None] | None = click.echo
    sent: list[tuple[str, str]] = field(default_factory=list)
    taken: dict[str, tuple[str, str]] = field(default_factory=dict)  # by SID, for lookups

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        self.sent.append((to, body))
        sid = "CO" + uuid.uuid4().hex
        self.taken[sid] = (to, body)
        if self.echo is not None:
            indented = "\n".join("   | " + line for line in body.splitlines())
            self.echo(f"  → text to {mask_phone(to)}\n{indented}")
        return SendResult(sid=sid, status="sent")

    def warm_up(self) -> None:
        """Nothing to load."""

    def lookup(self, to: str, body: str, since: datetime) -> list[SendResult]:
        """What this process 'sent' to `to` with this body (it keeps no times)."""
        return [
            SendResult(sid=sid, status="sent")
            for sid, text in self.taken.items()
            if text == (to, body)
        ]
