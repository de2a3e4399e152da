"""The six kinds of SIS export: their columns, how each cell is read, and each row's natural key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from outreach_bot.attendance import csv_fields as read
from outreach_bot.barriers import normalize_barrier
from outreach_bot.i18n.languages import normalize_language
from outreach_bot.models import (
    AttendanceRecord,
    CalendarDay,
    Guardian,
    Resource,
    School,
    Student,
)
from outreach_bot.phones import normalize_phone, normalize_service_number


@dataclass(frozen=True)
class Column:
    """One column of an import file: how its cells are read, and where they are stored."""

    name: str
    read: read.Reader
    expected: str  # what a cell holds, for the message when a required one is empty
    required: bool = False  # the header must have it, and no row may leave it blank
    attribute: str | None = None  # the model attribute, when it is not named like the column
    refers_to: str | None = None  # "schools" or "students": the value must be a known id
    blank_keeps: bool = False  # a blank cell changes nothing (new rows get the kind's default)

    @property
    def field(self) -> str:
        """The model attribute this column is stored in."""
        return self.attribute or self.name


@dataclass(frozen=True)
class Kind:
    """One kind of import file, and the table its rows are upserted into."""

    name: str
    model: type[Any]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # model attributes that name a row: the upsert's natural key
    once: str  # how to say a key may appear only once in a file
    defaults: Mapping[str, object] = field(default_factory=dict)
    narrow_by: str | None = None  # a date attribute that bounds which stored rows to load
    # Checks a row's read values together: (column, problem) when they contradict each other.
    check: Callable[[Mapping[str, Any]], tuple[str, str] | None] | None = None
    # The same check in SQL over the stored columns, true of a row it refuses: a COPY-ed file
    # (copied_file) is checked by it inside the database.
    check_in_sql: str | None = None
    # Fills values a good row leaves to others (a district code's minutes), from its cells.
    complete: Callable[[Mapping[str, str], dict[str, Any]], None] | None = None

    @property
    def file_name(self) -> str:
        """The usual name of this kind's file, for messages: 'students.csv'."""
        return f"{self.name}.csv"

    @property
    def required(self) -> list[Column]:
        """The columns every file of this kind must have."""
        return [column for column in self.columns if column.required]


@dataclass(frozen=True)
class Reference:
    """A kind of id other rows refer to, and what to say when one is unknown."""

    attribute: Any
    unknown: str


REFERENCES: Mapping[str, Reference] = MappingProxyType(
    {
        "schools": Reference(
            School.id, "is not a known school; import schools.csv first, or correct the school_id"
        ),
        "students": Reference(
            Student.id,
            "is not a known student; import students.csv first, or correct the student_id",
        ),
    }
)

_ID = "an id from the student information system"
_SCHOOL_ID = Column("school_id", read.identifier, "a school id", True, refers_to="schools")
_STUDENT_ID = Column("student_id", read.identifier, "a student id", True, refers_to="students")
_DATE = Column("date", read.school_date, "a date such as 2025-09-03", True)
_ZIP = Column("zip", read.zip_code, "a ZIP code such as 97201")


def _enrolment_in_order(values: Mapping[str, Any]) -> tuple[str, str] | None:
    """An exit date before the entry date is a slip in the export, not a real enrolment."""
    entry, exit_date = values.get("entry_date"), values.get("exit_date")
    if entry is None or exit_date is None or exit_date >= entry:
        return None
    return (
        "exit_date",
        f"{exit_date.isoformat()} is before the entry_date {entry.isoformat()}; expected the"
        " last day the student was enrolled, on or after the entry date",
    )


