"""The printable page behind a sheet's short link: every place in service, no student data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.barriers import BARRIERS
from outreach_bot.engine.definition import SPEC_VERSION, FlowError, Text, parse_text
from outreach_bot.engine.library import read_yaml
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE
from outreach_bot.i18n.languages import babel_locale, own_name
from outreach_bot.i18n.lists import format_list
from outreach_bot.models import Resource, School
from outreach_bot.resources.choice import places_for, ranked, spoken_languages
from outreach_bot.resources.links import find_sheet

FILE_NAME = "resource_page.yaml"


@dataclass(frozen=True)
class SheetPage:
    """A barrier's sheet at a school (or district-wide): who it is from, and its places."""

    barrier: str
    school_name: str | None
    school_phone: str | None
    places: list[Resource]


def load_page_texts(flows_dir: Path, fallback_dir: Path) -> dict[str, Text]:
    """The page's headings and labels (flows/resource_page.yaml; the project's own when a
    district's flows folder has none)."""
    path = flows_dir / FILE_NAME
    if not path.exists():
        path = fallback_dir / FILE_NAME
    data = read_yaml(path)
    texts = data.get("page") if isinstance(data, Mapping) else None
    if not isinstance(data, Mapping) or data.get("spec_version") != SPEC_VERSION:
        raise FlowError(path.name, None, f"expected spec_version: {SPEC_VERSION} and page")
    if not isinstance(texts, Mapping):
        raise FlowError(path.name, None, "expected `page:` mapping names to texts")
    return {str(name): parse_text(text, path.name, str(name)) for name, text in texts.items()}


def find_page(session: Session, code: str, language: str) -> SheetPage | None:
    """The sheet a short code names, its places ranked for `language`; None for no sheet."""
    school_ids: list[str | None] = [None, *session.scalars(select(School.id))]
    address = find_sheet(code, BARRIERS, school_ids)
    if address is None:
        return None
    school = session.get(School, address.school_id) if address.school_id else None
    zips = frozenset({school.zip}) if school and school.zip else frozenset()
    rows = places_for(session, address.barrier, address.school_id, zips)
    places = ranked(rows, address.school_id, zips, language.split("-")[0])
    return SheetPage(
        address.barrier,
        school.name if school else None,
        school.phone if school else None,
        places,
    )


def spoken_names(resource: Resource, language: str) -> str:
    """The languages a place speaks, named in the page's language ('inglés y español')."""
    reader = babel_locale(language) or babel_locale(SOURCE_LANGUAGE)
    names = []
    for tag in spoken_languages(resource):
        locale = babel_locale(tag)
        named = locale.get_display_name(reader) if locale is not None else None
        names.append(named or own_name(tag))
    return format_list(names, language)
