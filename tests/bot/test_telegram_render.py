"""Replies become Telegram messages that respect HTML escaping and Telegram's size limits."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram_render import (
    OutgoingMessage,
    escape,
    render_reply,
    shorten,
    split_message,
    units,
)
from conversations.model import Button, Reply

ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);")


def test_escape_makes_user_text_inert() -> None:
    assert escape('a <b>bold</b> & "quoted"') == 'a &lt;b&gt;bold&lt;/b&gt; &amp; "quoted"'


def test_reply_text_is_escaped_and_heading_is_bold() -> None:
    reply = Reply("Tom & Jerry <b>", heading="Step 1 <of> 3")
    assert render_reply(reply) == [
        OutgoingMessage("<b>Step 1 &lt;of&gt; 3</b>\nTom &amp; Jerry &lt;b&gt;")
    ]


def test_buttons_become_an_inline_keyboard_with_plain_labels() -> None:
    reply = Reply(
        "Pick one",
        buttons=((Button("Yes & go", "c|yes"), Button("No", "c|no")), (Button("<Skip>", "skip"),)),
    )
    expected = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes & go", callback_data="c|yes"),
                InlineKeyboardButton("No", callback_data="c|no"),
            ],
            [InlineKeyboardButton("<Skip>", callback_data="skip")],
        ]
    )
    assert render_reply(reply) == [OutgoingMessage("Pick one", expected)]


def test_button_with_callback_data_over_64_bytes_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    too_long = "é" * 33  # 66 bytes of UTF-8, 33 characters
    reply = Reply("Pick", buttons=((Button("Fine", "x" * 64), Button("Too long", too_long)),))
    with caplog.at_level(logging.WARNING, logger="bot.telegram_render"):
        messages = render_reply(reply)
    expected = InlineKeyboardMarkup([[InlineKeyboardButton("Fine", callback_data="x" * 64)]])
    assert messages == [OutgoingMessage("Pick", expected)]
    assert "Too long" in caplog.text


def test_a_row_left_empty_by_dropped_buttons_disappears() -> None:
    reply = Reply("Pick", buttons=((Button("Bad", "x" * 65),),))
    assert render_reply(reply) == [OutgoingMessage("Pick", None)]


def test_long_text_is_split_with_buttons_only_on_the_last_piece() -> None:
    sentence = "We met every week in the library to plan the garden together. "
    text = (sentence * 200)[:10_000]
    reply = Reply(text, heading="Your story", buttons=((Button("Send it", "submit"),),))
    messages = render_reply(reply)
    assert len(messages) == 3
    assert all(units(m.text) <= 4096 for m in messages)
    assert [m.reply_markup is None for m in messages] == [True, True, False]
    assert messages[0].text.startswith("<b>Your story</b>\n")


def test_empty_reply_renders_nothing_but_buttons_still_get_a_message() -> None:
    assert render_reply(Reply("  ")) == []
    (only,) = render_reply(Reply("", buttons=((Button("Go", "go"),),)))
    assert (only.text.strip() != "", only.reply_markup is not None) == (True, True)


def test_short_text_is_one_piece() -> None:
    assert split_message("hello") == ["hello"]


def test_split_prefers_paragraphs_then_lines() -> None:
    first, second = "a" * 30, "b" * 30
    assert split_message(f"{first}\n\n{second}", 40) == [first, second]
    assert split_message(f"{first} x\n{second}", 40) == [f"{first} x", second]


def test_split_at_a_sentence_before_a_plain_space() -> None:
    text = "One two three four five. Six seven eight nine ten"
    assert split_message(text, 30) == ["One two three four five.", "Six seven eight nine ten"]


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_never_cuts_an_entity() -> None:
    assert split_message("xxxxxxxx&amp;yy", 10) == ["xxxxxxxx", "&amp;yy"]


def test_limit_counts_utf16_units_so_emoji_count_twice() -> None:
    pieces = split_message("😀" * 6, 4)
    assert pieces == ["😀😀", "😀😀", "😀😀"]


def test_shorten_adds_an_ellipsis_at_a_word_boundary() -> None:
    assert shorten("The quick brown fox jumps", 20) == "The quick brown fox…"
    assert shorten("short", 20) == "short"


def test_shorten_never_cuts_an_entity() -> None:
    assert shorten("abcdefg&amp;hij", 10) == "abcdefg…"


def test_shorten_fits_the_caption_limit() -> None:
    assert units(shorten("word " * 1000)) <= 1024


_tokens = st.one_of(
    st.text(alphabet="abcXYZ é😀.!?,", min_size=1, max_size=12),
    st.sampled_from([" ", "  ", "\n", "\n\n", "&amp;", "&lt;", "&gt;", "&#128512;", ". "]),
)
_texts = st.lists(_tokens, max_size=80).map("".join)


def _in_order_with_whitespace_gaps(pieces: list[str], original: str) -> bool:
    position = 0
    for piece in pieces:
        found = original.find(piece, position)
        if found < 0 or original[position:found].strip():
            return False
        position = found + len(piece)
    return not original[position:].strip()


@given(text=_texts, limit=st.integers(min_value=10, max_value=60))
def test_split_pieces_fit_keep_everything_and_keep_entities_whole(text: str, limit: int) -> None:
    pieces = split_message(text, limit)
    assert all(units(piece) <= limit for piece in pieces)
    assert all(piece.strip() for piece in pieces)
    assert _in_order_with_whitespace_gaps(pieces, text)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    for piece in pieces:
        assert piece.count("&") == len(ENTITY.findall(piece))


@given(text=_texts, limit=st.integers(min_value=2, max_value=60))
def test_shorten_fits_and_keeps_a_prefix(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert units(short) <= limit
    if short != text:
        assert short.endswith("…")
        assert text.startswith(short[:-1])
        assert short.count("&") == len(ENTITY.findall(short))


def test_outbox_rows_carry_the_same_text_and_keyboard_as_the_rendered_messages() -> None:
    from bot.outbox_render import reply_messages

    sentence = "We met every week in the library to plan the garden together. "
    replies = [
        Reply((sentence * 200)[:10_000], heading="Your story", buttons=((Button("Send", "s"),),)),
        Reply("Pick", buttons=((Button("A & B", "c|a"), Button("Bad", "x" * 65)), ())),
        Reply("", buttons=((Button("Go", "go"),),)),
        Reply("  "),
    ]
    expected = [
        {"text": message.text, "parse_mode": "HTML"}
        | ({"reply_markup": message.reply_markup.to_dict()} if message.reply_markup else {})
        for reply in replies
        for message in render_reply(reply)
    ]
    assert [row.payload for row in reply_messages(7, replies)] == expected
