"""PUT /api/v1/students|guardians|attendance: idempotent batches, placed errors, all or nothing."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach_bot.models import AttendanceRecord, Guardian, Student
from outreach_bot.runtime import Runtime
from outreach_bot.web.api import records as records_view
from tests.api_support import bearer, issue_token
from tests.test_import import DATA, load, snapshot

KINDS = ("students", "guardians", "attendance")


def csv_records(kind: str) -> list[dict[str, str]]:
    """The fixture district's CSV rows of `kind`, as JSON records: every cell a string."""
    with (DATA / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def token(runtime: Runtime) -> str:
    """A write token, with the fixture district's schools loaded."""
    assert not load(runtime, "schools", DATA / "schools.csv").errors
    return issue_token(runtime, "write")


def put(
    client: FlaskClient, token: str, kind: str, records: list[Any], partial: bool | None = None
) -> tuple[int, dict[str, Any]]:
    query = "" if partial is None else f"?partial={str(partial).lower()}"
    response = client.put(
        f"/api/v1/{kind}{query}", json={"records": records}, headers=bearer(token)
    )
    return response.status_code, response.get_json()


def test_the_same_batches_twice_change_nothing(runtime, client, token):
    for kind in KINDS:
        status, result = put(client, token, kind, csv_records(kind))
        assert status == 200, result
        assert (result["created"], result["updated"], result["errors"]) == (
            len(csv_records(kind)),
            0,
            [],
        )
    before = snapshot(runtime)
    for kind in KINDS:
        status, result = put(client, token, kind, csv_records(kind))
        assert status == 200
        assert (result["created"], result["updated"], result["unchanged"]) == (
            0,
            0,
            len(csv_records(kind)),
        )
    assert snapshot(runtime) == before


def test_a_record_means_what_its_csv_row_means(runtime, client, token):
    for kind in KINDS:
        assert put(client, token, kind, csv_records(kind))[0] == 200
    for kind in KINDS:
        report = load(runtime, kind, DATA / f"{kind}.csv")
        assert (report.created, report.updated, report.errors) == (0, 0, [])
        assert report.unchanged == len(csv_records(kind))
    with runtime.db.transaction() as session:
        maria = session.scalars(select(Guardian).where(Guardian.name == "Maria Example")).one()
        assert (maria.phone, maria.language) == ("+15035550142", "es")


def test_json_values_read_like_their_cells(runtime, client, token):
    record = {
        "student_id": "S020",
        "first_name": "Ivy",
        "last_name": "Example",
        "school_id": "LIN",
        "grade": 3,
        "english_learner": True,
        "birth_date": "4/30/2017",
    }
    assert put(client, token, "students", [record])[0] == 200
    with runtime.db.transaction() as session:
        ivy = session.get_one(Student, "S020")
        assert (ivy.grade, ivy.english_learner, ivy.birth_date) == ("3", True, date(2017, 4, 30))


def test_null_clears_a_field_and_a_missing_field_keeps_it(runtime, client, token):
    ivy = {"student_id": "S020", "first_name": "Ivy", "last_name": "Example", "school_id": "LIN"}
    assert put(client, token, "students", [{**ivy, "grade": "3", "zip": "97201"}])[0] == 200
    status, result = put(client, token, "students", [{**ivy, "grade": "4"}])
    assert (status, result["updated"]) == (200, 1)
    with runtime.db.transaction() as session:
        assert session.get_one(Student, "S020").zip == "97201"
    assert put(client, token, "students", [{**ivy, "grade": "4", "zip": None}])[0] == 200
    with runtime.db.transaction() as session:
        assert session.get_one(Student, "S020").zip is None


def test_a_bad_record_is_placed_by_index_and_field_and_nothing_is_written(runtime, client, token):
    records = csv_records("students")
    records[1] = {**records[1], "birth_date": "31/31/2017"}
    records[3] = {**records[3], "grade": ""}
    status, result = put(client, token, "students", records)
    assert status == 422
    assert result["rejected"] is True and result["created"] == 0
    assert [(e["index"], e["field"]) for e in result["errors"]] == [(1, "birth_date"), (3, "grade")]
    assert "'31/31/2017' is not a date" in result["errors"][0]["message"]
    assert "expected a grade such as K or 3" in result["errors"][1]["message"]
    with runtime.db.transaction() as session:
        assert session.scalars(select(Student)).all() == []


def test_partial_keeps_the_valid_records_and_reports_the_others(runtime, client, token):
    assert put(client, token, "students", csv_records("students"))[0] == 200
    records = csv_records("attendance")
    records[2] = {**records[2], "date": "someday"}
    records[5] = {**records[5], "student_id": "S999"}
    status, result = put(client, token, "attendance", records, partial=True)
    assert status == 422
    assert (result["rejected"], result["created"]) == (False, len(records) - 2)
    assert [(e["index"], e["field"]) for e in result["errors"]] == [(2, "date"), (5, "student_id")]
    assert "'S999' is not a known student" in result["errors"][1]["message"]
    with runtime.db.transaction() as session:
        assert len(session.scalars(select(AttendanceRecord)).all()) == len(records) - 2
    status, again = put(client, token, "attendance", records, partial=True)
    assert (status, again["created"], again["unchanged"]) == (422, 0, len(records) - 2)


def test_misshapen_records_are_refused_by_index(runtime, client, token):
    good = {"student_id": "S020", "first_name": "Ivy", "last_name": "E", "school_id": "LIN"}
    records = [
        {**good, "grade": "3"},
        ["S021", "Jon"],
        {**good, "student_id": "S022", "grade": "K", "gradee": "K"},
        {**good, "student_id": "S023", "grade": "K", "iep": {"yes": True}},
        {**good, "student_id": "S024", "grade": 2.5},
    ]
    status, result = put(client, token, "students", records, partial=True)
    assert status == 422 and result["created"] == 1
    errors = [(e["index"], e["field"]) for e in result["errors"]]
    assert errors == [(1, None), (2, "gradee"), (3, "iep"), (4, "grade")]
    messages = [e["message"] for e in result["errors"]]
    assert messages[0].startswith("the record is a list; expected an object with student_id")
    assert "'gradee' is not a field of a students record; expected one of" in messages[1]
    assert (
        messages[2] == "the value is an object; expected Y or N (a string or true or false or null)"
    )
    assert messages[3].startswith("the value is a number; expected a grade such as K or 3")
    with runtime.db.transaction() as session:
        assert [s.id for s in session.scalars(select(Student))] == ["S020"]


def test_a_key_twice_in_one_batch_names_the_first_record(runtime, client, token):
    assert put(client, token, "students", csv_records("students"))[0] == 200
    day = {"student_id": "S001", "date": "2025-09-02", "status": "present"}
    status, result = put(client, token, "attendance", [day, {**day, "date": "9/2/2025"}])
    assert status == 422
    assert result["errors"] == [
        {
            "index": 1,
            "field": "date",
            "message": "record 0 has the same student_id and date;"
            " a student may have one row per date",
        }
    ]


def test_a_batch_over_ten_thousand_records_is_refused_whole(runtime, client, token):
    records = [
        {"student_id": f"S{n}", "date": "2025-09-02", "status": "present"} for n in range(10_001)
    ]
    status, result = put(client, token, "attendance", records)
    assert status == 422 and result["rejected"]
    assert result["errors"] == [
        {
            "index": None,
            "field": "records",
            "message": "the batch has 10001 records; send at most 10,000 at a time",
        }
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"records": [', "application/json", 400),
        (b"student_id,date\n", "text/csv", 415),
        (b'{"rows": []}', "application/json", 422),
        (b"null", "application/json", 422),
    ],
    ids=["broken JSON", "not JSON", "no records", "null"],
)
def test_a_body_that_is_no_batch_is_refused_in_json(client, token, body, content_type, status):
    response = client.put(
        "/api/v1/students", data=body, content_type=content_type, headers=bearer(token)
    )
    assert response.status_code == status
    assert response.get_json()["errors"][0]["message"]


def test_a_body_too_large_gets_413(client, token, monkeypatch):
    monkeypatch.setattr(records_view, "MAX_BODY_BYTES", 100)
    status, result = put(client, token, "students", csv_records("students"))
    assert status == 413 and result["errors"][0]["message"]


def test_an_empty_batch_is_fine(client, token):
    status, result = put(client, token, "guardians", [])
    assert (status, result["created"], result["errors"]) == (200, 0, [])
