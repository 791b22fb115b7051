"""The webhook server: checks Telegram's secret token and answers only after the commit.

python-telegram-bot's own webhook server queues an update and answers 200 at once; ours
awaits the handlers, so a worker that dies mid-update makes Telegram deliver it again, and
the stored ``update_id`` makes that delivery harmless. Several workers can serve the same
bot behind one balancer: the database serialises each contributor.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.intake import Intake, shape_problem
from bot.settings import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(settings: Settings) -> str:
    """The path part of ``WEBHOOK_URL`` (``/`` when it has none)."""
    return urlsplit(settings.webhook_url or "").path or "/"


def build_webhook_app(intake: Intake, secret: str | None, path: str) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        # Compared as bytes: compare_digest refuses str with non-ASCII characters, and a
        # stranger's header must get a 403, not a 500.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if secret is not None and not hmac.compare_digest(given, secret.encode("utf-8")):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        problem = shape_problem(data)
        if problem is not None:
            # Not an update at all: Telegram never sends these, so no need to keep them.
            return web.Response(status=400, text=f"not an update: {problem}")
        # Parsed alone; one that cannot be parsed or handled is parked and answered 200,
        # so Telegram does not send it again. A database fault answers 500: sent again.
        await intake.receive(data)
        return web.Response(text="ok")

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", health)
    return app


async def serve_webhook(intake: Intake, settings: Settings, stop: asyncio.Event) -> None:
    """Register the webhook with Telegram and serve it until ``stop`` is set."""
    if settings.webhook_url is None:
        raise ValueError("WEBHOOK_URL is required for webhook mode")
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required for webhook mode")
    application = intake.application
    app = build_webhook_app(intake, settings.webhook_secret, webhook_path(settings))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
    await site.start()
    await application.bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
    log.info("webhook listening on %s:%s", settings.webhook_listen, settings.webhook_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
