"""The contributor's say over reminders: the "Stop reminders" button on a nudge and the
``/reminders on|off`` command. Handlers translate; the choice is stored on the contributor.

They run before the interview handler and stop the update there, so neither the button nor
the command reaches the interview as an answer.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update
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

from bot.outbox_render import plain_message
from bot.sender import Outbox
from conversations.i18n import Words
from conversations.reminders import (
    REMINDERS_ARE_OFF,
    REMINDERS_ARE_ON,
    REMINDERS_OFF_NOTICE,
    REMINDERS_USAGE,
    STOP_DATA,
    TURNED_OFF,
    TURNED_ON,
)
from storage.contributors import language_for
from storage.database import Database
from storage.maintenance import reminders_enabled, set_reminders
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)
App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]
OFF_WORDS = frozenset({"off", "stop", "no", "none"})
ON_WORDS = frozenset({"on", "start", "yes"})


class ReminderHandlers:
    def __init__(
        self,
        database: Database,
        outbox: Outbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.outbox = outbox
        self.clock = clock

    def install(self, application: App) -> None:
        private_messages = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(
            CommandHandler("reminders", self.command, private_messages), group=-1
        )
        application.add_handler(CallbackQueryHandler(self.stop_button, pattern=r"^rm\|"), group=-1)

    async def stop_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user, chat = update.callback_query, update.effective_user, update.effective_chat
        if query is None or user is None or chat is None or chat.type != ChatType.PRIVATE:
            return
        if query.data == STOP_DATA:
            words = Words(await language_for(self.database, user.id, user.language_code))
            await set_reminders(self.database, user.id, False, self.clock())
            with contextlib.suppress(TelegramError):
                await query.answer(words._(REMINDERS_OFF_NOTICE))
            messages = [plain_message(chat.id, words._(TURNED_OFF))]
            if query.message is not None:
                stop = {"message_id": query.message.message_id}
                messages.insert(0, OutboxMessage(chat.id, "editMessageReplyMarkup", stop))
            await self.outbox.owe(messages)
        else:
            with contextlib.suppress(TelegramError):
                await query.answer()
        raise ApplicationHandlerStop

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        words = Words(await language_for(self.database, user.id, user.language_code))
        word = (context.args or [""])[0].lower()
        if word in OFF_WORDS:
            await set_reminders(self.database, user.id, False, self.clock())
            text = words._(TURNED_OFF)
        elif word in ON_WORDS:
            await set_reminders(self.database, user.id, True, self.clock())
            text = words._(TURNED_ON)
        else:
            enabled = await reminders_enabled(self.database, user.id)
            state = REMINDERS_ARE_OFF if enabled is False else REMINDERS_ARE_ON
            text = f"{words._(state)} {words._(REMINDERS_USAGE)}"
        await self.outbox.owe([plain_message(chat.id, text)])
        raise ApplicationHandlerStop
