"""The Notices page: a clerk's schools only, filters, marking a letter mailed, the PDFs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from rq import SimpleWorker
from sqlalchemy import func, select

from outreach_bot import jobs
from outreach_bot.models import Notice, NoticePrint, School, User
from outreach_bot.notices import prints
from outreach_bot.queue import RedisQueue
from tests.notice_rows import add_notice
from tests.staff_helpers import csrf, post, sign_in, two_schools


@pytest.fixture
def notices(runtime, clock) -> dict[str, int]:
    """Lincoln: Ana's first notice (mailed) and second (not); Oak: Mateo's first (not)."""
    with runtime.db.transaction() as session:
        two_schools(session, clock())
        first = add_notice(session, "S1001", "first", date(2026, 10, 20), mailed_at=clock())
        second = add_notice(session, "S1001", "second", date(2026, 11, 18))
        oak = add_notice(session, "S2001", "first", date(2026, 11, 18), language="en")
        return {"first": first.id, "second": second.id, "oak": oak.id}


@pytest.fixture
def app_config(app_config: dict[str, object], request: pytest.FixtureRequest) -> dict[str, object]:
    """A test asking for Redis gets an app that queues its jobs there (no worker runs them)."""
    if "redis_connection" not in request.fixturenames:
        return app_config
    options = request.getfixturevalue("redis_connection").connection_pool.connection_kwargs
    return {
        **app_config,
        "REDIS_URL": f"redis://{options['host']}:{options['port']}/{options['db']}",
    }


def _page(client, query: str = "") -> str:
    response = client.get(f"/staff/notices/{query}")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_clerk_sees_only_their_schools_notices(client, notices):
    sign_in(client, "clerk@example.org")
    page = _page(client)
    assert f'id="notice-{notices["first"]}"' in page and f'id="notice-{notices["second"]}"' in page
    assert f'id="notice-{notices["oak"]}"' not in page and "Mateo" not in page
    assert ">Oak Middle<" not in page  # not even offered as a filter
    assert client.get("/staff/notices/?school=OAK").status_code == 404
    assert client.get(f"/staff/notices/{notices['oak']}.pdf").status_code == 404
    assert post(client, f"/staff/notices/{notices['oak']}/mailed").status_code == 404
    assert client.get("/staff/notices/999999.pdf").status_code == 404


def test_a_district_admin_sees_every_school_and_the_nav_links_the_page(client, notices):
    sign_in(client, "admin@example.org")
    page = _page(client)
    assert all(f'id="notice-{notice_id}"' in page for notice_id in notices.values())
    assert 'href="/staff/notices/"' in _page(client, "?stage=first")


def test_the_filters_narrow_by_stage_mailed_and_day(client, notices):
    sign_in(client, "admin@example.org")

    def shown(query: str) -> set[int]:
        page = _page(client, query)
        return {notice_id for notice_id in notices.values() if f'id="notice-{notice_id}"' in page}

    assert shown("?stage=first") == {notices["first"], notices["oak"]}
    assert shown("?mailed=no") == {notices["second"], notices["oak"]}
    assert shown("?mailed=yes") == {notices["first"]}
    assert shown("?issued_on=2026-11-18&school=LIN") == {notices["second"]}
    assert "No notices match." in _page(client, "?issued_on=2026-11-19")
    bad = client.get("/staff/notices/?issued_on=18/11/2026")
    assert bad.status_code == 400
    assert "issued_on: expected a date as YYYY-MM-DD, got &#39;18/11/2026&#39;" in bad.get_data(
        as_text=True
    )


def test_marking_a_letter_mailed_records_who_and_when_once(runtime, client, clock, notices):
    sign_in(client, "clerk@example.org")
    second = notices["second"]
    refused = client.post(f"/staff/notices/{second}/mailed", data={"csrf_token": "forged"})
    assert refused.status_code == 400
    response = client.post(
        f"/staff/notices/{second}/mailed?mailed=no&school=LIN", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/notices/?school=LIN&mailed=no"
    with runtime.db.transaction() as session:
        notice = session.get_one(Notice, second)
        clerk = session.query(User).filter_by(email="clerk@example.org").one()
        assert (notice.mailed_at, notice.mailed_by) == (clock(), clerk.id)
    assert "Letter marked as mailed." in _page(client, "?mailed=yes")
    post(client, f"/staff/notices/{second}/mailed")
    assert "That letter was already marked as mailed." in _page(client)


def _print(client, query: str) -> str:
    """Ask for the letters the filters show as one PDF; the batch's page address."""
    response = post(client, f"/staff/notices/prints{query}")
    assert response.status_code == 302
    location: str = response.headers["Location"]
    assert location.startswith("/staff/notices/prints/")
    return location


