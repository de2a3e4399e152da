"""A tiny local SMTP server that keeps what it is sent: enough of RFC 5321 for smtplib."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    """Every message the double accepted: (recipients, raw message)."""

    messages: list[tuple[list[str], str]] = field(default_factory=list)
    fail: bool = False


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._say("220 double ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline().decode():
            verb = line.strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 double")
            elif verb == "MAIL":
                recipients = []
                self._say("451 try later" if self.mailbox.fail else "250 ok")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go on")
                body = []
                while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(part)
                self.mailbox.messages.append((recipients, "".join(body)))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")


@contextmanager
def smtp_double() -> Iterator[tuple[int, Mailbox]]:
    """Serve SMTP on a free local port; yields the port and the mailbox."""
    mailbox = Mailbox()
    handler = type("Handler", (_Handler,), {"mailbox": mailbox})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], mailbox
    finally:
        server.shutdown()
        server.server_close()
