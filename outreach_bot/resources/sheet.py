"""The resource sheet as one text a family's phone receives, within the segment budget."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from outreach_bot.i18n.direction import for_reading
from outreach_bot.messaging.segments import MAX_SEGMENTS, measure

SHEET_SIZE = 3


class Place(Protocol):
    """What a sheet line needs of a resource."""

    name: str
    phone: str | None
    url: str | None


def render_sheet(
    intro: str, resources: Sequence[Place], language: str, link: str | None = None
) -> str:
    """The sheet as one text: an intro line, one line per place (name, phone, web), then the
    link to the sheet's printable page when there is one.

    A sheet stays within MAX_SEGMENTS as the family's phone receives it. What goes first:
    the places' web addresses (the page at the link lists them all), then the link, then the
    last places; a phone number is what a family can use at once, so it goes last.
    """
    for count in range(len(resources), 0, -1):
        for with_web, with_link in ((True, True), (False, True), (True, False), (False, False)):
            if with_link and not link:
                continue
            lines = [intro, *(_line(r, with_web) for r in resources[:count])]
            if with_link and link:
                lines.append(link)
            text = "\n".join(lines)
            if measure(for_reading(text, language)).count <= MAX_SEGMENTS:
                return text
    return intro


def _line(resource: Place, with_web: bool) -> str:
    web = resource.url if with_web or not resource.phone else None
    return "- " + ", ".join(part for part in (resource.name, resource.phone, web) if part)
