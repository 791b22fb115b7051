"""The fast path: a contributor's text or button press read straight from its JSON must mean
what python-telegram-bot's parse and dispatch make of it, lead to the same outcome, and
leave every other update (groups, commands, media, other handlers' buttons, staff, odd
shapes) to the full path."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
)

from bot.fast_path import OTHER_BUTTONS, PrivateAction, private_action
from bot.intake import App, BatchFacts, Intake, chat_key, parse_update
from bot.settings import load_settings
from bot.telegram_app import ContributorHandlers, build_application, process_batch, sender_of
from bot.telegram_events import event_from_update, is_private, person_from_update
from bot.wiring import build_service
from storage.database import Database
from tests.e2e.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-TOKEN-fastpath-0123456789"
ANSWER = "We met every week at the community centre"

SENDER = {"id": 42, "is_bot": False, "first_name": "Ana", "language_code": "cy"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana"}
TEXT: dict[str, Any] = {
    "update_id": 10,
    "message": {
        "message_id": 5,
        "from": SENDER,
        "chat": CHAT,
        "date": 1_700_000_000,
        "text": "hello",
    },
}
PRESS: dict[str, Any] = {
    "update_id": 11,
    "callback_query": {
        "id": "4242",
        "from": SENDER,
        "chat_instance": "ci-42",
        "data": "a|consent|yes",
        "message": {
            "message_id": 6,
            "from": {"id": 1, "is_bot": True, "first_name": "copro", "username": "copro_bot"},
            "chat": CHAT,
            "date": 1_700_000_000,
            "text": "Question 1 of 23",
            "entities": [{"type": "bold", "offset": 0, "length": 8}],
            "reply_markup": {
                "inline_keyboard": [[{"text": "Yes", "callback_data": "a|consent|yes"}]]
            },
            "link_preview_options": {"is_disabled": True},
        },
    },
}


@pytest.fixture(scope="module")
def application() -> App:
    app: App = ApplicationBuilder().token("123456:TEST-TOKEN").updater(None).build()
    return app


def same_reading(data: dict[str, Any], application: App) -> PrivateAction | None:
    """The fast path's reading of ``data``, checked against the full path's when it takes it."""
    action = private_action(data)
    if action is None:
        return None
    update = parse_update(data, application)  # never one the full path would park
    assert is_private(update)
    assert person_from_update(update) == action.person
    assert event_from_update(update) == action.event
    assert chat_key(update) == action.chat_id
    assert update.update_id == action.update_id
    assert update.callback_query is None or update.callback_query.id == action.query_id
    return action


def test_text_and_presses_are_read_as_the_full_path_reads_them(application: App) -> None:
    text = same_reading(TEXT, application)
    press = same_reading(PRESS, application)
    assert text is not None and text.kind == "message" and text.query_id is None
    assert press is not None and press.kind == "callback_query" and press.query_id == "4242"


def changed(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``data`` with the value at ``path`` replaced (``...`` deletes it)."""
    copied = copy.deepcopy(data)
    place = copied
    for key in path[:-1]:
        place = place[key]
    if value is ...:
        del place[path[-1]]
    else:
        place[path[-1]] = value
    return copied


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (changed(TEXT, ("message", "chat", "type"), "group"), "a group"),
        (changed(TEXT, ("message", "chat", "type"), "supergroup"), "a supergroup"),
        (changed(TEXT, ("message", "text"), "/start"), "a command"),
        (changed(TEXT, ("message", "text"), "/privacy"), "another command"),
        (
            changed(
                TEXT, ("message", "entities"), [{"type": "bot_command", "offset": 3, "length": 4}]
            ),
            "a command entity",
        ),
        (changed(TEXT, ("message", "text"), ...), "no text"),
        (changed(TEXT, ("message", "photo"), [{"file_id": "a", "file_unique_id": "b"}]), "media"),
        (changed(TEXT, ("message", "reply_to_message"), TEXT["message"]), "a reply"),
        (changed(TEXT, ("message", "from", "is_bot"), True), "a bot"),
        (changed(TEXT, ("message", "from", "first_name"), ""), "no first name"),
        (changed(TEXT, ("message", "from"), ...), "no sender"),
        (changed(TEXT, ("message", "text"), "caf\ud800"), "a lone surrogate"),
        (changed(TEXT, ("message", "date"), "yesterday"), "a bad date"),
        ({"update_id": 12, "edited_message": TEXT["message"]}, "an edit"),
        ({**TEXT, "edited_message": TEXT["message"]}, "two kinds at once"),
        ({"update_id": "12", "message": TEXT["message"]}, "a string id"),
        (changed(PRESS, ("callback_query", "data"), "erase|yes"), "the erase button"),
        (changed(PRESS, ("callback_query", "data"), "st|open|1"), "a staff button"),
        (changed(PRESS, ("callback_query", "data"), "rm|stop"), "a reminders button"),
        (changed(PRESS, ("callback_query", "data"), "ex|csv"), "an export button"),
        (changed(PRESS, ("callback_query", "data"), ""), "empty data"),
        (changed(PRESS, ("callback_query", "data"), ...), "a game button"),
        (changed(PRESS, ("callback_query", "message"), ...), "an inline message"),
        (changed(PRESS, ("callback_query", "message", "chat", "type"), "group"), "in a group"),
        (changed(PRESS, ("callback_query", "message", "photo"), []), "on a photo"),
        (
            changed(PRESS, ("callback_query", "message", "reply_markup"), {"keyboard": []}),
            "odd markup",
        ),
    ],
)
def test_everything_else_takes_the_full_path(data: dict[str, Any], why: str) -> None:
    assert private_action(data) is None, why


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)


def paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from([TEXT, PRESS]),
    choice=st.integers(min_value=0),
    value=json_values | st.just(...),
    key=any_text | st.sampled_from(["last_name", "username", "photo", "caption", "url"]),
)
def test_a_changed_update_is_read_alike_or_left_to_the_full_path(
    application: App, base: dict[str, Any], choice: int, value: Any, key: str
) -> None:
    """Any one value changed, removed or added anywhere: the fast path either declines it or
    reads it exactly as the full path does (which then never parks it)."""
    places = paths(base)
    path = places[choice % len(places)]
    data = copy.deepcopy(base)
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    if choice % 3 == 0 and isinstance(parent, dict):
        parent[key] = None if value is ... else value  # a new field
    elif value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    same_reading(data, application)


names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=10)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text_=st.text(st.characters(codec="utf-8"), max_size=30),
    first=names,
    last=st.none() | names,
    username=st.none() | st.from_regex(r"[a-z_]{3,12}", fullmatch=True),
    language=st.none() | st.sampled_from(["en", "cy", "pt-br", "xx"]),
    data=st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
)
def test_well_formed_updates_are_read_as_the_full_path_reads_them(
    application: App,
    text_: str,
    first: str,
    last: str | None,
    username: str | None,
    language: str | None,
    data: str,
) -> None:
    sender: dict[str, Any] = {"id": 7, "is_bot": False, "first_name": first}
    for field, value in (("last_name", last), ("username", username), ("language_code", language)):
        if value is not None:
            sender[field] = value
    message = changed(changed(TEXT, ("message", "from"), sender), ("message", "text"), text_)
    press = changed(
        changed(PRESS, ("callback_query", "from"), sender), ("callback_query", "data"), data
    )
    read = same_reading(message, application)
    assert (read is None) == text_.startswith("/")
    pressed = same_reading(press, application)
    assert (pressed is None) == data.startswith(OTHER_BUTTONS)


