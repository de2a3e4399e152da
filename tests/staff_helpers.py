"""Staff for tests: fictional accounts, signing in through the real form, CSRF tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from outreach_bot.models import User, UserSchool
from outreach_bot.staff.users import HASHER

PASSWORD = "correct horse battery"


@cache
def _hash() -> str:
    # One Argon2id hash for every test account: hashing costs ~0.2 s, so it is done once.
    return HASHER.hash(PASSWORD)


def add_user(
    session: Session,
    email: str,
    role: str = "clerk",
    schools: tuple[str, ...] = ("LIN",),
    language: str = "en",
    phone: str | None = None,
    notify_by: str = "email",
) -> User:
    """A staff account with the shared test password."""
    user = User(
        email=email,
        password_hash=_hash(),
        role=role,
        language=language,
        phone=phone,
        notify_by=notify_by,
        active=True,
        session_version=1,
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
        schools=[UserSchool(school_id=school) for school in schools],
    )
    session.add(user)
    session.flush()
    return user


def csrf(client: FlaskClient) -> str:
    """The session's CSRF token (a page is fetched first when there is none yet)."""
    with client.session_transaction() as session:
        token = session.get("csrf")
    if token is None:
        client.get("/staff/login")
        with client.session_transaction() as session:
            token = session["csrf"]
    return str(token)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form; fails the test when it does not work."""
    response = client.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client: FlaskClient, url: str, **data: object) -> object:
    """A form post carrying the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf(client), **data})


def two_schools(session: Session, now: datetime) -> dict[str, int]:
    """Lincoln and Oak, a family and an open case at each, and staff of every role.

    Returns the case ids by school: {"LIN": ..., "OAK": ...}.
    """
    from outreach_bot.escalations import open_escalation
    from tests.factories import add_family, add_school

    add_school(session)
    add_school(session, "OAK", "Oak Middle", phone="+15035550101")
    add_family(session, language="es")
    add_family(
        session, student_id="S2001", first_name="Mateo", school_id="OAK", phone="+15035550143"
    )
    add_user(session, "clerk@example.org")
    add_user(session, "lead@example.org", role="school_lead")
    add_user(session, "oak@example.org", schools=("OAK",))
    add_user(session, "admin@example.org", role="district_admin", schools=())
    lincoln = open_escalation(
        session, reason="no_reply", now=now, student_id="S1001", phone="+15035550142"
    )
    oak = open_escalation(
        session,
        reason="asked_for_a_person",
        priority="high",
        now=now,
        student_id="S2001",
        phone="+15035550143",
    )
    return {"LIN": lincoln.id, "OAK": oak.id}
