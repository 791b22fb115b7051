"""The Telegram adapter: a python-telegram-bot ``Application`` whose handlers only translate.

Handlers pull plain values out of the ``Update``, call the interview service (which commits
before returning) and send what it returns. Updates are fetched by our own polling loop or
webhook server so that Telegram's acknowledgement comes only after the commit; a redelivered
update is recognised by its ``update_id`` in the database and applied once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.admin import AdminHandlers
from bot.fast_path import PrivateAction
from bot.intake import (
    STORAGE_DOWN,
    BatchFacts,
    Incoming,
    Intake,
    UnparseableUpdate,
    chat_key,
    fingerprint,
    fingerprint_of,
    note_recorded,
    parse_update,
    raw_text,
    update_id_of,
)
from bot.outbox_render import document_message, plain_message, reply_messages
from bot.privacy import privacy_text
from bot.reminders import ReminderHandlers
from bot.roles import staff_known
from bot.scheduler import Clock, Scheduler, SystemClock
from bot.sender import Outbox, Sender
from bot.settings import Settings
from bot.staff import install_staff
from bot.telegram_events import event_from_update, is_private, person_from_update
from bot.telegram_http import AiohttpRequest
from bot.telegram_render import shorten
from bot.wiring import send_limits
from bot.writer_model import DraftWriter, OpenAICompatibleModel
from conversations.i18n import LANGUAGES, N_, Words, parse_language_code
from conversations.lens_model import warm_up
from conversations.model import Event, Person, Reply
from conversations.review_text import open_button
from storage.contributors import language_for
from storage.database import Database
from storage.intake import park_update
from storage.outbox import OutboxMessage, enqueue
from storage.service import Handled, InterviewService

log = logging.getLogger(__name__)

App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or carry on sharing a project")),
    ("status", N_("Where am I, what is left")),
    ("review", N_("See your answers so far")),
    ("back", N_("Go back one question")),
    ("skip", N_("Skip this question (if optional)")),
    ("cancel", N_("Stop this interview")),
    ("help", N_("How this works")),
    ("language", N_("Choose your language")),
    ("privacy", N_("What is stored and why")),
    ("mydata", N_("Get a copy of everything stored about you")),
    ("delete", N_("Erase everything stored about you")),
    ("reminders", N_("Turn reminders on or off")),
)
ERASE_YES = "erase|yes"
ERASE_NO = "erase|no"
SORRY = N_(
    "Sorry, something went wrong on my side. Your answers so far are safe: "
    "please try again in a moment."
)
BUTTON_GONE = "That button no longer works. Send /start to carry on."


def reference_text(reference: str, words: Words | None = None) -> str:
    words = words or Words("en")
    text = words._(
        "Your reference number is %(reference)s. Quote it if you contact us about this story."
    )
    return text % {"reference": reference}


class ContributorHandlers:
    """The contributor-facing side of the bot: one interview per private chat."""

    def __init__(self, settings: Settings, service: InterviewService, sender: Sender) -> None:
        self.settings = settings
        self.service = service
        self.sender = sender

    async def owe(self, messages: Sequence[OutboxMessage]) -> None:
        """Owe messages that change nothing else (their own transaction), and send now."""
        await enqueue(self.service.database, messages, self.service.clock())
        self.sender.wake()

    async def words(self, update: Update) -> Words:
        """The contributor's language for texts said outside an interview step; Telegram's
        alone when the database cannot say (the apology for a failed update still goes)."""
        user = update.effective_user
        if user is None:
            return Words("en")
        return await self.words_of(user.id, user.language_code)

    async def words_of(self, user_id: int, language_code: str | None) -> Words:
        """:meth:`words` for a user known by id and Telegram's language code."""
        try:
            language = await language_for(self.service.database, user_id, language_code)
        except Exception:
            log.exception("could not read the language of user %s", user_id)
            language = parse_language_code(language_code)
        return Words(language)

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
        if chat is None and update.callback_query is not None:
            # A button on a message Telegram no longer attaches (too old, inline): it still
            # gets an answer, or the button's spinner turns until it times out.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(BUTTON_GONE)
            raise ApplicationHandlerStop
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
            words = await self.words(update)
            pointer = plain_message(
                chat.id,
                words._(
                    "Hi! I collect stories one to one. Message me privately to share yours: "
                    "%(link)s"
                )
                % {"link": link},
            )
            pointer.payload["reply_to_message_id"] = message.message_id
            await self.owe([pointer])
        raise ApplicationHandlerStop

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is not None:
            words = await self.words(update)
            await self.owe(reply_messages(chat.id, [Reply(privacy_text(self.settings, words))]))

    async def my_data(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        data = await self.service.export_person_data(user.id)
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        await self.owe(
            [
                document_message(
                    chat.id,
                    body,
                    "my-copro-bot-data.json",
                    (await self.words(update))._("Everything copro-bot stores about you."),
                    kind="mydata",
                )
            ]
        )

    async def delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        _ = (await self.words(update))._
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("Yes, erase everything"), callback_data=ERASE_YES),
                    InlineKeyboardButton(_("No, keep it"), callback_data=ERASE_NO),
                ]
            ]
        )
        question = plain_message(
            chat.id,
            _(
                "This erases all your answers and stories, including ones already sent to "
                "staff. It cannot be undone. Are you sure?"
            ),
        )
        question.payload["reply_markup"] = keyboard.to_dict()
        await self.owe([question])

    async def confirm_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        _ = (await self.words(update))._  # read before erasing, which forgets the choice
        if query.data == ERASE_YES:
            existed = await self.service.erase_person(user.id)
            text = (
                _("Done: everything stored about you has been erased.")
                if existed
                else _("There was nothing stored about you.")
            )
        else:
            text = _("Nothing was erased.")
        messages = [plain_message(chat.id, text)]
        if query.message is not None:
            messages.insert(
                0,
                OutboxMessage(
                    chat.id, "editMessageReplyMarkup", {"message_id": query.message.message_id}
                ),
            )
        await self.owe(messages)

    async def interview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_private(update):
            return
        person = person_from_update(update)
        event = event_from_update(update)
        if person is None or event is None:
            return
        query = update.callback_query

        def answer(notice: str | None) -> Coroutine[Any, Any, None]:
            assert query is not None
            return _answer_quietly(query, notice)

        await self.take(
            person,
            event,
            update.update_id,
            fingerprint(update),
            raw=update.to_dict,
            answer=answer if query is not None else None,
            application=context.application,
        )

    async def take_action(self, action: PrivateAction, key: str, application: App) -> None:
        """:meth:`interview` for an update read straight from its JSON (the fast path in
        :mod:`bot.fast_path`): the same transaction, outbox and button answer."""
        query_id = action.query_id

        def answer(notice: str | None) -> Coroutine[Any, Any, None]:
            assert query_id is not None
            return _answer_id_quietly(application, query_id, notice)

        await self.take(
            action.person,
            action.event,
            action.update_id,
            key,
            # Parked as the full path parks it (python-telegram-bot's form of the update).
            raw=lambda: parse_update(action.data, application).to_dict(),
            answer=answer if query_id is not None else None,
            application=application,
        )

    async def take(
        self,
        person: Person,
        event: Event,
        update_id: int,
        key: str,
        *,
        raw: Callable[[], object],
        answer: Callable[[str | None], Coroutine[Any, Any, None]] | None,
        application: Application[Any, Any, Any, Any, Any, Any],
    ) -> None:
        """One interview step for an update, its messages owed in its transaction; a
        button press answered after the commit."""

        def compose(handled: Handled) -> list[OutboxMessage]:
            return self.compose(person.chat_id, person.name, handled)

        handled = await self.service.handle(
            person, event, update_id=update_id, fingerprint=key, compose=compose
        )
        if not handled.failed:
            note_recorded(update_id)  # claimed in the transaction that handled it
        else:
            # Logged and rolled back by the service; kept for the operator, apologised for
            # (in the contributor's language) through the outbox.
            await park_update(
                self.service.database,
                update_id,
                handled.failure or "handling failed",
                raw_text(raw()),
                self.service.clock(),
            )
            sorry = (await self.words_of(person.user_id, person.language))._(SORRY)
            await self.owe(reply_messages(person.chat_id, [Reply(sorry)]))
        # Everything else it led to was owed in its transaction: a redelivered update (its
        # replies already owed, or sent) needs nothing more.
        self.sender.wake()
        if handled.began:
            self.sender.metrics.interviews_started.inc()
        if handled.submitted_reference and not handled.duplicate:
            self.sender.metrics.interviews_submitted.inc()
        if answer is not None:
            answering = answer(handled.notice)
            if application.running:
                # The toast (or the spinner's end) needs nothing more of this update, whose
                # transaction committed: answered beside the next updates rather than before
                # them, so a slow Bot API holds up neither this chat nor the batch's
                # acknowledgement. A running application waits for it when it stops.
                application.create_task(answering, name="answer button")
            else:
                await answering

    def compose(self, chat_id: int, name: str, handled: Handled) -> list[OutboxMessage]:
        """Every message one handled update owes, rendered, in the order they go out: the
        replies, the reference number, the staff notice, a staff question put at this
        pause, and news for staff."""
        replies = handled.replies
        if handled.submitted_reference:
            words = Words(handled.language)
            replies = (*replies, Reply(reference_text(handled.submitted_reference, words)))
        messages = reply_messages(chat_id, replies)
        notice = self.staff_notice(handled)
        if notice is not None and self.settings.staff_chat_id is not None:
            messages += reply_messages(self.settings.staff_chat_id, [notice], kind="notice")
        messages += reply_messages(chat_id, handled.deliveries, follow_up_id=handled.delivering)
        for news in handled.notices:
            messages += reply_messages(news.chat_id, [news.reply], kind="notice")
        return messages

    def staff_notice(self, handled: Handled) -> Reply | None:
        if self.settings.staff_chat_id is None or handled.submitted_reference is None:
            return None
        # Staff see the name only when the contributor chose to be credited by it.
        who = handled.credit_as or "a contributor who asked not to be named"
        title = f": “{shorten(handled.draft_title, 120)}”" if handled.draft_title else ""
        notice = Reply(f"New story {handled.submitted_reference}{title}, from {who}.")
        if handled.draft_id is not None:
            notice = replace(notice, buttons=((open_button(handled.draft_id),),))
        return notice


