"""A plainly good bulk export by COPY (`oneroster/copied.py`) stores exactly what the
row-by-row path stores, and reports the same; anything else goes row by row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from outreach_bot.models import Guardian, OneRosterRecord, School, Student
from outreach_bot.oneroster import copied as copied_module
from outreach_bot.oneroster import directory
from outreach_bot.runtime import Runtime
from tests.oneroster_helpers import BULK_11, edit, load, messages, roster

STAMP = "2026-08-15T09:00:00.000Z"
LATER = "2026-10-20T16:30:00.000Z"
USERS = (
    "sourcedId,status,dateLastModified,orgSourcedIds,role,givenName,familyName,"
    "preferredFirstName,identifier,sms,phone,agentSourcedIds,grades,primaryOrgSourcedId,"
    "metadata.language"
)


def _write(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir()
    manifest = ["propertyName,value", "oneroster.version,1.1"]
    manifest += [f"file.{name},bulk" for name in files]
    (folder / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    for name, lines in files.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _export(folder: Path, second: bool = False) -> Path:
    """A synthetic bulk export without quotes; `second` is the next night's, with changes."""
    orgs = [
        "sourcedId,status,dateLastModified,name,type,identifier",
        f"org-district,active,{STAMP},Oak Valley Schools,district,OV",
        f"org-oak,active,{STAMP},Oak Elementary,school,OAK",
        f"org-pine,,,{'Pine Middle School' if not second else 'Pine Middle'},school,",
    ]
    sessions = [
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,schoolYear",
        f"year-2026,active,{STAMP},2025-2026,schoolYear,2025-08-25,2026-06-12,2026",
        f"year-2027,active,{STAMP},2026-2027,schoolYear,2026-08-24,2027-06-11,2027",
        f"term-fall,active,{STAMP},Fall,term,2026-08-24T00:00:00Z,2027-01-22,2027",
    ]
    users = [USERS]
    enrollments = [
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "beginDate,endDate"
    ]
    demographics = [
        "sourcedId,status,dateLastModified,birthDate,sex,asian,white,"
        "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity"
    ]
    grades = ("KG", "03", "PK", "07", "12", "1", "TK")
    languages = ("Spanish", "vi", "", "es", "Somali")
    for n in range(12):
        if second and n == 3:
            continue  # left out: withdrawn
        if second and n == 11:
            users.append(f"kid-{n},tobedeleted,{LATER},,,,,,,,,,,,")  # withdrawn, and the
            continue  # guardian left out
        school = ("org-oak", "org-pine")[n % 2]
        given = "Renamed" if second and n == 1 else f"Kid{n}"
        ident = f"S{n:04d}" if n % 4 else ""
        users.append(
            f"kid-{n},active,{STAMP},{school},student,{given},Doe,{'Kiddo' if n == 5 else ''},"
            f"{ident},,,,{grades[n % len(grades)]},,"
        )
        if second and n == 6:
            continue  # the guardian is left out: removed
        phone = f"503-555-01{n:02d}" if not (second and n == 2) else "503-555-0199"
        sms, landline = (phone, "") if n % 3 else ("", f"({phone[:3]}) {phone[4:]}")
        role = ("parent", "guardian", "relative")[n % 3]
        modified = STAMP if not (second and n == 4) else "2026-08-01T09:00:00.000Z"  # older
        users.append(
            f"pat-{n},active,{modified},{school},{role},Pat{n},Doe,,,{sms},{landline},kid-{n},,,"
            f"{languages[n % len(languages)] if not (second and n == 4) else 'en'}"
        )
        if n < 9:
            end = "2026-10-16" if second and n == 7 else ""
            enrollments.append(
                f"enr-{n},active,{STAMP},cls-{n},{school},kid-{n},student,2026-08-24,{end}"
            )
        if n == 0:
            enrollments.append(
                f"enr-old-{n},active,{STAMP},cls-x,org-pine,kid-{n},student,2025-08-25,2026-06-12"
            )
        if n == 7 and second:  # a transfer
            enrollments.append(
                f"enr-{n}-pine,active,{LATER},cls-y,org-pine,kid-{n},student,2026-10-19,"
            )
        if n % 5:
            asian, white = ("true", "false") if n % 2 else ("true", "true")
            hispanic = "true" if n % 7 == 0 else "false"
            sex = ("female", "male")[n % 2] if not (second and n == 8) else "other"
            demographics.append(
                f"kid-{n},active,{STAMP},2015-0{1 + n % 9}-1{n % 10},{sex},{asian},{white},"
                f"false,{hispanic}"
            )
    users.append(f"teacher-1,active,{STAMP},org-oak,teacher,Terry,Parker,,T1,,,,,,")
    users.append(f"kid-20,active,{STAMP},org-district,student,Home,Schooled,,S0020,,,,05,org-oak,")
    if second:
        users.append(f"kid-30,active,{LATER},org-oak,student,New,Kid,,S0030,,,,02,,")
        users.append(f"pat-30,active,{LATER},org-oak,parent,New,Parent,,,5035550130,,kid-30,,,")
    return _write(
        folder,
        {
            "orgs": orgs,
            "academicSessions": sessions,
            "users": users,
            "enrollments": enrollments,
            "demographics": demographics,
        },
    )


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each import went by COPY, as `import_export` was told."""
    taken: list[bool] = []
    real = directory.copy_export

    def spy(*args: Any, **kwargs: Any) -> bool:
        taken.append(real(*args, **kwargs))
        return taken[-1]

    monkeypatch.setattr(directory, "copy_export", spy)
    yield taken


def _stored(runtime: Runtime) -> dict[str, Any]:
    found: dict[str, Any] = dict(roster(runtime))
    with runtime.db.transaction() as session:
        found["records"] = sorted(
            (
                r.file,
                r.sourced_id,
                r.status,
                r.date_last_modified,
                json.dumps(r.data, sort_keys=True),
            )
            for r in session.scalars(select(OneRosterRecord))
        )
    return found


def _forget(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        for model in (Guardian, Student, School, OneRosterRecord):
            session.execute(delete(model))


def _read_both_ways(runtime: Runtime, export: Path) -> list[Any]:
    """One export read from nothing by the default path, then row by row: (messages,
    report, stored rows) of each."""
    found = []
    for row_by_row in (False, True):
        _forget(runtime)
        report = load(runtime, export, row_by_row=row_by_row)
        found.append((messages(report), report.as_dict(), _stored(runtime)))
    return found


def _both_ways(runtime: Runtime, exports: list[Path], **options: Any) -> list[Any]:
    """Each export imported in turn by the default path, then again row by row from nothing:
    (reports and stored rows) of each way."""
    ways = []
    for row_by_row in (False, True):
        _forget(runtime)
        reports = []
        for export in exports:
            report = load(runtime, export, row_by_row=row_by_row, **options)
            assert report.errors == [], messages(report)
            reports.append(report.as_dict())
        ways.append((reports, _stored(runtime)))
    return ways


def _by_copy(runtime: Runtime) -> bool:
    return runtime.db.engine.dialect.name == "postgresql"


def test_a_bulk_export_stores_and_reports_what_the_row_by_row_path_does(
    runtime: Runtime, tmp_path: Path, copied: list[bool]
) -> None:
    first, second = _export(tmp_path / "first"), _export(tmp_path / "second", second=True)
    # The first night, the second with its changes, the second again, and the first again:
    # every record older than the stored one, and the bulk deletions undone where it may.
    fast, rows = _both_ways(runtime, [first, first, second, second, first])

    assert copied == [_by_copy(runtime)] * 5
    assert fast == rows
    reports, stored = fast
    assert [r["roster"]["students"]["created"] for r in reports] == [13, 0, 1, 0, 0]
    assert reports[1]["roster"]["students"]["unchanged"] == 13  # a re-import changes nothing
    assert reports[2]["withdrawn"] == 2  # one left out, one deleted
    # Three left out (two of them with their students), and one with a new phone.
    assert reports[2]["guardians_removed"] == 4
    assert reports[2]["older"] == 1
    assert reports[3]["roster"]["guardians"]["unchanged"] == 10
    assert len(stored["students"]) == 14


def test_a_first_import_stores_what_the_general_merge_stores(
    runtime: Runtime, tmp_path: Path, copied: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no record stored, each file's records are inserted as the file has them
    (`_first`): the same rows and report as the merge with the stored records (here none),
    a deletion on the first night included."""
    first, second = _export(tmp_path / "first"), _export(tmp_path / "second", second=True)
    found = []
    for shortcut in (True, False):
        monkeypatch.setattr(copied_module._Copied, "first_imports", shortcut)
        for export in (first, second):
            _forget(runtime)
            report = load(runtime, export)
            assert report.errors == [], messages(report)
            found.append((shortcut, export.name, report.as_dict(), _stored(runtime)))

    assert copied == [_by_copy(runtime)] * 4
    assert [f[1:] for f in found[:2]] == [f[1:] for f in found[2:]]
    deleted = [r for r in found[1][3]["records"] if r[1] == "kid-11"]
    assert [(status, '"deleted_on"' in data) for _f, _s, status, _m, data in deleted] == [
        ("tobedeleted", True)
    ]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("users", ",Kid1,Doe,", ", Kid1 ,Doe\t,"),  # ASCII spaces around cells
        ("orgs", ",OAK\n", ",OAK \n"),  # a space ending a line
        ("demographics", ",2015-03-12,", ",\u00a02015-03-12\u3000,"),  # spaces outside ASCII
        ("enrollments", "2026-08-24,\n", "2026-08-24,\u2003\n"),  # a blank cell of a space
    ],
)
def test_cells_with_spaces_to_strip_are_read_alike(
    runtime: Runtime, tmp_path: Path, copied: list[bool], file: str, old: str, new: str
) -> None:
    """An export whose cells have no space to strip is read without stripping; one with a
    space to strip anywhere, in ASCII or not, is stripped as the row-by-row path strips."""
    export = _export(tmp_path / "export")
    edit(export, f"{file}.csv", old, new)
    fast, rows = _both_ways(runtime, [export])

    assert copied == [_by_copy(runtime)]
    assert fast == rows


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("users", ",Kid1,Doe,", ",Kid\\1,O\\Doe,"),  # a backslash, which JSON escapes
        ("users", ",Kid2,Doe,", ",Kid\t2,D\x01oe,"),  # a tab and a control character inside
        ("orgs", "Oak Elementary", "Oak \u00c9l\u00e9mentaire"),  # letters outside ASCII
        ("users", ",student,Kid4,", ",\u017ftudent,Kid4,"),  # a long s, casefolded to s
        ("users", "S0005", "S00\u00a05"),  # a space outside ASCII inside an identifier
    ],
)
def test_cells_json_escapes_or_outside_ascii_are_read_alike(
    runtime: Runtime, tmp_path: Path, copied: list[bool], file: str, old: str, new: str
) -> None:
    """A file none of whose cells needs a JSON escape or holds a byte outside ASCII has its
    records written with quotes alone and its ASCII checks skipped; any other is read as the
    row-by-row path reads it (by COPY or, for a bad cell, row by row)."""
    export = _export(tmp_path / "export")
    edit(export, f"{file}.csv", old, new)
    found = _read_both_ways(runtime, export)

    assert found[0] == found[1]
    bad = bool(found[0][0])
    assert bad == ("S00" in new)
    assert copied == [_by_copy(runtime) and not bad and "\u017f" not in new]


