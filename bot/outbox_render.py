"""Render what the bot owes into outbox rows: Bot API methods with their parameters.

Rendering happens before the commit that owes the messages, here in ``bot/`` (escaping, the
4096-character limit, keyboards); ``storage/`` keeps the result as plain JSON and
``bot/sender.py`` sends it as it is.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from bot.telegram_render import keyboard_markup, reply_pieces
from conversations.model import Button, Reply
from storage.outbox import OutboxMessage


def reply_messages(
    chat_id: int,
    replies: Sequence[Reply],
    *,
    kind: str = "reply",
    follow_up_id: int | None = None,
) -> list[OutboxMessage]:
    """Replies as ``sendMessage`` rows, in order; a follow-up id goes on the last piece, so the
    question counts as delivered once all of it arrived."""
    messages: list[OutboxMessage] = []
    for reply in replies:
        texts, markup = reply_pieces(reply)
        for number, text in enumerate(texts, start=1):
            payload: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
            if markup is not None and number == len(texts):
                payload["reply_markup"] = markup
            messages.append(OutboxMessage(chat_id, "sendMessage", payload, kind=kind))
    if follow_up_id is not None and messages:
        last = messages[-1]
        messages[-1] = OutboxMessage(
            last.chat_id, last.method, last.payload, kind="follow_up", follow_up_id=follow_up_id
        )
    return messages


def html_message(
    chat_id: int,
    html: str,
    buttons: tuple[tuple[Button, ...], ...] = (),
    *,
    kind: str = "reply",
    digest_key: str | None = None,
) -> OutboxMessage:
    """One message already in Telegram HTML (a digest part, a card)."""
    payload: dict[str, Any] = {"text": html, "parse_mode": "HTML"}
    markup = keyboard_markup(buttons)
    if markup is not None:
        payload["reply_markup"] = markup
    return OutboxMessage(chat_id, "sendMessage", payload, kind=kind, digest_key=digest_key)


def plain_message(chat_id: int, text: str, *, kind: str = "reply") -> OutboxMessage:
    """Plain text, sent without a parse mode (nothing in it is markup)."""
    return OutboxMessage(chat_id, "sendMessage", {"text": text}, kind=kind)


def document_message(
    chat_id: int,
    content: bytes,
    filename: str,
    caption: str = "",
    *,
    kind: str = "document",
    digest_key: str | None = None,
) -> OutboxMessage:
    """A file to send, its bytes kept in the row (digests, /mydata, exports)."""
    payload: dict[str, Any] = {
        "document": base64.b64encode(content).decode("ascii"),
        "filename": filename,
    }
    if caption:
        payload["caption"] = caption
    return OutboxMessage(chat_id, "sendDocument", payload, kind=kind, digest_key=digest_key)


def file_message(
    chat_id: int, path: str, filename: str, caption: str = "", *, kind: str = "export"
) -> OutboxMessage:
    """A large file kept on this machine's disk until it is sent, then deleted (exports;
    the sending process must see the same disk, which holds on one server)."""
    payload: dict[str, Any] = {"path": path, "filename": filename, "delete_after": True}
    if caption:
        payload["caption"] = caption
    return OutboxMessage(chat_id, "sendDocument", payload, kind=kind)
