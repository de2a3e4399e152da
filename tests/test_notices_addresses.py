"""Guardians' postal addresses, where notice letters are mailed: optional guardians.csv columns,
kept as the SIS holds them, and the address block a letter prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from outreach_bot.attendance.importer import import_file
from outreach_bot.models import Guardian
from outreach_bot.notices.printing import address_lines
from tests.factories import add_family, add_school

HEADER = "student_id,name,phone,language,address_line1,address_line2,city,state,zip\n"


def load(runtime, tmp_path: Path, text: str):
    path = tmp_path / "guardians.csv"
    path.write_text(text, encoding="utf-8")
    with runtime.db.transaction() as session:
        return import_file(session, "guardians", path)


@pytest.fixture
def family(runtime):
    """Lincoln and Pat, Ana's guardian, with no address yet."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone="+15035550142")


def test_a_guardians_file_may_carry_a_postal_address(runtime, tmp_path, family):
    report = load(
        runtime,
        tmp_path,
        HEADER + "S1001,Pat Testperson,(503) 555-0142,en,12 Testing Lane,Apt 4,Portland,OR,97201\n",
    )
    assert report.errors == [] and report.updated == 1
    with runtime.db.transaction() as session:
        pat = session.scalars(select(Guardian)).one()
        assert (pat.address_line1, pat.address_line2, pat.city, pat.state, pat.zip) == (
            "12 Testing Lane",
            "Apt 4",
            "Portland",
            "OR",
            "97201",
        )
        assert address_lines(pat) == ("12 Testing Lane", "Apt 4", "Portland, OR 97201")


def test_a_bad_zip_is_placed_by_line_and_column_and_nothing_is_loaded(runtime, tmp_path, family):
    report = load(
        runtime,
        tmp_path,
        HEADER + "S1001,Pat Testperson,(503) 555-0142,en,12 Testing Lane,,Portland,OR,ninety\n",
    )
    [error] = report.errors
    assert "guardians.csv, line 2, column zip" in str(error)
    with runtime.db.transaction() as session:
        assert session.scalars(select(Guardian.address_line1)).one() is None


def test_without_an_address_a_letter_has_no_address_block():
    assert address_lines(None) == ()
    assert address_lines(Guardian(name="Pat", phone="+15035550142", language="en")) == ()
    assert address_lines(Guardian(address_line1="1 Main St", city="Lodi", zip="95240")) == (
        "1 Main St",
        "Lodi, 95240",
    )
