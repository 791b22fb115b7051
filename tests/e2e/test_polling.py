"""Polling lets no chat wait for another: while one contributor's update is slow, the others
are answered, and nothing is acknowledged to Telegram before it is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from bot.intake import BatchFacts, Incoming, Intake
from conversations.model import Event, Person
from storage.service import Handled, InterviewService
from tests.e2e.conftest import RunningBot, stored_answers
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser

SLOW_USER = 7001


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Hold the slow contributor's text answers inside their handler until set."""
    release = asyncio.Event()
    original = InterviewService.handle

    async def handle(self: InterviewService, person: Person, event: Event, **kw: Any) -> Handled:
        if person.user_id == SLOW_USER and getattr(event, "text", None):
            await release.wait()
        return await original(self, person, event, **kw)

    monkeypatch.setattr(InterviewService, "handle", handle)
    return release


async def begin(user: FakeUser) -> None:
    """/start a tip-off and say yes to the consent question."""
    user.send_command("start", "spotted")
    _, consent = await user.replies(2)
    user.press_button(consent, "Yes")
    [asked] = await user.replies(1)
    assert asked["text"].startswith("Question 2 of about 8")


async def test_a_slow_chat_holds_up_no_other_chat(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService, held: asyncio.Event
) -> None:
    slow = fake.user(SLOW_USER, "Sol")
    quick = fake.user(7002, "Quinn")
    await begin(slow)
    slow.send_text("Tenants and the council share the repairs budget")
    await asyncio.sleep(0.3)  # the slow answer is in its handler, holding
    await begin(quick)  # three updates after Sol's, each answered while Sol's runs
    quick.send_text("Young people decide the youth budget")
    [asked] = await quick.replies(1, timeout=5)
    assert asked["text"].startswith("Question 3 of about 8")
    # Nothing from Sol's update on is acknowledged: Telegram would send it all again.
    assert len(fake.pending_updates) == 4
    assert (await stored_answers(service, slow)).get("project") is None
    held.set()
    [asked] = await slow.replies(1, timeout=5)
    assert asked["text"].startswith("Question 3 of about 8")
    await fake.wait_idle()
    assert fake.pending_updates == []
    assert (await stored_answers(service, slow))["project"]["revision"] == 1
    assert (await stored_answers(service, quick))["project"]["revision"] == 1


async def test_a_chat_s_next_update_waits_for_its_last_and_keeps_its_order(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService, held: asyncio.Event
) -> None:
    slow = fake.user(SLOW_USER, "Sol")
    await begin(slow)
    slow.send_text("Allotment holders run the site with the council")
    await asyncio.sleep(0.3)
    slow.send_command("skip")  # the project's name
    slow.send_text("Leeds, this summer")
    await asyncio.sleep(0.3)
    assert (await stored_answers(service, slow)).get("project") is None
    held.set()
    first, second, third = await slow.replies(3, timeout=5)
    assert first["text"].startswith("Question 3 of about 8")
    assert second["text"].startswith("Question 4 of about 8")
    assert third["text"].startswith("Question 5 of about 8")
    answers = await stored_answers(service, slow)
    assert answers["project"]["text"] == "Allotment holders run the site with the council"
    assert answers["place_when"]["text"] == "Leeds, this summer"
    await fake.wait_idle()
    assert fake.pending_updates == []


async def test_an_update_running_at_a_stop_is_finished_then_acknowledged(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService, held: asyncio.Event
) -> None:
    slow = fake.user(SLOW_USER, "Sol")
    await begin(slow)
    slow.send_text("Parents and the school redesign the playground")
    await asyncio.sleep(0.3)
    stopping = asyncio.create_task(bot.stop())
    await asyncio.sleep(0.2)
    assert not stopping.done()  # the answer in hand is finished first
    held.set()
    await stopping
    answers = await stored_answers(service, slow)
    assert answers["project"]["text"] == "Parents and the school redesign the playground"
    assert fake.pending_updates == []


async def test_an_update_finished_while_the_next_poll_is_on_its_way_is_taken_in_once(
    fake: FakeBotApi,
    bot: RunningBot,
    service: InterviewService,
    held: asyncio.Event,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With every call slow, updates finish while the next getUpdates is on its way and come
    # back in its answer: they are known as finished, never taken in again, and the offset
    # moves past them while another chat is still busy.
    taken_in: list[int] = []
    original = Intake.look_up

    async def look_up(self: Intake, updates: Sequence[tuple[Incoming, str]]) -> BatchFacts:
        taken_in.extend(u.update_id for u, _ in updates)
        return await original(self, updates)

    monkeypatch.setattr(Intake, "look_up", look_up)
    users = [fake.user(7100 + n, f"User {n}") for n in range(4)]
    for user in users:
        await begin(user)
    slow = fake.user(SLOW_USER, "Sol")
    await begin(slow)
    fake.latency = 0.05
    for user in users:
        user.send_text("Residents and the council plan the park together")
    await asyncio.sleep(0.02)
    slow.send_text("Tenants and the council share the repairs budget")  # held: always busy
    for user in users:
        [asked] = await user.replies(1, timeout=10)
        assert asked["text"].startswith("Question 3 of about 8")
    await asyncio.sleep(1)
    answered = [u["update_id"] for u in fake.pending_updates]
    held.set()
    await slow.replies(1, timeout=10)
    await fake.wait_idle()
    assert len(answered) == 1  # only Sol's, still running, was not acknowledged
    assert len(taken_in) == len(set(taken_in))
    assert fake.pending_updates == []


async def test_a_busy_chat_s_updates_sent_again_are_applied_once_and_polling_moves_on(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService, held: asyncio.Event
) -> None:
    # Telegram may hand an update out again (an acknowledgement lost on the way). Copies of a
    # busy chat's updates, the one running and the one waiting its turn, are known and
    # skipped; both originals are answered once, and nothing is left unacknowledged.
    slow = fake.user(SLOW_USER, "Sol")
    await begin(slow)
    slow.send_text("Allotment holders run the site with the council")
    await asyncio.sleep(0.3)
    slow.send_command("skip")  # the project's name
    slow.send_text("Leeds, this summer")
    await asyncio.sleep(0.3)
    fake.redeliver(fake.pending_updates)
    await asyncio.sleep(0.3)
    sent_before = len(fake.sent_messages(SLOW_USER))
    held.set()
    first, second, third = await slow.replies(3, timeout=5)
    assert first["text"].startswith("Question 3 of about 8")
    assert second["text"].startswith("Question 4 of about 8")
    assert third["text"].startswith("Question 5 of about 8")
    await fake.wait_idle()
    assert len(fake.sent_messages(SLOW_USER)) == sent_before + 3
    assert fake.pending_updates == []
    answers = await stored_answers(service, slow)
    assert answers["project"]["revision"] == 1
    assert answers["place_when"]["revision"] == 1
    quick = fake.user(7002, "Quinn")
    await begin(quick)  # polling goes on after the copies