def test_the_language_column_and_the_default_language_are_read_alike(
    runtime: Runtime, tmp_path: Path, copied: list[bool]
) -> None:
    export = _export(tmp_path / "export")
    edit(export, "users.csv", "metadata.language", "metadata.homeLanguage")
    fast, rows = _both_ways(
        runtime, [export], language_column="metadata.homeLanguage", default_language="es"
    )

    assert copied == [_by_copy(runtime)]
    assert fast == rows
    languages = {row[3] for row in fast[1]["guardians"]}
    assert languages == {"es", "vi", "so"}


def test_files_without_status_or_dates_are_read_alike(
    runtime: Runtime, tmp_path: Path, copied: list[bool]
) -> None:
    export = _export(tmp_path / "export")
    (export / "orgs.csv").write_text(
        "sourcedId,name,type,identifier\norg-oak,Oak Elementary,school,OAK\n"
        "org-pine,Pine Middle School,school,\n",
        encoding="utf-8",
    )
    fast, rows = _both_ways(runtime, [export, export])

    assert copied == [_by_copy(runtime)] * 2
    assert fast == rows
    assert [school[0] for school in fast[1]["schools"]] == ["OAK", "org-pine"]


def test_a_1_1_and_a_1_2_sample_go_row_by_row_and_store_the_same(
    runtime: Runtime, tmp_path: Path, copied: list[bool]
) -> None:
    """Quotes (a list of agents) and roles.csv are not for the COPY path: it declines them."""
    from tests.oneroster_helpers import BULK_12

    for sample in (BULK_11, BULK_12):
        fast, rows = _both_ways(runtime, [sample])
        assert fast == rows
    assert copied == [False, False]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("users", "kid-2,active", "kid-1,active"),  # a sourcedId twice
        ("users", "503-555-0105", "503-555-01x5"),  # a phone that is none
        ("users", ",kid-4,,,", ",kid-99,,,"),  # a guardian linked to no known student
        ("users", ",03,,", ",3rd,,"),  # a grade that is none
        ("users", ",Kid0,Doe,", ",,Doe,"),  # a required cell left blank
        ("demographics", "2015-03-12", "2015-02-30"),  # a date that is none
        ("users", f"kid-8,active,{STAMP}", "kid-8,active,yesterday"),  # a dateLastModified
        ("users", "pat-7,active", "pat-7,maybe"),  # a status
        ("users", "S0001", "S0002"),  # an identifier twice
        ("enrollments", "kid-5,student", "kid-55,student"),  # an enrollment of no student
        ("users", "pat-5,active", "pat-5,Active"),  # only a case apart: still good
    ],
)
def test_a_bad_export_is_reported_as_the_row_by_row_path_reports_it(
    runtime: Runtime, tmp_path: Path, copied: list[bool], file: str, old: str, new: str
) -> None:
    export = _export(tmp_path / "export")
    edit(export, f"{file}.csv", old, new)
    found = _read_both_ways(runtime, export)

    assert found[0] == found[1]
    bad = bool(found[0][0])
    assert bad == (new != "pat-5,Active")
    assert copied == [_by_copy(runtime) and not bad]


