"""The staff screens and their ``st|...`` buttons: every button fits Telegram's 64 bytes
and parses back to what it means; data no staff button ever had is recognised as such."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from conversations.drafting import DraftField, DraftRecord
from conversations.gaps import Gap
from conversations.lens import LensSuggestion
from conversations.model import Reply
from conversations.review_text import (
    PAGE_SIZE,
    DraftCard,
    QueueEntry,
    QueuePage,
    StaffAction,
    ask_confirm_reply,
    ask_reply,
    callback,
    card_reply,
    fields_reply,
    lens_reply,
    parse_action,
    queue_reply,
    status_reply,
)
from conversations.workflow import DraftStatus

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LONG_KEY = "nsce/" + "x" * 50


def a_card(draft_id: int = 987654321) -> DraftCard:
    record = DraftRecord(
        script_id="spotted",
        reference="CP-2026-00042",
        fields={"title": DraftField("title", "Playground"), "summary": DraftField("summary", "")},
        lens=(
            LensSuggestion("stages", "co_design", "Co-design", "we designed it", "project"),
            LensSuggestion("nsce", LONG_KEY.split("/")[1], "Long one", "together", "project"),
        ),
        gaps=tuple(Gap("place", f"Question {n}?", "missing") for n in range(12)),
    )
    return DraftCard(
        id=draft_id,
        reference="CP-2026-00042",
        status=DraftStatus.IN_REVIEW,
        version=12345,
        record=record,
        created_at=WHEN,
        status_changed_at=WHEN,
        status_changed_by="Nia",
        contributor_name="Ada",
        contributor_reachable=True,
        follow_ups_waiting=1,
        follow_ups_answered=0,
        staff_edited=("title",),
    )


def button_data(reply: Reply) -> list[str]:
    return [button.data for row in reply.buttons for button in row]


def every_screen() -> list[Reply]:
    card = a_card()
    entries = tuple(
        QueueEntry(card.id + n, "CP-2026-00042", "A title " * 20, DraftStatus.NEW, WHEN)
        for n in range(PAGE_SIZE)
    )
    page = QueuePage("needs_info", entries, PAGE_SIZE, 3 * PAGE_SIZE, {DraftStatus.NEW: 18})
    return [
        queue_reply(page),
        card_reply(card, UTC),
        fields_reply(card),
        lens_reply(card),
        status_reply(card, UTC),
        ask_reply(card),
        ask_confirm_reply(card, 12, card.record.gaps[11]),
    ]


def test_every_staff_button_fits_and_parses_back() -> None:
    data = [d for reply in every_screen() for d in button_data(reply)]

    assert max(len(d.encode("utf-8")) for d in data) <= 64
    assert [d for d in data if parse_action(d) is None] == []


def test_a_lens_tag_whose_key_is_too_long_is_named_by_its_number() -> None:
    lens = button_data(lens_reply(a_card()))

    assert lens[:4] == [
        "st|ty|987654321|stages/co_design",
        "st|tn|987654321|stages/co_design",
        "st|ty|987654321|2",
        "st|tn|987654321|2",
    ]


def test_the_queue_pages_both_ways_and_marks_the_current_filter() -> None:
    reply = every_screen()[0]
    labels = [button.label for row in reply.buttons for button in row]

    assert "st|l|needs_info|0" in button_data(reply)
    assert f"st|l|needs_info|{2 * PAGE_SIZE}" in button_data(reply)
    assert "• Needs info (0)" in labels
    assert reply.text.endswith(f"Needs info: {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of 18, oldest first.")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("st|o|12", StaffAction("o", 12)),
        ("st|l|todo|6", StaffAction("l", None, ("todo", "6"))),
        ("st|m|3|ready", StaffAction("m", 3, ("ready",))),
        ("st|ac|3|2|7", StaffAction("ac", 3, ("2", "7"))),
        ("st|x", StaffAction("x")),
    ],
)
def test_buttons_parse_into_actions(data: str, expected: StaffAction) -> None:
    assert parse_action(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "",
        "st",
        "st|",
        "st|o",
        "st|o|x",
        "st|o|1|2",
        "st|m|1|launched",
        "st|l|everything|0",
        "st|l|todo|-1",
        "st|ac|1|one|2",
        "st|k|1|",
        "ex|o|1",
        "st|nope|1",
    ],
)
def test_data_no_staff_button_had_is_refused(data: str) -> None:
    assert parse_action(data) is None


def test_callback_data_over_64_bytes_is_a_bug_caught_early() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        callback("e", 1, "x" * 60)


def test_the_card_names_the_interviews_language_in_english() -> None:
    english = card_reply(a_card(), UTC).text
    welsh = card_reply(replace(a_card(), language="gd"), UTC).text
    assert "Language: English (en)" in english
    assert "Language: Scottish Gaelic (gd)" in welsh
