"""The outbox's sender against the fake Bot API: order, retries, 429, 403, give-up, limits.

A real python-telegram-bot ``Bot`` talks HTTP to :class:`FakeBotApi`; the database is SQLite
(and PostgreSQL with ``TEST_DATABASE_URL``); the sender's clock stands still until a test
moves it, so backoff and rate windows are checked without waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.outbox_render import plain_message, reply_messages
from bot.sender import Sender
from conversations.model import Reply
from storage.database import Database
from storage.models import OutboxRow
from storage.outbox import SendLimits, claim_due, enqueue, mark_sent, outbox_figures
from storage.uow import UnitOfWork
from tests.e2e.fake_bot_api import FakeBotApi
from tests.storage.test_review import ADA, STAFF_CHAT, desk_on

TOKEN = "123456:TEST-TOKEN-sender-0123456789abcdef"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANA, BEN, GROUP = 501, 502, -100777


@dataclass
class StoppedClock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=0.5, connect_timeout=2.0)
    async with Bot(
        TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url, request=request
    ) as telegram_bot:
        yield telegram_bot


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


def sender_for(
    bot: Bot, database: Database, clock: StoppedClock, limits: SendLimits | None = None, **kw: int
) -> Sender:
    return Sender(bot, database, limits=limits or SendLimits(per_second=1000), clock=clock, **kw)


async def owe_texts(database: Database, chat_id: int, *texts: str) -> None:
    await enqueue(database, [plain_message(chat_id, t) for t in texts], START)


def texts_to(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [str(m.get("text")) for m in fake.sent_messages(chat_id)]


async def rows(database: Database) -> list[Any]:
    """The outbox as plain rows (attribute access by column name)."""
    table = OutboxRow.__table__
    async with UnitOfWork(database) as uow:
        found = await uow.session.execute(select(table).order_by(table.c.id))
        return list(found.all())


async def test_only_each_chats_oldest_owed_message_can_be_claimed(
    database: Database, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, "a1", "a2", "a3")
    await owe_texts(database, BEN, "b1", "b2")
    claimed = await claim_due(database, "w", clock(), SendLimits(per_second=1000))
    assert sorted((m.chat_id, m.payload["text"]) for m in claimed) == [(ANA, "a1"), (BEN, "b1")]
    # Claimed and not yet sent: nothing more of those chats is eligible meanwhile.
    assert await claim_due(database, "w2", clock(), SendLimits(per_second=1000)) == []


async def test_each_chat_receives_its_messages_in_the_order_they_were_owed(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, "one", "two")
    await owe_texts(database, BEN, "uno")
    await owe_texts(database, ANA, "three")
    sender = sender_for(bot, database, clock, SendLimits(per_second=1000, chat_burst=10))
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["one", "two", "three"]
    assert texts_to(fake, BEN) == ["uno"]
    stored = await rows(database)
    assert {r.state for r in stored} == {"sent"}
    assert all(r.message_id is not None for r in stored)  # later edits need it


@pytest.mark.parametrize("status", [500, 502])
async def test_a_server_error_is_retried_with_growing_backoff_until_it_goes(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock, status: int
) -> None:
    await owe_texts(database, ANA, "hello")
    fake.fail_next("sendMessage", status, "Internal Server Error")
    fake.fail_next("sendMessage", status, "Internal Server Error")
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    [row] = await rows(database)
    assert row.next_attempt_at is not None
    first_wait = (row.next_attempt_at - clock()).total_seconds()
    assert 1.0 <= first_wait <= 1.5  # never inside the chat's one-a-second window
    await sender.send_all_due()
    assert texts_to(fake, ANA) == []  # not due yet: no hammering
    clock.advance(first_wait + 0.01)
    await sender.send_all_due()
    [row] = await rows(database)
    assert row.next_attempt_at is not None
    second_wait = (row.next_attempt_at - clock()).total_seconds()
    assert 2.0 <= second_wait <= 3.0
    clock.advance(second_wait + 0.01)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["hello"]
    [row] = await rows(database)
    assert (row.state, row.tries) == ("sent", 3)
    assert sender.figures.retried == 2


async def test_a_429_waits_its_retry_after_and_uses_up_no_try(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, "hello")
    for _ in range(12):  # more than the bounded tries: flood control is never a reason to stop
        fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    sender = sender_for(bot, database, clock, max_tries=3)
    for _ in range(12):
        await sender.send_all_due()
        [row] = await rows(database)
        assert row.next_attempt_at == clock() + timedelta(seconds=7)
        clock.advance(6)
        await sender.send_all_due()  # still waiting
        clock.advance(1)
    await sender.send_all_due()
    [row] = await rows(database)
    assert (row.state, row.tries) == ("sent", 1)
    assert texts_to(fake, ANA) == ["hello"]
    assert sender.figures.rate_limited == 12


async def test_a_timed_out_send_is_tried_again_the_one_duplicate_allowed(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    from tests.e2e.fake_bot_api import Faults

    await owe_texts(database, ANA, "are you there?")
    fake.faults = Faults(delay=1.0)  # longer than the bot's 0.5 s read timeout
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    [row] = await rows(database)
    assert (row.state, row.tries) == ("pending", 1)
    fake.faults = None
    clock.advance(5)
    await sender.send_all_due()
    await fake.wait_until(lambda: len(texts_to(fake, ANA)) == 2, timeout=3)
    [row] = await rows(database)
    assert row.state == "sent"
    # Telegram took the slow one too: the contributor may see it twice, never lose it.
    assert texts_to(fake, ANA) == ["are you there?", "are you there?"]


async def test_after_the_bounded_tries_the_row_is_given_up_but_kept_and_counted(
    database: Database,
    bot: Bot,
    fake: FakeBotApi,
    clock: StoppedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await owe_texts(database, ANA, "first", "second")
    for _ in range(3):
        fake.fail_next("sendMessage", 500, "Internal Server Error")
    sender = sender_for(bot, database, clock, max_tries=3)
    with caplog.at_level(logging.WARNING, logger="bot.sender"):
        for _ in range(4):
            await sender.send_all_due()
            clock.advance(10)
    assert texts_to(fake, ANA) == ["second"]  # the chat goes on after the one given up
    first, second = await rows(database)
    assert (first.state, first.tries, second.state) == ("failed", 3, "sent")
    assert "gave up after 3 tries" in (first.last_error or "")
    assert any("gave up a reply message" in r.getMessage() for r in caplog.records)
    figures = await outbox_figures(database, clock())
    assert figures.by_state == {"failed": 1, "sent": 1}


async def test_a_refused_message_is_not_retried(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await enqueue(database, [plain_message(ANA, "")], START)  # Telegram refuses empty text
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    [row] = await rows(database)
    assert (row.state, row.tries) == ("failed", 1)
    assert "refused" in (row.last_error or "")


async def test_a_blocked_chat_drops_what_it_was_owed_and_other_chats_go_on(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, "a1", "a2", "a3")
    await owe_texts(database, BEN, "b1")
    fake.blocked_chats.add(ANA)
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    assert texts_to(fake, BEN) == ["b1"]
    assert [(r.chat_id, r.state) for r in await rows(database)] == [
        (ANA, "blocked"),
        (ANA, "blocked"),
        (ANA, "blocked"),
        (BEN, "sent"),
    ]
    refused = [c for c in fake.calls if not c.ok]
    assert len(refused) == 1  # one 403 tells enough; the rest are not tried


async def test_a_follow_up_to_a_blocked_contributor_fails_for_good_and_its_asker_is_told(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    desk = desk_on(database)
    draft_id = await desk.submit(ADA)
    async with UnitOfWork(database) as uow:
        draft = await uow.drafts.get(draft_id)
        assert draft is not None
        contributor = await uow.contributors.by_user_id(ADA.person.user_id)
        assert contributor is not None
        follow_up = await uow.followups.add(
            draft_id,
            contributor.id,
            "Who paid for the swings?",
            asked_by=900,
            asked_by_name="Nia",
            notify_chat_id=STAFF_CHAT,
            now=START,
        )
        await uow.outbox.add_all(
            reply_messages(
                ADA.person.chat_id, [Reply("Who paid for the swings?")], follow_up_id=follow_up.id
            ),
            START,
        )
        await uow.commit()
    fake.blocked_chats.add(ADA.person.chat_id)
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    async with UnitOfWork(database) as uow:
        after = await uow.followups.get(follow_up.id)
    assert after is not None and after.status == "failed"
    [told] = texts_to(fake, STAFF_CHAT)
    assert told.splitlines() == [
        "🚫 I couldn't deliver your question: Ada Lovelace has blocked the bot, so they can't "
        "be reached through it.",
        f"You asked on {draft.reference}: Who paid for the swings?",
    ]


async def test_a_follow_up_counts_as_delivered_only_once_telegram_accepted_it(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    desk = desk_on(database)
    draft_id = await desk.submit(ADA)
    async with UnitOfWork(database) as uow:
        contributor = await uow.contributors.by_user_id(ADA.person.user_id)
        assert contributor is not None
        follow_up = await uow.followups.add(
            draft_id, contributor.id, "When?", asked_by=900, asked_by_name="Nia",
            notify_chat_id=STAFF_CHAT, now=START,
        )  # fmt: skip
        await uow.outbox.add_all(
            reply_messages(ADA.person.chat_id, [Reply("When?")], follow_up_id=follow_up.id), START
        )
        await uow.commit()
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    sender = sender_for(bot, database, clock)
    await sender.send_all_due()
    async with UnitOfWork(database) as uow:
        assert (await uow.followups.get(follow_up.id)).status == "pending"  # type: ignore[union-attr]
    clock.advance(5)
    await sender.send_all_due()
    async with UnitOfWork(database) as uow:
        assert (await uow.followups.get(follow_up.id)).status == "delivered"  # type: ignore[union-attr]


async def test_a_private_chat_gets_its_burst_at_once_then_one_a_second(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, *[f"m{n}" for n in range(5)])
    await owe_texts(database, BEN, "b0")
    limits = SendLimits(per_second=1000, chat_burst=3, chat_per_second=1.0)
    sender = sender_for(bot, database, clock, limits)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0", "m1", "m2"]  # someone answering quickly waits not
    assert texts_to(fake, BEN) == ["b0"]  # another chat is not held back
    clock.advance(0.9)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0", "m1", "m2"]
    clock.advance(0.11)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0", "m1", "m2", "m3"]  # the refill paces the rest
    clock.advance(0.9)
    await sender.send_all_due()
    assert len(texts_to(fake, ANA)) == 4
    clock.advance(0.11)
    await sender.send_all_due()
    assert len(texts_to(fake, ANA)) == 5


async def test_a_faster_chat_rate_lets_a_chat_go_on_at_that_pace(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, *[f"m{n}" for n in range(4)])
    limits = SendLimits(per_second=1000, chat_burst=1, chat_per_second=4.0)
    sender = sender_for(bot, database, clock, limits)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0"]
    clock.advance(0.2)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0"]
    clock.advance(0.06)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["m0", "m1"]


async def test_a_429_holds_the_chat_for_its_retry_after_whatever_the_burst_allows(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, ANA, "a0", "a1", "a2")
    await owe_texts(database, BEN, "b0")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    limits = SendLimits(per_second=1000, chat_burst=10, chat_per_second=10.0)
    sender = sender_for(bot, database, clock, limits)
    await sender.send_all_due()
    sent = texts_to(fake, ANA) + texts_to(fake, BEN)
    assert len(sent) == 1  # the chat refused waits; the other chat got its message
    held = ANA if texts_to(fake, BEN) else BEN
    clock.advance(4.9)
    await sender.send_all_due()
    assert texts_to(fake, held) == []
    clock.advance(0.11)
    await sender.send_all_due()
    assert texts_to(fake, ANA) == ["a0", "a1", "a2"]
    assert texts_to(fake, BEN) == ["b0"]
    assert sender.figures.rate_limited == 1


async def test_a_chats_second_counts_from_telegrams_answer_not_the_claim(
    database: Database, clock: StoppedClock
) -> None:
    """A slow first call and a quick second one must not reach Telegram within a second."""
    await owe_texts(database, ANA, "slow", "next")
    limits = SendLimits(per_second=1000, chat_burst=1)
    [first] = await claim_due(database, "process-1", clock(), limits)
    clock.advance(0.7)  # Telegram answers the first send only now
    await mark_sent(database, first, 1, clock())
    clock.advance(0.5)  # 1.2 s after the claim, 0.5 s after the answer
    assert await claim_due(database, "process-2", clock(), limits) == []
    clock.advance(0.51)
    [second] = await claim_due(database, "process-2", clock(), limits)
    assert second.payload["text"] == "next"


@given(gaps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=30))
def test_a_private_chat_never_gets_more_than_its_bucket_allows(gaps: list[float]) -> None:
    """Whatever the timing of the tries it allows, no window of ``w`` seconds holds more
    than ``burst + w`` of them."""
    limits = SendLimits(chat_burst=5, chat_per_second=1.0)
    now, allowed = START, []
    for gap in gaps:
        now += timedelta(seconds=gap)
        if limits.chat_allows(allowed, now):
            allowed.append(now)
    for i, first in enumerate(allowed):
        for j in range(i, len(allowed)):
            window = (allowed[j] - first).total_seconds()
            assert j - i + 1 <= limits.chat_burst + window * limits.chat_per_second + 1e-6


async def test_a_group_gets_at_most_twenty_messages_a_minute(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    await owe_texts(database, GROUP, *[f"g{n}" for n in range(25)])
    sender = sender_for(bot, database, clock, SendLimits(per_second=1000))
    await sender.send_all_due()
    assert len(texts_to(fake, GROUP)) == 20
    clock.advance(30)
    await sender.send_all_due()
    assert len(texts_to(fake, GROUP)) == 20
    clock.advance(31)
    await sender.send_all_due()
    assert len(texts_to(fake, GROUP)) == 25


async def test_the_bot_wide_rate_counts_every_senders_tries_in_the_database(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    for chat in range(1, 8):
        await owe_texts(database, chat, "hi")
    limits = SendLimits(per_second=3)
    first = await claim_due(database, "process-1", clock(), limits)
    second = await claim_due(database, "process-2", clock(), limits)  # another process
    assert (len(first), len(second)) == (3, 0)
    clock.advance(1.01)
    # Still on the wire (a slow Telegram): they count until a second after their answer.
    assert await claim_due(database, "process-2", clock(), limits) == []
    for message in first:
        await mark_sent(database, message, 1, clock())
    assert await claim_due(database, "process-2", clock(), limits) == []
    clock.advance(1.01)
    third = await claim_due(database, "process-2", clock(), limits)
    assert len(third) == 3


async def test_senders_claiming_at_once_never_take_the_same_message(
    migrated_url: str, clock: StoppedClock
) -> None:
    processes = [Database.from_url(migrated_url) for _ in range(4)]
    try:
        for chat in range(1, 41):
            await owe_texts(processes[0], chat, "hi")
        limits = SendLimits(per_second=25)
        claims = await asyncio.gather(
            *(claim_due(db, f"process-{n}", clock(), limits) for n, db in enumerate(processes))
        )
        ids = [m.id for claim in claims for m in claim]
        assert len(ids) == len(set(ids)) == 25  # none twice, and the bot-wide limit held
    finally:
        for db in processes:
            await db.dispose()


async def test_a_killed_neighbours_claims_are_taken_over_at_start_not_after_the_lease(
    database: Database, clock: StoppedClock
) -> None:
    import os
    import socket

    from bot.sender import _dead_here
    from storage.outbox import release_claims

    await owe_texts(database, ANA, "to the killed one")
    await owe_texts(database, BEN, "to the live one")
    host = socket.gethostname()
    limits = SendLimits(per_second=1000)
    [killed] = await claim_due(database, f"{host}:999999999:1", clock(), limits, at_most=1)
    [alive] = await claim_due(database, f"{host}:{os.getppid()}:1", clock(), limits, at_most=1)
    assert await release_claims(database, _dead_here) == 1
    clock.advance(1.01)  # the chat's window since the killed process's claim
    [again] = await claim_due(database, "restarted", clock(), limits)
    assert again.id == killed.id != alive.id


async def test_sends_finishing_together_are_marked_each_with_its_own_message_id(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    chats = list(range(1, 25))
    for chat in chats:
        await owe_texts(database, chat, f"hello {chat}")
    sender = sender_for(bot, database, clock)
    assert await sender.send_all_due() == len(chats)
    stored = {r.chat_id: r for r in await rows(database)}
    for chat in chats:
        [message] = fake.sent_messages(chat)
        assert (stored[chat].state, stored[chat].message_id) == ("sent", message["message_id"])


async def test_a_crash_before_the_sent_mark_leaves_the_message_owed_not_lost(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock, monkeypatch: Any
) -> None:
    """Telegram accepted the message, the process died before the mark was written: after
    the restart the row is still owed and goes again (the one duplicate a crash allows),
    and what the chat was owed next follows it."""
    import bot.sender as sender_module

    await owe_texts(database, ANA, "your answer is saved", "next question")
    accepted = asyncio.Event()

    async def never_written(*_: Any) -> None:
        accepted.set()
        await asyncio.Event().wait()  # the process dies while the mark is being written

    with monkeypatch.context() as patched:
        patched.setattr(sender_module, "mark_sent_many", never_written)
        crashed = sender_for(bot, database, clock)
        stop = asyncio.Event()
        running = asyncio.create_task(crashed.run(stop))
        await asyncio.wait_for(accepted.wait(), 5)
        running.cancel()
        for task in [*crashed._in_flight, crashed._marking]:
            if task is not None:
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert texts_to(fake, ANA) == ["your answer is saved"]
    [first, second] = await rows(database)
    assert (first.state, second.state) == ("pending", "pending")
    clock.advance(31)  # restarted later than the claim's lease, on either database
    restarted = sender_for(bot, database, clock)
    stop = asyncio.Event()
    running = asyncio.create_task(restarted.run(stop))
    await fake.wait_until(lambda: len(texts_to(fake, ANA)) == 3, timeout=5)
    stop.set()
    restarted.wake()
    await asyncio.wait_for(running, 5)
    assert texts_to(fake, ANA) == ["your answer is saved", "your answer is saved", "next question"]
    assert {r.state for r in await rows(database)} == {"sent"}


async def test_an_edit_reaches_the_message_its_row_points_to_and_a_repeat_is_no_failure(
    database: Database, bot: Bot, fake: FakeBotApi, clock: StoppedClock
) -> None:
    from storage.outbox import OutboxMessage

    buttons = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    async with UnitOfWork(database) as uow:
        [asked] = await uow.outbox.add_all(
            [OutboxMessage(ANA, "sendMessage", {"text": "Ready?", "reply_markup": buttons})],
            START,
        )
        edit = {"text": "<b>Ready</b>: yes", "parse_mode": "HTML"}
        await uow.outbox.add_all(
            [
                OutboxMessage(ANA, "editMessageText", edit, edits_id=asked),
                OutboxMessage(ANA, "editMessageText", edit, edits_id=asked),  # the same again
            ],
            START,
        )
        await uow.commit()
    sender = sender_for(bot, database, clock, SendLimits(per_second=1000))
    await sender.send_all_due()
    [sent] = [m for m in fake.sent_messages(ANA) if "edit_date" not in m]
    current = fake.messages[(ANA, sent["message_id"])]
    assert current["text"] == "Ready: yes"  # the HTML was read as such
    assert "reply_markup" not in current  # the buttons went with the edit
    assert [r.state for r in await rows(database)] == ["sent", "sent", "sent"]
    assert sender.figures.failed == 0
