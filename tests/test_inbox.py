"""The inbox: texts from families answered in batches, in order, once, and never lost.

The webhook stores a text and wakes one drain job; the drain claims batches of stored texts
(each phone's oldest only, skipping rows another worker holds) and answers each batch in one
transaction. A batch that fails is answered again one text a transaction, and a text the bot
cannot answer goes to a person.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.inbox import claim
from outreach_bot.inbox.store import store_inbound
from outreach_bot.messaging.outbox import SEND_JOB, send_job_id, sweep_stuck
from outreach_bot.models import Escalation, Message
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from tests.factories import start_missed_you

ANA = "+15035550142"
MATEO = "+15035550143"
LUCIA = "+15035550144"


def store(runtime: Runtime, phone: str, body: str, sid: str) -> int:
    form = {"MessageSid": sid, "From": phone, "To": "+15035550199", "Body": body}
    with runtime.db.connection() as connection:
        stored = store_inbound(connection, form, now=runtime.clock())
        assert stored is not None
        return stored


def claimed_ids(runtime: Runtime, limit: int = 10) -> list[int]:
    """Claim a batch and mark it answered, as a worker's transaction does."""
    with runtime.db.transaction() as session:
        batch = claim.claim(session, limit)
        for message in batch:
            message.processed_at = runtime.clock()
        return [message.id for message in batch]


def test_each_phone_s_oldest_text_is_claimed_first_and_the_next_after_it(runtime):
    first = store(runtime, ANA, "1", "SM" + "1" * 32)
    second = store(runtime, ANA, "2", "SM" + "2" * 32)
    other = store(runtime, MATEO, "hello", "SM" + "3" * 32)
    assert claimed_ids(runtime) == [first, other]  # Ana's second waits for her first
    assert claimed_ids(runtime) == [second]
    assert claimed_ids(runtime) == []


def test_a_claim_takes_at_most_its_limit_oldest_first(runtime):
    ids = [store(runtime, phone, "hi", f"SM{n:032}") for n, phone in enumerate([ANA, MATEO, LUCIA])]
    assert claimed_ids(runtime, limit=2) == ids[:2]
    assert claimed_ids(runtime, limit=2) == ids[2:]


def test_a_claim_is_undone_with_its_transaction(runtime):
    message_id = store(runtime, ANA, "hi", "SM" + "1" * 32)
    with pytest.raises(RuntimeError), runtime.db.transaction() as session:
        assert [m.id for m in claim.claim(session, 10)] == [message_id]
        raise RuntimeError("the worker died")
    assert claimed_ids(runtime) == [message_id]


def test_a_pile_of_texts_is_claimed_a_batch_at_a_time_each_family_in_order(runtime):
    phones = [f"+1503555{n:04d}" for n in range(100, 100 + 150)]  # 555-01xx and beyond: fictional
    first = {phone: store(runtime, phone, "1", f"SMa{n:031d}") for n, phone in enumerate(phones)}
    second = {phone: store(runtime, phone, "2", f"SMb{n:031d}") for n, phone in enumerate(phones)}
    batches = []
    while batch := claimed_ids(runtime, limit=100):
        batches.append(batch)
    assert [len(batch) for batch in batches] == [100, 100, 100]
    turn = {message_id: number for number, batch in enumerate(batches) for message_id in batch}
    assert len(turn) == 300
    assert all(turn[first[phone]] < turn[second[phone]] for phone in phones)
    assert all(batch == sorted(batch) for batch in batches)  # oldest first


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_never_answer_one_family_at_once(runtime):
    """While one transaction holds Ana's first text, another takes neither it nor her next."""
    first = store(runtime, ANA, "1", "SM" + "1" * 32)
    second = store(runtime, ANA, "2", "SM" + "2" * 32)
    other = store(runtime, MATEO, "hello", "SM" + "3" * 32)
    with runtime.db.transaction() as holding:
        held = claim.claim(holding, 1)
        assert [m.id for m in held] == [first]
        held[0].processed_at = runtime.clock()
        holding.flush()  # answered, but not yet committed
        late = store(runtime, LUCIA, "hola", "SM" + "4" * 32)
        # A second worker, meanwhile: Ana's first is locked and her second must wait for it.
        assert claimed_ids(runtime) == [other, late]
    assert claimed_ids(runtime) == [second]


