"""Helpers for the staff end-to-end tests (their fixtures are in ``staff/conftest.py``).

Drafts are made the real way: contributors answer the built-in "spotted" script, either
through the bot or straight through the interview service on the bot's database and clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversations.model import Person, TextSent
from storage.database import Database
from storage.review import ReviewService
from storage.service import InterviewService
from tests.e2e.conftest import callback_data
from tests.e2e.fake_bot_api import JSON, FakeBotApi, FakeUser, RecordedCall
from tests.storage.seed_examples import Contributor, choose, submit

ADMIN = 900
STAFF = 800
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
REFERENCE = re.compile(r"CP-\d{4}-\d{5}")


@dataclass
class BotClock:
    """The bot's clock: it stands still until the test moves it (waits are real)."""

    current: datetime = START

    def now(self) -> datetime:
        return self.current

    def __call__(self) -> datetime:
        return self.current

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class Desk:
    """The services the bot runs, on its database and clock: to make and inspect drafts."""

    database: Database
    interviews: InterviewService
    review: ReviewService


def story(user_id: int, name: str, project: str, username: str | None = None) -> Contributor:
    return Contributor(
        Person(user_id, user_id, name, username=username),
        "spotted",
        {
            "consent": choose("consent", "yes"),
            "project": TextSent(project),
            "place_when": TextSent("Leeds, spring 2025"),
            "source": TextSent("https://example.org/story"),
            "credit": choose("credit", "anonymous"),
        },
    )


async def submit_story(desk: Desk, contributor: Contributor) -> tuple[int, str]:
    """Submit ``contributor``'s story through the service: (draft id, reference)."""
    reference = await submit(desk.interviews, contributor)
    card = await desk.review.card_by_reference(reference)
    assert card is not None
    return card.id, reference


# --- reading chats -----------------------------------------------------------------------


class Chat:
    """New bot messages in one chat (a group too), like ``FakeUser.replies``."""

    def __init__(self, fake: FakeBotApi, chat_id: int) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self._seen = len(self.messages())

    def messages(self) -> list[JSON]:
        return [m for m in self.fake.sent_messages(self.chat_id) if "edit_date" not in m]

    async def replies(self, count: int = 1, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        await self.fake.wait_until(lambda: len(self.messages()) >= self._seen + count, timeout)
        found = self.messages()[self._seen : self._seen + count]
        self._seen += count
        return found

    def unread(self) -> list[JSON]:
        return self.messages()[self._seen :]


def current(fake: FakeBotApi, message: JSON) -> JSON:
    """The message as it is now, after the bot's edits."""
    found = fake.bot_message(int(message["chat"]["id"]), int(message["message_id"]))
    assert found is not None
    return found


async def tap_and_wait(fake: FakeBotApi, user: FakeUser, message: JSON, label: str) -> JSON:
    """Tap ``label``; once the tap is answered and what it shows has arrived (the outbox
    sends it a moment after the answer), the message as it is then."""
    since = fake.mark()
    user.press_button(current(fake, message), label)
    await fake.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
    with contextlib.suppress(TimeoutError):  # a tap that only shows an alert changes nothing
        await fake.wait_for(
            lambda c: c.method.startswith(("edit", "send")), timeout=5.0, since=since
        )
    await fake.wait_idle(quiet=0.05)
    return current(fake, message)


def data_for(message: JSON, label: str) -> str:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in keyboard:
        for button in row:
            if button.get("text") == label:
                return str(button["callback_data"])
    raise LookupError(f"no button {label!r}: {callback_data(message)}")


def callback_answers(fake: FakeBotApi, since: int) -> list[RecordedCall]:
    return [c for c in fake.calls[since:] if c.method == "answerCallbackQuery"]