async def test_text_from_someone_who_may_be_staff_takes_the_full_path(application: App) -> None:
    """A staff member's prompt may be waiting for their text: the staff named in the
    settings, those the batch's read found, and anyone it did not look up."""

    async def nothing(*_: object) -> None:
        return None

    intake = Intake(
        application,
        None,  # type: ignore[arg-type]
        lambda: datetime.now(UTC),
        nothing,
        owe=nothing,
        fast=nothing,
        staff=frozenset({43}),
    )
    text = intake.take_in(TEXT)
    press = intake.take_in(PRESS)
    assert isinstance(text, PrivateAction) and isinstance(press, PrivateAction)
    contributor = BatchFacts({}, frozenset({42}), frozenset())
    assert intake.settle(text, contributor) is text
    for facts in (
        BatchFacts({}, frozenset({42}), frozenset({42})),
        BatchFacts({}, frozenset(), frozenset()),
    ):
        assert isinstance(intake.settle(text, facts), Update)
        assert intake.settle(press, facts) is press  # no staff handler takes these buttons
    named = intake.take_in(changed(TEXT, ("message", "from", "id"), 43))
    assert isinstance(named, PrivateAction)
    assert isinstance(intake.settle(named, BatchFacts({}, frozenset({43}), frozenset())), Update)
    # Without the interview's handler, nothing is read the fast way.
    plain = Intake(application, None, lambda: datetime.now(UTC), nothing, owe=nothing)  # type: ignore[arg-type]
    assert isinstance(plain.take_in(TEXT), Update)


# --- the application's other handlers never want what the fast path takes -------------


def _settings(url: str, fake_url: str) -> Any:
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake_url,
            "DATABASE_URL": url,
            "STAFF_CHAT_ID": "-100555",
            "SEND_RATE_LIMIT": "1000",
            "CHAT_SEND_RATE": "20",
            "CHAT_SEND_BURST": "5",
            "LOG_LEVEL": "WARNING",
        }
    )


def _handlers(application: App) -> list[BaseHandler[Any, Any, Any]]:
    return [
        handler for group in sorted(application.handlers) for handler in application.handlers[group]
    ]


async def test_no_other_handler_takes_a_fast_path_update(migrated_url: str) -> None:
    """Every handler the application registers either passes a contributor's text or press
    on (the interview's, the group gate, the staff prompt that lets non-staff through) or
    does not match it; every other button handler's data is among ``OTHER_BUTTONS``."""
    database = Database.from_url(migrated_url)
    try:
        settings_ = _settings(migrated_url, "http://127.0.0.1:9")
        application = build_application(settings_, build_service(settings_, database))
        passing_on = {"interview", "outside_private_chats", "prompted"}
        for data in (TEXT, PRESS):
            update = parse_update(data, application)
            for handler in _handlers(application):
                callback = getattr(handler.callback, "__name__", "")
                if handler.check_update(update) and callback not in passing_on:
                    pytest.fail(f"{callback} would take {data}")
        prefixes = {"^" + re.escape(prefix) for prefix in OTHER_BUTTONS}
        for handler in _handlers(application):
            if isinstance(handler, CallbackQueryHandler):
                assert handler.pattern is not None
                pattern = getattr(handler.pattern, "pattern", handler.pattern)
                assert pattern in prefixes, pattern
            elif isinstance(handler, TypeHandler | MessageHandler):
                assert handler.callback.__name__ in passing_on
    finally:
        await database.dispose()


# --- the same outcome either way -------------------------------------------------------


def next_action(user: Any, last: dict[str, Any] | None) -> None:
    """The first forward button of the bot's last message, else a text answer."""
    rows = ((last or {}).get("reply_markup") or {}).get("inline_keyboard", [])
    for row in rows:
        for button in row:
            label = str(button["text"])
            if "callback_data" not in button or label in ("Skip", "⬅ Back"):
                continue
            if label.startswith(("✅", "✏")):
                continue
            user.press(last, str(button["callback_data"]))
            return
    user.send_text(ANSWER)


