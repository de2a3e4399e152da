"""The JSON the API sends and the query strings it reads, as pydantic models.

The OpenAPI document's schemas are generated from these models, and every response is built
through them, so what the API sends cannot drift from what its document says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


def _page_size() -> int:
    """The `limit` parameter of a paged list."""
    found: int = Field(100, ge=1, le=500, description="How many items a page holds (1-500).")
    return found


def _next_cursor() -> str | None:
    """The `next_cursor` of a page."""
    found: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    return found


def _cursor() -> str | None:
    """The `cursor` parameter of a paged list."""
    found: str | None = Field(
        None,
        max_length=200,
        description="The `next_cursor` of the page before; leave out for the first page.",
    )
    return found


class ApiError(BaseModel):
    """One problem: with a batch, the record's index and field; else the parameter, if any."""

    index: Annotated[int | None, Field(description="The record's place in `records`, from 0.")] = (
        None
    )
    field: Annotated[str | None, Field(description="The field or parameter at fault.")] = None
    message: str = Field(description="What was wrong, and what was expected.")


class ErrorList(BaseModel):
    """Why a request was refused."""

    errors: list[ApiError]


class ImportResult(BaseModel):
    """What a batch did: rows created, updated and unchanged, and each record's errors."""

    kind: Literal["students", "guardians", "attendance"]
    created: int
    updated: int
    unchanged: int
    rejected: bool = Field(description="True when nothing from the batch was written.")
    errors: list[ApiError]


class EscalationItem(BaseModel):
    """A family a person must reach: open until staff record a successful contact."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    student_id: str | None
    school_id: str | None
    guardian_id: int | None
    conversation_id: int | None
    reason: str
    priority: str
    status: Literal["open", "closed"]
    level: str
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None
    outcome: str | None
    assigned_to_id: int | None


class EscalationPage(BaseModel):
    """A page of escalations, by id."""

    items: list[EscalationItem]
    next_cursor: str | None = _next_cursor()


class MessageEvent(BaseModel):
    """A text to the family ("text") or from it ("reply")."""

    type: Literal["text", "reply"]
    id: int
    at: datetime
    guardian_id: int | None
    conversation_id: int | None
    body: str
    language: str | None
    status: str = Field(description="Delivery status of a text; received or processed for a reply.")
    purpose: str | None


class BarrierEvent(BaseModel):
    """A barrier the family named: what keeps the child home."""

    type: Literal["barrier"]
    id: int
    at: datetime
    guardian_id: int | None
    conversation_id: int | None
    barrier: str


class ContactEvent(BaseModel):
    """An attempt by staff to reach the family: a call, a text, a visit."""

    type: Literal["contact"]
    id: int
    at: datetime
    escalation_id: int
    method: str
    outcome: str
    note: str | None


OutreachEvent = Annotated[MessageEvent | BarrierEvent | ContactEvent, Field(discriminator="type")]


class OutreachPage(BaseModel):
    """A page of one student's outreach, oldest first."""

    student_id: str
    items: list[OutreachEvent]
    next_cursor: str | None = _next_cursor()


class EscalationQuery(BaseModel):
    """The query string of GET /escalations."""

    model_config = ConfigDict(extra="forbid")  # a mistyped parameter is an error

    status: Literal["open", "closed"] | None = Field(
        None, description="Only escalations of this status; leave out for all."
    )
    limit: int = _page_size()
    cursor: str | None = _cursor()


class PageQuery(BaseModel):
    """The query string of a paged list."""

    model_config = ConfigDict(extra="forbid")  # a mistyped parameter is an error

    limit: int = _page_size()
    cursor: str | None = _cursor()


class ImportQuery(BaseModel):
    """The query string of a PUT of records."""

    model_config = ConfigDict(extra="forbid")  # a mistyped parameter is an error

    partial: bool = Field(
        False,
        description="true: keep the valid records and report the others; false (the default):"
        " write nothing unless every record is valid.",
    )


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    ErrorList,
    ImportResult,
    EscalationPage,
    OutreachPage,
)