def test_one_drain_answers_every_stored_text_and_finds_the_inbox_empty(runtime):
    start_missed_you(runtime, ANA, MATEO)
    store(runtime, ANA, "1", "SM" + "1" * 32)
    store(runtime, ANA, "The bus is late", "SM" + "2" * 32)  # her second, after her first
    store(runtime, MATEO, "2", "SM" + "3" * 32)
    # The first batch takes Ana's first text and Mateo's; it sees her second waiting behind
    # and takes it in a second batch, without waiting for another wake.
    assert jobs.answer_inbox(runtime, until=time.monotonic() + 60) == 3
    assert jobs.process_inbox() == 0
    with runtime.db.transaction() as session:
        unanswered = session.scalars(
            select(Message.id).where(Message.direction == "inbound", Message.processed_at.is_(None))
        ).all()
        answers = session.scalars(
            select(Message.status).where(Message.direction == "outbound", Message.origin == "reply")
        ).all()
    assert unanswered == []
    assert answers and set(answers) == {"sent"}


def test_a_text_the_bot_cannot_answer_goes_to_a_person_and_the_others_are_answered(
    runtime, monkeypatch, caplog
):
    start_missed_you(runtime, ANA, MATEO, LUCIA)
    conversations = runtime.conversations
    reply = conversations.reply

    def fragile(session: Any, conversation: Any, text: str, now: Any) -> bool:
        if text == "¿?":
            raise KeyError("a bug the bot trips on")
        return reply(session, conversation, text, now)

    monkeypatch.setattr(conversations, "reply", fragile)
    store(runtime, ANA, "1", "SM" + "1" * 32)
    broken = store(runtime, MATEO, "¿?", "SM" + "2" * 32)
    store(runtime, LUCIA, "2", "SM" + "3" * 32)
    with caplog.at_level(logging.INFO):
        assert jobs.process_inbox() == 3
    with runtime.db.transaction() as session:
        inbound = session.execute(
            select(Message.id, Message.phone, Message.processed_at).where(
                Message.direction == "inbound"
            )
        ).all()
        answered = set(
            session.scalars(
                select(Message.phone).where(
                    Message.direction == "outbound",
                    Message.origin == "reply",
                    Message.status == "sent",
                )
            )
        )
        cases = session.execute(select(Escalation.phone, Escalation.reason)).all()
    assert all(row.processed_at is not None for row in inbound)
    assert answered == {ANA, LUCIA}
    assert (MATEO, "family_texted") in [(case.phone, case.reason) for case in cases]
    assert f"inbound message {broken} could not be answered" in caplog.text
    assert "a batch of 3 inbound messages failed" in caplog.text
    for secret in (ANA, MATEO, LUCIA, "¿?"):
        assert secret not in caplog.text  # no phone numbers or message bodies in logs


def test_the_tick_answers_texts_whose_job_was_lost(runtime):
    start_missed_you(runtime, ANA)
    store(runtime, ANA, "1", "SM" + "1" * 32)  # stored, and the job that would answer it lost
    assert jobs.tick()["inbound_answered"] == 1
    assert jobs.tick()["inbound_answered"] == 0


@pytest.fixture
def app_config(app_config: dict[str, object], request: pytest.FixtureRequest) -> dict[str, object]:
    """The RQ tests' app puts its jobs on the test Redis database."""
    if "redis_connection" not in request.fixturenames:
        return app_config
    redis: Redis = request.getfixturevalue("redis_connection")
    options = redis.connection_pool.connection_kwargs
    url = f"redis://{options['host']}:{options['port']}/{options['db']}"
    return {**app_config, "REDIS_URL": url}


