"""Staff digests, end to end: the real bot (and the real ``copro-bot digest`` command) on the
fake Bot API, with a fake clock for the schedule.

The staff chat gets the digest at DIGEST_SCHEDULE in TIMEZONE with a button per new draft
and the new drafts in full as a file; a period is sent once however many processes tick,
one missed while the bot was down goes out when it starts, and ``--preview`` sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import ExtBot

from bot.scheduler import Scheduler
from bot.settings import Settings, load_settings
from conversations.schedule import DigestSchedule
from storage.database import Database
from storage.digests import SqlDigests
from storage.migrate import upgrade
from tests.e2e.conftest import (
    STAFF_CHAT_ID,
    RunningBot,
    assert_bot_behaved,
    bot_environment,
    buttons,
    callback_data,
)
from tests.e2e.fake_bot_api import FakeBotApi, RecordedCall
from tests.e2e.fake_clock import FakeClock
from tests.e2e.test_cli_run import clean_environment, command
from tests.storage.seed_examples import (
    BOB,
    CAT,
    EVE,
    Contributor,
    SettableClock,
    service_on,
    submit,
)

JSON = dict[str, object]
# Monday 2 March 2026, 08:30 in Berlin
START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def berlin(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def clock(fake: FakeBotApi) -> FakeClock:
    return FakeClock(START, fake)


@pytest.fixture
def digest_settings(fake: FakeBotApi, bot_database_url: str) -> Settings:
    environment = bot_environment(
        fake, bot_database_url, TIMEZONE="Europe/Berlin", DIGEST_SCHEDULE="daily 09:00"
    )
    return load_settings(environment)


@pytest.fixture
async def staff_bot(
    fake: FakeBotApi,
    digest_settings: Settings,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The bot, not yet started (tests seed the database first); checked afterwards."""
    caplog.set_level(logging.WARNING)
    await upgrade(digest_settings.database_url)
    running = RunningBot(fake, digest_settings, clock=clock)
    try:
        yield running
    finally:
        await running.stop()
    assert_bot_behaved(fake, caplog)


async def start(bot: RunningBot, clock: FakeClock) -> None:
    await bot.start()
    await clock.settle()


async def story(settings: Settings, contributor: Contributor, when: datetime) -> str:
    """``contributor`` sends a story at ``when``; its reference."""
    database = Database.from_url(settings.database_url)
    try:
        return await submit(service_on(database, SettableClock(when)), contributor)
    finally:
        await database.dispose()


def digests(fake: FakeBotApi) -> list[JSON]:
    return [
        m
        for m in fake.sent_messages(STAFF_CHAT_ID)
        if str(m.get("text", "")).startswith("Digest:") and "edit_date" not in m
    ]


def documents(fake: FakeBotApi) -> list[RecordedCall]:
    return [c for c in fake.calls_to("sendDocument") if int(c.params["chat_id"]) == STAFF_CHAT_ID]