async def _answer_quietly(query: CallbackQuery, notice: str | None) -> None:
    """Answer a button press; a failure only leaves its spinner turning a little longer."""
    with contextlib.suppress(TelegramError):
        await query.answer(notice)


async def _answer_id_quietly(application: App, query_id: str, notice: str | None) -> None:
    """:func:`_answer_quietly` for a press known by its id (the fast path's)."""
    with contextlib.suppress(TelegramError):
        await application.bot.answer_callback_query(query_id, notice)


def build_application(settings: Settings, service: InterviewService) -> App:
    """The real python-telegram-bot Application, pointed at ``TELEGRAM_API_BASE_URL``.

    No python-telegram-bot rate limiter: the outbox's sender keeps Telegram's limits,
    counted in the database so they hold over several processes."""
    if settings.telegram_bot_token is None:
        raise ValueError("a bot token is required")
    application: App = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .updater(None)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(1))
        .post_init(lambda app: set_command_menu(app, settings))
        .build()
    )
    sender = Sender(
        application.bot,
        service.database,
        limits=send_limits(settings),
    )
    application.bot_data[SENDER] = sender
    outbox = Outbox(service.database, sender)
    AdminHandlers(settings, service.database, outbox).install(application)
    install_staff(application, settings, service, outbox)
    ReminderHandlers(service.database, outbox).install(application)
    ContributorHandlers(settings, service, sender).install(application)
    return application


