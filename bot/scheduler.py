"""Scheduled work: the staff digest, reminders for unfinished interviews, and the purge of
interviews left unfinished past ``RETENTION_DAYS``.

A :class:`Scheduler` ticks once at start (so a digest missed while the bot was down goes out
straight away) and then at every minute of its :class:`Clock`. Nothing is remembered in
memory that matters: digest periods and reminders are claimed in the database before they
are sent, so restarts and several processes on one database never send anything twice.
The clock is injected, so tests move time by hand.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from telegram import Bot

from bot.outbox_render import document_message, html_message, reply_messages
from bot.sender import Sender
from bot.settings import Settings
from bot.wiring import send_limits
from conversations.digest import (
    DigestData,
    as_plain_text,
    build_digest,
    digest_document,
    digest_filename,
    document_caption,
)
from conversations.reminders import nudge_reply
from conversations.schedule import DigestPeriod, DigestSchedule, ReminderPolicy, manual_period
from storage.database import Database
from storage.digests import (
    claim_and_owe_digest,
    digest_run,
    digest_start,
    gather_digest,
)
from storage.intake import forget_old_updates
from storage.maintenance import DueReminder, claim_due_reminders, claim_job, purge_unfinished
from storage.outbox import SENT_KEPT, OutboxMessage, prune_sent

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
NO_STAFF_CHAT = "STAFF_CHAT_ID is not set: staff digests are skipped"


class Clock(Protocol):
    """Where scheduled work reads the time and waits."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def seconds_to_next_minute(now: datetime) -> float:
    return 60.0 - now.second - now.microsecond / 1_000_000


@dataclass(frozen=True)
class DigestOutcome:
    """What became of one digest period."""

    period: DigestPeriod
    sent: bool  # False: another process claimed it first, or it was sent already
    new_drafts: int = 0
    failed: bool = False  # Telegram refused it; the claim was given up for a retry


class Scheduler:
    """Digest, reminders and purge for one process; every decision is made in the database."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        settings: Settings,
        clock: Clock,
        *,
        sender: Sender | None = None,
    ) -> None:
        self.bot = bot
        self.sender = sender or Sender(bot, database, limits=send_limits(settings))
        self.database = database
        self.settings = settings
        self.clock = clock
        self.schedule = (
            DigestSchedule.parse(settings.digest_schedule) if settings.digest_schedule else None
        )
        self.policy = ReminderPolicy.from_remind_after(settings.remind_after)
        self._last_purge: datetime | None = None
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._known_claimed: set[str] = set()
        self._said_no_staff_chat = False

    # --- the loop -----------------------------------------------------------------------

    async def run(self) -> None:
        """Tick now and then every minute until cancelled; a failed tick is logged and the
        next one tries again."""
        if self.schedule is not None:
            zone = self.settings.timezone
            upcoming = self.schedule.next_run(self.clock.now(), zone).astimezone(zone)
            log.info("digests %s (%s); next at %s", self.schedule.text, zone, upcoming)
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduled work failed; trying again in a minute")
            await self.clock.sleep(seconds_to_next_minute(self.clock.now()))

    async def tick(self) -> None:
        # Purge first, so nobody is nudged about an interview that is about to go.
        await self.purge()
        await self.send_due_digest()
        await self.send_due_reminders()

    # --- digests ------------------------------------------------------------------------

    def _staff_chat(self) -> int | None:
        chat = self.settings.staff_chat_id
        if chat is None and not self._said_no_staff_chat:
            log.info(NO_STAFF_CHAT)
            self._said_no_staff_chat = True
        return chat

    async def send_due_digest(self) -> DigestOutcome | None:
        """Send the latest period's digest if its time has come and nobody sent it yet."""
        if self.schedule is None or self._staff_chat() is None:
            return None
        now = self.clock.now()
        period = self.schedule.latest_due(now, self.settings.timezone)
        if period.key in self._known_claimed:
            return None
        if await digest_run(self.database, period.key) is not None:
            self._known_claimed.add(period.key)
            return None
        return await self.send_period(period)

    async def send_now(self) -> DigestOutcome:
        """``copro-bot digest --send``: the due period if it is still unsent, otherwise a
        digest of everything since the last one (keyed by the minute, for cron)."""
        now = self.clock.now()
        period = manual_period(now)
        if self.schedule is not None:
            due = self.schedule.latest_due(now, self.settings.timezone)
            if await digest_run(self.database, due.key) is None:
                period = due
        return await self.send_period(period)

    async def send_period(self, period: DigestPeriod) -> DigestOutcome:
        """Claim ``period`` and owe its digest to the staff chat in one transaction; the
        outbox's sender delivers it (and retries it) from there."""
        chat = self._staff_chat()
        if chat is None:
            return DigestOutcome(period, sent=False)
        now = self.clock.now()

        def compose(data: DigestData) -> list[OutboxMessage]:
            return self.digest_messages(chat, data, period.key)

        data = await claim_and_owe_digest(self.database, period, now, compose)
        self._known_claimed.add(period.key)
        if data is None:
            return DigestOutcome(period, sent=False)
        self.sender.metrics.digests_sent.inc()
        self.sender.wake()
        return DigestOutcome(period, sent=True, new_drafts=len(data.new_drafts))

    def digest_messages(self, chat_id: int, data: DigestData, key: str) -> list[OutboxMessage]:
        """The digest's messages and, with new drafts, its document, as outbox rows."""
        zone = self.settings.timezone
        messages = [
            html_message(chat_id, message.html, message.buttons, kind="digest", digest_key=key)
            for message in build_digest(data, zone)
        ]
        if data.new_drafts:
            body = digest_document(data, zone).encode("utf-8")
            messages.append(
                document_message(
                    chat_id,
                    body,
                    digest_filename(data, zone),
                    document_caption(data),
                    kind="digest",
                    digest_key=key,
                )
            )
        return messages

    # --- reminders and purge ------------------------------------------------------------

    async def send_due_reminders(self) -> int:
        """Owe every reminder that is due, each in its claim's transaction; how many."""
        now = self.clock.now()
        zone = self.settings.timezone

        def owe(reminder: DueReminder) -> list[OutboxMessage]:
            return reply_messages(
                reminder.chat_id, [nudge_reply(reminder.nudge, now, zone)], kind="reminder"
            )

        due = await claim_due_reminders(
            self.database, self.policy, zone, now, self.settings.retention_days, owe=owe
        )
        if due:
            self.sender.metrics.reminders_sent.inc(len(due))
            self.sender.wake()
        return len(due)

    async def purge(self) -> int:
        """At most hourly: erase interviews left unfinished for ``RETENTION_DAYS``, forget
        processed update ids older than the dedupe window and outbox rows sent more than a
        week ago."""
        now = self.clock.now()
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return 0
        self._last_purge = now
        # One process does this each hour, however many run.
        if not await claim_job(self.database, "purge", f"{now:%Y-%m-%dT%H}", now, self.worker):
            return 0
        await forget_old_updates(self.database, now)
        purged = await purge_unfinished(self.database, self.settings.retention_days, now)
        await prune_sent(self.database, datetime.now(UTC) - SENT_KEPT)  # on the sender's clock
        if purged:
            log.info(
                "purged %d interviews left unfinished for %d days",
                purged,
                self.settings.retention_days,
            )
        return purged


