"""`outreach-bot import`: SIS exports upserted by key; each bad row placed and explained."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select

from outreach_bot.attendance import csv_fields
from outreach_bot.attendance.importer import (
    KIND_NAMES,
    ImportReport,
    RowError,
    import_bytes,
    import_file,
    import_rows,
)
from outreach_bot.barriers import BARRIERS, normalize_barrier
from outreach_bot.cli import main
from outreach_bot.models import (
    AttendanceRecord,
    Base,
    CalendarDay,
    Guardian,
    Resource,
    School,
    Student,
)
from outreach_bot.runtime import Runtime

DATA = Path(__file__).parent / "data" / "import"
MODELS: dict[str, type[Base]] = {
    "schools": School,
    "students": Student,
    "guardians": Guardian,
    "calendar": CalendarDay,
    "attendance": AttendanceRecord,
    "resources": Resource,
}
FIXTURE_ROWS = {
    "schools": 2,
    "students": 4,
    "guardians": 5,
    "calendar": 6,
    "attendance": 8,
    "resources": 3,
}


def load(runtime: Runtime, kind: str, path: Path, **options: Any) -> ImportReport:
    """Import one file in its own transaction, as the CLI does."""
    with runtime.db.transaction() as session:
        return import_file(session, kind, path, **options)


def load_district(runtime: Runtime, *kinds: str) -> None:
    """Import the fixture district's files, in dependency order; they must all be good."""
    for kind in kinds or KIND_NAMES:
        report = load(runtime, kind, DATA / f"{kind}.csv")
        assert report.errors == [], [str(error) for error in report.errors]


def count(runtime: Runtime, kind: str) -> int:
    with runtime.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(MODELS[kind])) or 0


