"""Reminders and retention, end to end: the real bot on the fake Bot API with a fake clock.

A contributor who leaves an interview unfinished gets a friendly nudge after a day and a
last one after three, never at night in the organisation's time zone; they can turn them
off; reminders live in the database, so a restart neither loses nor repeats them; and an
interview left unfinished for RETENTION_DAYS loses its answers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import Settings, load_settings
from conversations.reminders import TURNED_OFF, TURNED_ON
from storage.database import Database
from tests.e2e.conftest import (
    RunningBot,
    assert_bot_behaved,
    bot_environment,
    buttons,
    converse,
    says,
    sends,
    stored_interviews,
    taps,
)
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser
from tests.e2e.fake_clock import FakeClock
from tests.storage.seed_examples import CAT, SettableClock, service_on, submit

# Monday 2 March 2026, 10:00 in Berlin
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock(fake: FakeBotApi) -> FakeClock:
    return FakeClock(START, fake)


@pytest.fixture
def berlin_settings(fake: FakeBotApi, bot_database_url: str) -> Settings:
    return load_settings(bot_environment(fake, bot_database_url, TIMEZONE="Europe/Berlin"))


@pytest.fixture
async def clocked_bot(
    fake: FakeBotApi,
    berlin_settings: Settings,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The bot polling the fake Bot API, its scheduler on the test's clock."""
    caplog.set_level(logging.WARNING)
    running = RunningBot(fake, berlin_settings, clock=clock)
    await running.start()
    await clock.settle()  # the tick at start has run
    try:
        yield running
    finally:
        await running.stop()
    assert_bot_behaved(fake, caplog)


async def leave_unfinished(user: FakeUser) -> None:
    """Start the short script, answer two questions, and go quiet."""
    user.send_command("start", "spotted")
    _, first = await user.replies(2)
    asked = await converse(user, first, [(taps("Yes"), "Question 2 of about 8")])
    await converse(
        user, asked, [(says("Parents and the school redesigned the playground"), "Question 3")]
    )


async def nothing_new(fake: FakeBotApi, user: FakeUser) -> bool:
    """Whether the bot has sent ``user`` nothing they have not read yet."""
    await fake.wait_idle(quiet=0.05)
    unread = user.bot_messages()[user._seen :]
    return unread == []


async def test_a_nudge_after_a_day_and_a_last_one_after_three_days_then_silence(
    fake: FakeBotApi, clocked_bot: RunningBot, clock: FakeClock
) -> None:
    ana = fake.user(4001, "Ana")
    await leave_unfinished(ana)

    await clock.advance(DAY - timedelta(minutes=1))
    assert await nothing_new(fake, ana)

    await clock.advance(timedelta(minutes=1))  # Tuesday 10:00
    nudge = await ana.reply()
    assert nudge["text"] == (
        "Hi Ana! You started telling us about a co-production project yesterday. Your 2 "
        "answers so far are saved: just reply here whenever you're ready to carry on."
    )
    assert buttons(nudge) == ["Stop reminders"]

    await clock.advance(DAY)
    assert await nothing_new(fake, ana)

    await clock.advance(DAY)  # Thursday 10:00: 72 hours after Ana's last answer
    last = await ana.reply()
    assert last["text"].startswith(
        "Hi Ana! This is my last reminder: your story from Monday is still waiting. "
        "Your 2 answers so far are saved; reply here any time before 31 May to finish it."
    )

    for _ in range(3):
        await clock.advance(7 * DAY)
    assert await nothing_new(fake, ana)


async def test_nobody_is_nudged_at_night(
    fake: FakeBotApi, clocked_bot: RunningBot, clock: FakeClock
) -> None:
    await clock.advance(timedelta(hours=12, minutes=30))  # Monday 22:30 in Berlin
    ben = fake.user(4002, "Ben")
    await leave_unfinished(ben)

    await clock.advance(DAY)  # Tuesday 22:30: due, but it is night
    assert await nothing_new(fake, ben)
    for _ in range(10):  # through the night, an hour at a time, until 08:30
        await clock.advance(timedelta(hours=1))
    assert await nothing_new(fake, ben)

    await clock.advance(timedelta(minutes=30))  # Wednesday 09:00
    nudge = await ben.reply()
    assert nudge["text"].startswith("Hi Ben! You started telling us about")


