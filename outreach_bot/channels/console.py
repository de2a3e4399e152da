"""The console channel: prints each text as the family would see it and sends nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

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

    def send(self, to: str, body: str, status_callback: str | None) -> SendResult:
        self.sent.append((to, body))
        if self.echo is not None:
            indented = "\n".join("   | " + line for line in body.splitlines())
            self.echo(f"  → text to {mask_phone(to)}\n{indented}")
        return SendResult(sid="CO" + uuid.uuid4().hex, status="sent")
