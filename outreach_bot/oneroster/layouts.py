"""The columns outreach-bot reads from each OneRoster file, in 1.1 and 1.2 spellings."""

from __future__ import annotations

from outreach_bot.attendance import csv_fields as read
from outreach_bot.i18n.languages import normalize_language
from outreach_bot.oneroster.records import Field, day, first_grade, folded, sourced_ids
from outreach_bot.phones import normalize_phone

STUDENT = "student"
# The users.csv roles whose phones outreach-bot texts about the students they are agents of.
FAMILY = frozenset({"parent", "guardian", "relative"})
SCHOOL = "school"
SCHOOL_YEAR = "schoolyear"
_ID = "a sourcedId"
_PHONE = "a phone number such as (503) 555-0142"
_YES_NO = "true or false"
# demographics.csv race columns and how reports name the group.
RACES = {
    "americanIndianOrAlaskaNative": "American Indian or Alaska Native",
    "asian": "Asian",
    "blackOrAfricanAmerican": "Black or African American",
    "nativeHawaiianOrOtherPacificIslander": "Native Hawaiian or Other Pacific Islander",
    "white": "White",
}

ORGS = (
    Field("name", "name", read.text(200), "the organization's name", True),
    Field("type", "type", folded, "an org type such as school", True),
    Field("identifier", "identifier", read.identifier, "the school's id in the SIS"),
)
ACADEMIC_SESSIONS = (
    Field("title", "title", read.text(200), "the session's title", True),
    Field("type", "type", folded, "a session type such as schoolYear", True),
    Field("startDate", "start", day, "a date such as 2026-08-20", True),
    Field("endDate", "end", day, "a date such as 2027-06-11", True),
    Field("schoolYear", "year", read.text(16), "a year such as 2027"),
)
ROLES = (
    Field("userSourcedId", "user", read.identifier, _ID, True),
    Field("role", "role", folded, "a role such as student or parent", True),
    Field("roleType", "type", folded, "primary or secondary"),
    Field("orgSourcedId", "org", read.identifier, _ID),
)
ENROLLMENTS = (
    Field("userSourcedId", "user", read.identifier, _ID, True),
    Field("schoolSourcedId", "school", read.identifier, _ID, True),
    Field("role", "role", folded, "a role such as student", True),
    Field("beginDate", "begin", day, "a date such as 2026-08-20"),
    Field("endDate", "end", day, "a date such as 2027-06-11"),
)
DEMOGRAPHICS = (
    Field("birthDate", "birth_date", day, "a date such as 2015-04-30"),
    Field("sex", "sex", read.text(32), "male, female, other or unspecified"),
    *(Field(name, name, read.boolean, _YES_NO) for name in RACES),
    Field("demographicRaceTwoOrMoreRaces", "two_or_more", read.boolean, _YES_NO),
    Field("hispanicOrLatinoEthnicity", "hispanic", read.boolean, _YES_NO),
)


def users(language_column: str) -> tuple[Field, ...]:
    """users.csv, with the district's column for a guardian's language."""
    return (
        Field("role", "role", folded, "a role such as student or parent"),
        Field("givenName", "given", read.text(100), "the person's given name", True),
        Field("familyName", "family", read.text(100), "the person's family name", True),
        Field(
            "preferredGivenName",
            "preferred_given",
            read.text(100),
            "a preferred first name",
            also=("preferredFirstName",),
        ),
        Field(
            "preferredFamilyName",
            "preferred_family",
            read.text(100),
            "a preferred last name",
            also=("preferredLastName",),
        ),
        Field("identifier", "identifier", read.identifier, "the student's id in the SIS"),
        Field("sms", "sms", normalize_phone, _PHONE),
        Field("phone", "phone", normalize_phone, _PHONE),
        Field("agentSourcedIds", "agents", sourced_ids, "the sourcedIds of their students"),
        Field("grades", "grade", first_grade, "a grade such as 03, KG or PK"),
        Field("orgSourcedIds", "orgs", sourced_ids, "the sourcedIds of the user's schools"),
        Field("primaryOrgSourcedId", "primary_org", read.identifier, _ID, also=("primaryOrg",)),
        Field(language_column, "language", normalize_language, "a language such as es or Spanish"),
    )
