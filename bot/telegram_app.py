"""The Telegram adapter: a python-telegram-bot ``Application`` whose handlers only translate.

Handlers pull plain values out of the ``Update``, call the interview service (which commits
before returning) and send what it returns. Updates are fetched by our own polling loop or
webhook server so that Telegram's acknowledgement comes only after the commit; a redelivered
update is recognised by its ``update_id`` in the database and applied once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Conflict, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot.admin import AdminHandlers
from bot.reminders import ReminderHandlers
from bot.scheduler import Clock, Scheduler, SystemClock
from bot.settings import Settings
from bot.staff import install_staff
from bot.telegram_events import event_from_update, is_private, person_from_update
from bot.telegram_render import render_reply, shorten
from conversations.model import Reply
from conversations.review_text import open_button
from storage.service import Handled, InterviewService

log = logging.getLogger(__name__)

App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start or carry on sharing a project"),
    ("status", "Where am I, what is left"),
    ("review", "See your answers so far"),
    ("back", "Go back one question"),
    ("skip", "Skip this question (if optional)"),
    ("cancel", "Stop this interview"),
    ("help", "How this works"),
    ("privacy", "What is stored and why"),
    ("mydata", "Get a copy of everything stored about you"),
    ("delete", "Erase everything stored about you"),
    ("reminders", "Turn reminders on or off"),
)
ERASE_YES = "erase|yes"
ERASE_NO = "erase|no"
SORRY = (
    "Sorry, something went wrong on my side. Your answers so far are safe: "
    "please try again in a moment."
)


def privacy_text(settings: Settings) -> str:
    return (
        "What I keep: your Telegram name and username, your answers (text, and references to "
        "photos, files, voice notes, places and contacts you send), and when you sent them.\n\n"
        "Why: to turn your story into a draft example of co-production that staff polish and "
        "may publish, credited the way you choose (your name, your organisation, or "
        "anonymous). Contact details are only used if you say staff may contact you.\n\n"
        f"How long: finished stories are kept until you delete them. Interviews left "
        f"unfinished are deleted after {settings.retention_days} days; before that I remind "
        "you at most twice (/reminders off stops that).\n\n"
        "Your rights: /mydata sends you a file with everything stored about you; /delete "
        "erases it."
    )


def reference_text(reference: str) -> str:
    return f"Your reference number is {reference}. Quote it if you contact us about this story."


class ContributorHandlers:
    """The contributor-facing side of the bot: one interview per private chat."""

    def __init__(self, settings: Settings, service: InterviewService) -> None:
        self.settings = settings
        self.service = service

    def install(self, application: App) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(TypeHandler(Update, self.outside_private_chats), group=0)
        # Private chats only: in the staff chat (which passes the gate above) these would
        # post one person's data, or an erase button, in front of the whole group.
        application.add_handler(CommandHandler("privacy", self.privacy, private), group=1)
        application.add_handler(CommandHandler("mydata", self.my_data, private), group=1)
        application.add_handler(CommandHandler("delete", self.delete, private), group=1)
        application.add_handler(
            CallbackQueryHandler(self.confirm_delete, pattern=r"^erase\|"), group=1
        )
        application.add_handler(TypeHandler(Update, self.interview), group=1)

    async def outside_private_chats(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Groups and channels get one pointer to a private chat; nothing else happens there."""
        chat = update.effective_chat
        if chat is None or chat.type == ChatType.PRIVATE:
            return
        if chat.id == self.settings.staff_chat_id:
            return
        # Only a new message or post gets the pointer: edits, button presses and membership
        # changes in the group are ignored, so the group sees one reply per message at most.
        message = update.message or update.channel_post
        if message is not None:
            username = context.bot.username
            link = f"https://t.me/{username}?start=group" if username else "a private chat"
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    chat.id,
                    "Hi! I collect stories one to one. Message me privately to share yours: "
                    f"{link}",
                    reply_to_message_id=message.message_id,
                    disable_web_page_preview=True,
                )
        raise ApplicationHandlerStop

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send_replies(context, chat.id, [Reply(privacy_text(self.settings))])

    async def my_data(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        data = await self.service.export_person_data(user.id)
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        await context.bot.send_document(
            chat.id,
            InputFile(body, filename="my-copro-bot-data.json"),
            caption="Everything copro-bot stores about you.",
        )

    async def delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes, erase everything", callback_data=ERASE_YES),
                    InlineKeyboardButton("No, keep it", callback_data=ERASE_NO),
                ]
            ]
        )
        await context.bot.send_message(
            chat.id,
            "This erases all your answers and stories, including ones already sent to staff. "
            "It cannot be undone. Are you sure?",
            reply_markup=keyboard,
        )

    async def confirm_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        if query.data == ERASE_YES:
            existed = await self.service.erase_person(user.id)
            text = (
                "Done: everything stored about you has been erased."
                if existed
                else "There was nothing stored about you."
            )
        else:
            text = "Nothing was erased."
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(chat.id, text)

    async def interview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_private(update):
            return
        person = person_from_update(update)
        event = event_from_update(update)
        if person is None or event is None:
            return
        query = update.callback_query
        try:
            handled = await self.service.handle(person, event, update_id=update.update_id)
        except Exception:
            log.exception("update %s failed", update.update_id)
            if query is not None:
                with contextlib.suppress(TelegramError):
                    await query.answer()
            await send_replies(context, person.chat_id, [Reply(SORRY)])
            return
        if query is not None:
            with contextlib.suppress(TelegramError):
                await query.answer(handled.notice)
        if handled.duplicate:
            return
        replies = handled.replies
        if handled.submitted_reference:
            replies = (*replies, Reply(reference_text(handled.submitted_reference)))
        await send_replies(context, person.chat_id, replies)
        if handled.submitted_reference:
            await self.notify_staff(context, handled, person.name)
        # Staff questions put to the contributor at this pause, and news for staff.
        await send_replies(context, person.chat_id, handled.deliveries)
        for notice in handled.notices:
            await send_replies(context, notice.chat_id, [notice.reply])

    async def notify_staff(
        self, context: ContextTypes.DEFAULT_TYPE, handled: Handled, name: str
    ) -> None:
        if self.settings.staff_chat_id is None or handled.submitted_reference is None:
            return
        who = name or "a contributor"
        title = f": “{shorten(handled.draft_title, 120)}”" if handled.draft_title else ""
        notice = Reply(f"New story {handled.submitted_reference}{title}, from {who}.")
        if handled.draft_id is not None:
            notice = replace(notice, buttons=((open_button(handled.draft_id),),))
        await send_replies(context, self.settings.staff_chat_id, [notice])


