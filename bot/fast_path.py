"""The common update read straight from its JSON: a contributor's text or button press in a
private chat, without python-telegram-bot's ``Update`` objects or handler dispatch.

Nearly every update a busy bot gets is one of these two, and for them the library's work
(some hundred objects built, then every handler group asked in turn) cost more CPU than
the interview's own. :func:`private_action` accepts only shapes it checks field by field,
exactly as Telegram sends them, and for which the full dispatch would reach nothing but
the interview: plain text (no command, no media, nothing replied to or forwarded) and a
button whose data no other handler claims. Anything else, or anything it is unsure of,
is ``None`` and takes the full path, which also parks what cannot be parsed. A staff
member's text is handed back by the intake too (a prompt may be waiting for it).

What the interview reads of an update (who, which chat, what they did) is the same either
way; ``tests/bot/test_fast_path.py`` holds the two paths to the same result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from conversations.model import Person, Pressed, TextSent

JSON = dict[str, Any]

OTHER_BUTTONS = ("st|", "ex|", "rm|", "erase|")
"""The callback data prefixes that handlers other than the interview's answer (staff, the
export, reminders, erasing); a press of one of these takes the full path. A test checks
this against the patterns the application registers."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_USER_FLAGS = (
    "is_premium",
    "added_to_attachment_menu",
    "can_join_groups",
    "can_read_all_group_messages",
    "supports_inline_queries",
    "can_connect_to_business",
    "has_main_web_app",
)
_USER_KEYS = frozenset(
    {
        "id",
        "is_bot",
        "first_name",
        "last_name",
        "username",
        "language_code",
        *_USER_FLAGS,
    }
)
_CHAT_KEYS = frozenset({"id", "type", "first_name", "last_name", "username"})
_ENTITY_KEYS = frozenset({"type", "offset", "length", "url", "language", "custom_emoji_id"})
_TEXT_KEYS = frozenset({"message_id", "from", "chat", "date", "text", "entities"})
_BOT_MESSAGE_KEYS = frozenset(
    {
        "message_id",
        "from",
        "chat",
        "date",
        "edit_date",
        "text",
        "entities",
        "reply_markup",
        "link_preview_options",
    }
)
_QUERY_KEYS = frozenset({"id", "from", "message", "chat_instance", "data"})
_BUTTON_KEYS = frozenset({"text", "callback_data", "url"})
_PREVIEW_KEYS = frozenset(
    {"is_disabled", "url", "prefer_small_media", "prefer_large_media", "show_above_text"}
)


@dataclass(frozen=True)
class PrivateAction:
    """A contributor's text or button press in their private chat, read from the JSON."""

    update_id: int
    person: Person
    event: TextSent | Pressed
    query_id: str | None
    """The button press to answer (``answerCallbackQuery``); ``None`` for text."""
    data: JSON
    """The update's JSON as it came (parked as it is if handling it fails)."""
    kind: str
    """``message`` or ``callback_query``, as the metrics count updates."""

    @property
    def chat_id(self) -> int:
        return self.person.chat_id

    @property
    def user_id(self) -> int:
        return self.person.user_id


def private_action(data: object) -> PrivateAction | None:
    """The action in ``data`` if it is one the fast path takes, else ``None``. Never raises."""
    try:
        return _read(data)
    except Exception:  # a shape missed below: the full path will say what is wrong
        return None


def _read(data: object) -> PrivateAction | None:
    if not isinstance(data, dict) or len(data) != 2:
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int:
        return None
    message = data.get("message")
    if message is not None:
        return _text(update_id, message, data)
    query = data.get("callback_query")
    if query is not None:
        return _press(update_id, query, data)
    return None


def _text(update_id: int, message: object, data: JSON) -> PrivateAction | None:
    if not isinstance(message, dict) or not _TEXT_KEYS.issuperset(message):
        return None
    text = message.get("text")
    message_id = message.get("message_id")
    if not _string(text) or text.startswith("/") or type(message_id) is not int:
        return None
    if type(message.get("date")) is not int or not _entities(message.get("entities", [])):
        return None
    chat = _private_chat(message.get("chat"))
    person = _person(message.get("from"), chat)
    if person is None:
        return None
    return PrivateAction(update_id, person, TextSent(text, message_id), None, data, kind="message")