SENDER = "outbox sender"


def sender_of(application: App) -> Sender:
    """The application's outbox sender (one per application, made by ``build_application``)."""
    sender = application.bot_data.get(SENDER)
    if not isinstance(sender, Sender):
        raise LookupError("this application was not made by build_application")
    return sender


STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("drafts", "Review queue of drafts"),
    ("draft", "Open a draft by its reference"),
    ("stats", "Figures: drafts by status, completion rate"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("export", "Export the examples as a file"),
    ("staff", "List, add or remove staff"),
)


def _menu(*parts: tuple[tuple[str, str], ...], language: str = "en") -> list[BotCommand]:
    _ = Words(language)._
    return [BotCommand(name, _(text)) for part in parts for name, text in part]


async def set_command_menu(application: App, settings: Settings | None = None) -> None:
    """Contributors see their commands; staff and admins named in the settings (in their
    private chats) and the staff group also see theirs. Staff added in chat get no menu
    of their own; their commands work all the same."""
    bot = application.bot
    await bot.set_my_commands(_menu(COMMANDS))
    # Telegram shows these to users whose app is in that language.
    for language in LANGUAGES:
        if language != "en":
            with contextlib.suppress(TelegramError):
                await bot.set_my_commands(
                    _menu(COMMANDS, language=language), language_code=language
                )
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


