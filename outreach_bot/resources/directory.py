"""The district's directory of places: add, edit, retire and restore them from a form.

A form is read with the same column readers as resources.csv, so the dashboard and the
import accept and refuse exactly the same values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_kinds import RESOURCES, Column
from outreach_bot.engine.definition import Text
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.models import Resource, School
from outreach_bot.resources.choice import places_for, ranked
from outreach_bot.resources.links import sheet_url
from outreach_bot.resources.preview import SheetPreview, preview_languages
from outreach_bot.resources.sheet import SHEET_SIZE

# What a form edits: everything but the id (given once) and retired (its own buttons).
FORM_COLUMNS: tuple[Column, ...] = tuple(
    column for column in RESOURCES.columns if column.name not in ("resource_id", "retired")
)
_ID_COLUMN = RESOURCES.columns[0]


class ResourceFormError(Exception):
    """A form with bad values: each field's problem, as the end of a sentence."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in errors.items()))
        self.errors = dict(errors)


def read_form(session: Session, form: Mapping[str, str]) -> dict[str, Any]:
    """The form's values by model attribute, or ResourceFormError naming every bad field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in FORM_COLUMNS:
        cell = (form.get(column.name) or "").strip()
        if not cell:
            if column.required:
                errors[column.name] = f"it is empty; expected {column.expected}"
            values[column.field] = None
            continue
        try:
            values[column.field] = column.read(cell)
        except ValueError as error:
            errors[column.name] = str(error)
    school_id = values.get("school_id")
    if school_id and "school_id" not in errors and session.get(School, school_id) is None:
        errors["school_id"] = f"{school_id!r} is not a known school; expected one of the list"
    if errors:
        raise ResourceFormError(errors)
    return values


def create_resource(session: Session, form: Mapping[str, str]) -> Resource:
    """A new place from a form; its id is the one typed, else made from its name."""
    values = read_form(session, form)
    typed = (form.get("resource_id") or "").strip()
    if typed:
        try:
            resource_id = str(_ID_COLUMN.read(typed))
        except ValueError as error:
            raise ResourceFormError({"resource_id": str(error)}) from None
        if session.get(Resource, resource_id) is not None:
            raise ResourceFormError(
                {"resource_id": f"{typed!r} is taken; expected an id no other place has"}
            )
    else:
        resource_id = _free_id(session, values["name"])
    resource = Resource(id=resource_id, retired=False, **values)
    session.add(resource)
    session.flush()
    return resource


def update_resource(session: Session, resource: Resource, form: Mapping[str, str]) -> list[str]:
    """Save a form over a place; the names of the fields that changed (none: nothing saved)."""
    values = read_form(session, form)
    changed = [
        column.name
        for column in FORM_COLUMNS
        if getattr(resource, column.field) != values[column.field]
    ]
    for column in FORM_COLUMNS:
        setattr(resource, column.field, values[column.field])
    return changed


def _free_id(session: Session, name: str) -> str:
    """An id from a name ('Riverside Food Pantry' -> 'RIVERSIDE-FOOD-PANTRY'), made unique."""
    stem = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:56] or "RESOURCE"
    taken = set(session.scalars(select(Resource.id).where(Resource.id.startswith(stem))))
    if stem not in taken:
        return stem
    return next(f"{stem}-{n}" for n in range(2, len(taken) + 3) if f"{stem}-{n}" not in taken)


def sheet_previews(
    session: Session,
    resource: Resource,
    intro: Text,
    catalogs: Catalogs,
    public_base_url: str | None,
) -> list[SheetPreview]:
    """The sheet for this place's barrier where it applies, in every family language, as the
    bot would send it today (a retired place is not on it)."""
    school = session.get(School, resource.school_id) if resource.school_id else None
    zips = frozenset(z for z in (resource.zip, school.zip if school else None) if z)
    rows = places_for(session, resource.barrier, resource.school_id, zips)

    def places(language: str) -> list[Resource]:
        return ranked(rows, resource.school_id, zips, language.split("-")[0])[:SHEET_SIZE]

    def link(language: str) -> str | None:
        if not public_base_url:
            return None
        return sheet_url(public_base_url, resource.barrier, resource.school_id, language)

    return preview_languages(intro, catalogs.get, catalogs.languages(), places, link)
