"""Builds the long-lived objects (scripts, database, services) from settings, in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings, SettingsError
from conversations.script import ScriptCatalog, ScriptError, builtin_scripts, load_script
from storage.database import Database
from storage.migrate import upgrade
from storage.outbox import SendLimits
from storage.service import InterviewService


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_catalog(settings: Settings) -> ScriptCatalog:
    """The built-in scripts plus ``INTERVIEW_SCRIPT`` when it names a file; that is the default."""
    scripts = dict(builtin_scripts())
    choice = settings.interview_script
    if choice in scripts:
        return ScriptCatalog(scripts, default_id=choice)
    path = Path(choice)
    if not path.is_file():
        known = ", ".join(sorted(scripts))
        raise SettingsError(
            "INTERVIEW_SCRIPT", f"{choice!r} is neither a built-in script ({known}) nor a file"
        )
    try:
        custom = load_script(path)
    except ScriptError as error:
        raise SettingsError("INTERVIEW_SCRIPT", str(error).replace("\n", "; ")) from None
    scripts[custom.id] = custom
    return ScriptCatalog(scripts, default_id=custom.id)


async def open_database(settings: Settings) -> Database:
    """Apply migrations, then open the database: every start leaves the schema current."""
    await upgrade(settings.database_url)
    return Database.from_url(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


def build_service(
    settings: Settings, database: Database, clock: Callable[[], datetime] = utc_now
) -> InterviewService:
    return InterviewService(
        database, build_catalog(settings), clock, lens_model=settings.lens_model == "learned"
    )


def send_limits(settings: Settings) -> SendLimits:
    """The sender's limits from ``SEND_RATE_LIMIT``, ``CHAT_SEND_RATE`` and
    ``CHAT_SEND_BURST`` (a group's 20 a minute is Telegram's and not a setting)."""
    return SendLimits(
        per_second=settings.send_rate_limit,
        chat_burst=settings.chat_send_burst,
        chat_per_second=settings.chat_send_rate,
    )
