"""When the nightly sync is due: pure, local wall-clock times in, the night to sync out.

A night runs from noon to noon and is named by its evening's date, so a sync at 02:00 on
Tuesday and one at 21:00 on Monday both belong to Monday night, and scan as of Monday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

NOON = 12


def night_of(local: datetime) -> date:
    """The night a local moment belongs to."""
    return local.date() if local.hour >= NOON else local.date() - timedelta(days=1)


def sync_moment(night: date, hour: int) -> datetime:
    """The local wall-clock moment a night's sync is due, at `hour` (0-23)."""
    day = night if hour >= NOON else night + timedelta(days=1)
    return datetime.combine(day, time(hour))


def night_due(local: datetime, hour: int) -> date:
    """The latest night whose sync time has come by the local moment `local`.

    A night whose time passed while no worker ran is still the one due, so a worker that
    starts late catches up on the night it missed (only the latest one: older files wait in
    the folder for it anyway).
    """
    night = night_of(local)
    if local.replace(tzinfo=None) >= sync_moment(night, hour):
        return night
    return night - timedelta(days=1)
