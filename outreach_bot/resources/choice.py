"""Choosing the places a family is sent: the school's first, then the zip's, then the district's."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outreach_bot.db import per_transaction
from outreach_bot.models import Resource, Student
from outreach_bot.resources.sheet import SHEET_SIZE

_CHOSEN = "outreach_bot.resources_chosen"
_Key = tuple[str, str | None, frozenset[str], str]


def sheet_for(
    session: Session, barrier: str, student: Student | None, language: str
) -> list[Resource]:
    """The few best resources for a barrier: the student's school first, then zip, then district."""
    school_id = student.school_id if student else None
    zips = frozenset(
        z for z in (student.zip if student else None, student.school.zip if student else None) if z
    )
    # Chosen once per transaction for each barrier, place and language: a batch of replies
    # from one school's families asks the same question many times.
    chosen = per_transaction(session, _CHOSEN, dict[_Key, list[Resource]])
    key = (barrier, school_id, zips, language.split("-")[0])
    if key not in chosen:
        # The sheets are not what a conversation changes: no need to write its changes first.
        with session.no_autoflush:
            rows = places_for(session, barrier, school_id, zips)
        chosen[key] = ranked(rows, school_id, zips, key[3])[:SHEET_SIZE]
    return list(chosen[key])


def places_for(
    session: Session, barrier: str, school_id: str | None, zips: frozenset[str]
) -> list[Resource]:
    """Every place in service for a barrier that applies to a school and its zips."""
    rows = session.scalars(
        select(Resource).where(
            Resource.barrier == barrier,
            Resource.retired.is_(False),
            or_(
                Resource.school_id == school_id,
                Resource.zip.in_(zips),
                (Resource.school_id.is_(None)) & (Resource.zip.is_(None)),
            ),
        )
    ).all()
    # A school-scoped resource for another school never applies here.
    return [r for r in rows if r.school_id in (None, school_id)]


def ranked(
    rows: Sequence[Resource], school_id: str | None, zips: frozenset[str], language: str
) -> list[Resource]:
    """The school's places first, then the zip's, then the district's; within each, those
    that speak the family's language (a base tag such as 'es') first."""

    def rank(resource: Resource) -> tuple[int, int, str]:
        scope = (
            0 if school_id and resource.school_id == school_id else 1 if resource.zip in zips else 2
        )
        speaks = 0 if language in spoken_languages(resource) else 1
        return scope, speaks, resource.name

    return sorted(rows, key=rank)


def spoken_languages(resource: Resource) -> list[str]:
    """The base language tags a place says it speaks ('es', 'vi'), in its own order."""
    tags = (tag.strip() for tag in (resource.languages or "").split(","))
    return list(dict.fromkeys(tag.split("-")[0] for tag in tags if tag))
