"""Reminder messages in the interview's language, dates named the local way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.reminders import STOP_DATA, Nudge, nudge_reply

NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)  # a Thursday


def nudge(language: str, number: int = 1, answered: int = 3, days: int = 2) -> Nudge:
    return Nudge(
        number=number,
        first_name="Ola",
        started_at=NOW - timedelta(days=days),
        answered=answered,
        delete_after=NOW + timedelta(days=30),
        language=language,
    )


def test_the_first_nudge_in_english_is_unchanged() -> None:
    reply = nudge_reply(nudge("en"), NOW, UTC)
    assert reply.text == (
        "Hi Ola! You started telling us about a co-production project on Tuesday. "
        "Your 3 answers so far are saved: just reply here whenever you're ready to carry on."
    )
    assert [(b.label, b.data) for row in reply.buttons for b in row] == [
        ("Stop reminders", STOP_DATA)
    ]


def test_the_first_nudge_in_polish_names_the_day_in_polish_with_polish_plurals() -> None:
    reply = nudge_reply(nudge("pl", answered=5, days=1), NOW, UTC)
    assert reply.text.startswith("Cześć, Ola! Rozpoczęła się Twoja opowieść")
    assert "(wczoraj)" in reply.text
    assert "Twoich 5 dotychczasowych odpowiedzi jest zapisanych" in reply.text
    assert reply.buttons[0][0].label == "Wyłącz przypomnienia"


def test_the_last_nudge_in_welsh_names_the_month_in_welsh() -> None:
    reply = nudge_reply(nudge("cy", number=2, answered=1, days=12), NOW, UTC)
    assert reply.text.startswith("Helo Ola! Dyma fy nodyn atgoffa olaf")
    assert "28 Chwefror" in reply.text  # the day it began
    assert "11 Ebrill" in reply.text  # the day unfinished answers go
    assert "Mae eich ateb hyd yma wedi'i gadw" in reply.text