def test_a_days_batch_prints_as_one_pdf_and_each_letter_alone(client, notices):
    sign_in(client, "admin@example.org")
    batch = _print(client, "?issued_on=2026-11-18")
    page = client.get(batch).get_data(as_text=True)
    assert "2 letters are ready to print." in page and 'http-equiv="refresh"' not in page
    download = client.get(f"{batch}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "notices-2026-11-18.pdf" in download.headers["Content-Disposition"]
    pages = _text(download.data)
    # Lincoln's Spanish letter (and its English version) before Oak's English one.
    assert len(pages) == 3
    assert "Segundo aviso sobre la asistencia de Ana Testperson" in pages[0]
    assert "Pat Testperson" in pages[0] and "Lincoln Elementary" in pages[0]
    assert "Second notice about Ana Testperson" in pages[1].replace("’", "'")
    assert "Notice about Mateo Testperson" in pages[2].replace("’", "'")
    one = client.get(f"/staff/notices/{notices['first']}.pdf")
    assert one.status_code == 200
    assert "Aviso sobre la asistencia de Ana Testperson" in _text(one.data)[0]
    assert post(client, "/staff/notices/prints?issued_on=2026-11-19").status_code == 404
    assert client.post("/staff/notices/prints", data={"csrf_token": "forged"}).status_code == 400


def test_a_printed_batch_is_for_the_one_who_asked_and_kept_a_day(runtime, client, clock, notices):
    sign_in(client, "clerk@example.org")
    batch = _print(client, "")
    assert "2 letters are ready to print." in client.get(batch).get_data(as_text=True)
    assert "Mateo" not in " ".join(_text(client.get(f"{batch}.pdf").data))  # Oak's: out of reach
    admin = client.application.test_client()
    sign_in(admin, "admin@example.org")
    assert admin.get(batch).status_code == 404
    assert admin.get(f"{batch}.pdf").status_code == 404
    clock.advance(hours=23)
    assert jobs.tick()["notice_prints_deleted"] == 0
    clock.advance(hours=1, seconds=1)
    assert jobs.tick()["notice_prints_deleted"] == 1
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(NoticePrint)) == 0


def test_a_batch_waits_for_a_worker_and_refreshes_until_it_is_printed(
    runtime, client, notices, redis_connection
):
    sign_in(client, "admin@example.org")
    batch = _print(client, "?issued_on=2026-11-18")
    page = client.get(batch).get_data(as_text=True)
    assert "Preparing 2 letters… This page refreshes itself." in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert client.get(f"{batch}.pdf").status_code == 404
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    SimpleWorker(queue.queues, connection=queue.connection).work(burst=True)
    assert "2 letters are ready to print." in client.get(batch).get_data(as_text=True)
    assert len(_text(client.get(f"{batch}.pdf").data)) == 3


def test_a_batch_whose_worker_died_says_to_print_again(runtime, client, clock, notices):
    sign_in(client, "admin@example.org")
    with runtime.db.transaction() as session:
        admin = session.query(User).filter_by(email="admin@example.org").one()
        waiting = prints.ask(
            session, user_id=admin.id, notice_ids=[notices["oak"]], filename="x.pdf", now=clock()
        )
        batch = f"/staff/notices/prints/{waiting.id}"
    assert "Preparing 1 letter…" in client.get(batch).get_data(as_text=True)
    clock.advance(seconds=prints.PRINT_SECONDS + 1)
    client = client.application.test_client()  # the sign-in has lapsed meanwhile
    sign_in(client, "admin@example.org")
    page = client.get(batch).get_data(as_text=True)
    assert "the worker stopped" in page and 'http-equiv="refresh"' not in page


def test_the_page_says_when_notices_are_off(app_config, client, notices):
    sign_in(client, "admin@example.org")
    assert "Notices are off" in _page(client)


def test_the_page_does_not_say_off_when_a_state_is_set(app_config, request):
    app_config["NOTICES_STATE"] = "CA"  # before the app is made from it
    client = request.getfixturevalue("client")
    request.getfixturevalue("notices")
    sign_in(client, "admin@example.org")
    assert "Notices are off" not in _page(client)


def test_a_spanish_speaking_clerk_reads_the_page_in_spanish(runtime, client, notices):
    with runtime.db.transaction() as session:
        session.query(User).filter_by(email="clerk@example.org").one().language = "es"
    sign_in(client, "clerk@example.org")
    page = _page(client)
    assert "Segundo aviso" in page and "Marcar como enviada" in page


def test_the_referral_packet_lists_a_students_notices_for_a_clerk_of_their_school(client, notices):
    sign_in(client, "clerk@example.org")
    assert 'href="/staff/notices/students/S1001/packet-2026.pdf"' in _page(client)
    response = client.get("/staff/notices/students/S1001/packet-2026.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(_text(response.data))
    assert "Referral packet for the School Attendance Review Board" in text
    assert "Ana Testperson (ID S1001)" in text and "Notices sent (2)" in text
    assert client.get("/staff/notices/students/S2001/packet-2026.pdf").status_code == 404
    assert client.get("/staff/notices/students/S9999/packet-2026.pdf").status_code == 404


def test_a_letter_is_never_printed_without_the_schools_phone(runtime, client, notices):
    with runtime.db.transaction() as session:
        session.get_one(School, "LIN").phone = None
    sign_in(client, "admin@example.org")
    response = client.get(f"/staff/notices/{notices['first']}.pdf")
    assert response.status_code == 409
    assert "Lincoln Elementary (LIN) has no phone on file" in response.get_data(as_text=True)
    page = client.get(_print(client, "")).get_data(as_text=True)
    assert "These letters could not be printed:" in page
    assert "Lincoln Elementary (LIN) has no phone on file" in page


def test_the_letterhead_carries_the_districts_address_when_set(app_config, request):
    app_config["DISTRICT_ADDRESS"] = "1200 Main Street; Springfield, CA 95000"
    client = request.getfixturevalue("client")
    notices = request.getfixturevalue("notices")
    sign_in(client, "admin@example.org")
    letter = _text(client.get(f"/staff/notices/{notices['oak']}.pdf").data)[0]
    assert "1200 Main Street" in letter and "Springfield, CA 95000" in letter
