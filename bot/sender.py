"""The one sender: delivers the outbox's rows through the Bot API, whoever owed them.

It claims due rows (each chat's oldest first, within Telegram's limits counted in the
database), sends each in a task of its own so a slow chat holds up no other, and records
the outcome: sent (with Telegram's message id), retried later (timeouts, 5xx, network, with
backoff; 429 after its ``retry_after`` without using up a try), blocked (403: every row owed
to that chat, and a staff question among them fails and its asker is told), or failed (a
refusal, or after ``max_tries``; the row stays for ``copro-bot stats``).

A send that timed out may still have arrived: it is tried again, the one duplicate allowed.
Handlers :meth:`wake` the sender right after their commit, so replies leave at once; the
loop also sweeps every second, so rows owed before a crash go out after the restart.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import random
import socket
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, ForceReply, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.outbox_render import reply_messages
from conversations.model import Reply
from conversations.review_text import ask_outcome_text
from storage.database import Database
from storage.followups import FollowUpRecord
from storage.outbox import (
    ClaimedMessage,
    OutboxMessage,
    SendLimits,
    claim_due,
    enqueue,
    give_up,
    mark_sent,
    release_claims,
    retry_later,
)

log = logging.getLogger(__name__)

MAX_TRIES = 8
SWEEP_SECONDS = 1.0
BUSY_SWEEP_SECONDS = 0.2
MAX_IN_FLIGHT = 32
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MEDIA_METHODS = {
    "photo": "send_photo",
    "document": "send_document",
    "voice": "send_voice",
    "video": "send_video",
    "video_note": "send_video_note",
    "audio": "send_audio",
    "animation": "send_animation",
}


def backoff(tries: int) -> float:
    """Seconds before try ``tries + 1``: 1, 2, 4 ... at most a minute, with some jitter."""
    base = min(60.0, 2.0 ** max(0, tries - 1))
    return base * random.uniform(0.75, 1.25)


def blocked_notice(follow_up: FollowUpRecord, reference: str, name: str) -> list[OutboxMessage]:
    """Tell the staff member who asked that their question cannot reach the contributor."""
    about = f" on {reference}" if reference else ""
    text = f"{ask_outcome_text('blocked', name)}\nYou asked{about}: {follow_up.question}"
    return reply_messages(follow_up.notify_chat_id, [Reply(text)], kind="notice")


@dataclass
class SenderFigures:
    """What this process's sender did (logged at exit; read by tests and the soak)."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    blocked: int = 0
    failed: int = 0


