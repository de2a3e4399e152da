"""From OneRoster records to outreach-bot's roster rows: schools, students and guardians."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from outreach_bot.oneroster.layouts import FAMILY, RACES, SCHOOL, SCHOOL_YEAR, STUDENT
from outreach_bot.oneroster.manifest import FILES
from outreach_bot.oneroster.records import ACTIVE, DELETED, Record
from outreach_bot.oneroster.store import Records

Row = dict[str, Any]


@dataclass
class RosterRows:
    """The roster rows an import writes, by key, the user record each student and guardian row
    was made from, and the guardians (student_id, phone) gone."""

    schools: dict[Any, Row] = field(default_factory=dict)
    students: dict[Any, Row] = field(default_factory=dict)
    guardians: dict[Any, Row] = field(default_factory=dict)
    # ("students", id) or ("guardians", (student_id, phone)) -> the user record.
    made_by: dict[tuple[str, Any], Record] = field(default_factory=dict)
    gone: set[Any] = field(default_factory=set)


def local_id(record: Record) -> str:
    """The id the SIS shows people (attendance files use it): identifier, else sourcedId."""
    found = record.data.get("identifier")
    return str(found) if found else record.sourced_id


class RosterView:
    """Lookups across a set of records: schools, students, enrollments by student."""

    def __init__(self, records: Records) -> None:
        # An export may lack any file but orgs and users, and a first import has none stored.
        self.records: Records = {name: records.get(name, {}) for name in FILES}
        self.enrollments: dict[str, list[Record]] = defaultdict(list)
        for enrollment in self.records["enrollments"].values():
            self.enrollments[enrollment.data.get("user", "")].append(enrollment)
        years = [
            date.fromisoformat(session.data["start"])
            for session in self.records["academicSessions"].values()
            if session.status == ACTIVE and session.data.get("type") == SCHOOL_YEAR
        ]
        # Enrollments that ended before the latest school year began are last year's.
        self.year_start = max(years) if years else None

    def school(self, sourced_id: str) -> Record | None:
        """The org, when it is a school."""
        org = self.records["orgs"].get(sourced_id)
        return org if org and org.data.get("type") == SCHOOL else None

    def student(self, sourced_id: str) -> Record | None:
        """The user, when it is a student with a name on record."""
        user = self.records["users"].get(sourced_id)
        if user and user.data.get("role") == STUDENT and user.data.get("given"):
            return user
        return None

    def current_enrollments(self, user_sourced_id: str) -> list[Record]:
        """A student's active enrollments this school year, at known schools."""
        return [
            enrollment
            for enrollment in self.enrollments.get(user_sourced_id, [])
            if enrollment.status == ACTIVE
            and self.school(enrollment.data["school"])
            and not (self.year_start and enrollment.data.get("end", "9999") < str(self.year_start))
        ]

    def home_school(self, user: Record) -> Record | None:
        """The school a student's user record names (primaryOrg first), without enrollments."""
        for org in [user.data.get("primary_org"), *user.data.get("orgs", [])]:
            school = self.school(org) if org else None
            if school:
                return school
        return None


def school_row(org: Record) -> Row:
    """A school's row from its org record; OneRoster carries no ZIP code."""
    return {"id": local_id(org), "name": org.data["name"]}


def student_row(view: RosterView, user: Record) -> Row | None:
    """A student's row: names, grade, school and enrolment dates, and demographic groups."""
    data = user.data
    enrollments = view.current_enrollments(user.sourced_id)
    entry: str | None = None
    exit_day: str | None = None
    if enrollments:
        # The school of the latest enrollment; a transfer's earlier days stay counted.
        current = max(
            enrollments,
            key=lambda e: (e.data.get("begin", ""), "end" not in e.data, e.data.get("end", "")),
        )
        school = view.school(current.data["school"])
        begins = [e.data["begin"] for e in enrollments if "begin" in e.data]
        entry = min(begins) if begins else None
        if all("end" in e.data for e in enrollments):
            exit_day = max(e.data["end"] for e in enrollments)
    else:
        school = view.home_school(user)
    if school is None:
        return None
    if user.status == DELETED:
        exit_day = min(exit_day or data["deleted_on"], data["deleted_on"])
    if entry and exit_day and exit_day < entry:
        exit_day = entry  # withdrawn before the first day: enrolled for none after it
    row: Row = {
        "id": local_id(user),
        "first_name": data.get("preferred_given") or data["given"],
        "last_name": data.get("preferred_family") or data["family"],
        "school_id": local_id(school),
        "grade": data["grade"],
        "entry_date": date.fromisoformat(entry) if entry else None,
        "exit_date": date.fromisoformat(exit_day) if exit_day else None,
    }
    demographics = view.records["demographics"].get(user.sourced_id)
    if demographics and demographics.status == ACTIVE:
        row.update(_groups(demographics.data))
    return row


def _groups(data: dict[str, Any]) -> Row:
    groups: Row = {}
    if "birth_date" in data:
        groups["birth_date"] = date.fromisoformat(data["birth_date"])
    if "sex" in data:
        groups["gender"] = data["sex"]
    told = [key for key in (*RACES, "two_or_more", "hispanic") if key in data]
    if told:
        races = [label for key, label in RACES.items() if data.get(key)]
        if data.get("hispanic"):
            groups["race_ethnicity"] = "Hispanic or Latino"
        elif data.get("two_or_more") or len(races) > 1:
            groups["race_ethnicity"] = "Two or more races"
        else:
            groups["race_ethnicity"] = races[0] if races else None
    return groups


def guardian_rows(view: RosterView, user: Record, default_language: str) -> dict[Any, Row]:
    """A family member's guardian rows, one per student they are an agent of, by key."""
    data = user.data
    phone = data.get("sms") or data.get("phone")
    if user.status != ACTIVE or data.get("role") not in FAMILY or not phone:
        return {}
    given = data.get("preferred_given") or data["given"]
    name = f"{given} {data.get('preferred_family') or data['family']}"
    rows = {}
    for agent in data.get("agents", []):
        student = view.student(agent)
        if student is not None:
            rows[(local_id(student), phone)] = {
                "student_id": local_id(student),
                "phone": phone,
                "name": name,
                "language": data.get("language") or default_language,
                "relationship_to_student": data["role"],
            }
    return rows
