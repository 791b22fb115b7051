"""The ``copro-bot run`` command as an operator starts it: a separate process, configured
only through environment variables, talking to the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.conftest import (
    STARTUP_SECONDS,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    bot_environment,
    free_port,
)
from tests.e2e.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]


def command() -> list[str]:
    """The installed ``copro-bot`` script, or the module when it is not installed."""
    script = Path(sys.executable).with_name("copro-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any copro-bot setting, plus ``settings``."""
    names = ("TELEGRAM_", "DATABASE_", "WEBHOOK_", "STAFF_", "INTERVIEW_", "LOG_LEVEL")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    environment["PYTHONPATH"] = str(ROOT)
    return {**environment, **settings}


@asynccontextmanager
async def copro_bot(
    args: list[str], cwd: Path, environment: dict[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        *command(),
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_run_without_a_token_says_in_one_line_how_to_get_one_and_exits_2(
    tmp_path: Path,
) -> None:
    environment = clean_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    async with copro_bot(["run"], tmp_path, environment) as process:
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2
    assert len(lines) == 1, lines
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert stdout == b""


async def test_run_polls_the_bot_api_server_it_is_pointed_at_and_stops_on_sigterm(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    environment = clean_environment(
        **bot_environment(fake, f"sqlite:///{tmp_path / 'bot.db'}", LOG_LEVEL="WARNING")
    )
    async with copro_bot(["run"], tmp_path, environment) as process:
        await fake.wait_for(lambda c: c.method == "deleteWebhook", timeout=STARTUP_SECONDS)
        ana = fake.user(5001, "Ana")
        ana.send_command("start", "spotted")
        welcome, first = await ana.replies(2, timeout=10)
        assert welcome["text"].startswith("Spotted a project?")
        assert first["text"].startswith("Question 1 of about 8")
        everyone = [c for c in fake.calls_to("setMyCommands") if "scope" not in c.params]
        assert sorted(c.params.get("language_code", "") for c in everyone) == ["", "cy", "gd", "pl"]
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert fake.pending_updates == []  # what it handled was acknowledged before it left


async def test_run_webhook_serves_updates_with_the_secret_and_refuses_others(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    environment = clean_environment(
        **bot_environment(
            fake,
            f"sqlite:///{tmp_path / 'bot.db'}",
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
    )
    async with copro_bot(["run", "--webhook"], tmp_path, environment) as process:
        await fake.wait_for(lambda c: c.method == "setWebhook", timeout=STARTUP_SECONDS)
        address = f"http://127.0.0.1:{port}/telegram/hook"
        ben = fake.user(5002, "Ben")
        with fake.capture_updates() as updates:
            ben.send_command("start")
        assert await fake.post_webhook(address, updates[0]) == 403
        assert await fake.post_webhook(address, updates[0], secret="nope") == 403
        assert fake.sent_messages() == []
        assert await fake.post_webhook(address, updates[0], secret=WEBHOOK_SECRET) == 200
        assert len(await ben.replies(2, timeout=10)) == 2
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