async def _parse_batch(intake: Intake, batch: Sequence[object]) -> list[tuple[Incoming, str]]:
    """Each raw update parsed alone, with its fingerprint; one that cannot be is parked."""
    parsed: list[tuple[Incoming, str]] = []
    for data in batch:
        try:
            update = intake.take_in(data)
        except UnparseableUpdate as error:
            await intake.park(update_id_of(data), str(error), data)
            continue
        parsed.append((update, fingerprint_of(data)))
    return parsed


async def _dispatch_timed(
    intake: Intake, update: Incoming, key: str, seen: bool | None, sender: object
) -> None:
    """Hand one settled update to the handlers, and time it for the metrics."""
    started = time.perf_counter()
    await intake.dispatch(update, key, seen=seen)
    if isinstance(sender, Sender):
        seconds = time.perf_counter() - started
        if isinstance(update, PrivateAction):
            sender.metrics.observe_kind(update.kind, seconds)
        else:
            sender.metrics.observe_update(update, seconds)


CONFLICT_RETRY_SECONDS = 10.0
GET_UPDATES_READ_MARGIN = 10.0


def conflict_line(description: str, retry_seconds: float) -> str:
    """One line for Telegram's 409: who else takes this bot's updates, and what to do."""
    if "webhook" in description.lower():
        return (
            "a webhook is set for this bot, so polling gets nothing: run the webhook workers "
            f"instead, or `copro-bot webhook delete`; checking again every {retry_seconds:g} s"
        )
    return (
        "another process is polling with this bot token (Telegram allows one poller): stop "
        "it, or run several workers with --webhook; checking again every "
        f"{retry_seconds:g} s"
    )


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def fetch_updates(
    application: App, offset: int | None, wait_seconds: float, limit: int | None = None
) -> list[object]:
    """``getUpdates`` as raw JSON, so that each update is parsed on its own (the library's
    ``get_updates`` parses the whole batch at once, and one bad update sinks all of it)."""
    # do_api_request suggests Bot.get_updates, which is exactly what we must avoid here. A
    # filter, not catch_warnings: that one is not safe around an await. Adding it again
    # replaces the same filter.
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning
    )
    result = await application.bot.do_api_request(
        "getUpdates",
        api_kwargs={
            "offset": offset,
            "timeout": wait_seconds,
            "limit": limit,
            "allowed_updates": list(Update.ALL_TYPES),
        },
        read_timeout=wait_seconds + GET_UPDATES_READ_MARGIN,
    )
    return list(result) if isinstance(result, list) else []


