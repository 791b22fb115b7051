"""Updates per second: copro-bot against plain python-telegram-bot bots, side by side.

In one run, against the in-tree fake Bot API (``tests/e2e/fake_bot_api.py``, served by this
process on 127.0.0.1), each bot runs as its own process:

* ``plain``: an echo bot, ``Application.run_polling`` with one handler;
* ``durable``: the same echo bot plus one INSERT and COMMIT per update (same engine set-up
  as copro-bot's: SQLAlchemy async, aiosqlite or asyncpg);
* ``copro``: ``copro-bot run`` with the send limits raised as a local Bot API server
  allows: ``SEND_RATE_LIMIT=1000`` for the bot, ``CHAT_SEND_RATE=20`` a chat with bursts
  of ``CHAT_SEND_BURST=5`` (printed at the start; live Telegram's defaults, 30, 1 and 3,
  would pace a closed loop of quick answers at one a second per chat).

Contributors are brought mid-interview first (``/start``, consent, the project; not timed),
then each answers ``--steps`` more times in a closed loop, as people do: a text answer, or a
press of a button of the last message (the echo bots offer a button after every text). An
update counts as handled when its first reply arrived and the bot acknowledged it. Printed
per database, number of chats and bot, as medians of the repeats: updates/s, CPU ms per
update of the bot's process (``/proc``), queued-to-reply p50/p99 in ms, and copro-bot's
ratio to the durable echo bot. ``--latency-ms`` adds a second table where every Bot API
call takes that much longer (200 chats), and ``--slow-chat-ms`` a third: the same, with
every call to one of the chats taking that much longer again (a slow chat); its figures are
those of the other 199 chats while the slow one keeps answering, so they show whether one
slow chat holds up the others. Asserts nothing.

    .venv/bin/python bench/updates.py                         # both databases, 3 repeats
    .venv/bin/python bench/updates.py --databases sqlite --repeats 1 --chats 50
    .venv/bin/python bench/updates.py --bots copro --latency-ms 50 --latency-only
    .venv/bin/python bench/updates.py --bots copro --latency-only --slow-chat-ms 2000
    .venv/bin/python bench/updates.py --bots durable,copro --copro-from /tmp/before --repeats 1

PostgreSQL comes from ``BENCH_POSTGRES_URL`` (default postgres@127.0.0.1:5432/test); each
run gets a scratch database, dropped afterwards. ``BENCH_PROFILE_COPRO=/tmp/copro.prof``
runs copro-bot under cProfile (read it with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-TOKEN-updates-0123456789"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BOTS = ("plain", "durable", "copro")
SEND_LIMITS = {"SEND_RATE_LIMIT": "1000", "CHAT_SEND_RATE": "20", "CHAT_SEND_BURST": "5"}
"""copro-bot's send limits here; the echo bots keep none."""
ANSWER = "We met every week at the community centre and planned it with the council's team"
JSON = dict[str, Any]


# --- the echo bots (run in a child process) --------------------------------------------


