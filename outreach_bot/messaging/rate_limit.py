"""The send rate: how many segments a second one sender may hand to the provider.

Carriers count a sender's throughput in segments a second (Twilio's "MPS": a US long code
1, a toll-free number 3, a short code 100). Every worker sending for the same sender takes
its room from one sliding window, kept in Redis and changed by one Lua script, so that two
workers (or twenty) never send more between them than the carrier takes. Without Redis
(inline jobs), the window is kept in this process.

The window is a log of grants, each holding its segments until it leaves the window. A
grant is taken only when the segments already in the window, plus its own, fit in the limit:
so in any window, however it is placed, the segments granted never pass the limit (a sliding
window, not a bucket that could grant a second's worth twice across a second's edge). The
window is one second and a guard: a text reaches the provider a moment after its grant, and
the guard keeps a late one from sharing its second with the next second's texts.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis import Redis

    from outreach_bot.config import Settings

# How late a text may reach the provider after its grant, at most, and still be counted in
# the second it was granted in: on a busy machine a process can wait this long for a core
# between the grant and the request (40 ms was passed at a load average of 14 on 2 cores).
# It costs a binding limit GUARD_SECONDS / (1 + GUARD_SECONDS) of its throughput (9%).
GUARD_SECONDS = 0.1
WINDOW_SECONDS = 1.0 + GUARD_SECONDS
# Twilio's default throughput for a sender (segments a second), by kind of sender; see
# docs/configuration.md. A Messaging Service sends from its pool of numbers, whose sum
# Twilio alone knows: it gets a long code's 1, and a district sets its own.
SHORT_CODE_RATE = 100
TOLL_FREE_RATE = 3
LONG_CODE_RATE = 1
# North American toll-free area codes.
TOLL_FREE_PREFIXES = tuple(
    f"+1{code}" for code in ("800", "833", "844", "855", "866", "877", "888")
)


class SendRate(Protocol):
    """Room for segments in one sender's window."""

    @property
    def limit(self) -> int | None:
        """Segments a second; None: no limit."""

    def take(self, segments: int) -> float:
        """Take room for `segments` now: 0.0 when taken, else the seconds until there may be
        room (nothing is taken then; ask again)."""


def default_rate(sender: str) -> int:
    """Twilio's default segments a second for a sender: a from-number or a Messaging
    Service SID."""
    digits = sender.removeprefix("+")
    if digits.isdigit() and len(digits) <= 6:
        return SHORT_CODE_RATE
    if sender.startswith(TOLL_FREE_PREFIXES):
        return TOLL_FREE_RATE
    return LONG_CODE_RATE


def sender_of(settings: Settings) -> str:
    """The sender whose rate is shared: the Messaging Service, the from-number, or the
    console."""
    if settings.sms_backend != "twilio":
        return "console"
    return settings.twilio_messaging_service_sid or settings.twilio_from_number or "twilio"


def limit_of(settings: Settings) -> int | None:
    """SEND_SEGMENTS_PER_SECOND, else Twilio's default for the sender; the console sends
    nothing, so it has no limit unless one is set."""
    if settings.send_segments_per_second is not None:
        return settings.send_segments_per_second
    if settings.sms_backend != "twilio":
        return None
    return default_rate(sender_of(settings))


def _hold_seconds(segments: int, limit: int, window: float) -> float:
    """How long a grant holds its segments: the window, or longer for a text bigger than
    the whole limit (3 segments at 1 a second hold the window for 3 seconds)."""
    return window * max(1.0, segments / limit)


@dataclass
class Unlimited:
    """No limit: every take is granted."""

    limit: int | None = None

    def take(self, segments: int) -> float:
        return 0.0


@dataclass
class LocalSendRate:
    """The sliding window kept in this process (inline jobs: one process sends)."""

    limit: int
    window: float = WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _grants: deque[tuple[float, int]] = field(default_factory=deque)  # (leaves at, segments)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, segments: int) -> float:
        with self._lock:
            now = self.clock()
            while self._grants and self._grants[0][0] <= now:
                self._grants.popleft()
            used = sum(held for _, held in self._grants)
            if used == 0 or used + segments <= self.limit:
                leaves = now + _hold_seconds(segments, self.limit, self.window)
                self._grants.append((leaves, segments))
                return 0.0
            return _wait(sorted(self._grants), used + segments - self.limit) - now


def _wait(grants: list[tuple[float, int]], over: int) -> float:
    """When enough of the oldest grants have left for `over` segments more (or all have)."""
    for leaves, held in grants:
        over -= held
        if over <= 0:
            return leaves
    return grants[-1][0]


# KEYS[1]: the sender's grants, a sorted set scored by when each leaves the window (µs of
# Redis's own clock, so that every worker's grants are on one clock); each member is
# "<segments>:<unique name>".
# ARGV: limit, window (µs), segments, unique name. Returns 0 when granted, else the µs to wait.
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local limit, window, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local used = 0
for i = 1, #held, 2 do
  used = used + tonumber(string.match(held[i], '^(%d+):'))
end
if used == 0 or used + wanted <= limit then
  local leaves = now + math.floor(window * math.max(1, wanted / limit))
  redis.call('ZADD', KEYS[1], leaves, wanted .. ':' .. ARGV[4])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2]) / 1000) + 1000)
  return 0
end
local over = used + wanted - limit
local leaves = 0
for i = 1, #held, 2 do
  leaves = tonumber(held[i + 1])
  over = over - tonumber(string.match(held[i], '^(%d+):'))
  if over <= 0 then break end
end
return math.max(1, leaves - now)
"""


class RedisSendRate:
    """The sliding window in Redis, shared by every worker that sends for the sender."""

    def __init__(
        self, connection: Redis, sender: str, limit: int, window: float = WINDOW_SECONDS
    ) -> None:
        self.limit = limit
        self.key = f"outreach:send-rate:{sender}"
        self.window_us = round(window * 1_000_000)
        self._script = connection.register_script(_TAKE)
        # Each grant's member is unique across processes: this process's name and a count.
        self._name = uuid.uuid4().hex[:12]
        self._count = count()

    def take(self, segments: int) -> float:
        name = f"{self._name}.{next(self._count)}"
        args: list[int | str] = [self.limit, self.window_us, segments, name]
        waited = int(self._script(keys=[self.key], args=args))
        return waited / 1_000_000


def make_send_rate(settings: Settings, connection: Redis | None) -> SendRate:
    """The send rate for the configured sender: in Redis when jobs run there, else here."""
    limit = limit_of(settings)
    if limit is None:
        return Unlimited()
    if connection is None:
        return LocalSendRate(limit)
    return RedisSendRate(connection, sender_of(settings), limit)