BUSY_POLL_SECONDS = 0.1
"""While updates are in hand and nothing new came, how often to ask for new ones."""
NO_FACTS = BatchFacts({}, frozenset(), frozenset())


class _Stream:
    """What the polling loop has in hand, and the chats busy with it.

    Telegram forgets every update below the ``offset`` of the next ``getUpdates``, so the
    offset asked with is the lowest update not yet finished: updates in hand, or finished
    above it, come again and are skipped here; one given back (the database went away, or
    a stop came before its turn) comes again and is taken in afresh.

    Each busy chat has a lane: the updates taken in for it, in order, run one at a time by
    one task. An update of a busy chat joins its lane at once, in memory, rather than
    waiting to be sent again: a copy of it that comes again is then known, and skipped.
    """

    def __init__(self) -> None:
        self.in_hand: set[int] = set()  # taken in, not finished: running or in a lane
        self.given_back: set[int] = set()  # not finished, to be taken in again
        self.finished: set[int] = set()  # finished above the offset
        self.lanes: dict[int, deque[tuple[Incoming, str, BatchFacts]]] = {}
        self.highest: int | None = None
        self.done_below = 0  # every update below this one is finished
        self.tasks: set[asyncio.Task[None]] = set()
        self.crash: BaseException | None = None  # a bug in a handler: polling stops
        self.down: BaseException | None = None  # the database went away in a lane

    def offset(self) -> int | None:
        """The lowest update not finished, or one past the highest seen."""
        waiting = self.in_hand | self.given_back
        if waiting:
            return min(waiting)
        return None if self.highest is None else self.highest + 1

    def settle(self) -> None:
        """Forget what lies below the offset: Telegram will not send it again."""
        offset = self.offset()
        if offset is not None:
            self.done_below = max(self.done_below, offset)
            self.finished = {i for i in self.finished if i >= offset}

    def known(self, update_id: int | None) -> bool:
        """In hand or finished: a ``getUpdates`` that overlaps them brings them back."""
        return update_id is not None and (
            update_id < self.done_below or update_id in self.in_hand or update_id in self.finished
        )

    def give_back(self, lane: deque[tuple[Incoming, str, BatchFacts]]) -> None:
        """The updates left in ``lane`` come again from Telegram, in order."""
        ids = {update.update_id for update, _, _ in lane}
        lane.clear()
        self.in_hand -= ids
        self.given_back |= ids


