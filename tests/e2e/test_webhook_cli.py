"""``copro-bot webhook set|info|delete`` against the fake Bot API, as docs/deploy.md uses it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.conftest import WEBHOOK_SECRET, WEBHOOK_URL, bot_environment
from tests.e2e.fake_bot_api import FakeBotApi


async def webhook(fake: FakeBotApi, tmp_path: Path, *action: str, **extra: str) -> int:
    """The command's exit status (it runs its own event loop, so in a thread)."""
    env = bot_environment(fake, f"sqlite:///{tmp_path / 'bot.db'}", **extra)
    (tmp_path / "empty.env").touch()
    argv = ["--env-file", str(tmp_path / "empty.env"), "webhook", *action]
    return await asyncio.to_thread(main, argv, env)


async def test_set_info_and_delete_the_webhook(
    fake: FakeBotApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = {"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": WEBHOOK_SECRET}
    assert await webhook(fake, tmp_path, "set", **hook) == 0
    assert capsys.readouterr().out == f"webhook set: {WEBHOOK_URL}\n"
    assert (fake.webhook_url, fake.webhook_secret) == (WEBHOOK_URL, WEBHOOK_SECRET)
    [call] = fake.calls_to("setWebhook")
    assert "callback_query" in call.params["allowed_updates"]

    fake.user(1401, "Ana").send_text("hello")  # an update Telegram holds for the webhook
    assert await webhook(fake, tmp_path, "info") == 0
    assert capsys.readouterr().out.splitlines() == [f"url: {WEBHOOK_URL}", "pending updates: 1"]

    assert await webhook(fake, tmp_path, "delete", "--drop-pending") == 0
    assert capsys.readouterr().out.startswith("webhook deleted (pending updates dropped)")
    assert (fake.webhook_url, fake.pending_updates) == ("", [])
    assert await webhook(fake, tmp_path, "info") == 0
    assert capsys.readouterr().out.splitlines()[0] == "url: (none: the bot polls)"


async def test_set_without_a_url_says_which_settings_are_missing(
    fake: FakeBotApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await webhook(fake, tmp_path, "set") == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == "copro-bot: setting WEBHOOK_URL and WEBHOOK_SECRET: both are required"
    assert fake.calls_to("setWebhook") == []
