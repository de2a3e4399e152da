"""The resource directory in the dashboard: district admins add, edit, retire and restore
places, and see each sheet as families in every language would receive it."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from outreach_bot.barriers import BARRIERS
from outreach_bot.messaging.segments import MAX_SEGMENTS
from outreach_bot.models import Resource, School
from outreach_bot.resources.directory import (
    FORM_COLUMNS,
    ResourceFormError,
    create_resource,
    sheet_previews,
    update_resource,
)
from outreach_bot.resources.links import sheet_code
from outreach_bot.staff import audit
from outreach_bot.web import runtime
from outreach_bot.web.dashboard import record
from outreach_bot.web.language import t
from outreach_bot.web.security import admin_only, require_sign_in, staff

blueprint = Blueprint("directory", __name__)
blueprint.before_request(require_sign_in)


@blueprint.get("/")
@admin_only
def places() -> str:
    """Every place, by barrier, filtered by barrier or school; retired ones when asked for."""
    barrier = request.args.get("barrier", "")
    school = request.args.get("school", "")
    retired = request.args.get("retired") == "1"
    with runtime().db.transaction() as db:
        query = select(Resource).order_by(Resource.barrier, Resource.name)
        if barrier:
            query = query.where(Resource.barrier == barrier)
        if school:
            query = query.where(Resource.school_id == school)
        if not retired:
            query = query.where(Resource.retired.is_(False))
        found = db.scalars(query).all()
        record(db, "viewed_resources")
        return _render(
            db,
            "staff/resources.html",
            places=found,
            barrier=barrier,
            school=school,
            retired=retired,
        )


@blueprint.get("/new")
@admin_only
def new() -> str:
    """An empty form for a new place."""
    with runtime().db.transaction() as db:
        return _form_page(db, None, {}, {})


@blueprint.post("/")
@admin_only
def create() -> BaseResponse | tuple[str, int]:
    """Add a place; bad values are shown beside their fields, nothing saved."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            resource = create_resource(db, request.form)
            record(db, "created_resource", "resource", resource.id)
            resource_id = resource.id
    except ResourceFormError as error:
        with rt.db.transaction() as db:
            return _form_page(db, None, request.form, error.errors), 400
    flash(t("Place added."), "ok")
    return redirect(url_for("directory.edit", resource_id=resource_id))


@blueprint.get("/<resource_id>")
@admin_only
def edit(resource_id: str) -> str:
    """A place's form, its public page links, and its sheet previewed in every language."""
    with runtime().db.transaction() as db:
        resource = _get(db, resource_id)
        record(db, "viewed_resource", "resource", resource.id)
        return _form_page(db, resource, {}, {})


@blueprint.post("/<resource_id>")
@admin_only
def save(resource_id: str) -> BaseResponse | tuple[str, int]:
    """Save a place's form; only the names of the changed fields go in the audit log."""
    rt = runtime()
    try:
        with rt.db.transaction() as db:
            resource = _get(db, resource_id)
            changed = update_resource(db, resource, request.form)
            if changed:
                _record_change(db, resource.id, changed)
    except ResourceFormError as error:
        with rt.db.transaction() as db:
            return _form_page(db, _get(db, resource_id), request.form, error.errors), 400
    flash(t("Place saved.") if changed else t("Nothing to save: no value changed."), "ok")
    return redirect(url_for("directory.edit", resource_id=resource_id))


@blueprint.post("/<resource_id>/retire")
@admin_only
def retire(resource_id: str) -> BaseResponse:
    """Stop sending a place (or, with restore=1, send it again); texts that named it stay."""
    restore = request.form.get("restore") == "1"
    with runtime().db.transaction() as db:
        resource = _get(db, resource_id)
        if resource.retired == restore:
            resource.retired = not restore
            action = "restored_resource" if restore else "retired_resource"
            record(db, action, "resource", resource.id)
    if restore:
        flash(t("Place restored: it is sent again."), "ok")
    else:
        flash(t("Place retired: it is no longer sent."), "ok")
    return redirect(url_for("directory.edit", resource_id=resource_id))


def _record_change(db: Session, resource_id: str, changed: list[str]) -> None:
    """Audit an edit with the names of the fields it changed (never their values)."""
    audit.record(
        db,
        user_id=staff().id,
        action="changed_resource",
        now=runtime().clock(),
        target_type="resource",
        target_id=resource_id,
        detail=", ".join(changed),
    )


def _get(db: Session, resource_id: str) -> Resource:
    found = db.get(Resource, resource_id)
    if found is None:
        abort(404)
    return found


def _render(db: Session, template: str, **values: object) -> str:
    """A directory page, with the schools and barriers its filters and forms choose from."""
    schools = db.scalars(select(School).order_by(School.name))
    return render_template(
        template,
        schools={school.id: school.name for school in schools},
        barriers=list(BARRIERS),
        **values,
    )


def _form_page(
    db: Session,
    resource: Resource | None,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
) -> str:
    """The add or edit form: typed values (after an error) else the stored ones."""
    rt = runtime()
    values = {
        column.name: (
            typed.get(column.name, "")
            if errors or resource is None
            else _shown(getattr(resource, column.field))
        )
        for column in FORM_COLUMNS
    }
    previews = []
    links: list[tuple[str, str]] = []
    if resource is not None:
        previews = sheet_previews(
            db,
            resource,
            rt.library.system["resources_intro"],
            rt.catalogs,
            rt.settings.public_base_url,
        )
        code = sheet_code(resource.barrier, resource.school_id)
        links = [
            (language, url_for("sheets.sheet", code=code, language=language, _external=True))
            for language in rt.catalogs.languages()
        ]
    return _render(
        db,
        "staff/resource.html",
        resource=resource,
        columns=FORM_COLUMNS,
        values=values,
        typed_id=typed.get("resource_id", "") if resource is None else "",
        errors=errors,
        previews=previews,
        links=links,
        max_segments=MAX_SEGMENTS,
    )


def _shown(value: object) -> str:
    return "" if value is None else str(value)