async def poll(intake: Intake, stop: asyncio.Event, *, poll_seconds: int = 25) -> None:
    """Long polling that acknowledges an update only after it was processed and committed,
    and lets no chat wait for another.

    Updates of different chats run concurrently, one chat's strictly in order. While some
    are still in hand, the loop asks again soon from the lowest unfinished update: those
    in hand (or finished out of order) come back and are skipped, new ones of idle chats
    start at once, and those of a busy chat join its lane. So a slow chat holds up only
    itself, and the next updates come while the last ones are being handled. An update
    that cannot be parsed is parked and acknowledged; if the database cannot be reached,
    an update and the rest of its chat's lane are not acknowledged and are tried again.
    Once stopped, what is running finishes, what waits in a lane is left for the next
    start, and what finished is acknowledged with one last short call.
    """
    application = intake.application
    bot = application.bot
    await bot.delete_webhook()
    stream = _Stream()
    conflicted = False
    try:
        while not stop.is_set():
            wait_seconds = 0 if stream.in_hand else poll_seconds
            fetch = asyncio.ensure_future(fetch_updates(application, stream.offset(), wait_seconds))
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if fetch not in done:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            stopper.cancel()
            try:
                batch = fetch.result()
            except RetryAfter as error:
                wait = error.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
                continue
            except Conflict as error:
                # Another copy polls with this token (a deploy overlapping the old process), or
                # a webhook is set: wait for it to go rather than die, and say so once.
                if not conflicted:
                    log.warning("%s", conflict_line(str(error), CONFLICT_RETRY_SECONDS))
                conflicted = True
                await _sleep_unless(stop, CONFLICT_RETRY_SECONDS)
                continue
            except NetworkError:
                log.warning("Bot API unreachable; retrying shortly")
                await _sleep_unless(stop, 2)
                continue
            if conflicted:
                log.warning("polling again: the other consumer of this bot's updates is gone")
                conflicted = False
            try:
                await _take_in(intake, stream, stop, batch)
            except STORAGE_DOWN as error:
                log.warning(
                    "database unavailable (%s); the batch will be tried again",
                    type(error).__name__,
                )
                await _sleep_unless(stop, 2)
                continue
            if stream.tasks:
                # Wait until a lane finishes (the offset may move), or a moment at most,
                # before asking again: a long poll would return at once with the updates
                # still in hand, and asking at once only brings them back again.
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {*stream.tasks, stopper},
                    timeout=BUSY_POLL_SECONDS,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                stopper.cancel()
            if stream.crash is not None:
                await asyncio.gather(*stream.tasks, return_exceptions=True)
                raise stream.crash
            if stream.given_back and not stream.in_hand:
                await _sleep_unless(stop, 2)  # the database went away mid-way
    except asyncio.CancelledError:
        for task in stream.tasks:  # killed: nothing more is processed or acknowledged
            task.cancel()
        raise
    if stream.tasks:
        await asyncio.gather(*stream.tasks, return_exceptions=True)
    stream.settle()
    offset = stream.offset()
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await fetch_updates(application, offset, 0, limit=1)


async def process_batch(intake: Intake, batch: Sequence[object]) -> None:
    """Run one batch of raw updates through the lanes :func:`poll` uses, and wait for them:
    each parsed alone (one that cannot be is parked; a contributor's text or button press
    is read straight from its JSON, see :mod:`bot.fast_path`), the redeliveries and staff
    among them found in one read, chats concurrently, each chat's updates in order. What a
    lane met (the database gone, a bug) is raised once every lane has finished, so none is
    still running when the batch is tried again."""
    stream = _Stream()
    await _take_in(intake, stream, asyncio.Event(), batch)
    await asyncio.gather(*stream.tasks)
    for failure in (stream.crash, stream.down):
        if failure is not None:
            raise failure


async def _take_in(
    intake: Intake, stream: _Stream, stop: asyncio.Event, batch: Sequence[object]
) -> None:
    """Put the new updates of ``batch`` in their chats' lanes, starting a lane for each
    idle chat. Raises one of ``STORAGE_DOWN``, with nothing taken in, when the database
    cannot be reached to take them in."""
    fresh: list[object] = []
    ids: set[int] = set()
    for data in batch:
        update_id = update_id_of(data)
        if update_id is not None:
            if stream.known(update_id) or update_id in ids:
                continue
            ids.add(update_id)
        fresh.append(data)
    parsed = await _parse_batch(intake, fresh) if fresh else []
    facts = await intake.look_up(parsed) if parsed else NO_FACTS
    if ids:
        stream.highest = max(max(ids), stream.highest or 0)
    taken = {update.update_id for update, _ in parsed}
    stream.finished |= ids - taken  # parked: nothing more to do
    stream.given_back -= ids
    stream.in_hand |= taken
    for update, key in parsed:
        update = intake.settle(update, facts)
        chat = chat_key(update)
        lane = stream.lanes.get(chat)
        if lane is None:
            lane = stream.lanes[chat] = deque()
            task = asyncio.create_task(_run_lane(intake, stream, stop, chat, lane))
            stream.tasks.add(task)
            task.add_done_callback(stream.tasks.discard)
        lane.append((update, key, facts))
    stream.settle()