async def test_the_staff_chat_gets_the_digest_at_the_scheduled_time(
    fake: FakeBotApi, staff_bot: RunningBot, clock: FakeClock, digest_settings: Settings
) -> None:
    cat = await story(digest_settings, CAT, berlin("2026-03-01T12:00"))  # Sunday
    eve = await story(digest_settings, EVE, berlin("2026-03-01T18:00"))
    await start(staff_bot, clock)
    # The first start sends the digest that was last due (Sunday 09:00): none were new then.
    [first] = digests(fake)
    assert first["text"].startswith("Digest: no new drafts\nSat 28 Feb 09:00 – Sun 1 Mar 09:00")

    await clock.advance(29 * timedelta(minutes=1))  # 08:59
    assert len(digests(fake)) == 1
    await clock.advance(timedelta(minutes=1))  # 09:00
    [_, digest] = digests(fake)
    text = str(digest["text"])
    assert text.startswith(
        "Digest: 2 new drafts\nSun 1 Mar 09:00 – Mon 2 Mar 09:00 (Europe/Berlin)\n\nNew drafts\n"
    )
    assert re.search(rf"^1\. {cat} .+ — .+playground", text, re.MULTILINE)
    assert re.search(rf"^2\. {eve} ", text, re.MULTILINE)
    assert "All drafts by status\nnew 2, in review 0" in text
    assert "Interviews in progress: 0" in text
    assert buttons(digest) == [f"Open {cat}", f"Open {eve}"]
    assert all(re.fullmatch(r"st\|o\|\d+", data) for data in callback_data(digest))

    # The file follows the message through the outbox: on a busy machine, moments later.
    await fake.wait_for(
        lambda c: c.method == "sendDocument" and int(c.params["chat_id"]) == STAFF_CHAT_ID, 15
    )
    [document] = documents(fake)
    [upload] = document.files.values()
    assert upload.file_name == "digest-2026-03-02-0900.md"
    body = upload.content.decode("utf-8")
    assert f"Reference: {cat}" in body and f"Reference: {eve}" in body
    assert "playground" in body.lower() and "mural" in body.lower()
    assert document.params["caption"] == "The 2 new drafts in full (Markdown)."

    await clock.advance(DAY - HOUR)  # Tuesday 08:00: nothing more yet
    assert len(digests(fake)) == 2


async def test_a_digest_missed_while_the_bot_was_down_is_sent_once_on_start(
    fake: FakeBotApi, staff_bot: RunningBot, clock: FakeClock, digest_settings: Settings
) -> None:
    await clock.advance(HOUR, sleepers=0)  # Monday 09:30
    await start(staff_bot, clock)
    assert len(digests(fake)) == 1  # Monday's, due half an hour ago

    await staff_bot.stop()
    # down from Monday 09:30 to Wednesday 11:00; a story arrives meanwhile
    bob = await story(digest_settings, BOB, berlin("2026-03-03T12:00"))
    await clock.advance_to(berlin("2026-03-04T11:00"), sleepers=0)
    await start(staff_bot, clock)
    [_, missed] = digests(fake)
    assert str(missed["text"]).startswith(
        "Digest: 1 new draft\nMon 2 Mar 09:00 – Wed 4 Mar 09:00 (Europe/Berlin)"
    )
    assert f"1. {bob} " in str(missed["text"])

    await staff_bot.restart()
    await clock.settle()
    await clock.advance(timedelta(minutes=3))
    assert len(digests(fake)) == 2  # restarts never send a period twice
    assert len(documents(fake)) == 1


async def test_two_processes_ticking_together_send_one_digest(
    fake: FakeBotApi, digest_settings: Settings, clock: FakeClock
) -> None:
    await upgrade(digest_settings.database_url)
    cat = await story(digest_settings, CAT, berlin("2026-03-01T12:00"))
    await clock.advance(HOUR, sleepers=0)  # Monday 09:30
    processes = []
    for _ in range(2):
        database = Database.from_url(digest_settings.database_url)
        bot = ExtBot(
            digest_settings.telegram_bot_token or "",
            base_url=digest_settings.bot_api_url,
            base_file_url=digest_settings.bot_file_url,
        )
        await bot.initialize()
        processes.append((database, bot, Scheduler(bot, database, digest_settings, clock)))
    try:
        await asyncio.gather(*(scheduler.tick() for _, _, scheduler in processes))
        await asyncio.gather(*(scheduler.tick() for _, _, scheduler in processes))
        # Each process's sender delivers what is owed; the digest was owed once.
        await asyncio.gather(*(scheduler.sender.send_all_due() for _, _, scheduler in processes))
    finally:
        for database, bot, _ in processes:
            await bot.shutdown()
            await database.dispose()
    [digest] = digests(fake)
    assert f"1. {cat} " in str(digest["text"])
    assert len(documents(fake)) == 1


