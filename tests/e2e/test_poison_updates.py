"""No update can wedge the bot: malformed, hostile and odd updates arrive between two
contributors' answers, in polling and in webhook mode, and both contributors still finish.

Each odd update is parked (stored with its error and raw JSON, acknowledged) or answered;
webhook bodies that are not updates at all get a 400; the bot never stops.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from storage.database import Database
from storage.intake import parked_updates
from storage.models import ProcessedUpdate
from tests.e2e.conftest import (
    WEBHOOK_SECRET,
    RunningBot,
    answered_callbacks,
    says,
    sends,
    taps,
    texts,
    webhook_address,
)
from tests.e2e.fake_bot_api import JSON, FakeBotApi, FakeUser

Action = Callable[[FakeUser, JSON], object]

# The whole default interview, as (what the contributor does, how many messages come back).
INTERVIEW: list[tuple[Action, int]] = [
    (taps("Yes"), 1),
    (says("A community garden run by residents and the council together in Leeds"), 1),
    (says("Bramley Community Garden"), 1),
    (says("Leeds, since spring 2023"), 1),
    (taps("Up and running"), 1),
    (taps("Skip"), 1),
    (says("tenants"), 1),
    (says("and two housing officers"), 1),
    (sends("skip"), 1),
    (taps("Designing it"), 1),
    (taps("Running it"), 1),
    (taps("Done"), 1),
    (says("We chose the opening hours together at a residents meeting"), 1),
    *[(taps("Skip"), 1) for _ in range(11, 20)],
    (taps("No"), 1),
    (taps("Keep it anonymous"), 1),
    (taps("✅ Send it"), 2),
]

_ids = itertools.count(1)


def poison_updates(fake: FakeBotApi) -> list[tuple[str, JSON]]:
    """(what it is, the update) for each kind of odd update Telegram, or a stranger, may send.

    Each comes from a person of its own, so none of them is an answer in the two
    interviews under test.
    """
    now = int(time.time())

    def person(first_name: str) -> FakeUser:
        return fake.user(7000 + next(_ids), first_name)

    def message(user: FakeUser, **content: Any) -> JSON:
        return {
            "message_id": fake.next_message_id(),
            "from": dict(user.from_user),
            "chat": dict(user.chat),
            "date": now,
            **content,
        }

    names = ["Cleo", "Dan", "Finn", "Gus", "Hal", "Ivy", "Jo"]
    cleo, dan, finn, gus, hal, ivy, jo = (person(name) for name in names)
    surrogate = fake.user(7999, "Eve\ud83d")  # a name cut in the middle of an emoji
    bot_message = {
        "message_id": fake.next_message_id(),
        "from": {"id": 123456, "is_bot": True, "first_name": "copro"},
        "chat": dict(finn.chat),
        "date": now,
        "text": "Question 1 of 19",
    }
    channel = {"id": -1009999, "type": "channel", "title": "News"}
    fake.register_chat(channel)
    no_date = message(dan, text="hello")
    del no_date["date"]
    no_from = message(gus, text="hello")
    del no_from["from"]
    return [
        (
            "unknown fields",
            {
                "message": {**message(cleo, text="hello"), "brand_new_field": {"x": [1, 2]}},
                "future_kind_of_update": {"id": 1},
            },
        ),
        ("missing from", {"message": no_from}),
        ("missing date", {"message": no_date}),
        ("a poll without its id", {"poll": {"question": "Which?", "options": []}}),
        (
            "a callback without id",
            {
                "callback_query": {
                    "from": dict(finn.from_user),
                    "chat_instance": "ci",
                    "data": "c|consent|yes",
                    "message": bot_message,
                }
            },
        ),
        ("a chat without type", {"message": message(hal, text="hi") | {"chat": {"id": 4242}}}),
        ("100,000 characters", {"message": message(ivy, text="word " * 20_000)}),
        ("a lone surrogate in a name", {"message": message(surrogate, text="hi")}),
        (
            "forged staff button",
            {
                "callback_query": {
                    "id": "forged-1",
                    "from": dict(finn.from_user),
                    "chat_instance": "ci",
                    "data": "st|open|1",
                    "message": bot_message,
                }
            },
        ),
        (
            "oversized callback data",
            {
                "callback_query": {
                    "id": "forged-2",
                    "from": dict(finn.from_user),
                    "chat_instance": "ci",
                    "data": "c|" + "x" * 5000,
                    "message": bot_message,
                }
            },
        ),
        (
            "a button with no message",
            {
                "callback_query": {
                    "id": "forged-3",
                    "from": dict(jo.from_user),
                    "chat_instance": "ci",
                    "data": "c|consent|yes",
                }
            },
        ),
        (
            "an edit of an unknown message",
            {"edited_message": message(jo, text="changed", message_id=987654, edit_date=now)},
        ),
        ("a channel post", {"channel_post": {"message_id": 5, "chat": channel, "date": now}}),
    ]


UNPARSEABLE = {"missing date", "a poll without its id", "a callback without id"}
UNPARSEABLE |= {"a chat without type"}


async def finish_two_interviews(
    fake: FakeBotApi,
    act: Callable[[FakeUser, Action], Awaitable[None]],
    poison: Callable[[str, JSON], Awaitable[None]],
) -> tuple[list[JSON], list[JSON]]:
    """Ana and Bob answer the whole interview turn by turn, an odd update after each of
    their turns (there are fewer odd updates than questions); their last messages."""
    assert len(poison_updates(fake)) < len(INTERVIEW)
    ana, bob = fake.user(5001, "Ana"), fake.user(5002, "Bob")
    odd = poison_updates(fake)
    start: Action = sends("start")
    await act(ana, start)
    await act(bob, start)
    last = {ana.user_id: (await ana.replies(2))[-1], bob.user_id: (await bob.replies(2))[-1]}
    final: dict[int, list[JSON]] = {}
    for number, (action, count) in enumerate(INTERVIEW):
        for user in (ana, bob):
            await act(user, lambda u, _m, a=action: a(u, last[u.user_id]))
            replies = await user.replies(count, timeout=15)
            last[user.user_id] = replies[-1]
            final[user.user_id] = replies
        if number < len(odd):
            await poison(*odd[number])
    return final[ana.user_id], final[bob.user_id]


async def stored_fates(database_url: str) -> tuple[dict[int, str], set[int]]:
    """Processed update ids with their outcome, and the ids of parked updates."""
    database = Database.from_url(database_url)
    try:
        async with database.sessions() as session:
            rows = (await session.execute(select(ProcessedUpdate))).scalars().all()
            processed = {row.update_id: row.outcome or "" for row in rows}
        parked = {p.update_id for p in await parked_updates(database) if p.update_id is not None}
    finally:
        await database.dispose()
    return processed, parked


def assert_finished(ana_last: list[JSON], bob_last: list[JSON]) -> None:
    for last in (ana_last, bob_last):
        thanks, reference = texts(last)
        assert thanks.startswith("Thank you so much!")
        assert reference.startswith("Your reference number is CP-")


@pytest.mark.bot_errors_expected
async def test_poison_updates_in_polling_never_stop_other_chats(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    queued: dict[str, int] = {}

    async def act(user: FakeUser, action: Action) -> None:
        action(user, {})

    async def poison(name: str, update: JSON) -> None:
        queued[name] = fake.queue_update(update)

    ana_last, bob_last = await finish_two_interviews(fake, act, poison)
    await fake.wait_idle()
    assert bot.running  # polling never stopped
    await bot.stop()  # acknowledges what was processed, as a SIGTERM would

    assert_finished(ana_last, bob_last)
    assert fake.pending_updates == []
    processed, parked = await stored_fates(bot.settings.database_url)
    assert {n for n, i in queued.items() if i in parked} == UNPARSEABLE, queued
    assert all(i in processed or i in parked for i in queued.values())
    answered = {c.params.get("callback_query_id") for c in answered_callbacks(fake)}
    assert {"forged-1", "forged-2", "forged-3"} <= answered
    surrogate_replies = texts(fake.sent_messages(7999))
    assert surrogate_replies[0].startswith("Tell us about a project")


@pytest.mark.bot_errors_expected
async def test_poison_updates_and_odd_bodies_on_the_webhook_never_stop_other_chats(
    fake: FakeBotApi, webhook_bot: RunningBot
) -> None:
    address = webhook_address(webhook_bot.settings)
    statuses: dict[int, int] = {}

    async def act(user: FakeUser, action: Action) -> None:
        with fake.capture_updates() as updates:
            action(user, {})
        for update in updates:
            assert await fake.post_webhook(address, update, secret=WEBHOOK_SECRET) == 200

    async def poison(name: str, update: JSON) -> None:
        update = {"update_id": fake.next_id() + 10_000, **update}
        statuses[update["update_id"]] = await fake.post_webhook(
            address, update, secret=WEBHOOK_SECRET
        )

    async def post_raw(body: bytes) -> tuple[int, str]:
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        async with (
            aiohttp.ClientSession() as session,
            session.post(address, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    odd_bodies = [
        b"null",
        b"[1, 2]",
        b"42",
        b'"hello"',
        b'{"update_id": "987654321", "message": {"text": "x"}}',
        b'{"message": "hello"}',
        b'{"update_id": 987654322}',
        b"{not json",
    ]
    refused = [await post_raw(body) for body in odd_bodies]
    ana_last, bob_last = await finish_two_interviews(fake, act, poison)
    refused += [await post_raw(body) for body in odd_bodies]

    assert_finished(ana_last, bob_last)
    assert [status for status, _ in refused] == [400] * 2 * len(odd_bodies)
    assert all(reason.startswith(("not an update", "not JSON")) for _, reason in refused)
    assert set(statuses.values()) == {200}
    assert webhook_bot.running
    processed, parked = await stored_fates(webhook_bot.settings.database_url)
    assert len(parked) == len(UNPARSEABLE)
    assert all(i in processed or i in parked for i in statuses)
    # Neither a string id nor a body with no kind of update is ever stored.
    assert {987654321, 987654322}.isdisjoint(processed)
