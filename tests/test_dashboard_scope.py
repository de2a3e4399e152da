"""Every page and action checks scope: by role, by school, and against guessed URLs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outreach_bot.escalations import open_escalation
from outreach_bot.models import Escalation, Message, Student, User
from tests.staff_helpers import post, sign_in, two_schools


@pytest.fixture
def cases(runtime, clock) -> dict[str, int]:
    """A case at Lincoln and one at Oak."""
    with runtime.db.transaction() as session:
        return two_schools(session, clock())


def test_a_clerk_sees_only_their_schools_cases(client, cases):
    sign_in(client, "clerk@example.org")
    page = client.get("/staff/").get_data(as_text=True)
    assert f"/staff/cases/{cases['LIN']}" in page and f"/staff/cases/{cases['OAK']}" not in page
    assert "Mateo" not in page


@pytest.mark.parametrize("email", ["clerk@example.org", "lead@example.org"])
def test_guessing_another_schools_urls_finds_nothing(client, cases, email):
    sign_in(client, email)
    oak = cases["OAK"]
    assert client.get(f"/staff/cases/{oak}").status_code == 404
    assert client.get("/staff/students/S2001").status_code == 404
    assert client.get("/staff/cases/999999").status_code == 404
    for action, data in [
        ("claim", {}),
        ("unclaim", {}),
        ("assign", {"assignee_id": "1"}),
        ("attempts", {"method": "call", "outcome": "no_answer"}),
        ("texts", {"phone": "+15035550143", "body": "hola"}),
        ("hold", {"phone": "+15035550143"}),
        ("release", {"phone": "+15035550143"}),
    ]:
        assert post(client, f"/staff/cases/{oak}/{action}", **data).status_code == 404, action


def test_a_clerk_and_a_lead_work_their_own_schools_cases(client, cases):
    sign_in(client, "lead@example.org")
    assert client.get(f"/staff/cases/{cases['LIN']}").status_code == 200
    assert client.get("/staff/students/S1001").status_code == 200


def test_a_district_admin_sees_every_school(client, cases):
    sign_in(client, "admin@example.org")
    page = client.get("/staff/").get_data(as_text=True)
    assert f"/staff/cases/{cases['LIN']}" in page and f"/staff/cases/{cases['OAK']}" in page
    assert client.get("/staff/students/S2001").status_code == 200


def test_cases_without_a_school_are_for_district_admins(runtime, client, clock, cases):
    with runtime.db.transaction() as session:
        stray = open_escalation(
            session, reason="unknown_number", now=clock(), phone="+15035550177"
        ).id
    sign_in(client, "clerk@example.org")
    assert client.get(f"/staff/cases/{stray}").status_code == 404
    sign_in(client, "admin@example.org")
    assert client.get(f"/staff/cases/{stray}").status_code == 200


@pytest.mark.parametrize("email", ["clerk@example.org", "lead@example.org"])
def test_only_district_admins_open_admin_pages(client, cases, email):
    sign_in(client, email)
    assert client.get("/staff/admin/users").status_code == 403
    assert client.get("/staff/admin/audit").status_code == 403
    assert client.get("/staff/admin/audit.csv").status_code == 403
    assert (
        post(
            client,
            "/staff/admin/users",
            email="x@example.org",
            password="p" * 12,
            role="district_admin",
        ).status_code
        == 403
    )
    assert post(client, "/staff/admin/users/1", role="district_admin").status_code == 403


def test_a_clerk_cannot_assign_but_a_lead_can(runtime, client, cases):
    with runtime.db.transaction() as session:
        clerk_id = session.scalar(select(User.id).where(User.email == "clerk@example.org"))
        lead_id = session.scalar(select(User.id).where(User.email == "lead@example.org"))
    sign_in(client, "clerk@example.org")
    post(client, f"/staff/cases/{cases['LIN']}/assign", assignee_id=str(lead_id))
    with runtime.db.transaction() as session:
        assert session.get_one(Escalation, cases["LIN"]).assigned_to_id is None
    sign_in(client, "lead@example.org")
    post(client, f"/staff/cases/{cases['LIN']}/assign", assignee_id=str(clerk_id))
    with runtime.db.transaction() as session:
        assert session.get_one(Escalation, cases["LIN"]).assigned_to_id == clerk_id


def test_staff_can_only_text_phones_on_the_case(runtime, client, cases):
    sign_in(client, "clerk@example.org")
    response = post(
        client, f"/staff/cases/{cases['LIN']}/texts", phone="+15035550199", body="hello"
    )
    assert response.status_code == 404
    with runtime.db.transaction() as session:
        assert session.scalars(select(Message)).all() == []


def test_an_admin_manages_accounts(runtime, client, cases):
    sign_in(client, "admin@example.org")
    assert "oak@example.org" in client.get("/staff/admin/users").get_data(as_text=True)
    post(
        client,
        "/staff/admin/users",
        email="new@example.org",
        password="a long pass phrase",
        role="clerk",
        school_ids="OAK",
    )
    with runtime.db.transaction() as session:
        new = session.scalars(select(User).where(User.email == "new@example.org")).one()
        assert new.school_ids == ["OAK"]
        new_id = new.id
    post(client, f"/staff/admin/users/{new_id}", role="school_lead", school_ids="LIN")
    with runtime.db.transaction() as session:
        changed = session.get_one(User, new_id)
        assert (changed.role, changed.school_ids, changed.active) == ("school_lead", ["LIN"], False)


def _shared_phone_family(runtime, clock, together: bool) -> dict[str, int]:
    """Ana at Lincoln and Mateo at Oak share one guardian phone; Mateo's school texted it,
    about Mateo alone or (`together`) about both children in one text."""
    from tests.factories import add_family

    with runtime.db.transaction() as session:
        ids = two_schools(session, clock())
        mateo = add_family(
            session,
            student_id="S2002",
            first_name="Mateo",
            school_id="OAK",
            phone="+15035550142",
            absences=7,
        )
        ana = session.get_one(Student, "S1001")
        runtime.conversations.start(
            session,
            flow_name="missed_you",
            guardian=mateo,
            students=[mateo.student, ana] if together else None,
            now=clock(),
        )
        oak_case = open_escalation(
            session, reason="no_reply", now=clock(), student_id="S2002", phone="+15035550142"
        )
        return {**ids, "OAK_SHARED": oak_case.id}


def test_a_clerk_never_reads_texts_about_another_schools_child_on_a_shared_phone(
    runtime, client, clock
):
    ids = _shared_phone_family(runtime, clock, together=False)
    with runtime.db.transaction() as session:
        bodies = [m.body for m in session.scalars(select(Message))]
    assert any("Mateo" in body for body in bodies)  # the texts about Mateo exist
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{ids['LIN']}").get_data(as_text=True)
    assert "Ana" in page and "Mateo" not in page and "7 days" not in page
    sign_in(client, "oak@example.org")
    assert "Mateo" in client.get(f"/staff/cases/{ids['OAK_SHARED']}").get_data(as_text=True)
    sign_in(client, "admin@example.org")
    assert "Mateo" in client.get(f"/staff/cases/{ids['LIN']}").get_data(as_text=True)


def test_a_text_naming_children_of_two_schools_is_listed_with_its_words_withheld(
    runtime, client, clock
):
    ids = _shared_phone_family(runtime, clock, together=True)
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{ids['LIN']}").get_data(as_text=True)
    assert "Mateo" not in page
    assert "names a child at a school outside yours" in page
    sign_in(client, "oak@example.org")
    page = client.get(f"/staff/cases/{ids['OAK_SHARED']}").get_data(as_text=True)
    assert "Mateo" in page and "Ana" not in page