def post(client: Any, phone: str, body: str, sid: str) -> None:
    form = {"MessageSid": sid, "From": phone, "To": "+15035550199", "Body": body}
    assert client.post("/twilio/inbound", data=form).status_code == 200


def test_many_webhooks_wake_one_drain_ahead_of_everything_else(runtime, client, redis_connection):
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    inbox_lane, replies, district = (queue.lanes[lane] for lane in ("inbox", "replies", "district"))
    start_missed_you(runtime, ANA, MATEO)
    # The first texts of missed_you, which the district started: one send job for the four.
    assert district.count == 1 and len(district.jobs[0].args[0]) == 4
    post(client, ANA, "1", "SM" + "1" * 32)
    post(client, MATEO, "2", "SM" + "2" * 32)
    post(client, ANA, "1", "SM" + "1" * 32)  # Twilio retried: stored once, no new wake
    assert [job.func_name for job in inbox_lane.jobs] == [jobs.PROCESS_INBOX]
    # A worker reads the inbox first, then the answers it queued, then the district's texts.
    worker = SimpleWorker(queue.queues, connection=queue.connection)
    worker.work(burst=True, max_jobs=1)
    assert inbox_lane.count == 0
    # Each family's opening and question, not sent yet, go ahead of its answer, in its lane.
    # One send job a transaction's texts, each claimed by itself as the job reaches it.
    assert [job.func_name for job in replies.jobs] == [SEND_JOB] * len(replies.jobs)
    assert sum(len(job.args[0]) for job in replies.jobs) == 8
    worker.work(burst=True, max_jobs=len(replies.jobs))
    assert replies.count == 0 and district.count == 1  # a stale entry, its texts sent already
    with runtime.db.transaction() as session:
        answers = session.scalars(
            select(Message.status).where(Message.direction == "outbound", Message.origin == "reply")
        ).all()
    assert answers == ["sent"] * 8
    # The drain cleared its mark as it began: the next text wakes a run of its own.
    post(client, MATEO, "hello again", "SM" + "3" * 32)
    assert [job.func_name for job in inbox_lane.jobs] == [jobs.PROCESS_INBOX]


def test_only_a_full_batch_wakes_a_second_worker(runtime, redis_connection, monkeypatch):
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    monkeypatch.setattr(jobs, "INBOX_BATCH", 2)
    start_missed_you(runtime, ANA, MATEO, LUCIA)

    def helpers() -> list[str]:
        return [job.func_name for job in queue.lanes["inbox"].jobs]

    store(runtime, ANA, "1", "SM" + "1" * 32)
    assert jobs.answer_inbox(runtime, until=time.monotonic() + 60) == 1
    assert helpers() == []  # one worker keeps up with a stream
    store(runtime, MATEO, "2", "SM" + "2" * 32)
    store(runtime, LUCIA, "1", "SM" + "3" * 32)
    assert jobs.answer_inbox(runtime, until=time.monotonic() + 60) == 2
    assert helpers() == [jobs.HELP_INBOX]  # a full batch: texts may be piling up


def test_answers_are_written_queued_and_a_lost_enqueue_is_swept_back(
    runtime, redis_connection, monkeypatch
):
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    start_missed_you(runtime, ANA)
    store(runtime, ANA, "1", "SM" + "1" * 32)

    def crash(_jobs: Any) -> None:
        raise ConnectionError("the worker died after its commit, before its enqueue")

    monkeypatch.setattr(queue, "enqueue_many", crash)
    with pytest.raises(ConnectionError):
        jobs.answer_inbox(runtime, until=time.monotonic() + 60)
    monkeypatch.undo()

    # Marked queued in the transaction that wrote them: no second one to mark them. The
    # opening and question missed_you had queued go with the two answers, ahead of them.
    with runtime.db.transaction() as session:
        written = session.execute(
            select(Message.id, Message.status, Message.queued_at).where(Message.origin == "reply")
        ).all()
    assert [(status, at) for _, status, at in written] == [("queued", runtime.clock())] * 4
    assert queue.lanes["replies"].job_ids == []
    runtime.clock.advance(minutes=11)
    assert sweep_stuck(runtime.db, queue, runtime.clock()) == 4
    assert queue.lanes["replies"].job_ids == [send_job_id([id_ for id_, _, _ in sorted(written)])]


