"""What a staff member may see and do: their schools, or the whole district."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, false, true

from outreach_bot.models import User


@dataclass(frozen=True)
class Scope:
    """A user's reach: a district admin covers every school; others only their own."""

    user_id: int
    role: str
    school_ids: frozenset[str]

    @property
    def whole_district(self) -> bool:
        """True for district admins."""
        return self.role == "district_admin"

    @property
    def can_assign(self) -> bool:
        """School leads and district admins hand cases to others; clerks claim their own."""
        return self.role in ("school_lead", "district_admin")

    @property
    def can_administer(self) -> bool:
        """Only district admins manage accounts and read the audit log."""
        return self.whole_district

    def covers(self, school_id: str | None) -> bool:
        """True when records of this school are within reach (a case with no school: admins)."""
        return self.whole_district or (school_id is not None and school_id in self.school_ids)

    def where(self, column: Any) -> ColumnElement[bool]:
        """A filter on a school id column that keeps only rows within reach."""
        if self.whole_district:
            return true()
        if not self.school_ids:
            return false()
        clause: ColumnElement[bool] = column.in_(sorted(self.school_ids))
        return clause

    def limit(self, query: Select[Any], column: Any) -> Select[Any]:
        """The query narrowed to rows within reach."""
        return query.where(self.where(column))


def scope_of(user: User) -> Scope:
    """The scope of a signed-in user."""
    return Scope(user_id=user.id, role=user.role, school_ids=frozenset(user.school_ids))
