"""A local HTTP double of Twilio's Messages API, for the real twilio library to talk to."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from outreach_bot.messaging.segments import measure

API_VERSION = "2010-04-01"
OPTED_OUT_21610 = (
    400,
    {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    },
)
TOO_MANY_REQUESTS = (
    429,
    {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    },
)
SERVER_ERROR = (
    500,
    {
        "code": 20500,
        "message": "Internal Server Error",
        "more_info": "https://www.twilio.com/docs/errors/20500",
        "status": 500,
    },
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the double received."""

    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]
    status: int
    received: float = 0.0  # time.monotonic() as it came in: one clock for every process


@dataclass
class ScriptedResponse:
    """An answer to give instead of the normal one; `delay` seconds first (for timeouts).

    With `take` (and no body), the message is created as normal and only its answer is
    late: Twilio took the text, and the client gave up waiting to hear so.
    """

    status: int
    body: dict[str, Any]
    delay: float = 0.0
    take: bool = False


@dataclass
class TwilioDouble:
    """Twilio's Messages API on 127.0.0.1, on an ephemeral port, in a background thread."""

    account_sid: str = "AC" + "0" * 30 + "42"
    auth_token: str = "test-auth-token-not-secret"
    requests: list[RecordedRequest] = field(default_factory=list)
    script: deque[ScriptedResponse] = field(default_factory=deque)
    messages: list[dict[str, Any]] = field(default_factory=list)  # every message it took
    # The double's clock, for the messages' date_created; tests give it theirs.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """The URL to give TWILIO_API_BASE_URL."""
        assert self._server is not None, "start the double first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def created(self) -> list[RecordedRequest]:
        """Requests that created a message (answered 201)."""
        return [request for request in self.requests if request.status == 201]

    def respond(self, status: int, body: dict[str, Any], *, delay: float = 0.0) -> None:
        """Answer the next request with this instead of the normal answer."""
        self.script.append(ScriptedResponse(status, body, delay))

    def take_slowly(self, delay: float) -> None:
        """Take the next message, but answer only after `delay` seconds."""
        self.script.append(ScriptedResponse(201, {}, delay, take=True))

    def fail_next(self, failure: tuple[int, dict[str, Any]], times: int = 1) -> None:
        """Answer the next `times` requests with a canned failure such as OPTED_OUT_21610."""
        for _ in range(times):
            self.respond(*failure)

    def start(self) -> TwilioDouble:
        """Listen on an ephemeral port."""
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TwilioDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(
        self, method: str, path: str, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], float]:
        """The answer to one request: status, JSON body, seconds to wait before answering."""
        received = time.monotonic()
        with self._lock:
            answer = self._answer(method, path, form, headers)
            self.requests.append(RecordedRequest(method, path, form, headers, answer[0], received))
        return answer

    def _answer(
        self, method: str, path: str, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], float]:
        if not self._authorized(headers.get("authorization", "")):
            return 401, _error(20003, "Authenticate", 401), 0.0
        messages = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages"
        if self.script:
            scripted = self.script.popleft()
            if scripted.take:
                status, body, _ = self._create_message(form)
                return status, body, scripted.delay
            return scripted.status, scripted.body, scripted.delay
        if method == "POST" and path == f"{messages}.json":
            return self._create_message(form)
        if method == "GET" and path == f"{messages}.json":
            return 200, self._list_messages(messages, form), 0.0
        if method == "GET" and path.startswith(f"{messages}/") and path.endswith(".json"):
            sid = path.removeprefix(f"{messages}/").removesuffix(".json")
            for message in self.messages:
                if message["sid"] == sid:
                    return 200, message, 0.0
        return 404, _error(20404, "The requested resource was not found", 404), 0.0

    def _list_messages(self, uri: str, query: dict[str, str]) -> dict[str, Any]:
        """A page of messages, newest first, filtered by To as Twilio does."""
        size = int(query.get("PageSize", "50"))
        found = [m for m in reversed(self.messages) if m["to"] == query.get("To", m["to"])]
        return {
            "messages": found[:size],
            "start": 0,
            "end": max(len(found[:size]) - 1, 0),
            "page": 0,
            "page_size": size,
            "uri": f"{uri}.json?PageSize={size}&Page=0",
            "first_page_uri": f"{uri}.json?PageSize={size}&Page=0",
            "next_page_uri": None,
            "previous_page_uri": None,
        }

    def _authorized(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _create_message(self, form: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        if not form.get("To"):
            return 400, _error(21604, "A 'To' phone number is required.", 400), 0.0
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, _error(21603, "A 'From' phone number is required.", 400), 0.0
        if not form.get("Body"):
            return 400, _error(21602, "Message body is required.", 400), 0.0
        sid = "SM" + uuid.uuid4().hex
        now = formatdate(self.clock().timestamp(), usegmt=True)
        # With a Messaging Service and no From, Twilio first answers 'accepted'.
        status = "queued" if form.get("From") else "accepted"
        message = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(measure(form["Body"]).count),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": status,
            "to": form["To"],
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        self.messages.append(message)
        return 201, message, 0.0


def _error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _Handler(BaseHTTPRequestHandler):
    owner: TwilioDouble
    protocol_version = "HTTP/1.1"
    # The headers and the body go in two writes: without TCP_NODELAY the second waits for
    # the client's delayed ACK of the first, some 40 ms a request.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if self.command == "GET":  # a list's filters come in the query string
            raw = urlsplit(self.path).query
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, body, delay = self.owner.handle(
            self.command, urlsplit(self.path).path, form, headers
        )
        if delay:
            time.sleep(delay)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