# --- copro-bot digest ----------------------------------------------------------------------


async def preview_digest(settings: Settings, database: Database, now: datetime) -> str:
    """The next digest as text, claiming and sending nothing."""
    zone = settings.timezone
    schedule = DigestSchedule.parse(settings.digest_schedule) if settings.digest_schedule else None
    if schedule is None:
        period = manual_period(now)
        when = "DIGEST_SCHEDULE is not set: `copro-bot digest --send` would send this now."
    else:
        period = schedule.latest_due(now, zone)
        if await digest_run(database, period.key) is None:
            when = f"The digest due {_local(period.end, settings)} has not been sent yet:"
        else:
            period = schedule.next_period(now, zone)
            when = f"Next digest: {_local(period.end, settings)}. So far it says:"
    start = await digest_start(database, period)
    data = await gather_digest(database, start, min(period.end, now), now)
    target = (
        f"the staff chat {settings.staff_chat_id}"
        if settings.staff_chat_id is not None
        else "no staff chat (STAFF_CHAT_ID is not set)"
    )
    lines = [when, f"(to {target})", "", as_plain_text(build_digest(data, zone))]
    if data.new_drafts:
        lines += ["", f"Attached: {digest_filename(data, zone)} — {document_caption(data)}"]
    return "\n".join(lines)


def _local(moment: datetime, settings: Settings) -> str:
    local = moment.astimezone(settings.timezone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({settings.timezone.key})"


async def digest_command(
    settings: Settings, *, send: bool, clock: Clock | None = None
) -> tuple[bool, str]:
    """``copro-bot digest --preview`` / ``--send``: whether it went well, and what to say.

    ``--send`` owes the digest and delivers what the outbox has due before it returns."""
    from telegram.ext import ExtBot

    from bot.wiring import open_database

    clock = clock or SystemClock()
    database = await open_database(settings)
    try:
        if not send:
            return True, await preview_digest(settings, database, clock.now())
        if settings.telegram_bot_token is None:
            raise ValueError("a bot token is required")
        bot: ExtBot[None] = ExtBot(
            settings.telegram_bot_token,
            base_url=settings.bot_api_url,
            base_file_url=settings.bot_file_url,
        )
        async with bot:
            scheduler = Scheduler(bot, database, settings, clock)
            outcome = await scheduler.send_now()
            await scheduler.sender.send_all_due()
    finally:
        await database.dispose()
    if outcome.failed:
        return False, "the staff chat did not accept the digest (see the log); nothing was sent"
    if outcome.sent:
        drafts = "1 new draft" if outcome.new_drafts == 1 else f"{outcome.new_drafts} new drafts"
        return True, f"Sent the digest ({drafts}) to the staff chat {settings.staff_chat_id}."
    return True, f"The digest {outcome.period.key} was already sent; nothing to do."
