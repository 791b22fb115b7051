"""Running a worker: ``/healthz`` for the balancer, ``/metrics`` for Prometheus, JSON logs
for a shipper, and a SIGTERM that finishes the message being sent before exiting 0."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.log_format import configure_logging
from bot.settings import Settings
from bot.telegram_app import build_application
from bot.webhook import HealthCheck, WebhookServer
from bot.wiring import build_service
from storage.database import Database
from storage.migrate import upgrade
from storage.models import OutboxRow
from storage.outbox import OutboxMessage, enqueue
from tests.e2e.conftest import WEBHOOK_SECRET, RunningBot, webhook_address
from tests.e2e.crash_harness import TOKEN
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.workers_harness import WebhookWorker

JSON = dict[str, Any]


async def get(url: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session,
        session.get(url) as response,
    ):
        return response.status, await response.text()


def base(settings: Settings) -> str:
    return f"http://{settings.webhook_listen}:{settings.webhook_port}"


def metric(text: str, name: str, labels: str = "") -> float:
    """The value of one sample in Prometheus's text format (0 when absent)."""
    pattern = re.escape(name + (f"{{{labels}}}" if labels else "")) + r" ([0-9.e+-]+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


# --- /healthz ---------------------------------------------------------------------------------


async def test_a_running_worker_is_healthy_and_says_what_it_owes(
    webhook_bot: RunningBot, webhook_settings: Settings
) -> None:
    status, body = await get(base(webhook_settings) + "/healthz")
    assert status == 200
    report = json.loads(body)
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert report["outbox"]["owed"] == 0
    assert report["problems"] == []


@pytest.fixture
async def served() -> AsyncIterator[list[web.AppRunner]]:
    runners: list[web.AppRunner] = []
    yield runners
    for runner in runners:
        await runner.cleanup()