SCHOOLS = Kind(
    "schools",
    School,
    (
        Column("school_id", read.identifier, _ID, True, attribute="id"),
        Column("name", read.text(200), "the school's name", True),
        Column("zip", read.zip_code, "a ZIP code such as 97201", True),
        Column("timezone", read.timezone, "a time zone such as America/Los_Angeles"),
        Column("phone", normalize_phone, "a phone number such as (503) 555-0142"),
    ),
    key=("id",),
    once="each school_id may appear once",
)
STUDENTS = Kind(
    "students",
    Student,
    (
        Column("student_id", read.identifier, _ID, True, attribute="id"),
        Column("first_name", read.text(100), "the student's first name", True),
        Column("last_name", read.text(100), "the student's last name", True),
        _SCHOOL_ID,
        Column("grade", read.grade, "a grade such as K or 3", True),
        _ZIP,
        Column("birth_date", read.school_date, "a date such as 2015-04-30"),
        Column("english_learner", read.boolean, "Y or N"),
        Column("iep", read.boolean, "Y or N"),
        Column("low_income", read.boolean, "Y or N"),
        Column("race_ethnicity", read.text(64), "a race/ethnicity group"),
        Column("gender", read.text(32), "a gender"),
        Column("entry_date", read.school_date, "a date such as 2025-08-20"),
        Column("exit_date", read.school_date, "a date such as 2026-01-16"),
    ),
    key=("id",),
    once="each student_id may appear once",
    check=_enrolment_in_order,
    check_in_sql="exit_date < entry_date",
)
GUARDIANS = Kind(
    "guardians",
    Guardian,
    (
        _STUDENT_ID,
        Column("name", read.text(200), "the guardian's name", True),
        Column("phone", normalize_phone, "a phone number such as (503) 555-0142", True),
        Column("language", normalize_language, "a language such as es or Spanish", True),
        Column(
            "relationship",
            read.text(64),
            "a relationship such as mother",
            attribute="relationship_to_student",
        ),
        # Consent changes only when the file says so: a blank never re-consents a family.
        Column("sms_consent", read.boolean, "Y or N", blank_keeps=True),
        # Where notice letters are mailed (flows/notices/): optional, as the SIS holds it.
        Column("address_line1", read.text(200), "a street address such as 12 Oak Street"),
        Column("address_line2", read.text(200), "an apartment or unit such as Apt 4"),
        Column("city", read.text(100), "a city such as Portland"),
        Column("state", read.text(50), "a state such as CA"),
        _ZIP,
    ),
    key=("student_id", "phone"),
    once="a phone may be given once per student (one guardian row per phone)",
    defaults={"sms_consent": True},
)
CALENDAR = Kind(
    "calendar",
    CalendarDay,
    (_SCHOOL_ID, _DATE, Column("instructional", read.boolean, "Y or N", True)),
    key=("school_id", "date"),
    once="each school may list a date once",
    narrow_by="date",
)
ATTENDANCE = Kind(
    "attendance",
    AttendanceRecord,
    (
        _STUDENT_ID,
        _DATE,
        Column(
            "status", read.attendance_status, "present, absent, tardy, excused or unexcused", True
        ),
        Column("minutes_missed", read.minutes, "a number of minutes such as 45"),
        Column("reason", read.text(200), "a reason"),
    ),
    key=("student_id", "date"),
    once="a student may have one row per date",
    narrow_by="date",
)
RESOURCES = Kind(
    "resources",
    Resource,
    (
        Column("resource_id", read.identifier, "an id for the resource", True, attribute="id"),
        Column("barrier", normalize_barrier, "a barrier such as transportation", True),
        Column("name", read.text(200), "the resource's name", True),
        Column("description", read.text(2000), "a description"),
        # People call a resource, so a service number such as 211 or 988 is fine here.
        Column("phone", normalize_service_number, "a phone number such as (503) 555-0142 or 211"),
        Column("url", read.web_address, "a web address such as https://example.org"),
        Column("address", read.text(300), "a street address"),
        _ZIP,
        # Blank means district-wide, so it cannot be a required reference.
        Column("school_id", read.identifier, "a school id", refers_to="schools"),
        Column("languages", read.languages, "languages such as en, es"),
        Column("hours", read.text(300), "opening hours such as Mon-Fri 8am-5pm"),
        Column("eligibility", read.text(500), "who may use it, such as families in the district"),
        # A blank keeps what the dashboard set: a file without the column never un-retires.
        Column("retired", read.boolean, "Y or N", blank_keeps=True),
    ),
    key=("id",),
    once="each resource_id may appear once",
    defaults={"retired": False},
)

KINDS: Mapping[str, Kind] = MappingProxyType(
    {kind.name: kind for kind in (SCHOOLS, STUDENTS, GUARDIANS, CALENDAR, ATTENDANCE, RESOURCES)}
)
