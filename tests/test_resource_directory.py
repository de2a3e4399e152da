"""The resource directory: the extended resources.csv, its export, retired places, and the
sheet's link within the segment budget."""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations
from sqlalchemy import select

from outreach_bot.attendance.importer import import_file
from outreach_bot.checks.segments import SHEET_PLACES
from outreach_bot.cli import main
from outreach_bot.engine.definition import parse_text
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.messaging.segments import MAX_SEGMENTS, measure
from outreach_bot.models import Resource, Student
from outreach_bot.resources.choice import sheet_for
from outreach_bot.resources.links import find_sheet, sheet_code, sheet_url
from outreach_bot.resources.preview import preview_sheet
from outreach_bot.resources.sheet import render_sheet
from tests.factories import add_family, add_resources, add_school

HEADER = (
    "resource_id,barrier,name,description,phone,url,address,zip,school_id,languages,"
    "hours,eligibility,retired\n"
)


def write(tmp_path: Path, body: str, name: str = "resources.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_hours_eligibility_and_retired_are_imported_and_exported_unchanged(runtime, cli, tmp_path):
    with runtime.db.transaction() as session:
        add_school(session)
    source = write(
        tmp_path,
        HEADER
        + 'R-BUS,transportation,Lincoln bus passes,,(503) 555-0110,,,,LIN,"en, es",'
        + '"Mon-Fri 8am-4pm",Lincoln families,N\n'
        + "R-OLD,food,Old pantry,,,,100 Example St,97202,,,,,Y\n",
    )
    result = cli.invoke(main, ["import", "resources", str(source)])
    assert result.exit_code == 0, result.output
    with runtime.db.transaction() as session:
        bus = session.get_one(Resource, "R-BUS")
        assert (bus.hours, bus.eligibility, bus.retired) == (
            "Mon-Fri 8am-4pm",
            "Lincoln families",
            False,
        )
        assert session.get_one(Resource, "R-OLD").retired is True

    exported = tmp_path / "export.csv"
    result = cli.invoke(main, ["export", "resources", str(exported)])
    assert result.exit_code == 0, result.output
    text = exported.read_text(encoding="utf-8")
    assert text.splitlines()[0] + "\n" == HEADER
    assert 'R-BUS,transportation,Lincoln bus passes,,+15035550110,,,,LIN,"en,es"' in text
    assert text.splitlines()[2].endswith(",Y")
    # The export reads back as the same directory: nothing to change.
    again = cli.invoke(main, ["import", "resources", str(exported)])
    assert "0 created, 0 updated, 2 unchanged, 0 bad rows" in again.output
    second = tmp_path / "again.csv"
    cli.invoke(main, ["export", "resources", str(second)])
    assert second.read_text(encoding="utf-8") == text


def test_a_file_without_the_retired_column_never_brings_a_place_back(runtime, tmp_path):
    with runtime.db.transaction() as session:
        add_school(session)
        add_resources(session)
        session.get_one(Resource, "R2").retired = True
    old_format = write(
        tmp_path,
        "resource_id,barrier,name,phone\nR2,health,Valley Family Clinic,(503) 555-0112\n",
    )
    with runtime.db.transaction() as session:
        report = import_file(session, "resources", old_format)
    assert report.errors == []
    with runtime.db.transaction() as session:
        assert session.get_one(Resource, "R2").retired is True


def test_a_bad_retired_or_hours_cell_names_line_and_column(runtime, tmp_path):
    with runtime.db.transaction() as session:
        add_school(session)
    bad = write(
        tmp_path,
        HEADER + "R-1,food,Pantry,,,,,,,,," + "x" * 501 + ",maybe\n",
    )
    with runtime.db.transaction() as session:
        report = import_file(session, "resources", bad)
    assert [str(error) for error in report.errors] == [
        "resources.csv, line 2, column eligibility (12): the value is 501 characters long;"
        " expected at most 500",
        "resources.csv, line 2, column retired (13): 'maybe' is not yes or no; expected Y or N",
    ]


def test_a_retired_place_is_never_sent_but_stays_in_the_directory(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
        add_resources(session)
        student = session.scalars(select(Student)).one()
        assert [r.id for r in sheet_for(session, "transportation", student, "es")] == ["R1"]
    with runtime.db.transaction() as session:
        session.get_one(Resource, "R1").retired = True
    with runtime.db.transaction() as session:
        student = session.scalars(select(Student)).one()
        assert sheet_for(session, "transportation", student, "es") == []
        assert session.get(Resource, "R1") is not None


def test_a_short_code_names_a_barrier_at_a_school_and_nothing_else():
    code = sheet_code("transportation", "LIN")
    assert len(code) == 7 and code.isalnum() and code == code.lower()
    assert find_sheet(code.upper(), ["health", "transportation"], [None, "OAK", "LIN"]) == (
        find_sheet(code, ["transportation"], ["LIN"])
    )
    assert find_sheet(code, ["transportation"], ["OAK", None]) is None
    assert sheet_code("transportation", None) != code
    base = "https://outreach.example.org/"
    assert (
        sheet_url(base, "transportation", "LIN", "en") == f"https://outreach.example.org/r/{code}"
    )
    assert sheet_url(base, "transportation", "LIN", "ar").endswith(f"/r/{code}/ar")


def test_the_link_goes_on_the_sheet_only_while_every_place_fits_the_budget():
    places = [Resource(name=n, phone=p, url=u) for n, p, u in SHEET_PLACES]
    link = "https://outreach.maple-valley.example.org/r/abcdefg/es"
    short = render_sheet("Aquí hay ayuda cerca:", places[:1], "es", link)
    assert short.splitlines()[-1] == link
    catalogs = Catalogs(Path(__file__).resolve().parent.parent / "locales")
    for language in catalogs.languages():
        intro = catalogs.get(language).gettext("Here is help near you:")
        lang_link = sheet_url(
            "https://outreach.maple-valley.example.org", "health", "LIN", language
        )
        text = render_sheet(intro, places, language, lang_link)
        assert measure(text).count <= MAX_SEGMENTS, language
        # Every place stays: a link or a web address gives way first.
        assert text.count("\n- ") == len(places), language


def test_the_preview_says_which_places_did_not_fit_the_budget():
    places = [Resource(name=n, phone=p, url=u) for n, p, u in SHEET_PLACES]
    long_intro = parse_text("Aquí hay ayuda cerca de usted. " * 3, "test", "intro")
    preview = preview_sheet(long_intro, NullTranslations(), "es", places, None)
    assert preview.segments <= MAX_SEGMENTS and preview.encoding == "UCS-2"
    assert preview.shown + preview.left_out == tuple(place.name for place in places)
    assert preview.left_out and preview.shown
    assert all(f"- {name}" not in preview.text for name in preview.left_out)
    arabic = preview_sheet(
        parse_text("إليك المساعدة:", "t", "i"), NullTranslations(), "ar", places, None
    )
    assert (arabic.direction, arabic.left_out) == ("rtl", ())
    assert arabic.text.startswith("إليك") and "\n\u200f- Riverside" in arabic.text
