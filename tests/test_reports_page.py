"""The dashboard's Reports page, its CSV downloads and board PDF, and the public page: the same
numbers as `outreach-bot report`, within each user's schools, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import re

from pypdf import PdfReader

from outreach_bot.cli import main
from tests.reports_helpers import AFTER_LAST_DAY, reports_district, sized_school
from tests.staff_helpers import add_user, post, sign_in

BANDS = "students,satisfactory,at_risk,moderate_chronic,severe_chronic,chronically_absent"


def _district(runtime, clock):
    with runtime.db.transaction() as session:
        reports_district(session)
    clock.current = AFTER_LAST_DAY


def _csv(client, name, **args):
    response = client.get(f"/staff/reports/{name}.csv", query_string=args)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return response.get_data(as_text=True)


def test_the_page_draws_both_charts_and_the_tables(runtime, client, clock):
    _district(runtime, clock)
    sign_in(client, "admin@example.org")
    page = client.get("/staff/reports/").get_data(as_text=True)
    charts = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) == 2
    bands, trend = (base64.b64decode(chart).decode() for chart in charts)
    assert "Maple Elementary" in bands and "57%" in bands  # Maple: 4 of 7 chronically absent
    assert "2026-10" in trend and "44.4%" in trend and "50.0%" in trend
    assert "As of 2026-11-06" in page
    # The numbers are also in tables: Maple 4 of 7 (57.1), Oak 1 of 3 (33.3).
    assert re.search(r"<td>maple</td>.*?<td class=\"n\">57.1</td>", page, re.S)
    assert "No holdout measured yet" in page
    assert "Download the board summary (PDF)" in page


def test_each_csv_equals_the_command_line_report(runtime, client, cli, clock):
    _district(runtime, clock)
    sign_in(client, "admin@example.org")
    for name, command in (
        ("bands", ["chronic", "--by", "school"]),
        ("trend", ["trend"]),
        ("students", ["students"]),
        ("outreach_school", ["outreach", "--by", "school"]),
        ("outreach_language", ["outreach", "--by", "language"]),
    ):
        expected = cli.invoke(main, ["report", *command, "--format", "csv"])
        assert expected.exit_code == 0, expected.output
        assert _csv(client, name) == expected.output, name
    assert client.get("/staff/reports/effect.csv").status_code == 404  # nothing measured yet


def test_a_clerk_sees_only_their_own_schools(runtime, client, clock):
    _district(runtime, clock)
    sign_in(client, "oak@example.org")
    assert _csv(client, "bands") == (f"school_id,{BANDS},chronic_rate\noak,3,2,0,0,1,1,33.3\n")
    students = _csv(client, "students")
    assert [line.split(",")[0] for line in students.splitlines()[1:]] == ["o2"]
    # Oak's own trend: 1 of 3 at both month ends.
    assert _csv(client, "trend").splitlines()[1:] == [
        "2026-10,2026-10-31,3,2,0,0,1,1,33.3",
        "2026-11,2026-11-06,3,2,0,0,1,1,33.3",
    ]
    # Outreach too: Oak's Spanish-speaking family only.
    assert [line.split(",")[:3] for line in _csv(client, "outreach_school").splitlines()[1:]] == [
        ["oak", "0", "1"]
    ]
    assert [line.split(",")[:3] for line in _csv(client, "outreach_language").splitlines()[1:]] == [
        ["es", "0", "1"]
    ]
    page = client.get("/staff/reports/").get_data(as_text=True)
    assert "Maple Elementary" not in page and "Download the board summary" not in page
    assert client.get("/staff/reports/", query_string={"school": "maple"}).status_code == 404
    assert client.get("/staff/reports/board.pdf").status_code == 403


def test_filters_by_grade_and_group(runtime, client, clock):
    _district(runtime, clock)
    sign_in(client, "admin@example.org")
    # Grade 3 on 11-06: Maple m3 at risk, m4 m5 m6 m7 moderate; Oak o1 satisfactory.
    assert _csv(client, "bands", grade="3").splitlines()[1:] == [
        "maple,5,0,1,4,0,4,80.0",
        "oak,1,1,0,0,0,0,0.0",
    ]
    # English learners: m1 satisfactory, m4 moderate; o2 severe (6 of 29).
    assert _csv(client, "bands", group="english_learner=yes").splitlines()[1:] == [
        "maple,2,1,0,1,0,1,50.0",
        "oak,1,0,0,0,1,1,100.0",
    ]
    assert _csv(client, "bands", school="oak", grade="5").splitlines()[1:] == [
        "oak,2,1,0,0,1,1,50.0"
    ]


def test_the_board_summary_downloads_as_one_pdf_page(runtime, client, clock):
    _district(runtime, clock)
    sign_in(client, "admin@example.org")
    response = client.get("/staff/reports/board.pdf", query_string={"month": "2026-11"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert "50.0% of 10 students are chronically absent" in reader.pages[0].extract_text()
    bad = client.get("/staff/reports/board.pdf", query_string={"month": "November"})
    assert bad.status_code == 400 and "expected YYYY-MM" in bad.get_data(as_text=True)


def _publish(client, value):
    """A district admin turns the public page on ("1") or off ("0") on District settings."""
    sign_in(client, "chief@example.org")
    response = post(client, "/staff/admin/settings", publish_public_aggregates=value)
    assert response.status_code == 302


def test_the_public_page_is_off_until_the_district_publishes_it(runtime, client, clock):
    with runtime.db.transaction() as session:
        sized_school(session, "elm", "Elm School", {"3": 9, "4": 12})
        add_user(session, "chief@example.org", role="district_admin", schools=())
    clock.current = AFTER_LAST_DAY
    assert client.get("/public/chronic-absence").status_code == 404
    _publish(client, "1")
    anonymous = client.application.test_client()
    page = anonymous.get("/public/chronic-absence").get_data(as_text=True)
    rows = re.findall(r'data-key="([^"]+)">(.*?)</tr>', page, re.S)
    cells = {key: re.findall(r'<td class="n">([^<]*)</td>', body) for key, body in rows}
    # Grade 3 has 9 students: hidden; grade 4 too, or 21 - 12 would give grade 3 away.
    assert cells["grade/elm/3"] == ["*", "*", "*"]
    assert cells["grade/elm/4"] == ["*", "*", "*"]
    assert cells["school/elm"] == ["21", "4", "19.0%"]
    assert "Testperson" not in page and "elm-3-0" not in page
    _publish(client, "0")
    assert anonymous.get("/public/chronic-absence").status_code == 404


def test_the_page_speaks_spanish_to_staff_who_prefer_it(runtime, client, clock):
    _district(runtime, clock)
    with runtime.db.transaction() as session:
        add_user(session, "jefa@example.org", role="district_admin", schools=(), language="es")
    sign_in(client, "jefa@example.org")
    page = client.get("/staff/reports/").get_data(as_text=True)
    assert '<html lang="es">' in page and "Ausentismo crónico por escuela" in page
    bands = base64.b64decode(re.findall(r"base64,([^\"]+)", page)[0]).decode()
    assert "Satisfactoria" in bands  # the chart's legend too
