"""Typed settings, read once from the environment (and a ``.env`` file) in the entry point.

Every problem is reported as one :class:`SettingsError` naming the variable, so the CLI can
print a single clear line and exit 2 instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///copro-bot.db"
DEFAULT_API_BASE_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
DRAFT_WRITERS = ("deterministic", "llm")
LENS_MODELS = ("rules", "learned")
DEFAULT_LLM_TIMEOUT_SECONDS = 30.0
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DIGEST = re.compile(
    r"^(?:daily|weekly\s+(?:mon|tue|wed|thu|fri|sat|sun))\s+([01]?\d|2[0-3]):([0-5]\d)$"
)


class SettingsError(Exception):
    """A setting is missing or malformed; ``name`` is the environment variable."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None = field(repr=False)
    telegram_api_base_url: str
    database_url: str = field(repr=False)  # may hold a password
    interview_script: str
    staff_chat_id: int | None
    staff_user_ids: frozenset[int]
    admin_user_ids: frozenset[int]
    timezone: ZoneInfo
    log_level: str
    webhook_url: str | None
    webhook_secret: str | None = field(repr=False)
    webhook_listen: str
    webhook_port: int
    digest_schedule: str | None
    remind_after: timedelta
    retention_days: int
    draft_writer: str = "deterministic"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_seconds: float = DEFAULT_LLM_TIMEOUT_SECONDS
    lens_model: str = "learned"
    """``learned`` (the rules with the lens's learned model, about 35 MB once loaded) or
    ``rules`` for the rules alone (LENS_MODEL)."""
    send_rate_limit: float = 30.0
    """Messages a second for the whole bot, over every process (SEND_RATE_LIMIT)."""
    chat_send_rate: float = 1.0
    """Messages a second to one private chat, in the long run (CHAT_SEND_RATE)."""
    chat_send_burst: int = 3
    """Messages one private chat may get at once before CHAT_SEND_RATE paces the rest
    (CHAT_SEND_BURST): a contributor answering quickly is not held back a second a reply."""
    log_format: str = "text"
    """``text`` for people, ``json`` (one object a line) for log shippers (LOG_FORMAT)."""
    db_pool_size: int = 20
    """Connections each process keeps open to PostgreSQL (DB_POOL_SIZE)."""
    db_max_overflow: int = 0
    """Extra connections a busy process may open beyond the pool (DB_MAX_OVERFLOW). None
    by default: every chat of a polled batch starts its transaction at once, and connections
    opened beyond the pool were closed as soon as they were returned, so a busy worker
    reconnected (and prepared its statements again) every few updates."""
    health_max_outbox_age: timedelta = timedelta(minutes=5)
    """/healthz answers 503 when the oldest owed message waits longer (HEALTH_MAX_OUTBOX_AGE)."""
    health_max_backlog: int = 1000
    """/healthz answers 503 when more messages than this are owed (HEALTH_MAX_BACKLOG)."""

    @property
    def bot_api_url(self) -> str:
        """The ``base_url`` python-telegram-bot wants: the server plus ``/bot``."""
        return f"{self.telegram_api_base_url}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.telegram_api_base_url}/file/bot"

    @property
    def uses_writer_model(self) -> bool:
        return self.draft_writer == "llm"


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _int(env: Mapping[str, str], name: str) -> int | None:
    value = _optional(env, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {value!r}") from None


def _rate(env: Mapping[str, str], name: str, default: float, least: float) -> float:
    """Messages a second from ``name``: a finite number of at least ``least`` (above 0 when
    ``least`` is 0)."""
    text = _optional(env, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= least and (value > 0) and value < float("inf")):
        bound = f"at least {least:g}" if least > 0 else "above 0"
        raise SettingsError(name, f"expected messages per second ({bound}), got {text!r}")
    return value


def _id_list(env: Mapping[str, str], name: str) -> frozenset[int]:
    value = _optional(env, name)
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for part in re.split(r"[,\s]+", value):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise SettingsError(
                name, f"expected comma-separated Telegram user ids, got {part!r}"
            ) from None
    return frozenset(ids)


def parse_duration(text: str) -> timedelta:
    """Parse ``24h``, ``90m``, ``2d`` or a bare number of hours."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(text)
    amount, unit = float(match.group(1)), match.group(2) or "h"
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    return timedelta(seconds=amount * seconds)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build settings from a mapping (``os.environ`` after ``load_dotenv``)."""
    token = _optional(env, "TELEGRAM_BOT_TOKEN")
    if token is not None and not _TOKEN.match(token):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN", "does not look like a bot token (digits:letters, from @BotFather)"
        )

    base = (_optional(env, "TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/")
    base = base.removesuffix("/bot")
    if not re.match(r"^https?://[^\s/]+", base):
        raise SettingsError("TELEGRAM_API_BASE_URL", f"expected an http(s) URL, got {base!r}")

    database_url = _optional(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite", "postgres")):
        raise SettingsError("DATABASE_URL", "expected sqlite:///path or postgresql://user@host/db")

    tz_name = _optional(env, "TIMEZONE") or "UTC"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("TIMEZONE", f"unknown time zone {tz_name!r}") from None

    log_level = (_optional(env, "LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError("LOG_LEVEL", f"expected one of {', '.join(LOG_LEVELS)}")

    webhook_url = _optional(env, "WEBHOOK_URL")
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise SettingsError("WEBHOOK_URL", "Telegram only calls https:// webhook URLs")
    webhook_secret = _optional(env, "WEBHOOK_SECRET")
    if webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise SettingsError("WEBHOOK_SECRET", "use 1-256 characters of A-Z, a-z, 0-9, _ and - only")
    port = _int(env, "WEBHOOK_PORT")
    if port is not None and not 0 < port < 65536:
        raise SettingsError("WEBHOOK_PORT", f"expected a port number, got {port}")

    digest = _optional(env, "DIGEST_SCHEDULE")
    if digest is not None:
        digest = " ".join(digest.lower().split())
        if not _DIGEST.match(digest):
            raise SettingsError(
                "DIGEST_SCHEDULE", "expected e.g. 'daily 09:00' or 'weekly mon 09:00'"
            )

    remind_text = _optional(env, "REMIND_AFTER") or "24h"
    try:
        remind_after = parse_duration(remind_text)
    except ValueError:
        raise SettingsError(
            "REMIND_AFTER", f"expected a duration like 24h, got {remind_text!r}"
        ) from None
    retention = _int(env, "RETENTION_DAYS")
    if retention is not None and retention < 1:
        raise SettingsError("RETENTION_DAYS", "expected at least 1 day")

    writer = _writer_settings(env)
    send_rate_limit = _rate(env, "SEND_RATE_LIMIT", 30.0, least=1)
    chat_send_rate = _rate(env, "CHAT_SEND_RATE", 1.0, least=0)
    chat_burst = _int(env, "CHAT_SEND_BURST")
    if chat_burst is not None and chat_burst < 1:
        raise SettingsError("CHAT_SEND_BURST", "expected at least 1 message")

    log_format = (_optional(env, "LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise SettingsError("LOG_FORMAT", f"expected one of {', '.join(LOG_FORMATS)}")
    pool_size = _int(env, "DB_POOL_SIZE")
    if pool_size is not None and pool_size < 1:
        raise SettingsError("DB_POOL_SIZE", "expected at least 1 connection")
    max_overflow = _int(env, "DB_MAX_OVERFLOW")
    if max_overflow is not None and max_overflow < 0:
        raise SettingsError("DB_MAX_OVERFLOW", "expected 0 or more connections")
    age_text = _optional(env, "HEALTH_MAX_OUTBOX_AGE") or "5m"
    try:
        max_age = parse_duration(age_text)
    except ValueError:
        raise SettingsError(
            "HEALTH_MAX_OUTBOX_AGE", f"expected a duration like 5m, got {age_text!r}"
        ) from None
    backlog = _int(env, "HEALTH_MAX_BACKLOG")
    if backlog is not None and backlog < 1:
        raise SettingsError("HEALTH_MAX_BACKLOG", "expected at least 1 message")

    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=base,
        database_url=database_url,
        interview_script=_optional(env, "INTERVIEW_SCRIPT") or "full-story",
        staff_chat_id=_int(env, "STAFF_CHAT_ID"),
        staff_user_ids=_id_list(env, "STAFF_USER_IDS"),
        admin_user_ids=_id_list(env, "ADMIN_USER_IDS"),
        timezone=timezone,
        log_level=log_level,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=_optional(env, "WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=port or 8443,
        digest_schedule=digest,
        remind_after=remind_after,
        retention_days=retention or 90,
        **writer,
        send_rate_limit=send_rate_limit,
        chat_send_rate=chat_send_rate,
        chat_send_burst=3 if chat_burst is None else chat_burst,
        log_format=log_format,
        db_pool_size=20 if pool_size is None else pool_size,
        db_max_overflow=0 if max_overflow is None else max_overflow,
        health_max_outbox_age=max_age,
        health_max_backlog=1000 if backlog is None else backlog,
    )


def _writer_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """``DRAFT_WRITER`` and the ``LLM_*`` settings; the model's URL and name are required
    only when the writer model is chosen, so a deterministic setup needs none of them."""
    writer = (_optional(env, "DRAFT_WRITER") or "deterministic").lower()
    if writer not in DRAFT_WRITERS:
        raise SettingsError("DRAFT_WRITER", f"expected one of {', '.join(DRAFT_WRITERS)}")
    base = _optional(env, "LLM_BASE_URL")
    if base is not None:
        base = base.rstrip("/").removesuffix("/chat/completions")
        if not re.match(r"^https?://[^\s/]+", base):
            raise SettingsError("LLM_BASE_URL", f"expected an http(s) URL, got {base!r}")
    model = _optional(env, "LLM_MODEL")
    timeout_text = _optional(env, "LLM_TIMEOUT_SECONDS")
    timeout = DEFAULT_LLM_TIMEOUT_SECONDS
    if timeout_text is not None:
        try:
            timeout = float(timeout_text)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 600:
            raise SettingsError(
                "LLM_TIMEOUT_SECONDS", f"expected seconds between 0 and 600, got {timeout_text!r}"
            )
    lens_model = (_optional(env, "LENS_MODEL") or "learned").lower()
    if lens_model not in LENS_MODELS:
        raise SettingsError("LENS_MODEL", f"expected one of {', '.join(LENS_MODELS)}")
    if lens_model == "learned" and importlib.util.find_spec("numpy") is None:
        raise SettingsError("LENS_MODEL", "learned needs NumPy: pip install numpy")
    if writer == "llm":
        if base is None:
            raise SettingsError(
                "LLM_BASE_URL", "required with DRAFT_WRITER=llm, e.g. http://127.0.0.1:11434/v1"
            )
        if model is None:
            raise SettingsError("LLM_MODEL", "required with DRAFT_WRITER=llm")
    return {
        "draft_writer": writer,
        "llm_base_url": base,
        "llm_model": model,
        "llm_api_key": _optional(env, "LLM_API_KEY"),
        "llm_timeout_seconds": timeout,
        "lens_model": lens_model,
    }