async def serve(
    served: list[web.AppRunner], settings: Settings, database: Database, check: HealthCheck
) -> str:
    application = build_application(settings, build_service(settings, database))
    server = WebhookServer(application, WEBHOOK_SECRET, "/hook", health=check)
    runner = web.AppRunner(server.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.append(runner)
    port = int(runner.addresses[0][1])
    return f"http://127.0.0.1:{port}"


async def test_a_worker_whose_database_does_not_answer_is_unhealthy(
    settings: Settings, served: list[web.AppRunner]
) -> None:
    # Nothing listens on port 1: the database is down.
    gone = Database.from_url("postgresql://copro@127.0.0.1:1/copro")
    try:
        url = await serve(served, settings, gone, HealthCheck(gone, timedelta(minutes=5), 1000))
        status, body = await get(url + "/healthz")
    finally:
        await gone.dispose()
    assert status == 503
    report = json.loads(body)
    assert report["status"] == "unhealthy"
    assert report["database"].startswith("unreachable")


async def test_a_message_owed_too_long_makes_the_worker_unhealthy(
    settings: Settings, served: list[web.AppRunner]
) -> None:
    await upgrade(settings.database_url)
    database = Database.from_url(settings.database_url)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    try:
        check = HealthCheck(database, timedelta(minutes=5), 1000, clock=lambda: now)
        url = await serve(served, settings, database, check)
        await enqueue(database, [OutboxMessage(42, "sendMessage", {"text": "hi"})], now)
        status, body = await get(url + "/healthz")
        assert (status, json.loads(body)["outbox"]["owed"]) == (200, 1)  # owed, not late

        await enqueue(
            database,
            [OutboxMessage(43, "sendMessage", {"text": "stuck"})],
            now - timedelta(minutes=6),
        )
        status, body = await get(url + "/healthz")
        report = json.loads(body)
        assert status == 503
        assert report["outbox"] == {"owed": 2, "oldest_owed_seconds": 360.0}
        assert report["problems"] == ["oldest owed message waits 360 s (more than 300 s)"]

        crowded = HealthCheck(database, timedelta(hours=1), max_backlog=1, clock=lambda: now)
        url = await serve(served, settings, database, crowded)
        status, body = await get(url + "/healthz")
        assert status == 503
        assert json.loads(body)["problems"] == ["2 messages owed (more than 1)"]
    finally:
        await database.dispose()


# --- /metrics ---------------------------------------------------------------------------------


async def test_metrics_count_handled_updates_sends_and_interviews(
    fake: FakeBotApi, webhook_bot: RunningBot, webhook_settings: Settings
) -> None:
    status, before = await get(base(webhook_settings) + "/metrics")
    assert status == 200
    assert metric(before, "copro_updates_handled_total", 'kind="message"') == 0
    ana = fake.user(1201, "Ana")
    with fake.capture_updates() as updates:
        ana.send_command("start", "spotted")
    address = webhook_address(webhook_settings)
    assert await fake.post_webhook(address, updates[0], secret=WEBHOOK_SECRET) == 200
    await ana.replies(2, timeout=10)
    await fake.wait_idle()
    _, after = await get(base(webhook_settings) + "/metrics")
    assert metric(after, "copro_updates_handled_total", 'kind="message"') == 1
    assert metric(after, "copro_update_handling_seconds_count") == 1
    assert metric(after, "copro_interviews_started_total") == 1
    assert metric(after, "copro_outbox_sent_total") == 2  # the welcome and the first question
    assert metric(after, "copro_outbox_failed_total") == 0


# --- logs ---------------------------------------------------------------------------------------


def test_json_logs_are_one_object_a_line_even_with_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "json")
        log = logging.getLogger("copro.test")
        log.info("sent %d messages", 3)
        try:
            raise ValueError("bad\nrow")
        except ValueError:
            log.exception("could not send")
        log.debug("not at INFO")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [(e["level"], e["logger"], e["message"]) for e in entries] == [
        ("INFO", "copro.test", "sent 3 messages"),
        ("ERROR", "copro.test", "could not send"),
    ]
    assert "ValueError: bad\nrow" in entries[1]["exception"]
    assert datetime.fromisoformat(entries[0]["time"]).tzinfo is not None


def test_text_logs_fold_a_traceback_onto_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", "text")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("copro.test").exception("could not send")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    [line] = capsys.readouterr().err.splitlines()
    assert "ERROR copro.test: could not send | Traceback" in line
    assert line.endswith("ValueError: boom")


# --- SIGTERM ----------------------------------------------------------------------------------


async def test_sigterm_finishes_the_message_being_sent_then_exits_0(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with FakeBotApi(TOKEN) as fake:
        worker = WebhookWorker(fake, tmp_path, url, "worker")
        await worker.start()
        fake.stall("sendMessage")
        ana = fake.user(1301, "Ana")
        with fake.capture_updates() as updates:
            ana.send_command("start", "spotted")
        since = fake.mark()
        assert await fake.post_webhook(worker.url, updates[0], secret=fake.webhook_secret) == 200
        await fake.wait_for(lambda c: c.method == "sendMessage", 15, since=since)
        assert worker.process is not None
        process = worker.process
        process.terminate()  # SIGTERM, with the welcome on the wire
        await asyncio.sleep(1.0)
        assert process.returncode is None  # waiting for Telegram's answer
        try:
            status: int | None = (await get(f"http://127.0.0.1:{worker.port}/healthz"))[0]
        except aiohttp.ClientConnectionError:
            status = None  # closed
        assert status in (503, None)  # it takes no more updates while it stops
        fake.release("sendMessage")
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            rows = (await session.execute(select(OutboxRow.state).order_by(OutboxRow.id))).scalars()
            states = list(rows)
    finally:
        await database.dispose()
    assert states[0] == "sent"  # the send in progress completed and was recorded
    assert set(states) <= {"sent", "pending"}  # what was not yet begun waits for a restart
