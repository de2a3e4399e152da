"""Resource sheets: the local help a family gets for the barrier they named."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outreach_bot.db import per_transaction
from outreach_bot.i18n.direction import for_reading
from outreach_bot.messaging.segments import MAX_SEGMENTS, measure
from outreach_bot.models import Resource, Student

SHEET_SIZE = 3
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
            rows = session.scalars(
                select(Resource).where(
                    Resource.barrier == barrier,
                    or_(
                        Resource.school_id == school_id,
                        Resource.zip.in_(zips),
                        (Resource.school_id.is_(None)) & (Resource.zip.is_(None)),
                    ),
                )
            ).all()
        chosen[key] = _best(rows, school_id, zips, key[3])
    return list(chosen[key])


def _best(
    rows: Sequence[Resource], school_id: str | None, zips: frozenset[str], language: str
) -> list[Resource]:
    """The school's places first, then the zip's, then the district's; within each, those
    that speak the family's language (a base tag such as 'es') first."""

    def rank(resource: Resource) -> tuple[int, int, str]:
        scope = (
            0 if school_id and resource.school_id == school_id else 1 if resource.zip in zips else 2
        )
        spoken = [tag.strip() for tag in (resource.languages or "").split(",") if tag.strip()]
        speaks = 0 if any(tag.split("-")[0] == language for tag in spoken) else 1
        return scope, speaks, resource.name

    # A school-scoped resource for another school never applies here.
    usable = [r for r in rows if r.school_id in (None, school_id)]
    return sorted(usable, key=rank)[:SHEET_SIZE]


def render_sheet(intro: str, resources: list[Resource], language: str) -> str:
    """The sheet as one text: an intro line, then one line per place (name, phone, web).

    A sheet stays within MAX_SEGMENTS as the family's phone receives it: web addresses go
    first (a phone number is what a family can use at once), then the last places.
    """
    for count in range(len(resources), 0, -1):
        for with_web in (True, False):
            text = "\n".join([intro, *(_line(r, with_web) for r in resources[:count])])
            if measure(for_reading(text, language)).count <= MAX_SEGMENTS:
                return text
    return intro


def _line(resource: Resource, with_web: bool) -> str:
    web = resource.url if with_web or not resource.phone else None
    return "- " + ", ".join(part for part in (resource.name, resource.phone, web) if part)
