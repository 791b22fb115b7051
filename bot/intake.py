"""Updates on their way in, one at a time: check the shape, parse, skip a redelivery, hand to
the ``Application``, record it; park what cannot be parsed or handled.

python-telegram-bot parses a ``getUpdates`` batch in one go, so one update it cannot parse
(a poll without ``persistent_id``, a message without ``date``) would stop every chat, on
every restart. Here each update is parsed alone; one that fails is parked (stored with its
error and raw JSON for the operator, see :mod:`storage.updates`), logged once with its id and
the error's type only (never anybody's words) and acknowledged like the rest. A handler that
raises is treated the same way by :meth:`Intake.on_error`, which also stops the update there
so no later handler group (the interview) sees it half-handled.

Every kind of update is applied once per ``update_id``: one already processed (same id,
same content, recently) is skipped before any handler runs, and each one handled is
recorded afterwards. The interview service records its own in the update's transaction.
What an update needs to know first (was it processed, is its sender staff) is read in one
go (:meth:`Intake.look_up`): for a whole polled batch, or for one webhook update.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.fast_path import PrivateAction, private_action
from bot.outbox_render import plain_message
from bot.roles import staff_known
from conversations.model import TextSent
from storage.database import Database
from storage.intake import already_processed, look_up_batch, mark_processed, park_update
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)

App = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]
JSON = dict[str, Any]

STORAGE_DOWN = (SQLAlchemyError, OSError)
"""The database cannot be reached: nothing is acknowledged, Telegram delivers again."""
UPDATE_KINDS = frozenset(Update.ALL_TYPES)
RAW_LIMIT = 1_000_000
"""Characters of raw JSON kept for a parked update (a webhook body is at most 2 MB)."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


_RECORDED: ContextVar[int | None] = ContextVar("update_recorded", default=None)


def note_recorded(update_id: int) -> None:
    """A handler recorded this update as processed in its own transaction (the interview
    service does), so :meth:`Intake.dispatch` need not record it again: one write
    transaction fewer per answer. Handlers run in the dispatching task, which sees it."""
    _RECORDED.set(update_id)


class UnparseableUpdate(ValueError):
    """python-telegram-bot could not make an ``Update`` of this JSON."""


def shape_problem(data: object) -> str | None:
    """Why ``data`` is not an update at all (a short reason for a 400), or ``None``."""
    if not isinstance(data, dict):
        return "expected a JSON object"
    update_id = data.get("update_id")
    if type(update_id) is not int:  # bool is an int to isinstance
        return "update_id must be an integer"
    if not UPDATE_KINDS.intersection(data):
        return "no known kind of update"
    return None


def update_id_of(data: object) -> int | None:
    """The update's id if it has a usable one (to park it under, and to acknowledge it)."""
    if isinstance(data, dict):
        value = data.get("update_id")
        if type(value) is int:
            return value
    return None