async def _run_lane(
    intake: Intake,
    stream: _Stream,
    stop: asyncio.Event,
    chat: int,
    lane: deque[tuple[Incoming, str, BatchFacts]],
) -> None:
    """Run one chat's updates in order until its lane is empty (updates that arrive
    meanwhile join it); on a stop, after the one running, the rest wait for the next start."""
    sender = intake.application.bot_data.get(SENDER)
    try:
        while lane and not stop.is_set():
            update, key, facts = lane[0]
            try:
                with staff_known(facts.senders, facts.staff):
                    await _dispatch_timed(
                        intake, update, key, facts.seen.get(update.update_id), sender
                    )
            except STORAGE_DOWN as error:
                log.warning(
                    "database unavailable (%s); %d updates will be tried again",
                    type(error).__name__,
                    len(lane),
                )
                stream.down = error
                break
            except Exception as error:  # our own bug: stop polling loudly, as before
                stream.crash = error
                break
            lane.popleft()
            stream.in_hand.discard(update.update_id)
            stream.finished.add(update.update_id)
    finally:
        stream.give_back(lane)
        del stream.lanes[chat]
        stream.settle()


async def _warm_lens_model() -> None:
    """Load the lens's learned model in a thread; a failure is logged, drafts then load it."""
    try:
        await asyncio.to_thread(warm_up)
    except Exception:
        log.exception("the lens's learned model could not be loaded ahead of time")


def _start_draft_writer(
    settings: Settings, database: Database, clock: Clock
) -> asyncio.Task[None] | None:
    """With ``DRAFT_WRITER=llm``, rewrite stored drafts beside the scheduler; else nothing."""
    if not settings.uses_writer_model:
        return None
    model = OpenAICompatibleModel.from_settings(settings)
    return asyncio.create_task(DraftWriter(database, model, clock).run())


RUN_GC_THRESHOLD = 10_000


def _fewer_collections() -> None:
    """Freeze what start-up made (modules, the ORM's metadata, the bot's handlers) out of
    the collector's walks, and collect the youngest generation less often: an update makes
    and drops thousands of objects, nearly all freed at once by reference counting, so at
    the default threshold the collector ran several times per update, walking survivors
    that were about to go anyway."""
    gc.collect()
    gc.freeze()
    first, *older = gc.get_threshold()
    gc.set_threshold(max(first, RUN_GC_THRESHOLD), *older)


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
    service = build_service(settings, database, clock.now)
    application = build_application(settings, service)
    contributors = ContributorHandlers(settings, service, sender_of(application))

    async def apology(update: Update) -> str:
        return (await contributors.words(update))._(SORRY)

    intake = Intake(
        application,
        database,
        service.clock,
        apology,
        owe=contributors.owe,
        fast=contributors.take_action,
        staff=settings.staff_user_ids | settings.admin_user_ids,
    )
    intake.install()
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
            _fewer_collections()
            # Digests, reminders and the purge tick beside polling or the webhook; the
            # outbox's sender delivers what they and the handlers owe.
            sender = sender_of(application)
            sending_stopped = asyncio.Event()
            sending = asyncio.create_task(sender.run(sending_stopped))
            scheduled = asyncio.create_task(
                Scheduler(application.bot, database, settings, clock, sender=sender).run()
            )
            writing = _start_draft_writer(settings, database, clock)
            if settings.lens_model == "learned":
                # Loaded now, so the first submission does not wait for it in its transaction.
                warming: asyncio.Task[None] | None = asyncio.create_task(_warm_lens_model())
            else:
                warming = None
            try:
                if webhook:
                    from bot.webhook import serve_webhook

                    await serve_webhook(
                        intake,
                        settings,
                        stop,
                        database=database,
                        metrics=sender.metrics,
                        clock=clock.now,
                    )
                else:
                    log.info("polling %s", settings.telegram_api_base_url)
                    await poll(intake, stop)
            finally:
                for task in (scheduled, writing, warming):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                sending_stopped.set()
                sender.wake()
                with contextlib.suppress(asyncio.CancelledError):
                    await sending
                await application.stop()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        await database.dispose()
