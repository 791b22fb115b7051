"""Turn the engine's plain replies into Telegram messages: HTML escaping, the 4096-character
message limit, the 1024-character caption limit and the 64-byte callback data limit.

Pure functions: nothing here sends anything, so every limit is tested without a network.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.model import Button, Reply

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
HEADING_LIMIT = 256
ELLIPSIS = "…"
EMPTY_TEXT = "⬇️"  # Telegram refuses an empty message, even one that only carries buttons

# Units that must never be cut: an HTML tag or a character reference such as ``&amp;``.
_ATOMS = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# Split points, most preferred first; a match's start is where the piece ends.
_SEPARATORS = (
    re.compile(r"\n[^\S\n]*\n\s*"),  # a paragraph break
    re.compile(r"\n\s*"),  # a line break
    re.compile(r"(?<=[.!?…:;])\s+"),  # the end of a sentence
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class OutgoingMessage:
    """One ``sendMessage`` call: HTML text and, on the last piece of a reply, its buttons."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


def escape(text: str) -> str:
    """Escape plain text for a text node of an HTML-formatted message."""
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def render_reply(reply: Reply) -> list[OutgoingMessage]:
    """One reply as one or more messages; buttons travel with the last one."""
    markup = keyboard(reply.buttons)
    pieces = _texts(reply, markup is not None)
    messages = [OutgoingMessage(piece) for piece in pieces[:-1]]
    if pieces:
        messages.append(OutgoingMessage(pieces[-1], markup))
    return messages


def reply_pieces(reply: Reply) -> tuple[list[str], dict[str, Any] | None]:
    """:func:`render_reply` as the Bot API's JSON: the texts of the messages, and the
    keyboard of the last one (:func:`keyboard_markup`)."""
    markup = keyboard_markup(reply.buttons)
    return _texts(reply, markup is not None), markup


def _texts(reply: Reply, with_buttons: bool) -> list[str]:
    body = escape(reply.text.strip())
    heading = reply.heading.strip() if reply.heading else ""
    text = body
    if heading:
        bold = f"<b>{escape(shorten(heading, HEADING_LIMIT))}</b>"
        text = f"{bold}\n{body}" if body else bold
    pieces = split_message(text)
    if not pieces and with_buttons:
        return [EMPTY_TEXT]
    return pieces


def keyboard_markup(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any] | None:
    """:func:`keyboard` as the Bot API's JSON, made without python-telegram-bot's objects:
    the outbox stores JSON, and objects built only to be turned into it were most of the
    cost of rendering an answered question's reply."""
    keyboard_rows = [
        [
            {"text": button.label, "callback_data": button.data}
            for button in row
            if _acceptable(button)
        ]
        for row in rows
    ]
    keyboard_rows = [row for row in keyboard_rows if row]
    return {"inline_keyboard": keyboard_rows} if keyboard_rows else None


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Inline keyboard of the buttons Telegram will accept; the others are logged and dropped."""
    keyboard_rows: list[list[InlineKeyboardButton]] = []
    for row in rows:
        buttons = [
            InlineKeyboardButton(button.label, callback_data=button.data)
            for button in row
            if _acceptable(button)
        ]
        if buttons:
            keyboard_rows.append(buttons)
    return InlineKeyboardMarkup(keyboard_rows) if keyboard_rows else None


def _acceptable(button: Button) -> bool:
    size = len(button.data.encode("utf-8"))
    if not 1 <= size <= CALLBACK_DATA_LIMIT:
        log.warning(
            "button %r dropped: callback data is %d bytes, Telegram takes 1 to %d",
            button.label,
            size,
            CALLBACK_DATA_LIMIT,
        )
        return False
    if not button.label.strip():
        log.warning("button with data %r dropped: it has no label", button.data)
        return False
    return True


def split_message(html_or_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, split at a paragraph, line, sentence or space
    (in that order of preference) and only as a last resort mid-word; never inside an HTML tag
    or character reference. Whitespace at the ends and at split points is dropped, nothing else.

    Markup that spans a split point is not re-balanced: callers keep elements short (as
    :func:`render_reply` does with its heading).
    """
    pieces: list[str] = []
    rest = html_or_text.strip()
    while units(rest) > limit:
        cut, resume = _split_point(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[resume:]
    if rest:
        pieces.append(rest)
    return pieces


def _atoms(text: str, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _ATOMS.finditer(text, 0, end)]


def _inside(atoms: list[tuple[int, int]], position: int) -> bool:
    return any(start < position < end for start, end in atoms)


def _split_point(text: str, limit: int) -> tuple[int, int]:
    """Where the first piece of ``text`` (no leading whitespace) ends, and the next starts."""
    fit = _fitting_prefix(text, limit)
    atoms = _atoms(text, fit + MESSAGE_LIMIT)
    window = text[: fit + 1]  # a separator may start right after the last character that fits
    for pattern in (*_SEPARATORS, _SPACE):
        least = 1 if pattern is _SPACE else max(1, fit // 2)
        for match in reversed(list(pattern.finditer(window))):
            start = match.start()
            if start < least:
                break
            if _inside(atoms, start):
                continue
            whitespace = _SPACE.match(text, start)
            resume = whitespace.end() if whitespace else start
            return len(text[:start].rstrip()), resume
    cut = fit
    for start, end in atoms:
        if start < cut < end and start > 0:
            cut = start
    cut = max(cut, 1)  # always make progress, even with a limit below one character
    return cut, cut


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters of ``text`` whose UTF-16 length is at most ``limit``."""
    total = 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            return index
    return len(text)


def shorten(text: str, limit: int = CAPTION_LIMIT) -> str:
    """``text`` cut to ``limit`` UTF-16 units with an ellipsis, at a word boundary if one is
    near the end; never inside an HTML tag or character reference."""
    if units(text) <= limit:
        return text
    cut = _fitting_prefix(text, max(0, limit - units(ELLIPSIS)))
    atoms = _atoms(text, cut + MESSAGE_LIMIT)
    for start, end in atoms:
        if start < cut < end:
            cut = start
    space = max(text.rfind(" ", 0, cut + 1), text.rfind("\n", 0, cut + 1))
    if space >= cut * 4 // 5 and not _inside(atoms, space):
        cut = space
    return text[:cut].rstrip() + ELLIPSIS
