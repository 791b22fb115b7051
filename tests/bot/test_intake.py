"""Updates on their way in: whatever JSON arrives, the parser returns an ``Update`` or says
why not (never raises anything else); odd shapes are named; lone surrogates are cleaned;
the fingerprint tells a redelivery from another update that reuses the id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.intake import (
    App,
    UnparseableUpdate,
    clean,
    fingerprint,
    parse_update,
    raw_text,
    shape_problem,
)

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


def test_raw_text_keeps_anything_as_ascii() -> None:
    data = {"text": "\ud800 \x00 é"}

    text = raw_text(data)

    assert text.isascii() and json.loads(text) == data
