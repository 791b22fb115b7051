"""The one sender: delivers the outbox's rows through the Bot API, whoever owed them.

It claims due rows (each chat's oldest first, within Telegram's limits counted in the
database), sends each in a task of its own so a slow chat holds up no other, and records
the outcome: sent (with Telegram's message id), retried later (timeouts, 5xx, network, with
backoff; 429 after its ``retry_after`` without using up a try), blocked (403: every row owed
to that chat, and a staff question among them fails and its asker is told), or failed (a
refusal, or after ``max_tries``; the row stays for ``copro-bot stats``).

Sends that finish together are marked sent in one transaction (see :meth:`Sender._mark_sent`).
A send that timed out may still have arrived: it is tried again, the one duplicate allowed;
so may a send accepted just before a kill, its mark not yet written.
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

from telegram import Bot, InputFile, Message
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
from telegram.warnings import PTBUserWarning

from bot.metrics import Metrics
from bot.outbox_render import reply_messages
from conversations.model import Reply
from conversations.review_text import ask_outcome_text
from storage.database import Database
from storage.followups import FollowUpRecord
from storage.outbox import (
    ClaimedMessage,
    OutboxMessage,
    SendLimits,
    SentMark,
    claim_due,
    enqueue,
    give_up,
    mark_sent_many,
    release_claims,
    retry_later,
)

log = logging.getLogger(__name__)

MAX_TRIES = 8
SWEEP_SECONDS = 1.0
BUSY_SWEEP_SECONDS = 0.2
BUSY_FOR_SECONDS = 1.5
MIN_CLAIM_GAP_SECONDS = 0.02
MAX_IN_FLIGHT = 64
NO_PREVIEW_PARAMETERS = {"is_disabled": True}
RAW_SEND_WARNING = r"Please use 'Bot\.(sendMessage|editMessageText|editMessageReplyMarkup)'"
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
    """Seconds before try ``tries + 1``: 1, 2, 4 ... at most a minute, with some jitter
    upwards only (a chat takes one try a second anyway)."""
    base = min(60.0, 2.0 ** max(0, tries - 1))
    return base * random.uniform(1.0, 1.5)


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
        metrics: Metrics | None = None,
    ) -> None:
        """``clock`` is real time in the bot (the limits and backoff are about Telegram's
        time, not the business clock tests move by hand). ``metrics``: the process's
        counters (a sender is made once per process, so it carries them)."""
        self.metrics = metrics or Metrics()
        self.bot = bot
        self.database = database
        self.limits = limits or SendLimits()
        self.clock = clock
        self.max_tries = max_tries
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self.figures = SenderFigures()
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._busy_until = 0.0
        self._marks: list[tuple[SentMark, asyncio.Future[None]]] = []
        self._marking: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Rows were just committed: look for due rows now rather than at the next sweep."""
        self._wake.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Send until ``stop`` is set (or the task is cancelled); sends in flight finish."""
        sqlite = self.database.engine.dialect.name == "sqlite"
        try:
            # On SQLite one sender per database: any claim left is a dead process's. On
            # PostgreSQL, those of killed processes on this machine (their lease would
            # hold a contributor's reply back for half a minute).
            released = await release_claims(self.database, None if sqlite else _dead_here)
        except Exception:
            log.exception("could not take over claims left by stopped processes")
            released = 0
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
                            self.database,
                            self.worker,
                            self.clock(),
                            self.limits,
                            at_most=room,
                            clock=self.clock,
                        )
                    except Exception:
                        log.exception("could not claim messages to send; trying again shortly")
                for message in claimed:
                    task = asyncio.create_task(self._deliver(message))
                    self._in_flight.add(task)
                    task.add_done_callback(self._done)
                # Shortly after a send a chat's next message is held for a second: look
                # again soon, so it leaves as its window opens rather than a sweep later.
                loop_time = asyncio.get_running_loop().time()
                if claimed or self._in_flight:
                    self._busy_until = loop_time + BUSY_FOR_SECONDS
                busy = loop_time < self._busy_until
                pause = BUSY_SWEEP_SECONDS if busy else SWEEP_SECONDS
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
                # Wakes come with every commit; one claim answers all those of the next
                # moment, so the claim lock shared by every worker is not taken per update.
                # 20 ms: at 50 ms a reply waited for the gap as long as for its send (with
                # 50 ms on every Bot API call, 200 chats, PostgreSQL went from about 350-440
                # to 440-510 updates/s at 10-20 ms; SQLite, bound by its one writer, +2-5%).
                await asyncio.sleep(MIN_CLAIM_GAP_SECONDS)
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
                self.database,
                self.worker,
                self.clock(),
                self.limits,
                at_most=MAX_IN_FLIGHT,
                clock=self.clock,
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
            self.metrics.rate_limited.inc()
            log.info("flood control on chat %s: waiting %s s", message.chat_id, seconds)
            await retry_later(
                self.database,
                message,
                f"429 retry after {seconds:g} s",
                self.clock() + timedelta(seconds=seconds),
                count_try=False,
                now=self.clock(),
            )
            return False
        except Forbidden as error:
            self.figures.blocked += 1
            self.metrics.outbox_blocked.inc()
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
                await self._mark_sent(message, None)
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
        self.metrics.outbox_sent.inc()
        await self._mark_sent(message, sent)
        return True

    async def _mark_sent(self, message: ClaimedMessage, message_id: int | None) -> None:
        """Record that Telegram accepted ``message``, together with the other sends that
        finish meanwhile: one transaction for all of them, so a busy sender commits (and
        on SQLite syncs the disk) once per batch rather than once per message. Returns once
        the mark is committed; until then the row stays claimed, its chat's next message
        waits, and a crash sends it again (the duplicate a kill after the send allows)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((SentMark(message, message_id, self.clock()), done))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._write_marks())
        await done

    async def _write_marks(self) -> None:
        """Write the marks waiting, batch after batch, until none is left; the marks that
        arrive while one batch is being written form the next."""
        batch: list[tuple[SentMark, asyncio.Future[None]]] = []
        try:
            while self._marks:
                batch, self._marks = self._marks, []
                try:
                    await mark_sent_many(self.database, [mark for mark, _ in batch])
                except Exception as error:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            # Cancelled (the process is stopping): these marks will not be written, their
            # rows stay claimed and are sent again after the restart.
            for _, done in [*batch, *self._marks]:
                done.cancel()  # a no-op once answered
            self._marks = []

    async def _transient(self, message: ClaimedMessage, error: TelegramError) -> bool:
        """A failure that may pass; a timeout may even have been delivered."""
        what = f"{type(error).__name__}: {error}"
        if message.tries >= self.max_tries:
            await self._fail(message, f"gave up after {message.tries} tries; last {what}")
            return True
        self.figures.retried += 1
        self.metrics.outbox_retried.inc()
        delay = backoff(message.tries)
        log.info("send to chat %s failed (%s); retrying in %.1f s", message.chat_id, what, delay)
        now = self.clock()
        await retry_later(
            self.database, message, what, now + timedelta(seconds=delay), count_try=True, now=now
        )
        return False

    async def _fail(self, message: ClaimedMessage, why: str) -> None:
        self.figures.failed += 1
        self.metrics.outbox_failed.inc()
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

    async def _call(self, message: ClaimedMessage) -> int | None:
        """Send ``message``; the id Telegram gave the message (None for an edit's True).

        Text and edits, nearly every row, go as the stored parameters with
        ``do_api_request``: python-telegram-bot maps the errors as for its typed methods,
        and neither our markup nor Telegram's answer is built into objects only for their
        message id (about a quarter of a send's CPU). Files and media keep the typed methods."""
        payload: dict[str, Any] = message.payload
        chat_id = message.chat_id
        raw = _raw_parameters(message)
        if raw is not None:
            # python-telegram-bot would rather these went through its typed method of the
            # same name, which is what it warns about. A filter, not catch_warnings (not
            # safe around an await); the same one replaces itself (2 µs).
            warnings.filterwarnings("ignore", message=RAW_SEND_WARNING, category=PTBUserWarning)
            result = await self.bot.do_api_request(message.method, api_kwargs=raw)
            found = result.get("message_id") if isinstance(result, dict) else None
            return int(found) if found is not None else None
        if message.method == "sendDocument":
            if "path" in payload:  # a large file, kept on disk until it is sent
                handle = await asyncio.to_thread(Path(payload["path"]).open, "rb")
                try:
                    sent: Message = await self.bot.send_document(
                        chat_id,
                        InputFile(handle, filename=payload["filename"]),
                        caption=payload.get("caption"),
                        write_timeout=300,
                    )
                finally:
                    handle.close()
                return sent.message_id
            content = base64.b64decode(payload["document"])
            sent = await self.bot.send_document(
                chat_id,
                InputFile(content, filename=payload["filename"]),
                caption=payload.get("caption"),
            )
            return sent.message_id
        if message.method == "sendMedia":
            method = MEDIA_METHODS[payload["kind"]]
            sent = await getattr(self.bot, method)(
                chat_id, payload["file_id"], caption=payload.get("caption")
            )
            return sent.message_id
        if message.method == "sendLocation":
            sent = await self.bot.send_location(
                chat_id, float(payload["latitude"]), float(payload["longitude"])
            )
            return sent.message_id
        raise ValueError(f"unknown method {message.method!r}")