def serve_echo(kind: str) -> None:
    """An echo bot as python-telegram-bot's docs write one; ``durable`` also stores each
    update with one INSERT and COMMIT before replying."""
    from sqlalchemy import BigInteger, Column, DateTime, MetaData, Table, Text, insert
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

    from storage.database import Database

    base = os.environ["TELEGRAM_API_BASE_URL"]
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    metadata = MetaData()
    log = Table(
        "echo_log",
        metadata,
        Column("update_id", BigInteger, primary_key=True),
        Column("chat_id", BigInteger, nullable=False),
        Column("text", Text, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )
    database = Database.from_url(os.environ["DATABASE_URL"]) if kind == "durable" else None
    button = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])

    async def setup(_: Any) -> None:
        if database is not None:
            async with database.engine.begin() as connection:
                await connection.run_sync(metadata.create_all)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        query = update.callback_query
        text = (query.data if query else None) or (
            update.effective_message.text if update.effective_message else None
        )
        if database is not None:
            from datetime import UTC, datetime

            async with database.engine.begin() as connection:
                await connection.execute(
                    insert(log).values(
                        update_id=update.update_id,
                        chat_id=chat.id,
                        text=text or "",
                        received_at=datetime.now(UTC),
                    )
                )
        if query is not None:
            await query.answer()
        await context.bot.send_message(
            chat.id, text or "?", reply_markup=None if query is not None else button
        )

    application.post_init = setup
    application.add_handler(TypeHandler(Update, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


# --- the driver -------------------------------------------------------------------------


@dataclass
class Chat:
    """One contributor's side: what the bot last said and when the pending update went."""

    user: Any
    last: JSON | None = None
    pending: int | None = None
    queued_at: float = 0.0
    replied_at: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Figures:
    updates_per_s: float
    cpu_ms: float
    p50_ms: float
    p99_ms: float


class Driver:
    """Feeds updates chat by chat and times the bot's replies through the fake's hooks."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.chats: dict[int, Chat] = {}
        self.untimed: set[int] = set()  # chats whose replies are not counted (the slow one)
        self.acknowledged = 0
        self.latencies: list[float] = []
        fake.message_listeners.append(self._on_message)
        fake.offset_listeners.append(self._on_offset)

    def add(self, user: Any) -> Chat:
        chat = Chat(user)
        self.chats[user.chat_id] = chat
        return chat

    def _on_message(self, message: JSON) -> None:
        chat = self.chats.get(int(message["chat"]["id"]))
        if chat is None:
            return
        chat.last = message
        if chat.pending is not None and chat.replied_at is None:
            chat.replied_at = time.monotonic()
            self._check(chat)

    def _on_offset(self, offset: int) -> None:
        self.acknowledged = max(self.acknowledged, offset)
        for chat in self.chats.values():
            if chat.pending is not None:
                self._check(chat)

    def _check(self, chat: Chat) -> None:
        if (
            chat.replied_at is not None
            and chat.pending is not None
            and self.acknowledged > chat.pending
        ):
            if chat.user.chat_id not in self.untimed:
                self.latencies.append(chat.replied_at - chat.queued_at)
            chat.pending = None
            chat.done.set()

    async def step(self, chat: Chat, first: bool = False) -> None:
        """One closed-loop step: act on the bot's last message, wait for the reply."""
        chat.done.clear()
        chat.replied_at = None
        chat.queued_at = time.monotonic()
        if first:
            chat.user.send_command("start")
        else:
            self._act(chat)
        # The user's helpers return message ids; the update just queued is the last one.
        chat.pending = int(self.fake.pending_updates[-1]["update_id"])
        await chat.done.wait()

    def _act(self, chat: Chat) -> None:
        buttons = [
            button
            for row in ((chat.last or {}).get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        if not buttons:
            chat.user.send_text(ANSWER)
            return
        labels = [str(b["text"]) for b in buttons]
        ticked = any(label.startswith("✅") for label in labels)
        for button in buttons:
            label = str(button["text"])
            if ticked and label.startswith("Done"):
                chat.user.press(chat.last, str(button["callback_data"]))
                return
        for button in buttons:
            label = str(button["text"])
            if label in ("Skip", "⬅ Back", "Back") or label.startswith(("✅", "✖", "✏")):
                continue
            chat.user.press(chat.last, str(button["callback_data"]))
            return
        # Only a way back or a skip on offer (a question asked in words): answer it. Pressing
        # "Back" here took the contributor back to consent, where "No" ended the interview.
        chat.user.send_text(ANSWER)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.asynccontextmanager
async def scratch_database(kind: str, folder: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from storage.database import normalise_url

    server = create_async_engine(
        normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    name = f"copro_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    async with server.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            normalise_url(POSTGRES_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
            .replace("+asyncpg", "")
        )
    finally:
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await server.dispose()


PROFILE = os.environ.get("BENCH_PROFILE_COPRO", "")
"""A file to write copro-bot's cProfile statistics to (the last run's), when set."""


def source_of(bot: str) -> Path:
    """The checkout a bot runs from: ``copro@DIR`` from DIR, every other from this one."""
    return Path(bot.partition("@")[2]) if bot.startswith("copro@") else ROOT


def label(bot: str) -> str:
    """A bot's name in the tables and log files: ``copro@DIR`` by DIR's last part."""
    return f"copro@{source_of(bot).name}" if bot.startswith("copro@") else bot


def bot_command(bot: str, folder: Path) -> list[str]:
    if bot.startswith("copro"):
        script = Path(sys.executable).with_name("copro-bot")
        start = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
        if PROFILE:
            start = [sys.executable, "-m", "cProfile", "-o", PROFILE, "-m", "bot.cli"]
        # An empty settings file: the environment alone configures the bot.
        env_file = folder / "empty.env"
        env_file.touch()
        return [*start, "--env-file", str(env_file), "run"]
    return [sys.executable, str(Path(__file__).resolve()), "--serve-echo", bot]


async def run_once(
    bot: str,
    database: str,
    chats: int,
    steps: int,
    latency_ms: float,
    folder: Path,
    slow_chat_ms: float = 0,
) -> Figures:
    from tests.e2e.fake_bot_api import FakeBotApi

    async with FakeBotApi(TOKEN) as fake, scratch_database(database, folder) as url:
        driver = Driver(fake)
        names = ("TELEGRAM_", "DATABASE_", "WEBHOOK_", "STAFF_", "INTERVIEW_", "LOG_LEVEL")
        environment = {k: v for k, v in os.environ.items() if not k.startswith(names)}
        environment.update(
            PYTHONPATH=str(source_of(bot)),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.url,
            DATABASE_URL=url,
            LOG_LEVEL="WARNING",
            **SEND_LIMITS,
        )
        log_path = folder / f"{label(bot)}-{database}-{chats}.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *bot_command(bot, folder), cwd=folder, env=environment, stdout=log, stderr=log
            )
        try:
            try:
                await fake.wait_for(lambda c: c.method == "deleteWebhook", 60)
            except TimeoutError:
                raise RuntimeError(f"{bot} did not start: {log_path.read_text()[-2000:]}") from None
            users = [driver.add(fake.user(500_000 + n, f"User{n}")) for n in range(chats)]
            # Mid-interview first: /start, then two answers (consent, the project).
            await asyncio.gather(*(driver.step(chat, first=True) for chat in users))
            await fake.wait_idle(quiet=0.3, timeout=120)
            for _ in range(2):
                await asyncio.gather(*(driver.step(chat) for chat in users))
                await fake.wait_idle(quiet=0.3, timeout=120)
            driver.latencies.clear()
            fake.latency = latency_ms / 1000
            timed = users
            slow_task: asyncio.Task[None] | None = None
            if slow_chat_ms > 0:  # the first chat is slow and keeps answering, untimed
                slow, timed = users[0], users[1:]
                fake.chat_latency[slow.user.chat_id] = slow_chat_ms / 1000
                driver.untimed.add(slow.user.chat_id)

                async def keep_answering() -> None:
                    while True:
                        await driver.step(slow)

                slow_task = asyncio.create_task(keep_answering())
            cpu_before = cpu_seconds(process.pid)
            started = time.monotonic()

            async def answer(chat: Chat) -> None:
                for _ in range(steps):
                    await driver.step(chat)

            await asyncio.wait_for(asyncio.gather(*(answer(chat) for chat in timed)), 600)
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(process.pid) - cpu_before
            if slow_task is not None:
                slow_task.cancel()
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        count = len(timed) * steps
        return Figures(
            updates_per_s=count / elapsed,
            cpu_ms=cpu * 1000 / count,
            p50_ms=percentile(driver.latencies, 0.50) * 1000,
            p99_ms=percentile(driver.latencies, 0.99) * 1000,
        )


def summary(runs: list[Figures]) -> Figures:
    return Figures(
        updates_per_s=statistics.median(r.updates_per_s for r in runs),
        cpu_ms=statistics.median(r.cpu_ms for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
    )


def print_table(title: str, results: dict[tuple[str, int, str], list[Figures]]) -> None:
    print(f"\n{title}")
    print(
        f"{'database':<11}{'chats':>6}  {'bot':<14}{'updates/s':>10} {'(min-max)':>13}"
        f"{'CPU ms/upd':>11}{'p50 ms':>9}{'p99 ms':>9}  ratio to durable"
    )
    for (database, chats, bot), runs in results.items():
        median = summary(runs)
        low = min(r.updates_per_s for r in runs)
        high = max(r.updates_per_s for r in runs)
        ratio = ""
        durable = results.get((database, chats, "durable"))
        if bot.startswith("copro") and durable:
            ratio = f"{median.updates_per_s / summary(durable).updates_per_s:.2f}x"
        print(
            f"{database:<11}{chats:>6}  {label(bot):<14}{median.updates_per_s:>10.1f} "
            f"{f'({low:.0f}-{high:.0f})':>13}{median.cpu_ms:>11.2f}{median.p50_ms:>9.1f}"
            f"{median.p99_ms:>9.1f}  {ratio}"
        )


async def bench(args: argparse.Namespace) -> None:
    databases = [d for d in args.databases.split(",") if d]
    bots = [b for b in args.bots.split(",") if b]
    if args.copro_from:
        bots.append(f"copro@{args.copro_from}")
    chat_counts = [int(c) for c in args.chats.split(",") if c]
    if any(bot.startswith("copro") for bot in bots):
        print("copro-bot's send limits:", " ".join(f"{k}={v}" for k, v in SEND_LIMITS.items()))
    with tempfile.TemporaryDirectory(prefix="copro-bench-") as tmp:
        folder = Path(tmp)
        if not args.latency_only:
            results: dict[tuple[str, int, str], list[Figures]] = {}
            for database in databases:
                for chats in chat_counts:
                    for repeat in range(args.repeats):
                        for bot in bots:  # interleaved, so drift hits every bot alike
                            figures = await run_once(bot, database, chats, args.steps, 0, folder)
                            results.setdefault((database, chats, bot), []).append(figures)
                            print(
                                f"  {database} {chats} chats {label(bot)} #{repeat + 1}: "
                                f"{figures.updates_per_s:.1f} updates/s, "
                                f"{figures.cpu_ms:.2f} CPU ms/update",
                                flush=True,
                            )
            print_table(f"No added latency ({args.steps} answers per chat, medians)", results)
        if args.latency_ms > 0:
            slow: dict[tuple[str, int, str], list[Figures]] = {}
            for database in databases:
                for repeat in range(args.repeats):
                    for bot in bots:
                        figures = await run_once(
                            bot, database, 200, args.steps, args.latency_ms, folder
                        )
                        slow.setdefault((database, 200, bot), []).append(figures)
                        print(
                            f"  {database} 200 chats +{args.latency_ms:g} ms {label(bot)} "
                            f"#{repeat + 1}: {figures.updates_per_s:.1f} updates/s",
                            flush=True,
                        )
            print_table(f"{args.latency_ms:g} ms added to every Bot API call, 200 chats", slow)
        if args.slow_chat_ms > 0:
            held: dict[tuple[str, int, str], list[Figures]] = {}
            for database in databases:
                for repeat in range(args.repeats):
                    for bot in bots:
                        figures = await run_once(
                            bot,
                            database,
                            200,
                            args.steps,
                            args.latency_ms,
                            folder,
                            slow_chat_ms=args.slow_chat_ms,
                        )
                        held.setdefault((database, 200, bot), []).append(figures)
                        print(
                            f"  {database} 200 chats, one slow by {args.slow_chat_ms:g} ms, "
                            f"{label(bot)} #{repeat + 1}: {figures.updates_per_s:.1f} updates/s",
                            flush=True,
                        )
            print_table(
                f"{args.latency_ms:g} ms added to every Bot API call and {args.slow_chat_ms:g} ms "
                "more to every call to one chat: the other 199 chats",
                held,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve-echo", choices=("plain", "durable"), help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--bots", default=",".join(BOTS))
    parser.add_argument("--chats", default="50,200")
    parser.add_argument("--steps", type=int, default=6, help="timed answers per chat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument(
        "--slow-chat-ms", type=float, default=0.0, help="one chat's calls take this much longer"
    )
    parser.add_argument(
        "--copro-from", metavar="DIR", help="also run copro-bot from this checkout (copro@DIR)"
    )
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return
    if args.copro_from:
        args.copro_from = str(Path(args.copro_from).resolve())
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