def test_an_enrollment_at_an_unknown_school_goes_row_by_row(
    runtime: Runtime, tmp_path: Path, copied: list[bool]
) -> None:
    export = _export(tmp_path / "export")
    edit(export, "enrollments.csv", "cls-3,org-pine", "cls-3,org-elm")
    report = load(runtime, export)

    assert copied == [False]
    assert messages(report) == [
        "enrollments.csv, line 6, column schoolSourcedId (5): 'org-elm' is not a school in"
        " orgs.csv; expected the sourcedId of an org whose type is school"
    ]


_ENROLLED = f"enr-2,active,{STAMP},cls-2,org-oak,kid-2,student,2026-08-24,\n"
_AT_PINE = f"enr-2b,active,{STAMP},cls-9,org-pine,kid-2,student,{{begin}},\n"


@pytest.mark.parametrize(
    ("file", "old", "new", "by_copy"),
    [
        ("users", ",05,org-oak,", ",05,,", False),  # a student of no school: no primary org
        ("users", f"kid-9,active,{STAMP},org-pine,", f"kid-9,active,{STAMP},org-district,", False),
        ("users", f"kid-3,active,{STAMP},org-pine,", f"kid-3,active,{STAMP},org-district,", True),
        ("users", "503-555-0101,,kid-1,", "503-555-0102,,kid-2,", False),  # one phone, twice
        # Two current enrollments: the later one's school (whose id sorts after OAK), or
        # two latest at two schools, which the row-by-row path would choose between by order.
        ("enrollments", _ENROLLED, _ENROLLED + _AT_PINE.format(begin="2026-08-24"), False),
        ("enrollments", _ENROLLED, _ENROLLED + _AT_PINE.format(begin="2026-09-01"), True),
    ],
)
def test_a_student_placed_by_one_link_alone_or_a_phone_twice_are_read_alike(
    runtime: Runtime,
    tmp_path: Path,
    copied: list[bool],
    file: str,
    old: str,
    new: str,
    by_copy: bool,
) -> None:
    """A student is placed by a current enrollment, a primary org or an org that is a school,
    each checked on its own (kid-3 by the enrollment alone), at the latest enrollment's
    school; a student with none, two latest at two schools, or one phone of two of a
    student's family members, go row by row, which decides them."""
    export = _export(tmp_path / "export")
    edit(export, f"{file}.csv", old, new)
    found = _read_both_ways(runtime, export)

    assert found[0] == found[1]
    assert copied == [_by_copy(runtime) and by_copy]