async def test_a_digest_the_staff_chat_fails_to_take_is_sent_again_by_the_outbox(
    fake: FakeBotApi, digest_settings: Settings, clock: FakeClock
) -> None:
    await upgrade(digest_settings.database_url)
    await clock.advance(HOUR, sleepers=0)
    database = Database.from_url(digest_settings.database_url)
    bot = ExtBot(digest_settings.telegram_bot_token or "", base_url=digest_settings.bot_api_url)
    await bot.initialize()
    scheduler = Scheduler(bot, database, digest_settings, clock)
    try:
        fake.fail_next("sendMessage", 500, "Internal Server Error")
        await scheduler.tick()
        await scheduler.sender.send_all_due()
        assert digests(fake) == []
        await scheduler.tick()  # the period is owed already: the next tick owes nothing more
        await asyncio.sleep(1.5)  # past the first backoff
        await scheduler.sender.send_all_due()
        assert len(digests(fake)) == 1
        assert [run[1] for run in await runs(digest_settings.database_url)] == [True]
    finally:
        await bot.shutdown()
        await database.dispose()


# --- copro-bot digest --------------------------------------------------------------------


def schedule_now() -> DigestSchedule:
    """A daily schedule whose last run was three hours ago, far from either boundary."""
    return DigestSchedule.parse(f"daily {datetime.now(UTC) - 3 * HOUR:%H:%M}")


async def run_cli(
    fake: FakeBotApi, database_url: str, tmp_path: Path, schedule: DigestSchedule, *args: str
) -> tuple[int, str, str]:
    environment = clean_environment(
        **bot_environment(fake, database_url, DIGEST_SCHEDULE=schedule.text, TIMEZONE="UTC")
    )
    process = await asyncio.create_subprocess_exec(
        *command(),
        "digest",
        *args,
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def runs(database_url: str) -> list[tuple[str, bool]]:
    database = Database.from_url(database_url)
    try:
        async with database.session() as session:
            return [(r.key, r.sent_at is not None) for r in await SqlDigests(session).runs()]
    finally:
        await database.dispose()


async def test_digest_preview_prints_it_and_send_sends_it(
    fake: FakeBotApi, bot_database_url: str, tmp_path: Path
) -> None:
    await upgrade(bot_database_url)
    schedule = schedule_now()
    due = schedule.latest_due(datetime.now(UTC), UTC)
    settings = load_settings(bot_environment(fake, bot_database_url))
    cat = await story(settings, CAT, due.end - 2 * HOUR)

    code, out, err = await run_cli(fake, bot_database_url, tmp_path, schedule, "--preview")
    assert (code, err) == (0, "")
    assert out.startswith(f"The digest due {due.end:%a} {due.end.day} ")
    assert "has not been sent yet:" in out
    assert "Digest: 1 new draft" in out and f"1. {cat} " in out
    assert f"[Open {cat}]" in out
    assert fake.calls_to("sendMessage") == [] and fake.calls_to("sendDocument") == []
    assert await runs(bot_database_url) == []  # a preview claims nothing

    code, out, err = await run_cli(fake, bot_database_url, tmp_path, schedule, "--send")
    assert (code, err) == (0, "")
    assert out == f"Sent the digest (1 new draft) to the staff chat {STAFF_CHAT_ID}.\n"
    [digest] = digests(fake)
    assert f"1. {cat} " in str(digest["text"])
    assert len(documents(fake)) == 1
    assert await runs(bot_database_url) == [(due.key, True)]

    code, out, _ = await run_cli(fake, bot_database_url, tmp_path, schedule, "--preview")
    assert out.startswith("Next digest: ") and "Digest: no new drafts" in out


async def test_digest_send_without_a_staff_chat_says_so(
    fake: FakeBotApi, bot_database_url: str, tmp_path: Path
) -> None:
    environment = clean_environment(
        **{**bot_environment(fake, bot_database_url), "STAFF_CHAT_ID": ""}
    )
    process = await asyncio.create_subprocess_exec(
        *command(),
        "digest",
        "--send",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert err.decode() == (
        "copro-bot: setting STAFF_CHAT_ID: required for `copro-bot digest --send`\n"
    )
