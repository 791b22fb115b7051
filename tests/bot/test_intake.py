"""Updates on their way in: whatever JSON arrives, the parser returns an ``Update`` or says
why not (never raises anything else); odd shapes are named; lone surrogates are cleaned;
the fingerprint tells a redelivery from another update that reuses the id."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

from bot.intake import (
    App,
    Intake,
    UnparseableUpdate,
    clean,
    fingerprint,
    fingerprint_of,
    note_recorded,
    parse_update,
    raw_text,
    shape_problem,
)
from bot.roles import Roles
from bot.settings import load_settings
from bot.telegram_app import process_batch
from storage.database import Database
from storage.uow import UnitOfWork
from tests.e2e.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-TOKEN-intake-0123456789"

MESSAGE: dict[str, Any] = {
    "message_id": 5,
    "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
    "chat": {"id": 42, "type": "private", "first_name": "Ana"},
    "date": 1_700_000_000,
    "text": "hello",
}


@pytest.fixture(scope="module")
def application() -> App:
    app: App = ApplicationBuilder().token("123456:TEST-TOKEN").updater(None).build()
    return app


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=20)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(any_text | st.sampled_from(sorted(MESSAGE)), inner, max_size=5)
    ),
    max_leaves=25,
)
kinds = st.sampled_from(sorted(Update.ALL_TYPES))


def updates_of_a_known_kind() -> st.SearchStrategy[dict[str, Any]]:
    """Update-shaped JSON whose body is a real message with parts replaced or removed, or
    anything at all: the cases python-telegram-bot's ``de_json`` trips on."""
    mangled = st.builds(
        lambda drop, extra: {
            **{k: v for k, v in MESSAGE.items() if k not in drop},
            **extra,
        },
        st.sets(st.sampled_from(sorted(MESSAGE))),
        st.dictionaries(st.sampled_from([*MESSAGE, "chat", "from", "photo", "poll"]), json_values),
    )
    return st.builds(
        lambda update_id, kind, body: {"update_id": update_id, kind: body},
        st.integers(min_value=0, max_value=2**53),
        kinds,
        mangled | json_values,
    )


def parses_or_says_why(data: object, application: App) -> None:
    try:
        update = parse_update(data, application)
    except UnparseableUpdate as error:
        assert str(error)
        return
    assert isinstance(update, Update)
    fingerprint(update)  # usable for dedupe
    json.loads(raw_text(update.to_dict()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_parses_or_is_refused_with_a_reason(application: App, data: object) -> None:
    parses_or_says_why(data, application)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates_of_a_known_kind())
def test_any_update_shaped_json_parses_or_is_refused(
    application: App, data: dict[str, Any]
) -> None:
    parses_or_says_why(data, application)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, "expected a JSON object"),
        ([1, 2], "expected a JSON object"),
        (42, "expected a JSON object"),
        ({"update_id": "17", "message": MESSAGE}, "update_id must be an integer"),
        ({"update_id": True, "message": MESSAGE}, "update_id must be an integer"),
        ({"message": "hello"}, "update_id must be an integer"),
        ({"update_id": 17}, "no known kind of update"),
        ({"update_id": 17, "message": MESSAGE}, None),
    ],
)
def test_shapes_that_are_not_updates_are_named(body: object, reason: str | None) -> None:
    assert shape_problem(body) == reason


def test_a_lone_surrogate_in_a_name_is_replaced_and_the_update_parses(application: App) -> None:
    data = {
        "update_id": 1,
        "message": {**MESSAGE, "from": {**MESSAGE["from"], "first_name": "Eve\ud83d"}},
    }

    update = parse_update(data, application)

    assert update.effective_user is not None
    assert update.effective_user.first_name == "Eve\ufffd"
    assert clean({"a\udc00": ["\ud800x", "😀"]}) == {"a\ufffd": ["\ufffdx", "😀"]}


def test_missing_parts_are_refused_with_the_library_s_reason(application: App) -> None:
    undated = {k: v for k, v in MESSAGE.items() if k != "date"}
    untyped = {**MESSAGE, "chat": {"id": 42}}

    for message in (undated, untyped):
        with pytest.raises(UnparseableUpdate):
            parse_update({"update_id": 1, "message": message}, application)


def test_the_fingerprint_tells_a_redelivery_from_a_reused_id(application: App) -> None:
    first = parse_update({"update_id": 1, "message": MESSAGE}, application)
    redelivered = parse_update({"update_id": 1, "message": dict(MESSAGE)}, application)
    reused = parse_update({"update_id": 1, "message": {**MESSAGE, "text": "hi"}}, application)

    assert fingerprint(first) == fingerprint(redelivered) != fingerprint(reused)


def test_the_fingerprint_of_the_json_in_hand_ignores_key_order_only() -> None:
    data = {"update_id": 1, "message": MESSAGE}
    reordered = {"message": dict(reversed(list(MESSAGE.items()))), "update_id": 1}
    reused = {"update_id": 1, "message": {**MESSAGE, "text": "hi"}}

    assert fingerprint_of(data) == fingerprint_of(reordered) != fingerprint_of(reused)


def test_raw_text_keeps_anything_as_ascii() -> None:
    data = {"text": "\ud800 \x00 é"}

    text = raw_text(data)

    assert text.isascii() and json.loads(text) == data


