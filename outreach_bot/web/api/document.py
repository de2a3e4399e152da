"""GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, generated from the code.

apispec assembles the document; the schemas come from the pydantic models that build every
response, the record schemas from the CSV kinds the importer reads, and each operation from
the `operation` decorator on its view.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from outreach_bot.attendance.csv_kinds import KINDS, Kind
from outreach_bot.attendance.record_batch import MAX_RECORDS, json_types
from outreach_bot.web.api import blueprint
from outreach_bot.web.api.operations import Operation, operation
from outreach_bot.web.api.schemas import RESPONSE_MODELS

VERSION = "1.0.0"
_SCHEMAS = "#/components/schemas/"
_STATUSES = {
    200: "Done.",
    400: "The body is not valid JSON.",
    401: "No API token was sent, or it is not valid (mistyped or revoked).",
    403: "The token's scope does not allow this: a read token on a write endpoint.",
    404: "There is no such record.",
    409: "The database changed during the import; nothing was written; send it again.",
    413: "The body is too large; send at most 10,000 records at a time.",
    415: "The body is not sent as application/json.",
    422: "A parameter, or one or more records, are not valid; each error says which and why.",
}


@blueprint.get("/openapi.json")
@operation(scope=None, ok=None)
def openapi_document() -> dict[str, Any]:
    """This document: every endpoint of the API, in OpenAPI 3.1."""
    # Built once per app: the routes and models it describes do not change while it runs.
    if "api_document" not in current_app.extensions:
        current_app.extensions["api_document"] = build_document(current_app)
    document: dict[str, Any] = current_app.extensions["api_document"]
    return document


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of every API view registered on `app`."""
    spec = APISpec(
        title="outreach-bot API",
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[FlaskPlugin()],
        info={
            "description": "Push rosters and attendance in; read escalations and outreach back."
            " Every request but this document's needs `Authorization: Bearer TOKEN`."
        },
        security=[{"bearer": []}],
    )
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `outreach-bot tokens create NAME --scope read|write`.",
        },
    )
    _, top = models_json_schema(
        [(model, "serialization") for model in RESPONSE_MODELS],
        ref_template=_SCHEMAS + "{model}",
    )
    for name, schema in top["$defs"].items():
        spec.components.schema(name, schema)
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")),
        key=lambda rule: rule.rule,
    )
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        found: Operation | None = getattr(view, "api_operation", None)
        if found is None:
            continue
        if found.records:
            _add_records(spec, KINDS[found.records])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            details = _operation(found, rule.endpoint.removeprefix("api."))
            spec.path(view=view, app=app, operations={method.lower(): details})
    return spec.to_dict()


def _operation(found: Operation, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        "operationId": name,
        "summary": found.summary,
        "parameters": [*_path_parameters(found), *_query_parameters(found.query)],
        "responses": {"200": _content(found.ok, _STATUSES[200])},
    }
    for status in found.statuses:
        details["responses"][str(status)] = _content("ErrorList", _STATUSES[status])
    if 401 in found.statuses:
        details["responses"]["401"]["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
        }
    if found.records:
        # The records' errors come with the batch's counts; a bad query string's alone.
        either = {"anyOf": [_ref("ImportResult"), _ref("ErrorList")]}
        details["responses"]["422"]["content"]["application/json"]["schema"] = either
        kind = KINDS[found.records]
        details["description"] = (
            f"Each record has the fields of a row of {kind.file_name}, and means what that row"
            f" means: the same checks, the same upsert by key. At most {MAX_RECORDS:,} records;"
            " sending the same batch again changes nothing. A batch with any invalid record"
            " writes nothing (422), unless `partial=true`, which keeps the valid ones and"
            " still answers 422 with the errors."
        )
        details["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(_batch_name(kind))}},
        }
    if found.scope is None:
        details["security"] = []
    return details


def _content(model: type[BaseModel] | str | None, description: str) -> dict[str, Any]:
    if model is None:
        schema: dict[str, Any] = {"type": "object"}
    else:
        schema = _ref(model if isinstance(model, str) else model.__name__)
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _SCHEMAS + name}


def _path_parameters(found: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^\S+$"},
        }
        for name, description in found.path.items()
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        # A query parameter left out is the null an Optional stands for: no null to send.
        branches = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
        if branches:
            prop.update(branches[0] if len(branches) == 1 else {"anyOf": branches})
        if prop.get("default") is None:
            prop.pop("default", None)
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", []),
                "description": description,
                "schema": prop,
            }
        )
    return parameters


def _batch_name(kind: Kind) -> str:
    return f"{kind.name.capitalize()}Batch"


def _add_records(spec: APISpec, kind: Kind) -> None:
    record = f"{kind.name.capitalize()}Record"
    if record in spec.components.schemas:
        return
    properties = {}
    for column in kind.columns:
        types = json_types(column)
        properties[column.name] = {
            "type": types[0] if len(types) == 1 else list(types),
            "description": column.expected[0].upper() + column.expected[1:] + ".",
        }
    spec.components.schema(
        record,
        {
            "type": "object",
            "description": f"A row of {kind.file_name}, by its column names.",
            "properties": properties,
            "required": [column.name for column in kind.required],
            "additionalProperties": False,
        },
    )
    spec.components.schema(
        _batch_name(kind),
        {
            "type": "object",
            "required": ["records"],
            "properties": {
                "records": {"type": "array", "maxItems": MAX_RECORDS, "items": _ref(record)}
            },
        },
    )