def snapshot(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every imported table, in a stable order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with runtime.db.transaction() as session:
        for kind, model in MODELS.items():
            table = model.__table__  # type: ignore[attr-defined]
            rows = session.execute(select(table).order_by(*table.primary_key.columns))
            tables[kind] = [tuple(row) for row in rows]
    return tables


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- A whole district, and importing it again ---------------------------------------------


def test_a_district_imports_with_every_value_read(runtime: Runtime) -> None:
    for kind in KIND_NAMES:
        report = load(runtime, kind, DATA / f"{kind}.csv")
        assert report.summary() == (
            f"{kind}.csv: {FIXTURE_ROWS[kind]} created, 0 updated, 0 unchanged, 0 bad rows"
        )
        assert count(runtime, kind) == FIXTURE_ROWS[kind]

    with runtime.db.transaction() as session:
        lincoln = session.get_one(School, "LIN")  # read through the file's byte-order mark
        assert (lincoln.name, lincoln.zip, lincoln.timezone) == (
            "Lincoln Elementary",
            "97201",
            "America/Los_Angeles",
        )
        assert lincoln.phone == "+15035550100"
        assert session.get_one(School, "RSV").timezone is None

        ana = session.get_one(Student, "S001")
        assert (ana.grade, ana.birth_date, ana.english_learner, ana.iep, ana.low_income) == (
            "K",
            date(2020, 3, 14),
            True,
            False,
            True,
        )
        bao = session.get_one(Student, "S002")
        assert (bao.grade, bao.birth_date, bao.low_income) == ("3", date(2017, 7, 4), True)
        cai = session.get_one(Student, "S003")
        assert (cai.grade, cai.birth_date, cai.english_learner) == ("7", None, None)

        guardians = {g.name: g for g in session.scalars(select(Guardian))}
        assert {name: (g.phone, g.language, g.sms_consent) for name, g in guardians.items()} == {
            "Maria Example": ("+15035550142", "es", True),
            "Jose Example": ("+15035550143", "es-MX", True),  # blank consent: consent
            "Lan Sample": ("+19715550144", "vi", True),
            "Wei Test": ("+13605550145", "zh-Hant", False),
            "Ayaan Demo": ("+12065550146", "so", True),
        }
        assert guardians["Lan Sample"].relationship_to_student == "grandmother"

        calendar = session.scalars(select(CalendarDay))
        days = {(d.school_id, d.date): d.instructional for d in calendar}
        assert days[("LIN", date(2025, 9, 4))] is False
        assert days[("RSV", date(2025, 9, 3))] is True

        statuses = {
            (r.student_id, r.date.day): (r.status, r.minutes_missed, r.reason)
            for r in session.scalars(select(AttendanceRecord))
        }
        assert statuses == {
            ("S001", 2): ("present", None, None),
            ("S001", 3): ("unexcused", 360, None),
            ("S002", 2): ("present", None, None),
            ("S002", 3): ("excused", None, "illness"),
            ("S003", 2): ("tardy", 15, None),
            ("S003", 3): ("present", 90, None),
            ("S004", 2): ("absent", None, None),
            ("S004", 3): ("present", None, None),
        }

        bus, info, food = (session.get_one(Resource, rid) for rid in ("R-BUS", "R-211", "R-FOOD"))
        assert (bus.school_id, bus.phone, bus.languages) == ("LIN", "+15035550110", "en,es")
        assert (info.barrier, info.phone, info.url, info.languages) == (
            "housing",
            "211",
            "https://www.211info.org",
            "en,es,vi",
        )
        assert (food.school_id, food.zip, food.phone, food.languages) == (None, "97202", None, None)


def test_importing_the_same_files_again_changes_nothing(runtime: Runtime) -> None:
    load_district(runtime)
    before = snapshot(runtime)
    for kind in KIND_NAMES:
        report = load(runtime, kind, DATA / f"{kind}.csv")
        assert (report.created, report.updated, report.unchanged, report.bad_rows) == (
            0,
            0,
            FIXTURE_ROWS[kind],
            0,
        )
    assert snapshot(runtime) == before


def test_a_changed_row_is_updated_and_the_rest_left_unchanged(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students", "guardians")
    text = (DATA / "students.csv").read_text()
    text = text.replace("S002,Bao,Sample,LIN,3", "S002,Bao,Sample,RSV,4")
    text += "S005,Eve,Example,LIN,5,97201,,,,,,\n"
    report = load(runtime, "students", write(tmp_path, "students.csv", text))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 3)
    with runtime.db.transaction() as session:
        bao = session.get_one(Student, "S002")
        assert (bao.school_id, bao.grade, bao.birth_date) == ("RSV", "4", date(2017, 7, 4))

    moved = (DATA / "guardians.csv").read_text().replace("Tiếng Việt", "vi-VN")
    report = load(runtime, "guardians", write(tmp_path, "guardians.csv", moved))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    with runtime.db.transaction() as session:
        lan = session.scalars(select(Guardian).where(Guardian.name == "Lan Sample")).one()
        assert lan.language == "vi-VN"


def test_a_column_the_file_lacks_is_left_alone_but_a_blank_cell_clears(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    short = write(
        tmp_path,
        "students.csv",
        ("student_id,first_name,last_name,school_id,grade,gender\nS001,Ana,Example,LIN,K,\n"),
    )
    report = load(runtime, "students", short)
    assert (report.updated, report.unchanged) == (1, 0)
    with runtime.db.transaction() as session:
        ana = session.get_one(Student, "S001")
        assert ana.gender is None  # the column was there, blank
        assert (ana.zip, ana.birth_date, ana.english_learner) == ("97201", date(2020, 3, 14), True)


def test_a_blank_consent_never_changes_a_family_s_answer(runtime: Runtime, tmp_path: Path) -> None:
    load_district(runtime, "schools", "students", "guardians")
    blank = (DATA / "guardians.csv").read_text().replace("father,N", "father,")
    report = load(runtime, "guardians", write(tmp_path, "guardians.csv", blank))
    assert (report.updated, report.unchanged) == (0, 5)
    no_column = write(
        tmp_path,
        "no_consent.csv",
        (
            "student_id,name,phone,language\n"
            "S003,Wei Test,(360) 555-0145,zh-Hant\n"
            "S004,Ana Demo,(206) 555-0147,Somali\n"
        ),
    )
    report = load(runtime, "guardians", no_column)
    assert (report.created, report.unchanged) == (1, 1)
    with runtime.db.transaction() as session:
        consent = {
            name: given
            for name, given in session.execute(select(Guardian.name, Guardian.sms_consent))
        }
    assert consent["Wei Test"] is False
    assert consent["Ana Demo"] is True


# --- Bad rows: each placed and explained, and nothing loaded --------------------------------

BAD_FILES = [
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade\n"
        "S010,Fay,Example,LIN,2\n"
        "S011,Gus,Example,LIN,\n",
        "students.csv, line 3, column grade (5): '' is empty; expected a grade such as K or 3",
        id="empty grade",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade,zip,email\n"
        "S010,Fay,Example,LIN,2,97201,x\n"
        "S011,Gus,Example,LIN,grade 3,97201,y\n",
        "students.csv, line 3, column grade (5): 'grade 3' is not a grade; expected a grade"
        " such as K or 3",
        id="bad grade",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id\nS010,Fay,Example,LIN\n",
        "students.csv, line 1, column grade: the header has no grade column; expected a"
        " students file, whose header has student_id, first_name, last_name, school_id, grade",
        id="missing column",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade\n"
        "S010,Fay,Example,LIN,2\n"
        "S011,Gus,Example,NEW,3\n",
        "students.csv, line 3, column school_id (4): 'NEW' is not a known school; import"
        " schools.csv first, or correct the school_id",
        id="unknown school",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade,birth_date\n"
        "S010,Fay,Example,LIN,2,2017-02-29\n",
        "students.csv, line 2, column birth_date (6): '2017-02-29' is not a date; expected"
        " YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY",
        id="impossible birth date",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade,entry_date,exit_date\n"
        "S010,Fay,Example,LIN,2,2025-08-20,last week\n",
        "students.csv, line 2, column exit_date (7): 'last week' is not a date; expected"
        " YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY",
        id="bad exit date",
    ),
    pytest.param(
        "students",
        "student_id,first_name,last_name,school_id,grade,exit_date,entry_date\n"
        "S010,Fay,Example,LIN,2,8/19/2025,2025-08-20\n",
        "students.csv, line 2, column exit_date (6): 2025-08-19 is before the entry_date"
        " 2025-08-20; expected the last day the student was enrolled, on or after the entry date",
        id="exit before entry",
    ),
    pytest.param(
        "guardians",
        "student_id,name,phone,language\n"
        "S001,Maria Example,(503) 555-0142,es\n"
        "S002,Lan Sample,555-0144,vi\n",
        "guardians.csv, line 3, column phone (3): the phone number has too few digits;"
        " expected 10 digits with the area code, such as (503) 555-0142",
        id="short phone",
    ),
    pytest.param(
        "guardians",
        "student_id,name,phone,language\nS002,Lan Sample,ask at office,vi\n",
        "guardians.csv, line 2, column phone (3): the value is not a phone number; expected a"
        " number such as (503) 555-0142",
        id="unparseable phone",
    ),
    pytest.param(
        "guardians",
        "student_id,name,phone,language\nS002,Lan Sample,(971) 555-0144,Elvish\n",
        "guardians.csv, line 2, column language (4): 'Elvish' is not a language we know;"
        " expected a language tag such as es, vi or zh-Hant, or a language name such as"
        " Spanish, español or Vietnamese",
        id="unknown language",
    ),
    pytest.param(
        "guardians",
        "student_id,name,phone,language\nS999,Kim Example,(971) 555-0149,ko\n",
        "guardians.csv, line 2, column student_id (1): 'S999' is not a known student; import"
        " students.csv first, or correct the student_id",
        id="guardian of unknown student",
    ),
    pytest.param(
        "guardians",
        "student_id,name,phone,language\n"
        "S001,Maria Example,(503) 555-0142,es\n"
        "S001,Jose Example,503.555.0142,es\n",
        "guardians.csv, line 3, column phone (3): line 2 has the same student_id and phone;"
        " a phone may be given once per student (one guardian row per phone)",
        id="phone twice for a student",
    ),
    pytest.param(
        "attendance",
        "student_id,date,status\nS001,2025-09-02,present\nS001,2025-13-01,absent\n",
        "attendance.csv, line 3, column date (2): '2025-13-01' is not a date; expected"
        " YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY",
        id="bad date",
    ),
    pytest.param(
        "attendance",
        "student_id,date,status\nS001,02.09.2025,present\n",
        "attendance.csv, line 2, column date (2): '02.09.2025' is not a date; expected"
        " YYYY-MM-DD (such as 2025-09-03) or M/D/YYYY",
        id="foreign date format",
    ),
    pytest.param(
        "attendance",
        "student_id,date,status\nS001,2025-09-02,present\nS999,2025-09-02,absent\n",
        "attendance.csv, line 3, column student_id (1): 'S999' is not a known student; import"
        " students.csv first, or correct the student_id",
        id="attendance of unknown student",
    ),
    pytest.param(
        "attendance",
        "student_id,date,status\nS001,2025-09-02,sick\n",
        "attendance.csv, line 2, column status (3): 'sick' is not an attendance status;"
        " expected present, absent, tardy, excused or unexcused (or an Ed-Fi category such as"
        " Excused Absence)",
        id="bad status",
    ),
    pytest.param(
        "attendance",
        "student_id,date,status\nS001,2025-09-02,present\nS001,9/2/2025,absent\n",
        "attendance.csv, line 3, column date (2): line 2 has the same student_id and date;"
        " a student may have one row per date",
        id="same day twice",
    ),
    pytest.param(
        "calendar",
        "school_id,date,instructional\nLIN,2025-09-02,maybe\n",
        "calendar.csv, line 2, column instructional (3): 'maybe' is not yes or no; expected Y or N",
        id="bad yes/no",
    ),
    pytest.param(
        "resources",
        "resource_id,barrier,name\nR-1,transport,Bus help\n",
        "resources.csv, line 2, column barrier (2): 'transport' is not a barrier we know;"
        f" expected one of {', '.join(BARRIERS)}",
        id="unknown barrier",
    ),
    pytest.param(
        "resources",
        "resource_id,barrier,name,school_id\nR-1,food,Pantry,OLD\n",
        "resources.csv, line 2, column school_id (4): 'OLD' is not a known school; import"
        " schools.csv first, or correct the school_id",
        id="resource of unknown school",
    ),
    pytest.param(
        "schools",
        "school_id,name,zip\nNEW,New School,2134\n",
        "schools.csv, line 2, column zip (3): '2134' is not a ZIP code (a spreadsheet may have"
        " dropped its leading zero); expected five digits such as 97201",
        id="zip lost its zero",
    ),
]


@pytest.mark.parametrize(("kind", "text", "expected"), BAD_FILES)
def test_a_bad_row_is_explained_and_nothing_is_loaded(
    runtime: Runtime, tmp_path: Path, kind: str, text: str, expected: str
) -> None:
    load_district(runtime, "schools", "students")
    before = snapshot(runtime)
    report = load(runtime, kind, write(tmp_path, f"{kind}.csv", text))
    assert [str(error) for error in report.errors] == [expected]
    assert report.rejected
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot(runtime) == before


def test_entry_and_exit_dates_are_stored_and_a_blank_exit_date_re_enrols(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    header = "student_id,first_name,last_name,school_id,grade,entry_date,exit_date\n"
    withdrawn = header + "S001,Ana,Example,LIN,KG,2025-08-20,1/16/2026\nS002,Bao,Sample,LIN,3,,\n"
    report = load(runtime, "students", write(tmp_path, "students.csv", withdrawn))
    assert (report.errors, report.updated) == ([], 1)  # S002 had no dates: unchanged
    with runtime.db.transaction() as session:
        ana = session.get_one(Student, "S001")
        assert (ana.entry_date, ana.exit_date) == (date(2025, 8, 20), date(2026, 1, 16))
    back = header + "S001,Ana,Example,LIN,KG,2025-08-20,\n"
    assert load(runtime, "students", write(tmp_path, "students.csv", back)).updated == 1
    with runtime.db.transaction() as session:
        assert session.get_one(Student, "S001").exit_date is None


def test_every_problem_in_a_row_is_reported(runtime: Runtime, tmp_path: Path) -> None:
    load_district(runtime, "schools", "students")
    report = load(
        runtime,
        "students",
        write(
            tmp_path,
            "students.csv",
            ("student_id,first_name,last_name,school_id,grade,iep\nS010,,Example,NOPE,3,perhaps\n"),
        ),
    )
    assert [(e.line, e.column, e.position) for e in report.errors] == [
        (2, "first_name", 2),
        (2, "school_id", 4),
        (2, "iep", 6),
    ]
    assert report.bad_rows == 1
    assert (
        report.summary() == "students.csv: 0 created, 0 updated, 0 unchanged, 1 bad row;"
        " nothing was imported"
    )


def test_lines_are_counted_as_the_file_has_them(runtime: Runtime, tmp_path: Path) -> None:
    """A quoted value across two lines and blank lines do not shift the line numbers."""
    load_district(runtime, "schools")
    report = load(
        runtime,
        "students",
        write(
            tmp_path,
            "students.csv",
            (
                "student_id,first_name,last_name,school_id,grade\r\n"
                '"S010","Fay","Example\r\nJones",LIN,2\r\n'
                "\r\n"
                ",,,,\r\n"
                "S011,Gus,Example,LIN,13\r\n"
            ),
        ),
    )
    assert [str(error) for error in report.errors] == [
        "students.csv, line 6, column grade (5): '13' is not a grade; expected a grade such as"
        " K or 3"
    ]


def test_a_row_with_too_many_values_is_bad(runtime: Runtime, tmp_path: Path) -> None:
    load_district(runtime, "schools")
    report = load(
        runtime,
        "students",
        write(
            tmp_path,
            "students.csv",
            (
                "student_id,first_name,last_name,school_id,grade\n"
                "S010,Fay,Example, Jr.,LIN,2\n"
                "S011,Gus,Example,LIN,3,,\n"  # empty trailing cells, as spreadsheets write them
            ),
        ),
    )
    assert [str(error) for error in report.errors] == [
        "students.csv, line 2: the row has 6 values but the header has 5 columns; a value with"
        " a comma in it must be in double quotes"
    ]


def test_skip_bad_rows_loads_the_good_rows_and_reports_the_bad(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    path = write(
        tmp_path,
        "attendance.csv",
        (
            "student_id,date,status\n"
            "S001,2025-09-02,present\n"
            "S999,2025-09-02,absent\n"
            "S002,2025-09-02,sick\n"
            "S003,2025-09-02,absent\n"
        ),
    )
    report = load(runtime, "attendance", path, skip_bad_rows=True)
    assert not report.rejected
    assert report.summary() == "attendance.csv: 2 created, 0 updated, 0 unchanged, 2 bad rows"
    assert [(error.line, error.column) for error in report.errors] == [
        (3, "student_id"),
        (4, "status"),
    ]
    with runtime.db.transaction() as session:
        stored = set(session.execute(select(AttendanceRecord.student_id, AttendanceRecord.status)))
    assert stored == {("S001", "present"), ("S003", "absent")}


# --- Files that cannot be read at all -------------------------------------------------------

UNREADABLE = [
    pytest.param(
        "student_id,first_name,last_name,school_id,grade\nS010,Fay,Example,LIN,2\n"
        "S011,José,Example,LIN,3\n".encode("latin-1"),
        "students.csv, line 3: the file is not UTF-8 text (byte 0xE9); save it from the"
        " spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that",
        id="latin-1",
    ),
    pytest.param(
        "student_id,first_name\nS010,Fay\n".encode("utf-16"),
        "students.csv: the file is UTF-16 text; save it from the spreadsheet as CSV UTF-8"
        " (Save As > CSV UTF-8) and import that",
        id="utf-16",
    ),
    pytest.param(
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        "students.csv: the file is a spreadsheet workbook (.xlsx), not CSV; save it from the"
        " spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that",
        id="workbook",
    ),
    pytest.param(
        b"student_id\tfirst_name\tlast_name\tschool_id\tgrade\nS010\tFay\tExample\tLIN\t2\n",
        "students.csv, line 1: the columns are separated by tabs, not commas; save it from the"
        " spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that",
        id="tab-separated",
    ),
    pytest.param(
        b"\xef\xbb\xbf",
        "students.csv, line 1: the file is empty; expected a header row naming the columns",
        id="empty",
    ),
    pytest.param(
        b"student_id,first_name,last_name,school_id,grade\nS010,Fay,Example,LIN,2\n"
        b'S011,"Gus,Example,LIN,3\nS012,Hal,Example,LIN,4\n',
        "students.csv, line 3: this record is not valid CSV (unexpected end of data); a value"
        ' with a double quote in it must be in double quotes, with the quote doubled ("")',
        id="unclosed quote",
    ),
    pytest.param(
        b"student_id,first_name,last_name,school_id,grade,school_id\nS010,Fay,Example,LIN,2,LIN\n",
        "students.csv, line 1, column school_id: the header names school_id more than once"
        " (columns 4 and 6); keep one",
        id="column twice",
    ),
]


@pytest.mark.parametrize(("data", "expected"), UNREADABLE)
def test_a_file_that_cannot_be_read_loads_nothing_even_when_skipping(
    runtime: Runtime, tmp_path: Path, data: bytes, expected: str
) -> None:
    load_district(runtime, "schools")
    path = tmp_path / "students.csv"
    path.write_bytes(data)
    report = load(runtime, "students", path, skip_bad_rows=True)
    assert [str(error) for error in report.errors] == [expected]
    assert report.rejected
    assert report.bad_rows == 0
    assert count(runtime, "students") == 0


def test_a_missing_file_is_reported(runtime: Runtime, tmp_path: Path) -> None:
    report = load(runtime, "schools", tmp_path / "schools.csv")
    assert report.rejected
    assert [str(e) for e in report.errors] == [
        "schools.csv: the file cannot be read (No such file or directory)"
    ]


def test_an_unknown_kind_is_refused(runtime: Runtime) -> None:
    with runtime.db.transaction() as session, pytest.raises(ValueError, match="expected one of"):
        import_bytes(session, "teachers", b"id\n1\n", "teachers.csv")


# --- Rows given as mappings: the JSON API and the demo --------------------------------------


def test_rows_as_mappings_import_like_a_file(runtime: Runtime) -> None:
    load_district(runtime, "schools")
    rows = [
        {
            "Student ID": "S020",
            "first_name": "Ivy",
            "last_name": "Example",
            "school_id": "LIN",
            "grade": 3,
            "english_learner": True,
            "birth_date": date(2017, 1, 2),
        },
        {"student_id": "S021", "first_name": "Jon", "last_name": "Example", "school_id": "LIN"},
    ]
    with runtime.db.transaction() as session:
        report = import_rows(session, "students", rows, "request body")
    assert [str(error) for error in report.errors] == [
        "request body, line 2, column grade: the value is missing; expected a grade such as K or 3"
    ]
    assert report.rejected
    with runtime.db.transaction() as session:
        report = import_rows(session, "students", rows[:1], "request body")
    assert report.created == 1
    with runtime.db.transaction() as session:
        ivy = session.get_one(Student, "S020")
        assert (ivy.grade, ivy.english_learner, ivy.birth_date) == ("3", True, date(2017, 1, 2))


def test_report_as_dict_carries_each_error_sentence() -> None:
    error = RowError("students.csv", 4, "grade", "'' is empty; expected a grade such as K or 3", 5)
    report = ImportReport("students", "students.csv", bad_rows=1, errors=[error], rejected=True)
    assert report.as_dict()["errors"] == [
        {
            "file": "students.csv",
            "line": 4,
            "column": "grade",
            "position": 5,
            "message": "'' is empty; expected a grade such as K or 3",
            "error": "students.csv, line 4, column grade (5): '' is empty; expected a grade such as"
            " K or 3",
        }
    ]
    assert report.as_dict()["bad_rows"] == 1


# --- Efficiency: the number of statements does not grow with the rows -----------------------


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """Every SQL statement the database is sent while the test runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(runtime.db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(runtime.db.engine, "before_cursor_execute", record)


def _attendance_file(folder: Path, days: int) -> Path:
    lines = ["student_id,date,status"]
    for day in range(days):
        for student in ("S001", "S002", "S003", "S004"):
            lines.append(f"{student},{date.fromordinal(date(2025, 9, 1).toordinal() + day)},absent")
    return write(folder, f"attendance_{days}.csv", "\n".join(lines) + "\n")


def test_statements_do_not_grow_with_the_rows(
    runtime: Runtime, tmp_path: Path, statements: list[str]
) -> None:
    load_district(runtime, "schools", "students")
    sent, analyzed = [], []
    for days in (1, 150):
        statements.clear()
        report = load(runtime, "attendance", _attendance_file(tmp_path, days))
        assert report.created + report.unchanged == 4 * days
        # A merge that writes as much of the table as autovacuum waits for (here 600 rows,
        # not 4) ANALYZEs it: one statement, whatever the rows.
        analyzed.append(sum(s.startswith("ANALYZE attendance_records") for s in statements))
        sent.append(len([s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]))
    # SQLite: known students, stored rows, one insert. PostgreSQL (attendance.copied_file):
    # the file COPY-ed, its distinct cells found (and ANALYZEd, for the plans that join
    # them) and checked (the ids against the students in a statement of their own), read
    # and sent back (two statements a column, two for the table of their combinations), the
    # merge's count and insert (and the sizes that choose its join, and the table's count
    # that says whether to ANALYZE it), with work_mem raised and the savepoint around them.
    # The first file, into an empty table, also asks whether it is empty and which indexes
    # to build after the insert (attendance_records has none but its primary key).
    postgresql = runtime.db.engine.dialect.name == "postgresql"
    bound, first_import = (20, 2) if postgresql else (4, 0)
    assert sent[0] - first_import == sent[1] - analyzed[1] <= bound
    assert analyzed == ([0, 0] if runtime.db.engine.dialect.name == "sqlite" else [0, 1])


def test_a_daily_file_loads_only_its_own_date(
    runtime: Runtime, tmp_path: Path, statements: list[str]
) -> None:
    """Comparing one day's file must not load every stored day of the year."""
    load_district(runtime, "schools", "students")
    load(runtime, "attendance", _attendance_file(tmp_path, 30))
    bound: list[list[Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        # Statements that read stored rows into Python (the merge's own pass over the staged
        # rows compares them inside the database).
        loads = "attendance_records" in statement and "import_staging" not in statement
        if statement.startswith("SELECT") and loads:
            values = parameters.values() if isinstance(parameters, dict) else parameters
            bound.append([str(value) for value in values])  # SQLite binds dates as text

    event.listen(runtime.db.engine, "before_cursor_execute", record)
    try:
        one_day = write(tmp_path, "today.csv", "student_id,date,status\nS001,2025-09-05,present\n")
        report = load(runtime, "attendance", one_day)
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", record)
    assert (report.updated, report.unchanged) == (1, 0)
    if runtime.db.engine.dialect.name == "postgresql":
        assert bound == []  # compared inside the database (attendance.staging): nothing loaded
    else:
        assert bound == [["2025-09-05", "2025-09-05"]]


# --- Reading cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "grade"),
    [
        ("K", "K"),
        ("kg", "K"),
        ("Kindergarten", "K"),
        ("0", "K"),
        ("PK", "PK"),
        ("Pre-K", "PK"),
        ("-1", "PK"),
        ("TK", "TK"),
        ("1", "1"),
        ("01", "1"),
        ("12", "12"),
        ("Third grade", "3"),
        ("UG", "UG"),
    ],
)
def test_grades_are_read_the_ways_exports_write_them(raw: str, grade: str) -> None:
    assert csv_fields.grade(raw) == grade


@pytest.mark.parametrize("raw", ["13", "-3", "3rd", "K5", "grade"])
def test_an_unknown_grade_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="expected a grade such as K or 3"):
        csv_fields.grade(raw)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("present", "present"),
        ("ABSENT", "absent"),
        ("Tardy", "tardy"),
        ("excused", "excused"),
        ("Unexcused", "unexcused"),
        ("In Attendance", "present"),
        ("excused absence", "excused"),
        ("Unexcused Absence", "unexcused"),
        ("Early departure", "present"),
        ("Partial", "present"),
        ("uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy", "tardy"),
    ],
)
def test_statuses_and_ed_fi_categories_are_read(raw: str, status: str) -> None:
    assert csv_fields.attendance_status(raw) == status


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("n", False),
        ("No", False),
        ("false", False),
        ("0", False),
    ],
)
def test_yes_and_no_are_read(raw: str, value: bool) -> None:
    assert csv_fields.boolean(raw) is value


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2025-09-03", date(2025, 9, 3)),
        ("9/3/2025", date(2025, 9, 3)),
        ("09/03/2025", date(2025, 9, 3)),
        ("2/29/2024", date(2024, 2, 29)),
    ],
)
def test_dates_are_read_in_iso_and_us_form(raw: str, day: date) -> None:
    assert csv_fields.school_date(raw) == day