async def send_replies(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: Sequence[Reply]
) -> None:
    """Send replies in order; a failed send is logged and never undoes what was stored."""
    for reply in replies:
        for message in render_reply(reply):
            try:
                await context.bot.send_message(
                    chat_id,
                    message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=message.reply_markup,
                    disable_web_page_preview=True,
                )
            except Forbidden:
                log.info("chat %s has blocked the bot; reply dropped", chat_id)
                return
            except TelegramError:
                log.exception("could not send a reply to chat %s", chat_id)
                return


def build_application(settings: Settings, service: InterviewService) -> App:
    """The real python-telegram-bot Application, pointed at ``TELEGRAM_API_BASE_URL``."""
    if settings.telegram_bot_token is None:
        raise ValueError("a bot token is required")
    application: App = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.send_rate_limit, max_retries=3))
        .updater(None)
        .post_init(lambda app: set_command_menu(app, settings))
        .build()
    )
    AdminHandlers(settings, service.database).install(application)
    install_staff(application, settings, service)
    ReminderHandlers(service.database).install(application)
    ContributorHandlers(settings, service).install(application)
    return application


STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("drafts", "Review queue of drafts"),
    ("draft", "Open a draft by its reference"),
    ("stats", "Figures: drafts by status, completion rate"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("export", "Export the examples as a file"),
    ("staff", "List, add or remove staff"),
)


def _menu(*parts: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, text) for part in parts for name, text in part]


