"""Fixtures of the staff end-to-end tests.

The bot runs as ``copro-bot run`` does (``run_bot``, polling the fake Bot API) but on a
clock the test holds, with an admin (900), a staff member from the settings (800) and the
staff group; ``desk`` gives the same services on the same database and clock, to make
drafts and to check what was stored.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings, load_settings
from bot.wiring import build_catalog
from storage.database import Database
from storage.review import ReviewService
from storage.service import InterviewService
from tests.e2e.conftest import RunningBot, assert_bot_behaved, bot_environment
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.staff_support import ADMIN, STAFF, BotClock, Desk


@pytest.fixture
def clock() -> BotClock:
    return BotClock()


@pytest.fixture
def settings(fake: FakeBotApi, bot_database_url: str) -> Settings:
    return load_settings(
        bot_environment(
            fake, bot_database_url, ADMIN_USER_IDS=str(ADMIN), STAFF_USER_IDS=str(STAFF)
        )
    )


@pytest.fixture
async def bot(
    fake: FakeBotApi,
    settings: Settings,
    clock: BotClock,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The bot on the test's clock, checked afterwards like every end-to-end bot."""
    caplog.set_level(logging.WARNING)
    running = RunningBot(fake, settings, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
    if request.node.get_closest_marker("bot_errors_expected") is None:
        assert_bot_behaved(fake, caplog)


@pytest.fixture
async def desk(settings: Settings, clock: BotClock, bot: RunningBot) -> AsyncIterator[Desk]:
    database = Database.from_url(settings.database_url)
    try:
        yield Desk(
            database,
            InterviewService(database, build_catalog(settings), clock),
            ReviewService(database, clock),
        )
    finally:
        await database.dispose()