@pytest.mark.parametrize("raw", ["9/3/25", "2025-9-3", "3.9.2025", "2/29/2025", "1/1/0025"])
def test_other_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        csv_fields.school_date(raw)


def test_zip_plus_four_is_kept_as_five_digits() -> None:
    assert csv_fields.zip_code("97201-1234") == "97201"


def test_barrier_names_are_read_loosely_but_must_be_known() -> None:
    assert normalize_barrier("Work schedule") == "work_schedule"
    assert normalize_barrier("FOOD") == "food"
    assert set(BARRIERS) >= {"transportation", "health", "housing", "other"}
    with pytest.raises(ValueError, match="expected one of transportation, health"):
        normalize_barrier("weather")


# --- The command ----------------------------------------------------------------------------


@pytest.fixture
def runner(app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner for `outreach-bot` that builds its app from the environment, as a real run does.

    DATABASE_URL names the test database, which the `app` fixture has emptied.
    """
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


def test_the_command_prints_a_summary_and_imports(runner: CliRunner, runtime: Runtime) -> None:
    for kind in ("schools", "students"):
        result = runner.invoke(main, ["import", kind, str(DATA / f"{kind}.csv")])
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            f"{kind}.csv: {FIXTURE_ROWS[kind]} created, 0 updated, 0 unchanged, 0 bad rows\n"
        )
        assert result.stderr == ""
    assert count(runtime, "students") == 4
    again = runner.invoke(main, ["import", "students", str(DATA / "students.csv")])
    assert again.stdout == "students.csv: 0 created, 0 updated, 4 unchanged, 0 bad rows\n"


def test_the_command_rejects_a_file_with_a_bad_row(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools")
    path = write(
        tmp_path,
        "students.csv",
        (
            "student_id,first_name,last_name,school_id,grade\n"
            "S010,Fay,Example,LIN,2\n"
            "S011,Gus,Example,LIN,\n"
        ),
    )
    result = runner.invoke(main, ["import", "students", str(path)])
    assert result.exit_code == 1
    assert result.stdout == (
        "students.csv: 0 created, 0 updated, 0 unchanged, 1 bad row; nothing was imported\n"
    )
    assert result.stderr.splitlines() == [
        "students.csv, line 3, column grade (5): '' is empty; expected a grade such as K or 3",
        "students.csv was not imported: fix the rows above and import it again, or pass"
        " --skip-bad-rows to import the good rows and skip the bad ones.",
    ]
    assert count(runtime, "students") == 0

    skipped = runner.invoke(main, ["import", "students", str(path), "--skip-bad-rows"])
    assert skipped.exit_code == 0
    assert skipped.stdout == "students.csv: 1 created, 0 updated, 0 unchanged, 1 bad row\n"
    assert skipped.stderr.splitlines() == [
        "students.csv, line 3, column grade (5): '' is empty; expected a grade such as K or 3",
    ]
    assert count(runtime, "students") == 1


def test_the_command_rejects_an_unreadable_file(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "schools.csv"
    path.write_bytes("school_id,name,zip\nLIN,Escuela Año,97201\n".encode("cp1252"))
    result = runner.invoke(main, ["import", "schools", str(path), "--skip-bad-rows"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "schools.csv was not imported: fix the problem above and import it again."
    )
    assert count(runtime, "schools") == 0


def test_the_command_knows_only_the_six_kinds(runner: CliRunner) -> None:
    result = runner.invoke(main, ["import", "teachers", str(DATA / "schools.csv")])
    assert result.exit_code == 2
    assert "No such command 'teachers'" in result.stderr


def test_guardian_names_and_phones_are_never_logged(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="outreach_bot")
    load_district(runtime, "schools", "students", "guardians")
    logged = caplog.text
    assert "imported guardians: 5 created" in logged
    for secret in ("Maria", "Example", "555", "+1503"):
        assert secret not in logged