def _raw_parameters(message: ClaimedMessage) -> dict[str, Any] | None:
    """The Bot API parameters of a text message or an edit, as Telegram takes them; None for
    the methods sent through typed calls. Raises ValueError for an edit of a message
    that was never sent."""
    payload = message.payload
    markup = payload.get("reply_markup")
    markup = markup if isinstance(markup, dict) else None
    if message.method == "sendMessage":
        parameters: dict[str, Any] = {
            "chat_id": message.chat_id,
            "text": payload["text"],
            "link_preview_options": NO_PREVIEW_PARAMETERS,
        }
        if payload.get("parse_mode") is not None:
            parameters["parse_mode"] = payload["parse_mode"]
        if markup is not None:
            parameters["reply_markup"] = markup
        if payload.get("reply_to_message_id") is not None:
            parameters["reply_parameters"] = {"message_id": payload["reply_to_message_id"]}
        return parameters
    if message.method not in ("editMessageText", "editMessageReplyMarkup"):
        return None
    message_id = payload.get("message_id") or message.edits_message_id
    if message_id is None:
        raise ValueError("an edit of a message that was never sent")
    parameters = {"chat_id": message.chat_id, "message_id": message_id}
    if markup is not None and "inline_keyboard" in markup:  # an edit takes no other markup
        parameters["reply_markup"] = markup
    if message.method == "editMessageText":
        parameters["text"] = payload["text"]
        parameters["link_preview_options"] = NO_PREVIEW_PARAMETERS
        if payload.get("parse_mode") is not None:
            parameters["parse_mode"] = payload["parse_mode"]
    return parameters


def _dead_here(worker: str) -> bool:
    """Whether a sender id (``host:pid:...``) names a process of this machine that is gone."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # the export's own temporary folder, once empty


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
