"""``copro-bot webhook set|info|delete``: Telegram's side of the webhook, from the shell.

Workers register the webhook themselves when they start; this command is for deploys that
set it once (several workers behind one URL), for checking what Telegram holds (updates
waiting, its last delivery error), and for going back to polling.
"""

from __future__ import annotations

import argparse

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.settings import Settings


async def run_webhook_command(settings: Settings, args: argparse.Namespace) -> tuple[bool, str]:
    """(ok, the line or lines to print)."""
    if settings.telegram_bot_token is None:
        return False, "TELEGRAM_BOT_TOKEN is not set"
    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.bot_api_url,
        base_file_url=settings.bot_file_url,
    )
    try:
        async with bot:
            if args.webhook_command == "set":
                if settings.webhook_url is None or settings.webhook_secret is None:
                    return False, "setting WEBHOOK_URL and WEBHOOK_SECRET: both are required"
                await bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
                return True, f"webhook set: {settings.webhook_url}"
            if args.webhook_command == "delete":
                await bot.delete_webhook(drop_pending_updates=args.drop_pending)
                dropped = " (pending updates dropped)" if args.drop_pending else ""
                return True, f"webhook deleted{dropped}: the bot can poll again"
            info = await bot.get_webhook_info()
            lines = [
                f"url: {info.url or '(none: the bot polls)'}",
                f"pending updates: {info.pending_update_count}",
            ]
            if info.max_connections:
                lines.append(f"max connections: {info.max_connections}")
            if info.last_error_message:
                when = info.last_error_date.isoformat() if info.last_error_date else "?"
                lines.append(f"last error: {info.last_error_message} ({when})")
            return True, "\n".join(lines)
    except TelegramError as error:
        return False, f"Telegram refused: {error}"
