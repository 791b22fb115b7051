"""Staff in Telegram: the review queue, draft cards, polishing, the status workflow, follow-up
questions to contributors, and (for admins) who is staff.

Installed ahead of the contributor's handlers: commands and ``st|`` buttons in group -1, and
in group -2 the catcher of a staff member's prompted message (a field's new text, a note, a
question), which must see the message before anything else does. Every update they handle
ends there (``ApplicationHandlerStop``), so the interview never sees it; roles are checked on
every command and every tap, so anyone else (forged buttons included) gets the polite
refusal and nothing else. Staff work in a private chat with the bot or in the staff group.

Handlers translate: the use cases live in :class:`storage.review.ReviewService`, the words
and buttons in :mod:`conversations.review_text`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
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
    MessageHandler,
    filters,
)

from bot.outbox_render import document_message, html_message, plain_message, reply_messages
from bot.roles import REFUSAL, Roles
from bot.sender import MEDIA_METHODS, Outbox
from bot.settings import Settings
from bot.telegram_render import escape, split_message
from conversations.lens import LensStatus
from conversations.model import Button, Reply
from conversations.render import draft_to_telegram_html, provenance_to_telegram_html
from conversations.review_text import (
    STAFF_USAGE,
    DraftCard,
    StaffAction,
    ask_confirm_reply,
    ask_outcome_text,
    ask_reply,
    callback,
    cancelled_reply,
    card_reply,
    conflict_reply,
    edit_prompt_text,
    fields_reply,
    history_reply,
    lens_reply,
    note_saved_reply,
    parse_action,
    prompt_text,
    queue_reply,
    saved_reply,
    staff_list_text,
    status_reply,
    when,
)
from conversations.workflow import DraftStatus
from storage.drafts import Actor, DraftRefused
from storage.outbox import OutboxMessage
from storage.prompts import PromptKind
from storage.review import AskResult, Delivery, PromptOutcome, ReviewService
from storage.service import InterviewService

log = logging.getLogger(__name__)

App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]

STALE = "That button is out of date. Send /drafts to start again."
GONE = "That draft no longer exists."
DRAFT_USAGE = "Send /draft followed by a reference, e.g. /draft CP-2026-00042, or /drafts."
SEND_TEXT = "Please send text, or /cancel."
PROMPT_EXPIRED = "That edit expired — tap Edit again."
ELSEWHERE = "Staff tools work in a private chat with me or in the staff group."
_PROMPT_COMMAND = re.compile(r"^/(cancel|clear)(?:@\w+)?\s*$")


class StaffHandlers:
    """``/drafts``, ``/draft``, ``/staff``, the ``st|`` buttons and prompted messages."""

    def __init__(
        self,
        settings: Settings,
        service: InterviewService,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.outbox = outbox
        self.roles = Roles(settings, service.database)
        self.review = ReviewService(
            service.database, clock or service.clock, owe_delivery=_delivery_messages
        )

    def install(self, application: App) -> None:
        chats: filters.BaseFilter = filters.ChatType.PRIVATE
        if self.settings.staff_chat_id is not None:
            chats = chats | filters.Chat(chat_id=self.settings.staff_chat_id)
        new = filters.UpdateType.MESSAGE & chats
        application.add_handler(CommandHandler("drafts", self.drafts_command, new), group=-1)
        application.add_handler(CommandHandler("draft", self.draft_command, new), group=-1)
        application.add_handler(CommandHandler("staff", self.staff_command, new), group=-1)
        application.add_handler(CallbackQueryHandler(self.button, pattern=r"^st\|"), group=-1)
        prompted = new & (~filters.COMMAND | filters.Regex(_PROMPT_COMMAND))
        application.add_handler(MessageHandler(prompted, self.prompted), group=-2)

    # --- commands -----------------------------------------------------------------------

    async def drafts_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/drafts [filter]``: the review queue, oldest first (``/drafts ready``,
        ``/drafts needs info``, ``/drafts all``...; an unknown filter shows the to-do list)."""
        user, chat = update.effective_user, update.effective_chat
        if chat is None:
            raise ApplicationHandlerStop
        if not await self.roles.is_staff(user.id if user else None):
            await _say(self.outbox, chat.id, REFUSAL)
            raise ApplicationHandlerStop
        wanted = "_".join(context.args or ["todo"]).lower().replace("-", "_")
        page = await self.review.queue(wanted)
        await _send(self.outbox, chat.id, queue_reply(page))
        raise ApplicationHandlerStop

    async def draft_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/draft CP-2026-00042``: open one draft by its reference."""
        user, chat = update.effective_user, update.effective_chat
        if chat is None:
            raise ApplicationHandlerStop
        if not await self.roles.is_staff(user.id if user else None):
            await _say(self.outbox, chat.id, REFUSAL)
            raise ApplicationHandlerStop
        reference = (context.args or [""])[0]
        card = await self.review.card_by_reference(reference) if reference else None
        if card is None:
            text = f"No draft has the reference {reference}." if reference else DRAFT_USAGE
            await _say(self.outbox, chat.id, text)
        else:
            await self.send_card(chat.id, card)
        raise ApplicationHandlerStop

    async def staff_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/staff list|add|remove`` (admins only)."""
        user, chat, message = update.effective_user, update.effective_chat, update.message
        if chat is None or message is None:
            raise ApplicationHandlerStop
        if user is None or not self.roles.is_admin(user.id):
            await _say(self.outbox, chat.id, REFUSAL)
            raise ApplicationHandlerStop
        args = list(context.args or [])
        verb = args.pop(0).lower() if args else "list"
        if verb == "list":
            lines = await self.review.staff_lines(
                self.settings.admin_user_ids, self.settings.staff_user_ids
            )
            await _say(self.outbox, chat.id, staff_list_text(lines))
        elif verb in ("add", "remove"):
            target = await self._target(message, args)
            if target is None:
                await _say(self.outbox, chat.id, STAFF_USAGE)
            else:
                text = await self._change_staff(Actor(user.id, user.full_name), verb, *target)
                await _say(self.outbox, chat.id, text)
        else:
            await _say(self.outbox, chat.id, STAFF_USAGE)
        raise ApplicationHandlerStop

    async def _target(self, message: Message, args: list[str]) -> tuple[int, str] | None:
        """Who ``/staff add|remove`` is about: the replied-to sender, a user id or a
        @username of someone who has talked to the bot; with a name if one is known."""
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
            return replied.from_user.id, replied.from_user.full_name
        if not args:
            return None
        first, rest = args[0], " ".join(args[1:])
        if re.fullmatch(r"\d{1,15}", first):
            return int(first), rest or await self.review.name_of(int(first))
        if re.fullmatch(r"@?[A-Za-z0-9_]{3,32}", first):
            found = await self.review.find_user(first)
            if found is not None:
                return found[0], rest or found[1]
        return None

    async def _change_staff(self, actor: Actor, verb: str, user_id: int, name: str) -> str:
        who = f"{name} ({user_id})" if name else str(user_id)
        if user_id in self.settings.admin_user_ids:
            return f"{who} is an admin (ADMIN_USER_IDS); change that setting instead."
        if user_id in self.settings.staff_user_ids:
            return f"{who} is staff through STAFF_USER_IDS; change that setting instead."
        if verb == "add":
            if await self.review.add_staff(actor, user_id, name):
                return f"✅ {who} is now staff: they can use /drafts."
            return f"{who} is already staff."
        if await self.review.remove_staff(user_id):
            return f"{who} is no longer staff."
        return f"{who} was not staff added in chat: nothing changed."

    # --- prompted messages --------------------------------------------------------------

    async def prompted(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A staff member's message that their prompt waits for; anything else passes on."""
        user, chat, message = update.effective_user, update.effective_chat, update.message
        if user is None or chat is None or message is None:
            return
        # Roles first: only staff have prompts, and most messages come from contributors.
        if not await self.roles.may_be_staff(user.id):
            return
        prompt, expired = await self.review.waiting_prompt(user.id, chat.id)
        if prompt is None:
            if expired:
                # Meant for the prompt, so never an answer to an interview of their own.
                await _say(self.outbox, chat.id, PROMPT_EXPIRED)
                raise ApplicationHandlerStop
            return
        command = _PROMPT_COMMAND.match(message.text or "")
        if command is not None and command.group(1) == "cancel":
            await self.review.cancel_prompt(user.id)
            await _send(self.outbox, chat.id, cancelled_reply(prompt.draft_id))
            raise ApplicationHandlerStop
        text = message.text or message.caption
        if text is None and command is None:
            await _say(self.outbox, chat.id, SEND_TEXT)
            raise ApplicationHandlerStop
        actor = Actor(user.id, user.full_name)
        outcome = await self.review.finish_prompt(
            actor, chat.id, text or "", clear=command is not None
        )
        await self._report(chat.id, outcome)
        raise ApplicationHandlerStop

    async def _report(self, chat_id: int, outcome: PromptOutcome) -> None:
        card = outcome.card
        if outcome.kind == "saved" and card is not None and outcome.field:
            await _send(self.outbox, chat_id, saved_reply(card, outcome.field))
        elif outcome.kind == "conflict" and card is not None and outcome.field:
            at = when(outcome.changed_at, self.settings.timezone) if outcome.changed_at else ""
            reply = conflict_reply(
                card,
                outcome.field,
                outcome.theirs,
                outcome.yours,
                outcome.changed_by,
                at,
                outcome.event_id or 0,
            )
            await _send(self.outbox, chat_id, reply)
        elif outcome.kind == "noted" and card is not None:
            await _send(self.outbox, chat_id, note_saved_reply(card))
        elif outcome.kind == "asked" and outcome.ask is not None:
            await _send(self.outbox, chat_id, await self._asked(outcome.ask))
        elif outcome.kind == "empty":
            await _say(self.outbox, chat_id, "That's empty. " + SEND_TEXT)
        elif outcome.kind == "gone":
            await _say(self.outbox, chat_id, GONE)

    async def _asked(self, result: AskResult) -> Reply:
        """Deliver a question that should go out now; what to tell the staff member."""
        outcome: str = result.outcome
        if outcome in ("gone", "changed"):
            return Reply(GONE if outcome == "gone" else STALE)
        if outcome == "already":
            text = "You already asked that; it is waiting for an answer."
        else:
            who = result.card.contributor_name if result.card is not None else ""
            text = ask_outcome_text(outcome, who)
        if result.card is None:
            return Reply(text)
        return Reply(
            text, buttons=((Button("‹ Back to the draft", callback("c", result.card.id)),),)
        )

    # --- buttons ------------------------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None:
            raise ApplicationHandlerStop
        if not await self.roles.is_staff(user.id if user else None):
            await _answer(query, REFUSAL, alert=True)
            raise ApplicationHandlerStop
        action = parse_action(query.data or "")
        if action is None or user is None or chat is None:
            await _answer(query, STALE, alert=True)
            raise ApplicationHandlerStop
        if chat.type != ChatType.PRIVATE and chat.id != self.settings.staff_chat_id:
            # A forwarded digest in some other group: drafts are not shown there.
            await _answer(query, ELSEWHERE, alert=True)
            raise ApplicationHandlerStop
        actor = Actor(user.id, user.full_name)
        try:
            await self._act(context.bot, query, chat.id, chat.type, actor, action)
        except DraftRefused as refused:
            await _answer(query, str(refused), alert=True)
        raise ApplicationHandlerStop

    async def _act(
        self,
        bot: Bot,
        query: CallbackQuery,
        chat_id: int,
        chat_type: str,
        actor: Actor,
        action: StaffAction,
    ) -> None:
        verb, args = action.verb, action.args
        tz = self.settings.timezone
        if verb == "l":
            page = await self.review.queue(args[0], int(args[1]))
            await _answer(query, None)
            await _show(self.outbox, query, queue_reply(page))
            return
        if verb == "x":
            prompt = await self.review.cancel_prompt(actor.user_id)
            await _answer(query, None)
            await _show(self.outbox, query, cancelled_reply(prompt.draft_id if prompt else None))
            return
        assert action.draft_id is not None
        draft_id = action.draft_id
        if verb == "m":
            target = DraftStatus(args[0])
            try:
                moved = await self.review.set_status(actor, draft_id, target)
            except DraftRefused as refused:
                await _answer(query, str(refused), alert=True)
                current = await self.review.card(draft_id)
                if current is not None:
                    await _show(self.outbox, query, status_reply(current, tz))
                return
            await _answer(query, f"Moved to {target.label}.")
            await _show(self.outbox, query, card_reply(moved, tz))
            return
        if verb in ("ty", "tn"):
            decision: LensStatus = "confirmed" if verb == "ty" else "rejected"
            decided, label = await self.review.decide_tag(actor, draft_id, args[0], decision)
            await _answer(query, f"{label}: {decision}.")
            await _show(self.outbox, query, lens_reply(decided))
            return
        if verb == "ac":
            result = await self.review.ask_gap(actor, chat_id, draft_id, int(args[0]), int(args[1]))
            if result.outcome == "changed" and result.card is not None:
                await _answer(query, "The draft changed: here are its questions now.", alert=True)
                await _show(self.outbox, query, ask_reply(result.card))
                return
            await _answer(query, None)
            await _show(self.outbox, query, await self._asked(result))
            return
        if verb == "k":
            outcome = await self.review.keep_mine(actor, draft_id, int(args[0]))
            await _answer(query, None)
            await self._report(chat_id, outcome)
            return
        if verb == "d":
            found = await self.review.markdown(draft_id)
            if found is None:
                raise DraftRefused(GONE)
            await _answer(query, None)
            name, text = found
            await self.outbox.owe(
                [document_message(chat_id, text.encode("utf-8"), name, name, kind="draft")]
            )
            return
        if verb in ("e", "n", "aw"):
            kind: PromptKind = "edit" if verb == "e" else "note" if verb == "n" else "ask"
            field = args[0] if verb == "e" else None
            prompted = await self.review.start_prompt(actor.user_id, chat_id, kind, draft_id, field)
            await _answer(query, None)
            await self._prompt(bot, chat_id, chat_type, actor, prompted, kind, field)
            return
        card = await self.review.card(draft_id)
        if card is None:
            raise DraftRefused(GONE)
        await _answer(query, None)
        if verb == "o":
            await self.send_card(chat_id, card)
        elif verb == "c":
            await _show(self.outbox, query, card_reply(card, tz))
        elif verb == "f":
            await _show(self.outbox, query, fields_reply(card))
        elif verb == "t":
            await _show(self.outbox, query, lens_reply(card))
        elif verb == "s":
            await _show(self.outbox, query, status_reply(card, tz))
        elif verb == "a":
            await _show(self.outbox, query, ask_reply(card))
        elif verb == "ag":
            number = int(args[0])
            if card.version != int(args[1]) or not 1 <= number <= len(card.record.gaps):
                await _show(self.outbox, query, ask_reply(card))
            else:
                await _show(
                    self.outbox,
                    query,
                    ask_confirm_reply(card, number, card.record.gaps[number - 1]),
                )
        elif verb == "h":
            found_history = await self.review.history(draft_id)
            if found_history is not None:
                await _show(
                    self.outbox, query, history_reply(found_history[0], found_history[1], tz)
                )
        elif verb == "md":
            await self._send_media(chat_id, card)
        elif verb == "src":
            for part in provenance_to_telegram_html(card.record):
                await _send_html(self.outbox, chat_id, part)

    # --- sending ------------------------------------------------------------------------

    async def send_card(self, chat_id: int, card: DraftCard) -> None:
        """The whole draft as formatted messages, then its card with the buttons."""
        for part in draft_to_telegram_html(card.record):
            await _send_html(self.outbox, chat_id, part)
        await _send(self.outbox, chat_id, card_reply(card, self.settings.timezone))

    async def _prompt(
        self,
        bot: Bot,
        chat_id: int,
        chat_type: str,
        actor: Actor,
        card: DraftCard,
        kind: str,
        field: str | None,
    ) -> None:
        """Tell the staff member what their next message is for (with a field's current
        text in tap-to-copy blocks). In a group the bot sees replies only, so it asks for
        one."""
        if kind == "edit" and field is not None:
            heading, current, how = edit_prompt_text(card, field)
            body = "(empty)" if not current.strip() else ""
        else:
            heading, how = prompt_text(kind, card)
            current, body = "", ""
        group = chat_type != ChatType.PRIVATE
        mention = (
            f'<a href="tg://user?id={actor.user_id}">{escape(actor.name or "you")}</a>: '
            if group
            else ""
        )
        markup: InlineKeyboardMarkup | ForceReply = (
            ForceReply(selective=True, input_field_placeholder="Your text…")
            if group
            else InlineKeyboardMarkup([[InlineKeyboardButton("Cancel", callback_data="st|x")]])
        )
        pieces = split_message(escape(current), 3500) if current.strip() else []
        first = f"<b>{escape(heading)}</b>"
        if body:
            first += f"\n{escape(body)}"
        if pieces:
            await _send_html(self.outbox, chat_id, f"{first}\n<code>{pieces[0]}</code>")
            for piece in pieces[1:]:
                await _send_html(self.outbox, chat_id, f"<code>{piece}</code>")
            text = f"{mention}{escape(how)}"
        else:
            text = f"{first}\n{mention}{escape(how)}"
        await self.outbox.owe(
            [
                OutboxMessage(
                    chat_id,
                    "sendMessage",
                    {"text": part, "parse_mode": "HTML", "reply_markup": markup.to_dict()},
                )
                for part in split_message(text)
            ]
        )

    async def _send_media(self, chat_id: int, card: DraftCard) -> None:
        """The draft's photos, files, places... sent again (by Telegram file id)."""
        messages: list[OutboxMessage] = []
        for media in card.record.media:
            caption = media.caption[:1000]
            if media.kind in MEDIA_METHODS and media.file_id:
                payload: dict[str, Any] = {"kind": media.kind, "file_id": media.file_id}
                if caption:
                    payload["caption"] = caption
                messages.append(OutboxMessage(chat_id, "sendMedia", payload, kind="media"))
            elif media.kind == "location" and "latitude" in media.meta:
                where = {"latitude": media.meta["latitude"], "longitude": media.meta["longitude"]}
                messages.append(OutboxMessage(chat_id, "sendLocation", where, kind="media"))
            else:
                what = media.caption or media.meta.get("url") or media.kind
                messages.append(plain_message(chat_id, f"{media.kind}: {what}"[:4000]))
        await self.outbox.owe(messages)


async def _send(outbox: Outbox, chat_id: int, reply: Reply) -> None:
    await outbox.reply(chat_id, reply)


async def _send_html(outbox: Outbox, chat_id: int, html: str) -> None:
    await outbox.owe([html_message(chat_id, html)])


async def _say(outbox: Outbox, chat_id: int, text: str) -> None:
    await outbox.reply(chat_id, Reply(text))


def _delivery_messages(delivery: Delivery) -> list[OutboxMessage]:
    """A staff question for its contributor, owed with the asking (see ``ReviewService``)."""
    return reply_messages(delivery.chat_id, [delivery.message], follow_up_id=delivery.follow_up_id)


async def _answer(query: CallbackQuery, text: str | None, *, alert: bool = False) -> None:
    with contextlib.suppress(TelegramError):
        await query.answer(text[:200] if text else None, show_alert=alert)


async def _show(outbox: Outbox, query: CallbackQuery, reply: Reply) -> None:
    """Show ``reply`` in place of the message whose button was tapped (as new messages if
    it does not fit in one, or the old one can no longer be edited)."""
    message = query.message
    if message is None:
        return
    chat_id = message.chat.id
    messages = reply_messages(chat_id, [reply])
    if len(messages) == 1 and isinstance(message, Message):
        edit = messages[0]
        payload = {**edit.payload, "message_id": message.message_id, "or_send": True}
        messages = [OutboxMessage(chat_id, "editMessageText", payload, kind="card")]
    await outbox.owe(messages)


def install_staff(
    application: App, settings: Settings, service: InterviewService, outbox: Outbox
) -> None:
    """Add the staff handlers to ``application`` (see :class:`StaffHandlers`)."""
    StaffHandlers(settings, service, outbox).install(application)
