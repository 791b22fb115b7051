"""The outbox in storage: messages owed in the same transaction as what causes them.

An update's replies, a digest and its claim, a reminder and its claim: each is committed
whole with its outbox rows or not at all, so a crash never leaves a change whose message is
lost (nor a message about a change that was rolled back).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from conversations.digest import DigestData
from conversations.model import Started, TextSent
from storage.database import Database
from storage.digests import claim_and_owe_digest, digest_run
from storage.models import OutboxRow, ProcessedUpdate
from storage.outbox import (
    OutboxMessage,
    SendLimits,
    SentMark,
    claim_due,
    enqueue,
    mark_sent_many,
    prune_sent,
)
from storage.service import Handled
from storage.uow import UnitOfWork
from tests.storage.test_digests import MONDAY, period
from tests.storage.test_service import ADA, answers_in, service_for


def owed(handled: Handled) -> list[OutboxMessage]:
    return [OutboxMessage(ADA.chat_id, "sendMessage", {"text": r.text}) for r in handled.replies]


async def outbox_texts(database: Database) -> list[tuple[int, str, str | None]]:
    async with UnitOfWork(database) as uow:
        rows = await uow.session.execute(
            select(OutboxRow.chat_id, OutboxRow.payload, OutboxRow.digest_key).order_by(
                OutboxRow.id
            )
        )
        return [(chat, str(payload.get("text", "")), key) for chat, payload, key in rows.all()]


@contextmanager
def counted_inserts(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_an_updates_replies_are_owed_with_its_answer_in_one_insert(
    database: Database,
) -> None:
    service = service_for(database)
    with counted_inserts(database) as inserts:
        handled = await service.handle(ADA, Started(), update_id=1, compose=owed)
    assert len(handled.replies) >= 2  # the welcome and the first question
    assert len(inserts) == 1
    assert [text for _, text, _ in await outbox_texts(database)] == [
        r.text for r in handled.replies
    ]


async def test_a_redelivered_update_owes_nothing_more(database: Database) -> None:
    service = service_for(database)
    await service.handle(ADA, Started(), update_id=1, compose=owed)
    await service.handle(ADA, TextSent("A garden"), update_id=2, compose=owed)
    before = await outbox_texts(database)
    again = await service.handle(ADA, TextSent("A garden"), update_id=2, compose=owed)
    assert again.duplicate
    assert await outbox_texts(database) == before  # its reply was owed the first time


async def test_an_update_whose_messages_cannot_be_rendered_is_not_applied(
    database: Database,
) -> None:
    service = service_for(database)
    begun = await service.handle(ADA, Started(), update_id=1, compose=owed)
    before = await outbox_texts(database)

    def broken(handled: Handled) -> Sequence[OutboxMessage]:
        raise RuntimeError("rendering failed")

    failed = await service.handle(ADA, TextSent("A garden"), update_id=2, compose=broken)
    assert failed.failed and failed.failure == "RuntimeError: rendering failed"
    assert await answers_in(database, begun.interview_id or 0) == {}  # rolled back whole
    assert await outbox_texts(database) == before  # no reply owed for what was not applied
    async with UnitOfWork(database) as uow:
        outcome = await uow.session.scalar(
            select(ProcessedUpdate.outcome).where(ProcessedUpdate.update_id == 2)
        )
    assert outcome == "failed: RuntimeError"  # the operator sees it; it does not fail again
    again = await service.handle(ADA, TextSent("A garden"), update_id=2, compose=owed)
    assert again.duplicate and await outbox_texts(database) == before
    # The contributor sends it again: applied, and its reply owed with it.
    retried = await service.handle(ADA, TextSent("A garden"), update_id=3, compose=owed)
    assert await answers_in(database, begun.interview_id or 0) == {"q1": "A garden"}
    assert await outbox_texts(database) == before + [
        (ADA.chat_id, r.text, None) for r in retried.replies
    ]


async def test_a_digest_is_owed_whole_with_its_claim_and_marked_sent(database: Database) -> None:
    def compose(data: DigestData) -> list[OutboxMessage]:
        return [
            OutboxMessage(-100, "sendMessage", {"text": f"part {n}"}, digest_key=period(MONDAY).key)
            for n in (1, 2)
        ]

    data = await claim_and_owe_digest(database, period(MONDAY), MONDAY, compose)
    assert data is not None
    run = await digest_run(database, period(MONDAY).key)
    assert run is not None and run.sent_at == MONDAY
    assert await outbox_texts(database) == [
        (-100, "part 1", period(MONDAY).key),
        (-100, "part 2", period(MONDAY).key),
    ]
    # Another process (or tick) finds it taken: nothing is owed twice.
    later = MONDAY + timedelta(hours=1)
    assert await claim_and_owe_digest(database, period(MONDAY), later, compose) is None
    assert len(await outbox_texts(database)) == 2


async def test_a_digest_whose_messages_fail_is_not_claimed_and_goes_next_time(
    database: Database,
) -> None:
    def broken(data: DigestData) -> list[OutboxMessage]:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        await claim_and_owe_digest(database, period(MONDAY), MONDAY, broken)
    assert await digest_run(database, period(MONDAY).key) is None
    assert await outbox_texts(database) == []

    def fine(data: DigestData) -> list[OutboxMessage]:
        return [OutboxMessage(-100, "sendMessage", {"text": "digest"})]

    assert await claim_and_owe_digest(database, period(MONDAY), MONDAY, fine) is not None
    assert [text for _, text, _ in await outbox_texts(database)] == ["digest"]


async def test_sent_rows_are_pruned_after_a_while_and_given_up_ones_kept(
    database: Database,
) -> None:
    ids = []
    async with UnitOfWork(database) as uow:
        ids = await uow.outbox.add_all(
            [OutboxMessage(ADA.chat_id, "sendMessage", {"text": t}) for t in ("a", "b", "c")],
            MONDAY,
        )
        await uow.session.execute(
            update(OutboxRow).where(OutboxRow.id == ids[0]).values(state="sent", sent_at=MONDAY)
        )
        await uow.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == ids[1])
            .values(state="sent", sent_at=MONDAY + timedelta(days=3))
        )
        await uow.session.execute(
            update(OutboxRow).where(OutboxRow.id == ids[2]).values(state="failed")
        )
        await uow.commit()
    assert await prune_sent(database, MONDAY + timedelta(days=1)) == 1
    assert [text for _, text, _ in await outbox_texts(database)] == ["b", "c"]


async def test_sending_costs_the_same_few_statements_for_one_chat_or_thirty(
    database: Database,
) -> None:
    """A claim reads and claims in two statements (PostgreSQL takes its lock first), and
    the sends Telegram accepted are marked with one UPDATE run in one transaction, each row
    with its own message id: the sender's database work does not grow with its batch."""
    from tests.storage.test_statement_budget import counted

    now = MONDAY
    costs: list[tuple[int, int]] = []
    for chats in (1, 30):
        await enqueue(
            database,
            [OutboxMessage(chat, "sendMessage", {"text": "hi"}) for chat in range(1, chats + 1)],
            now,
        )
        with counted(database) as claiming:
            claimed = await claim_due(database, "w", now, SendLimits(per_second=1000))
        assert len(claimed) == chats
        with counted(database) as marking:
            await mark_sent_many(database, [SentMark(m, 9000 + m.id, now) for m in claimed])
        costs.append((len(claiming), len(marking)))
        now += timedelta(seconds=2)
    assert costs[0] == costs[1]
    claim_statements, mark_statements = costs[0]
    assert claim_statements <= 3 and mark_statements <= 2  # BEGIN counted on SQLite
    async with UnitOfWork(database) as uow:
        found = await uow.session.execute(
            select(OutboxRow.id, OutboxRow.state, OutboxRow.message_id)
        )
        marked = {(state, message_id == 9000 + row_id) for row_id, state, message_id in found}
    assert marked == {("sent", True)}  # each row with the message id Telegram gave it