def _press(update_id: int, query: object, data: JSON) -> PrivateAction | None:
    if not isinstance(query, dict) or not _QUERY_KEYS.issuperset(query):
        return None
    query_id, pressed = query.get("id"), query.get("data")
    if not _string(query_id) or not _string(pressed) or not _string(query.get("chat_instance")):
        return None
    if not pressed or pressed.startswith(OTHER_BUTTONS):
        return None
    message = query.get("message")
    if not isinstance(message, dict) or not _BOT_MESSAGE_KEYS.issuperset(message):
        return None
    if type(message.get("message_id")) is not int or type(message.get("date")) is not int:
        return None
    if "edit_date" in message and type(message["edit_date"]) is not int:
        return None
    if "text" in message and not _string(message["text"]):
        return None
    if not _entities(message.get("entities", [])) or not _markup(message.get("reply_markup")):
        return None
    if not _preview(message.get("link_preview_options")):
        return None
    if "from" in message and _user(message["from"]) is None:
        return None
    person = _person(query.get("from"), _private_chat(message.get("chat")))
    if person is None:
        return None
    return PrivateAction(update_id, person, Pressed(pressed), query_id, data, kind="callback_query")


def _string(value: object) -> TypeGuard[str]:
    """A string without lone surrogates (the full path cleans those)."""
    return isinstance(value, str) and not _LONE_SURROGATE.search(value)


def _optional_string(container: Mapping[str, Any], key: str) -> bool:
    return key not in container or _string(container[key])


def _user(value: object) -> JSON | None:
    if not isinstance(value, dict) or not _USER_KEYS.issuperset(value):
        return None
    if type(value.get("id")) is not int or type(value.get("is_bot")) is not bool:
        return None
    if not _string(value.get("first_name")):
        return None
    for key in ("last_name", "username", "language_code"):
        if not _optional_string(value, key):
            return None
    for key in _USER_FLAGS:
        if key in value and type(value[key]) is not bool:
            return None
    return value


def _private_chat(value: object) -> int | None:
    """The chat's id if ``value`` is a well-formed private chat."""
    if not isinstance(value, dict) or not _CHAT_KEYS.issuperset(value):
        return None
    chat_id = value.get("id")
    if value.get("type") != "private" or type(chat_id) is not int:
        return None
    for key in ("first_name", "last_name", "username"):
        if not _optional_string(value, key):
            return None
    return chat_id


def _person(sender: object, chat_id: int | None) -> Person | None:
    user = _user(sender)
    if user is None or chat_id is None or user["is_bot"] or not user["first_name"]:
        return None
    last = user.get("last_name")
    name = f"{user['first_name']} {last}" if last else user["first_name"]
    return Person(
        user_id=user["id"],
        chat_id=chat_id,
        name=name,
        username=user.get("username"),
        language=user.get("language_code"),
    )


def _entities(value: object) -> bool:
    """Well-formed entities, none of them a bot command (a command takes the full path)."""
    if not isinstance(value, list):
        return False
    for entity in value:
        if not isinstance(entity, dict) or not _ENTITY_KEYS.issuperset(entity):
            return False
        kind = entity.get("type")
        if not _string(kind) or kind == "bot_command":
            return False
        if type(entity.get("offset")) is not int or type(entity.get("length")) is not int:
            return False
        if not all(_optional_string(entity, key) for key in ("url", "language", "custom_emoji_id")):
            return False
    return True


def _markup(value: object) -> bool:
    """No markup, or an inline keyboard of text buttons with callback data or a link."""
    if value is None:
        return True
    if not isinstance(value, dict) or set(value) != {"inline_keyboard"}:
        return False
    rows = value["inline_keyboard"]
    if not isinstance(rows, list):
        return False
    for row in rows:
        if not isinstance(row, list):
            return False
        for button in row:
            if not isinstance(button, dict) or not _BUTTON_KEYS.issuperset(button):
                return False
            if not _string(button.get("text")):
                return False
            if not _optional_string(button, "callback_data") or not _optional_string(button, "url"):
                return False
    return True


def _preview(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or not _PREVIEW_KEYS.issuperset(value):
        return False
    return all(type(value[key]) is bool for key in value if key != "url") and _optional_string(
        value, "url"
    )
