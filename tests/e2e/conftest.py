"""End-to-end fixtures: the real bot, as ``copro-bot run`` runs it, against the fake Bot API.

``bot`` starts :func:`bot.telegram_app.run_bot` (migrations, the python-telegram-bot
``Application``, our polling loop) in a task, pointed at a :class:`FakeBotApi` on 127.0.0.1
through ``TELEGRAM_API_BASE_URL``, with a SQLite database in the test's folder. It can be
stopped and started again on the same database, like a process restart.

Every test also checks, on the way out, what a contributor would notice if it went wrong:
the Bot API refused none of the bot's calls (HTML that does not parse, a message over 4096
characters, callback data over 64 bytes...), the bot never apologised for an internal error
and nothing was logged at ERROR level. A test that provokes failures on purpose says so with
``@pytest.mark.bot_errors_expected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.scheduler import Clock
from bot.settings import Settings, load_settings
from bot.telegram_app import SORRY, run_bot
from bot.wiring import build_service
from storage.database import Database
from storage.service import InterviewService
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser, RecordedCall

TOKEN = "123456:TEST-TOKEN-end-to-end-0123456789"
STAFF_CHAT_ID = -1001234567890
STARTUP_SECONDS = 15.0
# The bot's own loggers and python-telegram-bot's; the fake server's are not the bot's.
OUR_LOGGERS = frozenset({"bot", "storage", "conversations", "telegram", "httpx"})

JSON = dict[str, Any]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bot_errors_expected: the test provokes failed Bot API calls or errors"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(fake: FakeBotApi, database_url: str, **extra: str) -> dict[str, str]:
    """The environment ``copro-bot run`` would be given to talk to ``fake``."""
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.url,
        "DATABASE_URL": database_url,
        "STAFF_CHAT_ID": str(STAFF_CHAT_ID),
        "LOG_LEVEL": "WARNING",
        # A local Bot API server takes a chat's messages as fast as they come: the tests
        # that are about Telegram's pacing set live Telegram's limits themselves.
        "CHAT_SEND_RATE": "20",
        "CHAT_SEND_BURST": "5",
        **extra,
    }


class RunningBot:
    """``run_bot`` in a task of the test's event loop; stop and start it like a process."""

    def __init__(
        self,
        fake: FakeBotApi,
        settings: Settings,
        *,
        webhook: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.fake = fake
        self.settings = settings
        self.webhook = webhook
        self.clock = clock
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the bot and wait until it is listening (polling, or webhook registered)."""
        if self.running:
            raise RuntimeError("the bot is already running")
        since = self.fake.mark()
        ready = "setWebhook" if self.webhook else "deleteWebhook"
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            run_bot(self.settings, webhook=self.webhook, stop=self._stop, clock=self.clock)
        )
        waiting = asyncio.create_task(
            self.fake.wait_for(lambda c: c.method == ready, STARTUP_SECONDS, since=since)
        )
        done, _ = await asyncio.wait({self._task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
            self._task.result()  # raises what run_bot raised
            raise RuntimeError("the bot stopped while starting")
        try:
            waiting.result()
        except BaseException:
            await self.crash()
            raise

    async def stop(self) -> None:
        """Stop as SIGTERM would: the batch in hand is finished, then everything closes."""
        if self._task is None:
            return
        self._stop.set()
        task, self._task = self._task, None
        async with asyncio.timeout(10):
            await task

    async def crash(self) -> None:
        """Stop abruptly wherever the bot is, as a killed process would: nothing more is
        processed or acknowledged."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN) as api:
        yield api


@pytest.fixture
def bot_database_url(tmp_path: Path) -> str:
    """A SQLite file in the test's folder; the bot creates its schema when it starts."""
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def settings(fake: FakeBotApi, bot_database_url: str) -> Settings:
    return load_settings(bot_environment(fake, bot_database_url))


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[InterviewService]:
    """The same service the bot uses, on the same database: to check what is stored."""
    database = Database.from_url(settings.database_url)
    try:
        yield build_service(settings, database)
    finally:
        await database.dispose()


@pytest.fixture
async def bot(
    fake: FakeBotApi,
    settings: Settings,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The bot, polling the fake Bot API; checked for refused calls and errors afterwards."""
    async for running in _checked_bot(fake, settings, request, caplog, webhook=False):
        yield running


WEBHOOK_URL = "https://bot.example.org/telegram/hook"
WEBHOOK_SECRET = "hook-secret_0123456789"


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    return replace(
        settings,
        webhook_url=WEBHOOK_URL,
        webhook_secret=WEBHOOK_SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=free_port(),
    )


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi,
    webhook_settings: Settings,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[RunningBot]:
    """The bot serving its webhook on 127.0.0.1 (``copro-bot run --webhook``)."""
    async for running in _checked_bot(fake, webhook_settings, request, caplog, webhook=True):
        yield running


def webhook_address(settings: Settings) -> str:
    """Where the fake Telegram posts updates: the local server, at WEBHOOK_URL's path."""
    path = urlsplit(settings.webhook_url or "").path
    return f"http://{settings.webhook_listen}:{settings.webhook_port}{path}"


async def _checked_bot(
    fake: FakeBotApi,
    settings: Settings,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    *,
    webhook: bool,
) -> AsyncIterator[RunningBot]:
    caplog.set_level(logging.WARNING)
    running = RunningBot(fake, settings, webhook=webhook)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
    if request.node.get_closest_marker("bot_errors_expected") is None:
        assert_bot_behaved(fake, caplog)


def abandoned_long_poll(call: RecordedCall) -> bool:
    """A long poll the bot gave up when it stopped: the server ends it with 409 when the
    next ``getUpdates`` comes, and nobody is listening for that answer any more."""
    return (
        call.method == "getUpdates"
        and call.status == 409
        and "terminated by other getUpdates request" in str(call.result)
    )


def assert_bot_behaved(fake: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    refused = [
        (c.method, c.status, c.result)
        for c in fake.calls
        if not c.ok and not abandoned_long_poll(c)
    ]
    assert refused == [], "the Bot API refused calls the bot made"
    apologies = [m["text"] for m in fake.sent_messages() if m.get("text") == SORRY]
    assert apologies == [], "the bot hit an internal error while handling an update"
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.split(".")[0] in OUR_LOGGERS
    ]
    assert errors == [], "errors were logged"


# --- reading what the contributor sees ---------------------------------------------------


def buttons(message: JSON) -> list[str]:
    """The labels of a message's inline buttons, row by row."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(button["text"]) for row in keyboard for button in row]


def callback_data(message: JSON) -> list[str]:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in keyboard for b in row if "callback_data" in b]


def texts(messages: list[JSON]) -> list[str]:
    return [str(m.get("text", "")) for m in messages]


async def ask(user: FakeUser, text: str, replies: int = 1) -> list[JSON]:
    """The user types ``text``; the bot's next ``replies`` messages."""
    user.send_text(text)
    return await user.replies(replies)


async def tap(user: FakeUser, message: JSON, label: str, replies: int = 1) -> list[JSON]:
    """The user taps the button ``label`` on ``message``; the bot's next messages."""
    user.press_button(message, label)
    return await user.replies(replies)


def answered_callbacks(fake: FakeBotApi, since: int = 0) -> list[RecordedCall]:
    return [c for c in fake.calls[since:] if c.method == "answerCallbackQuery"]


async def stored_interviews(service: InterviewService, user: FakeUser) -> list[JSON]:
    data = await service.export_person_data(user.user_id)
    return list(data["interviews"])


async def stored_answers(service: InterviewService, user: FakeUser) -> dict[str, JSON]:
    """The answers of the contributor's newest interview, by question id."""
    interviews = await stored_interviews(service, user)
    if not interviews:
        return {}
    newest = max(interviews, key=lambda i: int(i["id"]))
    return {a["question_id"]: a for a in newest["answers"]}


# --- dialogs as tables -------------------------------------------------------------------

Action = Callable[[FakeUser, JSON], object]


def says(text: str) -> Action:
    """The user types ``text``."""
    return lambda user, _last: user.send_text(text)


def taps(label: str) -> Action:
    """The user taps the button ``label`` on the bot's latest message."""
    return lambda user, last: user.press_button(last, label)


def sends(command: str, payload: str = "") -> Action:
    """The user sends ``/command payload``."""
    return lambda user, _last: user.send_command(command, payload)


Expected = str | tuple[str, ...]


async def converse(user: FakeUser, last: JSON, dialog: list[tuple[Action, Expected]]) -> JSON:
    """Play ``[(what the user does, how the bot's replies begin), ...]``; the last reply.

    Each expected string is the beginning of one bot message (a tuple when the bot answers
    with several); the step fails on the first difference, naming it.
    """
    for number, (action, expected) in enumerate(dialog, start=1):
        wanted = (expected,) if isinstance(expected, str) else expected
        action(user, last)
        replies = await user.replies(len(wanted))
        got = tuple(str(m.get("text", ""))[: len(w)] for m, w in zip(replies, wanted, strict=True))
        assert got == wanted, f"step {number}: the bot answered {texts(replies)}"
        last = replies[-1]
    return last