async def set_command_menu(application: App, settings: Settings | None = None) -> None:
    """Contributors see their commands; staff and admins named in the settings (in their
    private chats) and the staff group also see theirs. Staff added in chat get no menu
    of their own; their commands work all the same."""
    bot = application.bot
    await bot.set_my_commands(_menu(COMMANDS))
    if settings is None:
        return
    with contextlib.suppress(TelegramError):
        for user_id in sorted(settings.staff_user_ids - settings.admin_user_ids):
            await bot.set_my_commands(
                _menu(COMMANDS, STAFF_COMMANDS), scope=BotCommandScopeChat(user_id)
            )
        for user_id in sorted(settings.admin_user_ids):
            await bot.set_my_commands(
                _menu(COMMANDS, STAFF_COMMANDS, ADMIN_COMMANDS), scope=BotCommandScopeChat(user_id)
            )
        if settings.staff_chat_id is not None:
            await bot.set_my_commands(
                _menu(STAFF_COMMANDS), scope=BotCommandScopeChat(settings.staff_chat_id)
            )


async def process_batch(application: App, updates: Sequence[Update]) -> None:
    """Process a batch: chats run concurrently, each chat's updates strictly in order."""
    by_chat: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        chat = update.effective_chat
        by_chat[chat.id if chat else 0].append(update)

    async def run_chat(chat_updates: list[Update]) -> None:
        for update in chat_updates:
            await application.process_update(update)

    await asyncio.gather(*(run_chat(chat_updates) for chat_updates in by_chat.values()))


CONFLICT_RETRY_SECONDS = 10.0


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def poll(application: App, stop: asyncio.Event, *, poll_seconds: int = 25) -> None:
    """Long polling that acknowledges a batch only after it was processed and committed.

    Telegram forgets updates below the ``offset`` of the next ``getUpdates``; asking for the
    next batch only after processing means a crash redelivers instead of losing updates.
    Once stopped, what was processed is acknowledged with one last short call, so the next
    start does not receive it again (it would be recognised and skipped, but need not come).
    """
    bot = application.bot
    await bot.delete_webhook()
    offset: int | None = None
    while not stop.is_set():
        fetch = asyncio.ensure_future(
            bot.get_updates(offset=offset, timeout=poll_seconds, allowed_updates=Update.ALL_TYPES)
        )
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            break
        stopper.cancel()
        try:
            updates = fetch.result()
        except RetryAfter as error:
            wait = error.retry_after
            await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
            continue
        except Conflict:
            # Another copy polls with this token (a deploy overlapping the old process):
            # wait for it to go rather than die, and say so.
            log.warning(
                "another process is polling with this bot token; retrying in %s s",
                CONFLICT_RETRY_SECONDS,
            )
            await _sleep_unless(stop, CONFLICT_RETRY_SECONDS)
            continue
        except NetworkError:
            log.warning("Bot API unreachable; retrying shortly")
            await _sleep_unless(stop, 2)
            continue
        if updates:
            await process_batch(application, updates)
            offset = updates[-1].update_id + 1
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.get_updates(offset=offset, timeout=0, limit=1)


async def run_bot(
    settings: Settings,
    *,
    webhook: bool,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
) -> None:
    """``copro-bot run``: open the database, then poll or serve a webhook until stopped.

    Without ``stop``, SIGINT and SIGTERM stop the bot; a caller embedding the bot (a test,
    another service) passes its own event instead.
    """
    from bot.wiring import build_service, open_database

    database = await open_database(settings)
    clock = clock or SystemClock()
    application = build_application(settings, build_service(settings, database, clock.now))
    loop = asyncio.get_running_loop()
    signals: list[signal.Signals] = []
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
                signals.append(sig)
    try:
        async with application:
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            # Digests, reminders and the purge tick beside polling or the webhook.
            scheduled = asyncio.create_task(
                Scheduler(application.bot, database, settings, clock).run()
            )
            try:
                if webhook:
                    from bot.webhook import serve_webhook

                    await serve_webhook(application, settings, stop)
                else:
                    log.info("polling %s", settings.telegram_api_base_url)
                    await poll(application, stop)
            finally:
                scheduled.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await scheduled
                await application.stop()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        await database.dispose()
