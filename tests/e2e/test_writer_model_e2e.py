"""The writer model end to end: a story told on Telegram (the fake Bot API) is drafted, then
rewritten by a fake OpenAI-compatible model beside the scheduler; what the model invents
never reaches the stored draft, and an anonymous contributor is never named to it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import Settings, load_settings
from bot.writer_model import WRITER_POLL_SECONDS
from conversations.writer import LEFT_OUT_FIELD, WRITER_TEMPLATE
from storage.database import Database
from storage.drafts import DraftInfo
from storage.migrate import upgrade
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, assert_bot_behaved, bot_environment, converse, says, taps
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser
from tests.e2e.fake_clock import FakeClock
from tests.fake_llm_api import INVENTED_FACTS, FakeLlmApi

START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
STORY = "Gwen Harper and 12 neighbours run the Bramley library with Leeds City Council since 2023"


@pytest.fixture
async def llm() -> AsyncIterator[FakeLlmApi]:
    async with FakeLlmApi(mode="invent") as api:
        yield api


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


async def running(
    fake: FakeBotApi, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[RunningBot]:
    caplog.set_level(logging.WARNING)
    await upgrade(settings.database_url)
    bot = RunningBot(fake, settings, clock=clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
    assert_bot_behaved(fake, caplog)


@pytest.fixture
async def writer_bot(
    fake: FakeBotApi,
    llm: FakeLlmApi,
    bot_database_url: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    environment = bot_environment(
        fake,
        bot_database_url,
        DRAFT_WRITER="llm",
        LLM_BASE_URL=llm.base_url,
        LLM_MODEL="fake-model",
        LLM_TIMEOUT_SECONDS="2",
    )
    async for bot in running(fake, load_settings(environment), clock, caplog):
        await clock.settle(sleepers=2)  # the scheduler and the writer, each after a tick
        yield bot


@pytest.fixture
async def plain_bot(
    fake: FakeBotApi,
    llm: FakeLlmApi,
    bot_database_url: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The default drafter, with a model configured but not chosen."""
    environment = bot_environment(fake, bot_database_url, LLM_BASE_URL=llm.base_url)
    async for bot in running(fake, load_settings(environment), clock, caplog):
        await clock.settle(sleepers=1)
        yield bot


async def tell_story(user: FakeUser) -> None:
    user.send_command("start", "spotted")
    _, first = await user.replies(2)
    card = await converse(
        user,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says(STORY), "Question 3 of about 8"),
            (taps("Skip"), "Question 4 of about 8"),
            (says("Bramley, Leeds, since spring 2023"), "Question 5 of about 8"),
            (taps("Running it"), "Question 5 of about 8"),
            (taps("Done"), "Question 6 of about 8"),
            (says("https://bramley-library.org.uk"), "Question 7 of about 8"),
            (taps("Keep it anonymous"), "Here's what you told me"),
        ],
    )
    await converse(user, card, [(taps("✅ Send it"), ("Thanks for the tip!", "Your reference"))])


async def the_draft(settings: Settings) -> DraftInfo:
    database = Database.from_url(settings.database_url)
    try:
        async with UnitOfWork(database) as uow:
            [draft] = await uow.drafts.page()
    finally:
        await database.dispose()
    return draft


async def test_a_submitted_story_is_rewritten_and_invented_facts_never_reach_the_draft(
    fake: FakeBotApi, writer_bot: RunningBot, llm: FakeLlmApi, clock: FakeClock
) -> None:
    gwen = fake.user(1201, "Gwen Harper", username="gwenh")
    await tell_story(gwen)
    await fake.wait_idle()
    drafted = await the_draft(writer_bot.settings)
    assert "Gwen Harper" in drafted.record.summary  # the drafter keeps what was said

    await clock.advance(timedelta(seconds=WRITER_POLL_SECONDS), sleepers=2)

    draft = await the_draft(writer_bot.settings)
    assert draft.version == drafted.version + 1
    summary = draft.record.field("summary")
    assert {s.template for s in summary.sentences} == {WRITER_TEMPLATE}
    assert "12 neighbours" in summary.text and "Leeds City Council" in summary.text
    stored = "\n".join(f.text for n, f in draft.record.fields.items() if n != LEFT_OUT_FIELD)
    invented = [fact for facts in INVENTED_FACTS.values() for fact in facts if fact in stored]
    assert invented == []
    left_out = draft.record.field(LEFT_OUT_FIELD).text
    assert "Zebedee Quortley" in left_out and "invented-example.net" in left_out
    sent = llm.sent_text()
    assert llm.requests and not {"Gwen", "Harper", "gwenh"} & set(sent.replace('"', " ").split())
    assert "gwen" not in sent.casefold()


async def test_privacy_says_where_the_writer_model_is(
    fake: FakeBotApi, writer_bot: RunningBot
) -> None:
    ivy = fake.user(1202, "Ivy")
    ivy.send_command("privacy")
    [reply] = await ivy.replies(1)
    assert "writer model at 127.0.0.1" in reply["text"]


async def test_the_default_drafter_sends_nothing_to_any_model(
    fake: FakeBotApi, plain_bot: RunningBot, llm: FakeLlmApi, clock: FakeClock
) -> None:
    gwen = fake.user(1203, "Gwen Harper")
    await tell_story(gwen)
    await fake.wait_idle()
    drafted = await the_draft(plain_bot.settings)

    await clock.advance(timedelta(seconds=WRITER_POLL_SECONDS * 3))

    assert llm.requests == []
    draft = await the_draft(plain_bot.settings)
    assert draft.version == drafted.version
    assert LEFT_OUT_FIELD not in draft.record.fields
    gwen.send_command("privacy")
    [reply] = await gwen.replies(1)
    assert "writer model" not in reply["text"]