def clean(value: Any) -> Any:
    """``value`` with lone surrogates (which no database or log can encode) replaced by U+FFFD.

    JSON may carry them (``"\\ud800"``); Telegram does in names cut in the middle of an emoji.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def raw_text(data: object) -> str:
    """JSON as stored for the operator: ASCII only, so surrogates and NULs survive any database."""
    text = json.dumps(data, ensure_ascii=True, default=repr)
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "...(cut)"


def parse_update(data: object, application: App) -> Update:
    """One update from its JSON; :class:`UnparseableUpdate` for anything that is not one.

    Never raises anything else, whatever the JSON (a property test holds it to that).
    """
    problem = shape_problem(data)
    if problem is not None:
        raise UnparseableUpdate(problem)
    try:
        update = Update.de_json(clean(data), application.bot)
        # Touch what every handler reads first, so a malformed chat or sender fails here.
        _ = (update.effective_chat, update.effective_user, update.effective_message)
    except Exception as error:
        raise UnparseableUpdate(f"{type(error).__name__}: {error}") from None
    if update is None:
        raise UnparseableUpdate("empty update")
    return update


_FINGERPRINT: ContextVar[tuple[Update, str] | None] = ContextVar("fingerprint", default=None)


def fingerprint_of(data: object) -> str:
    """A hash of an update's content as it arrived: a redelivery has the same one, another
    update that reuses the id (a restarted sequence, another bot) has not. Made from the
    JSON in hand (keys sorted, compact), not from the parsed ``Update`` serialised again."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)
    digest = hashlib.sha256(body.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def fingerprint(update: Update) -> str:
    """The fingerprint of ``update``: the one the intake made of its JSON while it is being
    dispatched (handlers, the interview service among them, record it too), else one made
    of the parsed update."""
    cached = _FINGERPRINT.get()
    if cached is not None and cached[0] is update:
        return cached[1]
    key = fingerprint_of(update.to_dict())
    _FINGERPRINT.set((update, key))
    return key


Incoming = Update | PrivateAction
"""An update parsed by python-telegram-bot, or one read straight from its JSON."""
FastHandler = Callable[[PrivateAction, str, App], Awaitable[None]]
"""Takes a :class:`PrivateAction` with its fingerprint (the interview's handler does)."""


def chat_key(update: Incoming) -> int:
    """The chat an update belongs to (0 for none), for keeping each chat's updates in order."""
    if isinstance(update, PrivateAction):
        return update.chat_id
    with contextlib.suppress(Exception):
        chat = update.effective_chat
        if chat is not None:
            return chat.id
    return 0


@dataclass(frozen=True)
class BatchFacts:
    """What a batch of updates (polled, or one webhook update) needs to know first."""

    seen: dict[int, bool]
    """For each id that comes once in the batch, whether it was processed already."""
    senders: frozenset[int]
    """Everyone who sent an update of the batch."""
    staff: frozenset[int]
    """The senders who are staff added in chat."""


class Intake:
    """Parses, deduplicates, dispatches and records updates for one ``Application``."""

    def __init__(
        self,
        application: App,
        database: Database,
        clock: Callable[[], datetime],
        apology: Callable[[Update], Awaitable[str]],
        *,
        owe: Callable[[Sequence[OutboxMessage]], Awaitable[None]],
        fast: FastHandler | None = None,
        staff: frozenset[int] = frozenset(),
    ) -> None:
        """``fast``: the interview's handler for updates read straight from their JSON
        (:mod:`bot.fast_path`); without it every update is parsed and dispatched in full.
        ``staff``: the staff and admins named in the settings, whose text always takes the
        full path (a prompt of theirs may be waiting for it)."""
        self.application = application
        self.database = database
        self.clock = clock
        self.apology = apology
        self.owe = owe
        self.fast = fast
        self.staff = staff

    def install(self) -> None:
        self.application.add_error_handler(self.on_error)

    async def park(
        self, update_id: int | None, error: str, data: object, *, logged: bool = False
    ) -> None:
        """Keep an update that cannot be used, with why; logged once, without its content."""
        if not logged:
            log.warning("update %s parked: %s", update_id, error.split(":", 1)[0])
        raw = raw_text(data)
        await park_update(self.database, update_id, error, raw, self.clock())
        if update_id is not None:
            key = hashlib.sha256(raw.encode("ascii")).hexdigest()
            await mark_processed(self.database, update_id, key, self.clock(), "parked")

    async def receive(self, data: object) -> str:
        """Handle one update's JSON: ``"handled"``, ``"duplicate"`` or ``"parked"``.

        Raises only when the database cannot be reached, so the caller does not
        acknowledge and Telegram delivers the update again.
        """
        try:
            incoming = self.take_in(data)
        except UnparseableUpdate as error:
            await self.park(update_id_of(data), str(error), data)
            return "parked"
        key = fingerprint_of(data)
        # One read for both lookups the update needs, as for a polled batch.
        facts = await self.look_up([(incoming, key)])
        incoming = self.settle(incoming, facts)
        with staff_known(facts.senders, facts.staff):
            return await self.dispatch(incoming, key, seen=facts.seen.get(incoming.update_id))

    def take_in(self, data: object) -> Incoming:
        """The update in ``data``: read straight from the JSON when the fast path takes it,
        else parsed (:class:`UnparseableUpdate` if it cannot be)."""
        if self.fast is not None:
            action = private_action(data)
            if action is not None:
                return action
        return parse_update(data, self.application)

    def settle(self, incoming: Incoming, facts: BatchFacts) -> Incoming:
        """``incoming``, parsed in full if it is text from someone who may be staff (their
        prompt, if one waits, takes it before the interview does)."""
        if (
            isinstance(incoming, PrivateAction)
            and isinstance(incoming.event, TextSent)
            and (
                incoming.user_id in self.staff
                or incoming.user_id in facts.staff
                or incoming.user_id not in facts.senders
            )
        ):
            return parse_update(incoming.data, self.application)
        return incoming

    async def look_up(self, updates: Sequence[tuple[Incoming, str]]) -> BatchFacts:
        """What a batch of ``(update, fingerprint)`` pairs needs to know, in one read: which
        were processed already (an id that comes twice is left out: its first copy may
        record it, so :meth:`dispatch` looks the second up itself), and which senders are
        staff added in chat."""
        counts = Counter(update.update_id for update, _ in updates)
        pairs = [(u.update_id, key) for u, key in updates if counts[u.update_id] == 1]
        senders = frozenset(
            sender for sender in (_sender_of(update) for update, _ in updates) if sender is not None
        )
        found = await look_up_batch(self.database, pairs, senders, self.clock())
        return BatchFacts(
            {update_id: update_id in found.processed for update_id, _ in pairs},
            senders,
            frozenset(found.staff),
        )

    async def dispatch(
        self, update: Incoming, key: str | None = None, *, seen: bool | None = None
    ) -> str:
        """Skip a redelivery, else hand the update to the handlers and record it.

        ``key`` is the fingerprint of the JSON the update came from (else one is made of the
        parsed update); ``seen`` says whether it was processed already, when the caller
        checked that for a whole batch (else it is looked up here)."""
        if isinstance(update, PrivateAction):
            action = update

            async def run_fast() -> None:
                # The interview's handler alone (no other would take it); a failure of it
                # handled as python-telegram-bot handles a handler's error.
                assert self.fast is not None
                try:
                    await self.fast(action, fast_key, self.application)
                except Exception as error:
                    await self.application.process_error(
                        parse_update(action.data, self.application), error
                    )

            fast_key = key or fingerprint_of(action.data)
            return await self._once(
                action.update_id, lambda: fast_key, seen, run_fast, lambda: action.data
            )

        parsed = update

        def keyed() -> str:
            if key is None:
                return fingerprint(parsed)
            _FINGERPRINT.set((parsed, key))
            return key

        async def run_full() -> None:
            await self.application.process_update(parsed)

        return await self._once(parsed.update_id, keyed, seen, run_full, parsed.to_dict)

    async def _once(
        self,
        update_id: int,
        key: Callable[[], str],
        seen: bool | None,
        handle: Callable[[], Awaitable[None]],
        data: Callable[[], object],
    ) -> str:
        """Skip a redelivery, else ``handle`` the update and record it as processed (unless
        the handler's own transaction did); a failure around the handlers parks it."""
        try:
            fingerprinted = key()
            if seen is None:
                seen = await already_processed(
                    self.database, update_id, fingerprinted, self.clock()
                )
            if seen:
                log.info("update %s was processed already; skipped", update_id)
                return "duplicate"
            await handle()
            if _RECORDED.get() != update_id:
                await mark_processed(
                    self.database, update_id, fingerprinted, self.clock(), "handled"
                )
        except STORAGE_DOWN:
            raise
        except Exception as error:  # our own bug around the handlers: loud, never fatal
            name = type(error).__name__
            log.exception("update %s failed (%s); parked", update_id, name)
            await self.park(update_id, f"{name}: {error}", data(), logged=True)
            return "parked"
        return "handled"

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler raised: log it with the update id (stack, no message text), park the
        update, apologise once in a private chat, and stop the update there."""
        error = context.error
        if not isinstance(update, Update):
            log.error("error outside an update", exc_info=error)
            return
        name = type(error).__name__
        log.error("update %s failed (%s); parked", update.update_id, name, exc_info=error)
        await park_update(
            self.database,
            update.update_id,
            f"{name}: {error}",
            raw_text(update.to_dict()),
            self.clock(),
        )
        query = update.callback_query
        if query is not None:
            with contextlib.suppress(TelegramError):
                await query.answer()
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            # Owed through the outbox like every other message, so it survives a failed send.
            await self.owe([plain_message(chat.id, await self.apology(update))])
        raise ApplicationHandlerStop


def _sender_of(update: Incoming) -> int | None:
    if isinstance(update, PrivateAction):
        return update.user_id
    user = update.effective_user
    return user.id if user is not None else None