def test_a_warmed_worker_reads_no_catalog_while_answering(runtime, monkeypatch):
    start_missed_you(runtime, ANA)
    store(runtime, ANA, "The bus is late again", "SM" + "1" * 32)
    jobs.warm_up()

    def read_late(language: str) -> None:
        raise AssertionError(f"the {language} catalog was read while answering a family")

    monkeypatch.setattr(runtime.conversations.catalogs, "_load", read_late)
    assert jobs.process_inbox() == 1
    with runtime.db.transaction() as session:
        purposes = session.scalars(
            select(Message.purpose).where(Message.origin == "reply").order_by(Message.id)
        ).all()
        assert session.scalars(select(Escalation)).all() == []  # answered, not set aside
    assert purposes == ["resources:transportation", "flow:missed_you"]


def test_a_job_whose_time_is_up_leaves_the_rest_to_a_fresh_job(runtime, redis_connection):
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    start_missed_you(runtime, ANA)
    for n, body in enumerate(["1", "hello", "thanks"]):
        store(runtime, ANA, body, f"SM{n:032}")  # one family: one text a batch
    assert jobs.answer_inbox(runtime, until=time.monotonic() - 1) == 1
    # The rest goes to a fresh job behind the answers written so far (and the opening and
    # question ahead of them): a lone worker sends them before it answers more.
    lane = [job.func_name for job in queue.lanes["replies"].jobs]
    assert lane == [SEND_JOB, jobs.PROCESS_INBOX]
    assert len(queue.lanes["replies"].jobs[0].args[0]) == 4
    SimpleWorker(queue.queues, connection=queue.connection).work(burst=True, max_jobs=2)
    with runtime.db.transaction() as session:
        waiting = session.scalars(
            select(Message.id).where(Message.direction == "inbound", Message.processed_at.is_(None))
        ).all()
    assert waiting == []


def test_a_text_stored_as_the_inbox_job_ends_is_answered_without_a_wake(
    app, runtime, client, redis_connection, monkeypatch
):
    # The webhook spares Redis a wake when it rang moments ago: a text stored just after the
    # job stopped listening is left to that job's last look, which must come after it.
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    monkeypatch.setattr(queue, "quiet", 5.0)  # room for a loaded machine
    monkeypatch.setattr(jobs, "INBOX_DOZE", 0.05)
    start_missed_you(runtime, ANA, MATEO)
    jobs.warm_up()
    post(client, ANA, "1", "SM" + "1" * 32)  # rings, and queues the job
    answered: list[int] = []

    def job() -> None:
        with app.app_context():
            answered.append(jobs.process_inbox())

    running = threading.Thread(target=job)
    running.start()
    mark, bell = f"outreach:wake:{jobs.PROCESS_INBOX}", f"outreach:wake:{jobs.PROCESS_INBOX}:bell"
    deadline = time.monotonic() + 30
    while redis_connection.exists(mark) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert not redis_connection.exists(mark), "the job never stopped listening"
    post(client, MATEO, "2", "SM" + "2" * 32)  # the job has stopped listening
    assert not redis_connection.exists(mark) and not redis_connection.exists(bell)  # no wake
    assert [job.func_name for job in queue.lanes["inbox"].jobs] == [jobs.PROCESS_INBOX]
    running.join(timeout=60)
    assert answered == [2]
    with runtime.db.transaction() as session:
        waiting = session.scalars(
            select(Message.id).where(Message.direction == "inbound", Message.processed_at.is_(None))
        ).all()
    assert waiting == []