class Sender:
    """Delivers outbox rows; one per process (on SQLite, one per database)."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        *,
        limits: SendLimits | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_tries: int = MAX_TRIES,
    ) -> None:
        """``clock`` is real time in the bot (the limits and backoff are about Telegram's
        time, not the business clock tests move by hand)."""
        self.bot = bot
        self.database = database
        self.limits = limits or SendLimits()
        self.clock = clock
        self.max_tries = max_tries
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self.figures = SenderFigures()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Rows were just committed: look for due rows now rather than at the next sweep."""
        self._wake.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Send until ``stop`` is set (or the task is cancelled); sends in flight finish."""
        if self.database.engine.dialect.name == "sqlite":
            # One sender per SQLite database: any claim left is a dead process's.
            released = await release_claims(self.database)
            if released:
                log.info("took over %d messages a stopped process was sending", released)
        try:
            while stop is None or not stop.is_set():
                self._wake.clear()
                claimed: Sequence[ClaimedMessage] = ()
                room = MAX_IN_FLIGHT - len(self._in_flight)
                if room > 0:
                    try:
                        claimed = await claim_due(
                            self.database, self.worker, self.clock(), self.limits, at_most=room
                        )
                    except Exception:
                        log.exception("could not claim messages to send; trying again shortly")
                for message in claimed:
                    task = asyncio.create_task(self._deliver(message))
                    self._in_flight.add(task)
                    task.add_done_callback(self._done)
                pause = BUSY_SWEEP_SECONDS if claimed or self._in_flight else SWEEP_SECONDS
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()  # that chat's next row may go now

    async def send_all_due(self) -> int:
        """Send what is due now and wait for it (the CLI's one-shot commands, tests)."""
        total = 0
        while True:
            claimed = await claim_due(
                self.database, self.worker, self.clock(), self.limits, at_most=MAX_IN_FLIGHT
            )
            if not claimed:
                return total
            await asyncio.gather(*(self._deliver(message) for message in claimed))
            total += len(claimed)

    async def _deliver(self, message: ClaimedMessage) -> None:
        try:
            finished = await self._attempt(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The database went away mid-way: the claim's lease runs out and it is retried.
            log.exception("could not record the outcome of outbox row %s", message.id)
            return
        path = message.payload.get("path")
        if finished and path and message.payload.get("delete_after"):
            # A file made for this message alone (an export): gone once sent or given up.
            await asyncio.to_thread(_remove_file, Path(path))

    async def _attempt(self, message: ClaimedMessage) -> bool:
        """Try once and record the outcome; whether the row is done with (not retried)."""
        try:
            sent = await self._call(message)
        except RetryAfter as error:
            with warnings.catch_warnings():  # an int until python-telegram-bot 23, then not
                warnings.simplefilter("ignore")
                wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            self.figures.rate_limited += 1
            log.info("flood control on chat %s: waiting %s s", message.chat_id, seconds)
            await retry_later(
                self.database,
                message,
                f"429 retry after {seconds:g} s",
                self.clock() + timedelta(seconds=seconds),
                count_try=False,
            )
            return False
        except Forbidden as error:
            self.figures.blocked += 1
            log.info(
                "chat %s cannot be reached (%s); its messages are dropped", message.chat_id, error
            )
            await give_up(
                self.database,
                message,
                str(error),
                self.clock(),
                blocked=True,
                notices=blocked_notice,
            )
            return True
        except BadRequest as error:
            if message.method.startswith("edit") and "not modified" in str(error).lower():
                await mark_sent(self.database, message, None, self.clock())
                return True
            if message.method == "editMessageText" and message.payload.get("or_send"):
                # The message can no longer be edited (too old, deleted): send it anew.
                return await self._attempt(replace(message, method="sendMessage"))
            await self._fail(message, f"refused: {error}")
            return True
        except ChatMigrated as error:
            await self._fail(message, f"chat moved to {error.new_chat_id}")
            return True
        except (TimedOut, NetworkError, InvalidToken, TelegramError) as error:
            return await self._transient(message, error)
        except (KeyError, TypeError, ValueError, OSError) as error:
            log.exception("outbox row %s cannot be sent as stored", message.id)
            await self._fail(message, f"malformed: {error!r}")
            return True
        self.figures.sent += 1
        message_id = sent.message_id if isinstance(sent, Message) else None
        await mark_sent(self.database, message, message_id, self.clock())
        return True

    async def _transient(self, message: ClaimedMessage, error: TelegramError) -> bool:
        """A failure that may pass; a timeout may even have been delivered."""
        what = f"{type(error).__name__}: {error}"
        if message.tries >= self.max_tries:
            await self._fail(message, f"gave up after {message.tries} tries; last {what}")
            return True
        self.figures.retried += 1
        delay = backoff(message.tries)
        log.info("send to chat %s failed (%s); retrying in %.1f s", message.chat_id, what, delay)
        await retry_later(
            self.database, message, what, self.clock() + timedelta(seconds=delay), count_try=True
        )
        return False

    async def _fail(self, message: ClaimedMessage, why: str) -> None:
        self.figures.failed += 1
        log.warning(
            "gave up a %s message (outbox row %s) to chat %s: %s",
            message.kind,
            message.id,
            message.chat_id,
            why,
        )
        await give_up(
            self.database, message, why, self.clock(), blocked=False, notices=blocked_notice
        )

    async def _call(self, message: ClaimedMessage) -> Message | bool:
        payload: dict[str, Any] = message.payload
        markup = _markup(self.bot, payload.get("reply_markup"))
        chat_id = message.chat_id
        if message.method == "sendMessage":
            return await self.bot.send_message(
                chat_id,
                payload["text"],
                parse_mode=payload.get("parse_mode"),
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                reply_to_message_id=payload.get("reply_to_message_id"),
            )
        if message.method == "sendDocument":
            if "path" in payload:  # a large file, kept on disk until it is sent
                handle = await asyncio.to_thread(Path(payload["path"]).open, "rb")
                try:
                    return await self.bot.send_document(
                        chat_id,
                        InputFile(handle, filename=payload["filename"]),
                        caption=payload.get("caption"),
                        write_timeout=300,
                    )
                finally:
                    handle.close()
            content = base64.b64decode(payload["document"])
            return await self.bot.send_document(
                chat_id,
                InputFile(content, filename=payload["filename"]),
                caption=payload.get("caption"),
            )
        if message.method == "sendMedia":
            method = MEDIA_METHODS[payload["kind"]]
            sent: Message = await getattr(self.bot, method)(
                chat_id, payload["file_id"], caption=payload.get("caption")
            )
            return sent
        if message.method == "sendLocation":
            return await self.bot.send_location(
                chat_id, float(payload["latitude"]), float(payload["longitude"])
            )
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        message_id = payload.get("message_id") or message.edits_message_id
        if message_id is None:
            raise ValueError("an edit of a message that was never sent")
        if message.method == "editMessageText":
            return await self.bot.edit_message_text(
                payload["text"],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=payload.get("parse_mode"),
                reply_markup=inline,
                link_preview_options=NO_PREVIEW,
            )
        if message.method == "editMessageReplyMarkup":
            return await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=inline
            )
        raise ValueError(f"unknown method {message.method!r}")


def _remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # the export's own temporary folder, once empty


def _markup(bot: Bot, data: object) -> InlineKeyboardMarkup | ForceReply | None:
    if not isinstance(data, dict):
        return None
    if "force_reply" in data:
        return ForceReply.de_json(data, bot)
    return InlineKeyboardMarkup.de_json(data, bot)


class Outbox:
    """How handlers owe messages that go with no other change: a short transaction of
    their own, then the sender is woken so they leave at once."""

    def __init__(
        self,
        database: Database,
        sender: Sender,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.sender = sender
        self.clock = clock

    async def owe(self, messages: Sequence[OutboxMessage]) -> None:
        await enqueue(self.database, messages, self.clock())
        self.sender.wake()

    async def reply(self, chat_id: int, *replies: Reply) -> None:
        await self.owe(reply_messages(chat_id, replies))
