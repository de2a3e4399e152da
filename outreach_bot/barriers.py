"""Barriers: what keeps a child home, as families name them and resource sheets answer them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Barrier name -> one line saying what it covers. The names are stored in the database
# (resources.barrier, barrier_reports.barrier) and used in flows, so they never change.
BARRIERS: Mapping[str, str] = MappingProxyType(
    {
        "transportation": "No way to get to school: missed bus, no car, too far to walk.",
        "health": "The child or a family member is sick, or needs a doctor, dentist or glasses.",
        "housing": "The family has lost its home, is moving, or is staying with others.",
        "food": "Not enough food at home.",
        "childcare": "The child stays home to care for siblings, or a parent has no childcare.",
        "work_schedule": "A parent's work hours make mornings or drop-off impossible.",
        "safety": "The child does not feel safe at school or on the way there.",
        "bullying": "The child is being picked on, threatened or left out by other students.",
        "anxiety": "The child is worried, sad or scared about going to school.",
        "disengagement": "The child does not want to go: bored, behind, or feels left out.",
        "other": "Something else, told to a person rather than sorted by the bot.",
    }
)


def normalize_barrier(raw: str) -> str:
    """The barrier name for `raw` ('Work schedule' -> 'work_schedule'); ValueError if unknown."""
    name = "_".join(raw.strip().casefold().replace("-", " ").split())
    if name not in BARRIERS:
        raise ValueError(f"{raw!r} is not a barrier we know; expected one of {', '.join(BARRIERS)}")
    return name
