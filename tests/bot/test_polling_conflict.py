"""Telegram's 409 while polling names who else takes the updates and what to do, in one line."""

from __future__ import annotations

from bot.telegram_app import conflict_line


def test_a_second_poller_is_named_with_the_way_out() -> None:
    line = conflict_line("Conflict: terminated by other getUpdates request", 10)
    assert line.startswith("another process is polling with this bot token")
    assert "--webhook" in line and "\n" not in line


def test_a_webhook_left_set_is_named_with_the_command_that_removes_it() -> None:
    line = conflict_line(
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook", 10
    )
    assert line.startswith("a webhook is set for this bot")
    assert "copro-bot webhook delete" in line and "\n" not in line