async def test_the_contributor_can_stop_reminders_and_have_them_back(
    fake: FakeBotApi, clocked_bot: RunningBot, clock: FakeClock
) -> None:
    cy = fake.user(4003, "Cy")
    await leave_unfinished(cy)
    await clock.advance(DAY)
    nudge = await cy.reply()

    off = await converse(cy, nudge, [(taps("Stop reminders"), TURNED_OFF)])
    assert buttons(fake.bot_message(cy.chat_id, nudge["message_id"]) or {}) == []
    # the interview is where it was: the button was not taken as an answer
    cy.send_command("status")
    assert "question 3 of about 8" in (await cy.reply())["text"].lower()

    await clock.advance(3 * DAY)
    assert await nothing_new(fake, cy)
    await converse(
        cy,
        off,
        [
            (sends("reminders"), "Reminders are off. Send /reminders off"),
            (sends("reminders", "on"), TURNED_ON),
        ],
    )
    await clock.advance(timedelta(minutes=1))
    last = await cy.reply()
    assert last["text"].startswith("Hi Cy! This is my last reminder")


async def test_reminders_off_by_command_before_any_nudge(
    fake: FakeBotApi, clocked_bot: RunningBot, clock: FakeClock
) -> None:
    dee = fake.user(4004, "Dee")
    await leave_unfinished(dee)
    dee.send_command("reminders", "off")
    assert (await dee.reply())["text"] == TURNED_OFF
    await clock.advance(5 * DAY)
    assert await nothing_new(fake, dee)


async def test_reminders_survive_a_restart_and_are_not_repeated_by_one(
    fake: FakeBotApi, clocked_bot: RunningBot, clock: FakeClock
) -> None:
    eve = fake.user(4005, "Eve")
    await leave_unfinished(eve)

    await clocked_bot.stop()
    await clock.advance(DAY + timedelta(hours=2), sleepers=0)  # the bot was down meanwhile
    await clocked_bot.start()
    await clock.settle()
    nudge = await eve.reply()
    assert nudge["text"].startswith("Hi Eve! You started telling us about")

    await clocked_bot.restart()
    await clock.settle()
    await clock.advance(timedelta(minutes=5))
    assert await nothing_new(fake, eve)


async def test_unfinished_answers_are_purged_after_the_retention_period(
    fake: FakeBotApi,
    clocked_bot: RunningBot,
    clock: FakeClock,
    berlin_settings: Settings,
) -> None:
    database = Database.from_url(berlin_settings.database_url)
    try:
        await submit(service_on(database, SettableClock(START)), CAT)
        finished = service_on(database, SettableClock())
        fay = fake.user(4006, "Fay")
        await leave_unfinished(fay)
        [interview] = await stored_interviews(finished, fay)
        assert len(interview["answers"]) == 2

        await clock.advance(89 * DAY)
        [interview] = await stored_interviews(finished, fay)
        assert len(interview["answers"]) == 2  # a day short of the retention period: kept

        await clock.advance(DAY + timedelta(hours=1))
        [interview] = await stored_interviews(finished, fay)
        assert (interview["status"], interview["state"], interview["answers"]) == (
            "abandoned",
            None,
            [],
        )
        submitted = await finished.export_person_data(CAT.person.user_id)
        [story] = submitted["interviews"]
        assert story["status"] == "submitted" and story["answers"]
    finally:
        await database.dispose()

    # nothing is left to come back to: writing again begins a new interview (once the
    # reminders owed meanwhile arrived, one a second)
    await fake.wait_idle(quiet=1.5, timeout=15)
    fay.skip_replies()
    fay.send_text("hello again")
    welcome, first = await fay.replies(2)
    assert welcome["text"].startswith("Tell us about a project")
    assert first["text"].startswith("Question 1 of")