async def test_an_update_its_handler_recorded_is_not_recorded_again(database: Database) -> None:
    """The interview service claims its update in the transaction that handles it; the
    intake then writes nothing more, while an update no handler recorded is recorded by the
    intake, so either way a redelivery is skipped."""
    async with FakeBotApi(TOKEN) as fake:
        application: App = (
            ApplicationBuilder().token(TOKEN).base_url(f"{fake.url}/bot").updater(None).build()
        )
        async with application:
            await _dispatch_twice(application, database)


async def _dispatch_twice(application: App, database: Database) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    handled: list[int] = []

    async def handler(update: Update, _: object) -> None:
        handled.append(update.update_id)
        if update.update_id == 1:  # as the interview service does: claim, then say so
            async with UnitOfWork(database) as uow:
                await uow.updates.claim(update.update_id, now, fingerprint(update))
                await uow.commit()
            note_recorded(update.update_id)

    async def nothing(_: object) -> None:
        return None

    application.add_handler(TypeHandler(Update, handler))
    intake = Intake(application, database, lambda: now, apology=nothing, owe=nothing)  # type: ignore[arg-type]
    writes: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            writes.append(statement)

    recorded, unrecorded = (
        parse_update({"update_id": n, "message": {**MESSAGE, "message_id": n}}, application)
        for n in (1, 2)
    )
    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await intake.dispatch(recorded) == "handled"
        assert len(writes) == 1  # the handler's own claim, nothing after it
        assert await intake.dispatch(unrecorded) == "handled"
        # the intake recorded this one itself
        assert len(writes) > 1 and all("processed_updates" in w for w in writes[1:])
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    assert await intake.dispatch(recorded) == "duplicate"
    assert await intake.dispatch(unrecorded) == "duplicate"
    assert handled == [1, 2]


def test_the_fingerprint_of_the_update_in_hand_is_reused_and_never_another_s(
    application: App,
) -> None:
    first = parse_update({"update_id": 7, "message": MESSAGE}, application)
    again = parse_update({"update_id": 7, "message": MESSAGE}, application)
    other = parse_update({"update_id": 7, "message": {**MESSAGE, "text": "bye"}}, application)
    key = fingerprint(first)
    assert fingerprint(first) == key == fingerprint(again)  # equal content, equal key
    assert fingerprint(other) != key  # the kept one is not handed to another update
    assert fingerprint(first) == key


async def test_a_polled_batch_is_checked_for_redeliveries_in_one_read(database: Database) -> None:
    """A redelivered batch is skipped as a whole, found with one statement, while an id
    reused with other content, and an id that comes twice in a batch, are each handled once."""
    async with FakeBotApi(TOKEN) as fake:
        application: App = (
            ApplicationBuilder().token(TOKEN).base_url(f"{fake.url}/bot").updater(None).build()
        )
        async with application:
            await _poll_twice(application, database)


async def _poll_twice(application: App, database: Database) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    handled: list[tuple[int, str]] = []

    async def handler(update: Update, _: object) -> None:
        assert update.message is not None
        handled.append((update.update_id, update.message.text or ""))

    async def nothing(_: object) -> None:
        return None

    application.add_handler(TypeHandler(Update, handler))
    intake = Intake(application, database, lambda: now, apology=nothing, owe=nothing)  # type: ignore[arg-type]

    def message(update_id: int, chat: int, text: str) -> dict[str, Any]:
        body = {**MESSAGE, "message_id": update_id, "text": text}
        body["chat"] = {**MESSAGE["chat"], "id": chat}
        return {"update_id": update_id, "message": body}

    batch = [message(n, 40 + n % 2, f"answer {n}") for n in range(1, 5)]
    lookups: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "processed_updates" in statement:
            lookups.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        await process_batch(intake, batch)
        assert len(lookups) == 1
        await process_batch(intake, batch)  # redelivered: the acknowledgement was lost
        assert len(lookups) == 2
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    assert sorted(handled) == [(n, f"answer {n}") for n in range(1, 5)]

    handled.clear()
    await process_batch(
        intake, [message(2, 42, "another update, the same id"), *[message(9, 43, "twice")] * 2]
    )
    assert handled == [(2, "another update, the same id"), (9, "twice")]


async def test_a_webhook_update_reads_what_it_needs_first_in_one_transaction(
    database: Database,
) -> None:
    """Was it processed, and is its sender staff (the check every message gets): one read,
    then the handling; a redelivery stops after that read."""
    async with FakeBotApi(TOKEN) as fake:
        application: App = (
            ApplicationBuilder().token(TOKEN).base_url(f"{fake.url}/bot").updater(None).build()
        )
        async with application:
            await _receive_twice(application, database)


async def _receive_twice(application: App, database: Database) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "sqlite:///x.db"})
    roles = Roles(settings, database)
    verdicts: list[bool] = []

    async def handler(update: Update, _: object) -> None:
        assert update.effective_user is not None
        verdicts.append(await roles.may_be_staff(update.effective_user.id))

    async def nothing(_: object) -> None:
        return None

    application.add_handler(TypeHandler(Update, handler))
    intake = Intake(application, database, lambda: now, apology=nothing, owe=nothing)  # type: ignore[arg-type]
    transactions: list[object] = []

    def began(connection: object) -> None:
        transactions.append(connection)

    event.listen(database.engine.sync_engine, "begin", began)
    try:
        data = {"update_id": 70, "message": MESSAGE}
        assert await intake.receive(data) == "handled"
        first = len(transactions)
        assert await intake.receive(data) == "duplicate"
    finally:
        event.remove(database.engine.sync_engine, "begin", began)
    assert verdicts == [False]
    assert (first, len(transactions)) == (2, 3)  # the read, the record; then the read alone
