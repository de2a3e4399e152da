"""The resource directory in the dashboard (district admins only) and the public sheet page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from outreach_bot.models import AuditEvent, Resource
from outreach_bot.resources.links import sheet_code
from tests.factories import add_resources
from tests.staff_helpers import post, sign_in, two_schools


@pytest.fixture
def app_config(app_config):
    app_config["PUBLIC_BASE_URL"] = "https://outreach.example.org"
    return app_config


@pytest.fixture
def district(runtime, clock):
    with runtime.db.transaction() as session:
        two_schools(session, clock())
        add_resources(session)


def test_only_district_admins_open_the_directory(client, district):
    sign_in(client, "lead@example.org")
    assert client.get("/staff/admin/resources/").status_code == 403
    assert post(client, "/staff/admin/resources/R1/retire").status_code == 403


def test_an_admin_adds_a_place_and_a_bad_value_is_shown_beside_its_field(runtime, client, district):
    sign_in(client, "admin@example.org")
    refused = post(
        client,
        "/staff/admin/resources/",
        barrier="food",
        name="",
        phone="call us",
        school_id="LIN",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Nothing was saved" in page
    assert "it is empty; expected the resource&#39;s name" in page
    assert 'id="phone-error"' in page
    added = post(
        client,
        "/staff/admin/resources/",
        barrier="food",
        name="Lincoln Food Pantry",
        phone="(503) 555-0115",
        hours="Tue 3-6pm",
        eligibility="Lincoln families",
        languages="Spanish, English",
        school_id="LIN",
    )
    assert added.headers["Location"].endswith("/staff/admin/resources/LINCOLN-FOOD-PANTRY")
    with runtime.db.transaction() as session:
        place = session.get_one(Resource, "LINCOLN-FOOD-PANTRY")
        assert (place.phone, place.languages, place.hours) == ("+15035550115", "es,en", "Tue 3-6pm")
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "created_resource" in actions


def test_the_edit_page_previews_the_sheet_in_every_language(runtime, client, district):
    sign_in(client, "admin@example.org")
    page = client.get("/staff/admin/resources/R1").get_data(as_text=True)
    code = sheet_code("transportation", "LIN")
    # Spanish, as the bot sends it, with its segments and the link to the Spanish page.
    assert "Aqui hay ayuda cerca de usted:\n- Lincoln bus pass desk, +15035550111" in page
    assert f"https://outreach.example.org/r/{code}/es" in page
    assert 'lang="ar" dir="rtl"' in page
    previews = re.findall(r'<pre class="sms" lang="([^"]+)"', page)
    assert len(previews) == len(runtime.catalogs.languages()) == 17
    assert "Lincoln bus pass desk" in page and "Other school&#39;s van" not in page


def test_an_admin_edits_then_retires_a_place_and_the_log_names_fields_only(
    runtime, client, district
):
    sign_in(client, "admin@example.org")
    saved = post(
        client,
        "/staff/admin/resources/R1",
        barrier="transportation",
        name="Lincoln bus pass desk",
        phone="(503) 555-0111",
        school_id="LIN",
        languages="en,es",
        hours="Mon-Fri 7:30am-4pm",
    )
    assert saved.status_code == 302
    post(client, "/staff/admin/resources/R1/retire")
    with runtime.db.transaction() as session:
        place = session.get_one(Resource, "R1")
        assert (place.hours, place.retired) == ("Mon-Fri 7:30am-4pm", True)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "resource").order_by(AuditEvent.id)
        ).all()
        changed = [e for e in events if e.action == "changed_resource"]
        assert [e.detail for e in changed] == ["hours"]
        assert events[-1].action == "retired_resource"
    listing = client.get("/staff/admin/resources/").get_data(as_text=True)
    assert "Lincoln bus pass desk" not in listing
    listing = client.get("/staff/admin/resources/?retired=1").get_data(as_text=True)
    assert "Lincoln bus pass desk" in listing
    post(client, "/staff/admin/resources/R1/retire", restore="1")
    with runtime.db.transaction() as session:
        assert session.get_one(Resource, "R1").retired is False
    at_lincoln = client.get("/staff/admin/resources/?school=LIN").get_data(as_text=True)
    at_oak = client.get("/staff/admin/resources/?school=OAK").get_data(as_text=True)
    assert "Lincoln bus pass desk" in at_lincoln and "Valley Family Clinic" not in at_lincoln
    assert "Lincoln bus pass desk" not in at_oak


def test_the_public_page_speaks_the_family_language_and_holds_no_student(client, district):
    code = sheet_code("transportation", "LIN")
    page = client.get(f"/r/{code}/es")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert page.headers["Vary"] == "Accept-Language"
    in_browser_language = client.get(f"/r/{code}", headers={"Accept-Language": "vi"})
    assert '<html lang="vi" dir="ltr">' in in_browser_language.get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in body
    assert "Ayuda cerca de usted, de Lincoln Elementary" in body
    assert "Lincoln bus pass desk" in body and "inglés y español" in body
    assert "Ana" not in body and "S1001" not in body  # the family at Lincoln
    arabic = client.get(f"/r/{code}/ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and "الهاتف" in arabic
    assert client.get("/r/zzzzzzz").status_code == 404


def test_a_sheet_with_no_place_in_service_says_to_call_the_school(runtime, client, district):
    with runtime.db.transaction() as session:
        session.get_one(Resource, "R2").retired = True
    district_wide = client.get(f"/r/{sheet_code('health', None)}/es").get_data(as_text=True)
    assert "Ayuda cerca de usted, de Maple Valley Schools" in district_wide
    assert "Valley Family Clinic" not in district_wide
    assert "Todavía no hay lugares en esta lista." in district_wide
    at_lincoln = client.get(f"/r/{sheet_code('childcare', 'LIN')}").get_data(as_text=True)
    assert "No places are listed here yet." in at_lincoln and "(503) 555-0100" in at_lincoln
