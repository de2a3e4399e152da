"""Quiet hours: the nightly window, in the district's timezone, when the district texts nobody."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SPEC = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_OFF = ("", "off", "none")


class QuietHoursError(ValueError):
    """The QUIET_HOURS or DISTRICT_TIMEZONE setting cannot be understood."""


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise QuietHoursError(
            f"DISTRICT_TIMEZONE {timezone!r} is not a known IANA timezone name; "
            "use one such as 'America/Los_Angeles'."
        ) from None


def _clock_time(hour: str, minute: str, spec: str) -> time:
    if int(hour) > 23 or int(minute) > 59:
        raise QuietHoursError(
            f"QUIET_HOURS {spec!r} has a time outside 00:00-23:59; use the 24-hour clock."
        )
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class QuietHours:
    """A daily window [start, end) of local wall-clock time; it may wrap past midnight."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> QuietHours:
        """Read a setting such as '20:00-08:00'; '' or 'off' means no quiet hours."""
        zone = _zone(timezone)
        if spec.strip().casefold() in _OFF:
            return cls.off(zone)
        match = _SPEC.match(spec)
        if match is None:
            raise QuietHoursError(
                f"QUIET_HOURS {spec!r} should look like '20:00-08:00' (start-end, 24-hour "
                "clock), or be 'off'."
            )
        start = _clock_time(match[1], match[2], spec)
        end = _clock_time(match[3], match[4], spec)
        if start == end:
            raise QuietHoursError(
                f"QUIET_HOURS {spec!r} starts and ends at the same time; "
                "write 'off' for no quiet hours."
            )
        return cls(start, end, zone)

    @classmethod
    def off(cls, tz: ZoneInfo | None = None) -> QuietHours:
        """No quiet hours at all: an empty window."""
        return cls(time(0), time(0), tz or ZoneInfo("UTC"))

    @property
    def enabled(self) -> bool:
        """False when there is no window."""
        return self.start != self.end

    @property
    def wraps(self) -> bool:
        """True when the window runs past midnight (20:00-08:00)."""
        return self.start > self.end

    def _contains_wall(self, wall: time) -> bool:
        if not self.enabled:
            return False
        if self.wraps:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end

    def contains(self, moment: datetime) -> bool:
        """True when `moment` (aware) falls inside quiet hours, by the district's wall clock."""
        if moment.tzinfo is None:
            raise ValueError("QuietHours needs an aware datetime, not a naive one.")
        return self._contains_wall(moment.astimezone(self.tz).time().replace(tzinfo=None))

    def next_send_time(self, moment: datetime) -> datetime:
        """`moment` itself when outside quiet hours, else the end of the window (aware UTC)."""
        if not self.contains(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.tz)
        end_day = local.date()
        if self.wraps and local.time().replace(tzinfo=None) >= self.start:
            end_day += timedelta(days=1)
        # Around DST changes the wall-clock end may happen twice (fall back) or never (spring
        # forward); take the first instant after `moment` whose wall clock is outside the window.
        for extra_days in range(3):
            day = end_day + timedelta(days=extra_days)
            for fold in (0, 1):
                candidate = datetime.combine(day, self.end, self.tz).replace(fold=fold)
                in_utc = candidate.astimezone(UTC)
                if in_utc > moment and not self.contains(in_utc):
                    return in_utc
        raise AssertionError("unreachable: a quiet-hours window always ends within a day")
