"""The team's commands in Telegram: ``/export`` for admins, ``/stats`` for staff.

Installed in handler group -1, ahead of the contributor's interview (group 1): every update
they match ends here (``ApplicationHandlerStop``), so an admin's ``/export`` or a tap on
an export button never reaches the interview, and anyone else gets the polite refusal,
forged ``ex|`` buttons included. Roles are checked on every command and every tap.

An export runs as a task of its own, so a long one never holds up other chats' updates:
examples are streamed from the database into a temporary file, which is zipped when it is
over the upload limit, sent as a document and deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.outbox_render import file_message, html_message, plain_message
from bot.roles import REFUSAL, Roles
from bot.sender import Outbox
from bot.settings import Settings
from bot.telegram_render import escape, split_message
from bot.wiring import utc_now
from storage.database import Database
from storage.export_parallel import export_database
from storage.exports import (
    TELEGRAM_UPLOAD_LIMIT,
    ExportFilters,
    default_file_name,
    zip_if_large,
)
from storage.outbox import OutboxMessage
from storage.stats import collect_stats

log = logging.getLogger(__name__)

App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]

PREFIX = "ex"
# Read when sending, so a test can lower it to see the zipping.
UPLOAD_LIMIT = TELEGRAM_UPLOAD_LIMIT

FORMATS: dict[str, str] = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "jsonl": "JSON Lines",
    "json": "JSON",
    "md": "Markdown (ZIP)",
    "docx": "Word (DOCX)",
    "docx-zip": "Word, one file per example (ZIP)",
}
STATUSES: dict[str, tuple[str, frozenset[str] | None]] = {
    "all": ("All statuses", None),
    "ready,published": ("Ready or published", frozenset({"ready", "published"})),
    "ready": ("Ready", frozenset({"ready"})),
    "published": ("Published", frozenset({"published"})),
    "new": ("New", frozenset({"new"})),
    "in_review": ("In review", frozenset({"in_review"})),
    "needs_info": ("Needs info", frozenset({"needs_info"})),
    "archived": ("Archived", frozenset({"archived"})),
}
PERIODS: dict[str, str] = {"all": "All time", "30d": "Last 30 days", "year": "This year"}

PRIVATE_ONLY = (
    "Please send /export to me in a private chat: export files hold contributors' details."
)
STALE = "That button is out of date. Send /export to start again."
SORRY = "Sorry, the export failed. Please try again, or run `copro-bot export` on the server."


@dataclass(frozen=True)
class ExportChoice:
    """What an admin has chosen so far; ``cancelled`` when they tapped Cancel."""

    fmt: str | None = None
    status: str | None = None
    period: str | None = None
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return self.period is not None

    def summary(self) -> str:
        parts = [FORMATS[self.fmt]] if self.fmt else []
        if self.status is not None:
            parts.append(STATUSES[self.status][0])
        if self.period is not None:
            parts.append(PERIODS[self.period])
        return " · ".join(parts)


def parse_choice(data: str) -> ExportChoice | None:
    """The choice a button carries, or ``None`` for data no export button ever had."""
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != PREFIX:
        return None
    step, args = parts[1], parts[2:]
    if step == "x" and not args:
        return ExportChoice(cancelled=True)
    wanted = {"f": 1, "s": 2, "p": 3}.get(step)
    if wanted is None or len(args) != wanted:
        return None
    fmt, status, period = (*args, None, None)[:3]
    if fmt not in FORMATS:
        return None
    if status is not None and status not in STATUSES:
        return None
    if period is not None and period not in PERIODS:
        return None
    return ExportChoice(fmt=fmt, status=status, period=period)


def callback(*parts: str) -> str:
    data = "|".join((PREFIX, *parts))
    if len(data.encode("utf-8")) > 64:
        raise ValueError(f"callback data over 64 bytes: {data!r}")
    return data


def export_filters(choice: ExportChoice, now: datetime, timezone: tzinfo) -> ExportFilters:
    """The filters of a complete choice; "this year" starts on 1 January in ``timezone``."""
    statuses = STATUSES[choice.status or "all"][1]
    since: datetime | None = None
    if choice.period == "30d":
        since = now - timedelta(days=30)
    elif choice.period == "year":
        since = datetime(now.astimezone(timezone).year, 1, 1, tzinfo=timezone)
    return ExportFilters(status=statuses, since=since)


def menu(choice: ExportChoice) -> tuple[str, InlineKeyboardMarkup]:
    """The next question for an incomplete choice, with its buttons (two to a row)."""
    cancel = InlineKeyboardButton("Cancel", callback_data=callback("x"))
    if choice.fmt is None:
        text = "Export examples. Which format?"
        buttons = [
            InlineKeyboardButton(label, callback_data=callback("f", fmt))
            for fmt, label in FORMATS.items()
        ]
    elif choice.status is None:
        text = f"Export as {FORMATS[choice.fmt]}. Which examples?"
        buttons = [
            InlineKeyboardButton(label, callback_data=callback("s", choice.fmt, key))
            for key, (label, _) in STATUSES.items()
        ]
    else:
        text = f"Export: {choice.summary()}. Submitted when?"
        buttons = [
            InlineKeyboardButton(label, callback_data=callback("p", choice.fmt, choice.status, key))
            for key, label in PERIODS.items()
        ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return text, InlineKeyboardMarkup([*rows, [cancel]])


class AdminHandlers:
    """``/export`` (admins, private chats) and ``/stats`` (staff and admins, any chat)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.database = database
        self.outbox = outbox
        self.roles = Roles(settings, database)
        self.clock = clock

    def install(self, application: App) -> None:
        new_messages = filters.UpdateType.MESSAGE
        application.add_handler(
            CommandHandler("export", self.export_command, new_messages), group=-1
        )
        application.add_handler(CommandHandler("stats", self.stats_command, new_messages), group=-1)
        application.add_handler(
            CallbackQueryHandler(self.export_button, pattern=rf"^{PREFIX}\|"), group=-1
        )

    async def export_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if chat is not None:
            if not self.roles.is_admin(user.id if user else None):
                await _say(self.outbox, chat.id, REFUSAL)
            elif chat.type != ChatType.PRIVATE:
                await _say(self.outbox, chat.id, PRIVATE_ONLY)
            else:
                text, keyboard = menu(ExportChoice())
                shown = plain_message(chat.id, text)
                shown.payload["reply_markup"] = keyboard.to_dict()
                await self.outbox.owe([shown])
        raise ApplicationHandlerStop

    async def export_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None:
            raise ApplicationHandlerStop
        if not self.roles.is_admin(user.id if user else None):
            await _answer(query, REFUSAL, alert=True)
            raise ApplicationHandlerStop
        if chat is None or chat.type != ChatType.PRIVATE:
            await _answer(query, PRIVATE_ONLY, alert=True)
            raise ApplicationHandlerStop
        choice = parse_choice(query.data or "")
        if choice is None:
            await _answer(query, STALE, alert=True)
            raise ApplicationHandlerStop
        await _answer(query, None)
        if choice.cancelled:
            await _edit(self.outbox, query, "Export cancelled.", None)
        elif not choice.complete:
            text, keyboard = menu(choice)
            await _edit(self.outbox, query, text, keyboard)
        else:
            await _edit(self.outbox, query, f"Exporting: {choice.summary()}…", None)
            context.application.create_task(self.export_and_send(chat.id, choice), update=update)
        raise ApplicationHandlerStop

    async def export_and_send(self, chat_id: int, choice: ExportChoice) -> None:
        """Export to a temporary file and owe it (zipped if large): the outbox sends it and
        then deletes it. Never raises."""
        assert choice.fmt is not None
        now = self.clock()
        chosen = export_filters(choice, now, self.settings.timezone)
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="copro-export-"))
        try:
            path = folder / default_file_name(choice.fmt, now)
            result = await export_database(
                self.database,
                choice.fmt,
                path,
                filters=chosen,
                exported_at=now,
            )
            if result.count == 0:
                await _say(
                    self.outbox,
                    chat_id,
                    f"No examples match ({choice.summary()}): nothing to send.",
                )
                await asyncio.to_thread(shutil.rmtree, folder, True)
                return
            to_send = await asyncio.to_thread(zip_if_large, path, UPLOAD_LIMIT)
            size = to_send.stat().st_size
            if size > UPLOAD_LIMIT:
                await asyncio.to_thread(shutil.rmtree, folder, True)
                await _say(
                    self.outbox,
                    chat_id,
                    f"The export is {size / 2**20:.0f} MB, over the {UPLOAD_LIMIT / 2**20:.0f} MB "
                    "a bot may send. Narrow it down, or run `copro-bot export` on the server.",
                )
                return
            noun = "example" if result.count == 1 else "examples"
            caption = f"{result.count} {noun} · {choice.summary()}"
            if to_send != path:
                caption += " · zipped to fit"
                await asyncio.to_thread(path.unlink, True)
            await self.outbox.owe([file_message(chat_id, str(to_send), to_send.name, caption)])
        except Exception:
            log.exception("export to chat %s failed", chat_id)
            await asyncio.to_thread(shutil.rmtree, folder, True)
            await _say(self.outbox, chat_id, SORRY)

    async def stats_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if chat is not None:
            if not await self.roles.is_staff(user.id if user else None):
                await _say(self.outbox, chat.id, REFUSAL)
            else:
                stats = await collect_stats(self.database, self.settings.timezone)
                await self.outbox.owe(
                    [html_message(chat.id, part) for part in split_message(escape(stats.text()))]
                )
        raise ApplicationHandlerStop


async def _say(outbox: Outbox, chat_id: int, text: str) -> None:
    await outbox.owe([plain_message(chat_id, text)])


async def _answer(query: CallbackQuery, text: str | None, *, alert: bool = False) -> None:
    with contextlib.suppress(TelegramError):
        await query.answer(text, show_alert=alert)


async def _edit(
    outbox: Outbox, query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """The export menu, changed in place (through the outbox, in the chat's order)."""
    message = query.message
    if message is None:
        return
    payload: dict[str, Any] = {"text": text, "message_id": message.message_id}
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    await outbox.owe([OutboxMessage(message.chat.id, "editMessageText", payload, kind="menu")])