async def test_the_fast_and_full_paths_lead_to_the_same_outcome(migrated_url: str) -> None:
    """Two contributors take the same steps, one through the fast path, one through the
    full path: the same messages owed in the same order, the same answers stored, the
    same buttons answered, the same updates recorded; a redelivered batch changes nothing."""
    database = Database.from_url(migrated_url)
    async with FakeBotApi(TOKEN) as fake:
        settings_ = _settings(migrated_url, fake.url)
        clock = Clock()
        service = build_service(settings_, database, clock)
        application = build_application(settings_, service)
        sender = sender_of(application)
        contributors = ContributorHandlers(settings_, service, sender)

        async def apology(_update: Update) -> str:
            return "sorry"

        full = Intake(application, database, clock, apology, owe=contributors.owe)
        fast = Intake(
            application,
            database,
            clock,
            apology,
            owe=contributors.owe,
            fast=contributors.take_action,
        )
        full.install()
        users = {
            full: fake.user(user_id=901, first_name="Ana", last_name="Lima"),
            fast: fake.user(user_id=902, first_name="Ana", last_name="Lima"),
        }
        taken: list[str] = []
        original = contributors.take_action

        async def counting(action: PrivateAction, key: str, app: App) -> None:
            taken.append(action.kind)
            await original(action, key, app)

        fast.fast = counting
        async with application:
            for step in range(12):
                for intake, user in users.items():
                    with fake.capture_updates() as batch:
                        if step == 0:
                            user.send_command("start")
                        else:
                            sent = fake.sent_messages(user.chat_id)
                            next_action(user, sent[-1] if sent else None)
                    await process_batch(intake, batch)
                    if step == 5:
                        await process_batch(intake, batch)  # redelivered
                    await delivered(database, sender)
        assert "message" in taken and "callback_query" in taken

        def seen(chat_id: int) -> list[tuple[str, Any]]:
            return [(m.get("text"), m.get("reply_markup")) for m in fake.sent_messages(chat_id)]

        assert seen(901) == seen(902)
        assert len(seen(901)) >= 12
        answered = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
        assert len(answered) == 2 * taken.count("callback_query")
        async with database.engine.connect() as connection:
            rows = (
                await connection.execute(
                    text(
                        "SELECT c.telegram_user_id, a.question_id, a.value, a.text, a.revision "
                        "FROM answers a JOIN interviews i ON i.id = a.interview_id "
                        "JOIN contributors c ON c.id = i.contributor_id ORDER BY a.question_id"
                    )
                )
            ).all()
            outbox = (
                await connection.execute(
                    text("SELECT chat_id, method, kind, state FROM outbox ORDER BY id")
                )
            ).all()
            processed = (
                await connection.execute(text("SELECT count(*) FROM processed_updates"))
            ).scalar()

        def stored(value: Any) -> Any:
            """An answer as stored, less the moments and message ids (each chat has its own)."""
            loaded = json.loads(value) if isinstance(value, str) else dict(value)
            return {k: v for k, v in loaded.items() if k not in ("answered_at", "message_ids")}

        by_user = {
            user: [(r[1], stored(r[2]), r[3], r[4]) for r in rows if r[0] == user]
            for user in (901, 902)
        }
        assert by_user[901] == by_user[902] and len(by_user[901]) >= 6
        assert [r[1:] for r in outbox if r[0] == 901] == [r[1:] for r in outbox if r[0] == 902]
        assert processed == 2 * 12
    await database.dispose()


async def delivered(database: Database, sender: Any) -> None:
    """Send everything owed (a chat's messages leave within its send limits)."""
    pending = text("SELECT count(*) FROM outbox WHERE state = 'pending'")
    while True:
        await sender.send_all_due()
        async with database.engine.connect() as connection:
            if not (await connection.execute(pending)).scalar():
                return
        await asyncio.sleep(0.02)


class Clock:
    """A clock a second further on at every reading, so both paths see alike times."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
