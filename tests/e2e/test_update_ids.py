"""Update ids are not trusted as unique for ever: when Telegram restarts its id sequence (after
a week without updates, or the database now serves another bot), new contributors are served,
while a real redelivery is still applied once."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import ExtBot

from bot.scheduler import Scheduler
from bot.settings import Settings
from storage.database import Database
from storage.migrate import upgrade
from storage.service import InterviewService
from storage.uow import UnitOfWork
from storage.updates import DEDUPE_WINDOW
from tests.e2e.conftest import RunningBot, stored_answers, stored_interviews, texts
from tests.e2e.fake_bot_api import JSON, FakeBotApi, FakeUser
from tests.e2e.staff_support import BotClock


def reused_id(user: FakeUser, update_id: int, act: str = "start") -> JSON:
    """The user's next action as an update that carries ``update_id``."""
    with user.api.capture_updates() as captured:
        if act == "start":
            user.send_command("start")
        else:
            user.send_text(act)
    [update] = captured
    return {**update, "update_id": update_id}


async def test_a_restarted_update_id_sequence_serves_new_contributors(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    earlier = [fake.user(6000 + n, f"Early {n}") for n in range(5)]
    for user in earlier:
        user.send_command("start")
        await user.replies(2)
    await bot.stop()  # ids 1..5 are stored as processed

    # A new sequence: the ids start again from 1 (the fake only ever counts up, so the
    # ids are set by hand; the bot restarts, as it would after a long quiet spell).
    await bot.start()
    newcomers = [fake.user(6100 + n, f"New {n}") for n in range(5)]
    for number, user in enumerate(newcomers, start=1):
        fake.queue_update(reused_id(user, number))
    replies = [texts(await user.replies(2, timeout=10)) for user in newcomers]
    # One of the earlier contributors answers with a reused id too: stored, and asked on.
    fake.queue_update(reused_id(earlier[0], 6, act="yes"))
    [asked_on] = await earlier[0].replies(1, timeout=10)

    assert all(r[0].startswith("Tell us about a project") for r in replies)
    assert asked_on["text"].startswith("Question 2 of about 24")
    assert (await stored_answers(service, earlier[0]))["consent"]["value"]["choices"] == ["yes"]
    for user in newcomers:
        assert len(await stored_interviews(service, user)) == 1


async def test_a_redelivered_update_is_still_applied_once(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ana = fake.user(6200, "Ana")
    with fake.capture_updates() as captured:
        ana.send_text("hello")
    [update] = captured
    fake.queue_update(update)
    await ana.replies(2)
    await bot.stop()

    fake.queue_update(update)  # the same update again, as Telegram redelivers it
    await bot.start()
    await fake.wait_idle(quiet=0.3)

    assert fake.pending_updates == []  # it was delivered, and acknowledged
    assert len(ana.bot_messages()) == 2  # the welcome and the first question, once
    assert len(await stored_interviews(service, ana)) == 1


async def test_the_hourly_purge_forgets_update_ids_past_the_window(settings: Settings) -> None:
    await upgrade(settings.database_url)
    database = Database.from_url(settings.database_url)
    clock = BotClock()
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(1, clock.now() - DEDUPE_WINDOW - timedelta(hours=1), "old")
        await uow.updates.claim(2, clock.now() - timedelta(days=1), "recent")
        await uow.commit()
    bot = ExtBot(settings.telegram_bot_token or "", base_url=settings.bot_api_url)
    try:
        await Scheduler(bot, database, settings, clock).purge()
        async with UnitOfWork(database) as uow:
            kept = [await uow.updates.seen(1), await uow.updates.seen(2)]
    finally:
        await database.dispose()

    assert kept == [False, True]
