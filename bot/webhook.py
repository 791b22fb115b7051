"""The webhook server: checks Telegram's secret token and answers only after the commit.

python-telegram-bot's own webhook server queues an update and answers 200 at once; ours
awaits the handlers, so a worker that dies mid-update makes Telegram deliver it again, and
the stored ``update_id`` makes that delivery harmless. Several workers can serve the same
bot behind one balancer: the database serialises each contributor.

It also serves ``GET /healthz`` (for the balancer and the supervisor: 503 takes a worker
out) and ``GET /metrics`` (Prometheus). On stop it refuses new updates with 503 (Telegram,
or the balancer, delivers them to another worker or again later), finishes the updates in
hand, and only then closes.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.intake import Intake, shape_problem
from bot.metrics import CONTENT_TYPE, Metrics, kind_of
from bot.settings import Settings
from storage.database import Database
from storage.outbox import outbox_health

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_QUERY_SECONDS = 5.0
DRAIN_SECONDS = 30.0


def webhook_path(settings: Settings) -> str:
    """The path part of ``WEBHOOK_URL`` (``/`` when it has none)."""
    return urlsplit(settings.webhook_url or "").path or "/"


@dataclass(frozen=True)
class HealthCheck:
    """What makes a worker unhealthy: a database that does not answer, more than
    ``max_backlog`` messages owed, or the oldest owed one waiting over ``max_age``."""

    database: Database
    max_age: timedelta
    max_backlog: int
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body)."""
        now = self.clock()
        body: dict[str, Any] = {"database": "ok"}
        problems: list[str] = []
        try:
            health = await asyncio.wait_for(outbox_health(self.database), HEALTH_QUERY_SECONDS)
        except Exception as error:  # any failure to answer is the answer
            body["database"] = f"unreachable: {type(error).__name__}"
            body.update(status="unhealthy", problems=["database unreachable"])
            return False, body
        oldest_age = None
        if health.oldest_owed is not None:
            oldest_age = max(0.0, (now - _aware(health.oldest_owed)).total_seconds())
        body["outbox"] = {"owed": health.owed, "oldest_owed_seconds": oldest_age}
        body["last_sent"] = _aware(health.last_sent).isoformat() if health.last_sent else None
        if health.owed > self.max_backlog:
            problems.append(f"{health.owed} messages owed (more than {self.max_backlog})")
        if oldest_age is not None and oldest_age > self.max_age.total_seconds():
            problems.append(
                f"oldest owed message waits {oldest_age:.0f} s "
                f"(more than {self.max_age.total_seconds():.0f} s)"
            )
        body["status"] = "unhealthy" if problems else "ok"
        body["problems"] = problems
        return not problems, body


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class WebhookServer:
    """The aiohttp application of one worker, and how it stops."""

    def __init__(
        self,
        intake: Intake,
        secret: str | None,
        path: str,
        *,
        metrics: Metrics | None = None,
        health: HealthCheck | None = None,
    ) -> None:
        self.intake = intake
        self.secret = secret
        self.path = path
        self.metrics = metrics or Metrics()
        self.health = health
        self.accepting = True
        self._in_hand: set[asyncio.Future[str]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(self.path, self.receive)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.serve_metrics)
        return app

    async def receive(self, request: web.Request) -> web.Response:
        # Compared as bytes: compare_digest refuses str with non-ASCII characters, and a
        # stranger's header must get a 403, not a 500.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if self.secret is not None and not hmac.compare_digest(given, self.secret.encode("utf-8")):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        if not self.accepting:
            return web.Response(status=503, text="stopping")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        problem = shape_problem(data)
        if problem is not None:
            # Not an update at all: Telegram never sends these, so no need to keep them.
            return web.Response(status=400, text=f"not an update: {problem}")
        started = time.perf_counter()
        # Parsed alone; one that cannot be parsed or handled is parked and answered 200,
        # so Telegram does not send it again. A database fault answers 500: sent again.
        # A task of its own, shielded: a caller that hangs up (a balancer's timeout) must
        # not cut an update off half-way; it runs to its commit (the repeat is skipped),
        # and a stop waits for it.
        task = asyncio.ensure_future(self.intake.receive(data))
        self._in_hand.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)
        outcome = await asyncio.shield(task)
        if outcome == "handled":
            self.metrics.observe_kind(kind_of(data), time.perf_counter() - started)
        return web.Response(text="ok")

    def _finished(self, task: asyncio.Future[str]) -> None:
        self._in_hand.discard(task)
        if not self._in_hand:
            self._idle.set()

    async def healthz(self, _: web.Request) -> web.Response:
        if not self.accepting:
            return _json(503, {"status": "stopping"})
        if self.health is None:
            return _json(200, {"status": "ok"})
        healthy, body = await self.health.report()
        return _json(200 if healthy else 503, body)

    async def serve_metrics(self, _: web.Request) -> web.Response:
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:  # noqa: ASYNC109
        """Take no more updates; wait (at most ``timeout``) for those in hand."""
        self.accepting = False
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("stopping with %d updates still in hand", len(self._in_hand))


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def build_webhook_app(intake: Intake, secret: str | None, path: str) -> web.Application:
    """The server's application without health thresholds (tests of the update path)."""
    return WebhookServer(intake, secret, path).app()


async def serve_webhook(
    intake: Intake,
    settings: Settings,
    stop: asyncio.Event,
    *,
    database: Database | None = None,
    metrics: Metrics | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Register the webhook with Telegram and serve it until ``stop`` is set; then refuse
    new updates, finish those in hand, and close."""
    if settings.webhook_url is None:
        raise ValueError("WEBHOOK_URL is required for webhook mode")
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required for webhook mode")
    health = None
    if database is not None:
        health = HealthCheck(
            database,
            settings.health_max_outbox_age,
            settings.health_max_backlog,
            clock or (lambda: datetime.now(UTC)),
        )
    application = intake.application
    server = WebhookServer(
        intake,
        settings.webhook_secret,
        webhook_path(settings),
        metrics=metrics,
        health=health,
    )
    runner = web.AppRunner(server.app(), shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
    await site.start()
    try:
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("webhook listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
        log.info("stopping: refusing new updates, finishing those in hand")
        await server.drain()
    finally:
        await runner.cleanup()
