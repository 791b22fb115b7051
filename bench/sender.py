"""The outbox sender alone: messages a second and CPU per message, sent marks batched or not.

Rows owed to ``--chats`` chats (``--messages`` each, limits raised so that only the sender's
own work paces them) are delivered by :class:`bot.sender.Sender` to the fake Bot API, which
runs in a child process so that only the sender's CPU is counted (``/proc`` of this
process: python-telegram-bot, the claims, the marks). Two variants in one run, interleaved:
``batched`` (the sender as built: the sends that finish together are marked in one
transaction) and ``per row`` (each send marked in a transaction of its own, as before).
Prints medians of the repeats and the per-row variant's CPU over the batched one's.
Asserts nothing.

    .venv/bin/python bench/sender.py                      # both databases
    .venv/bin/python bench/sender.py --databases sqlite --repeats 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TOKEN = "123456:BENCH-TOKEN-sender-0123456789"
VARIANTS = ("batched", "per row")


def serve_fake() -> None:
    """The fake Bot API in this (child) process; prints its URL, stops when stdin closes."""
    from tests.e2e.fake_bot_api import FakeBotApi

    async def serve() -> None:
        async with FakeBotApi(TOKEN) as fake:
            print(fake.url, flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(serve())


@dataclass
class Figures:
    per_second: float
    cpu_ms: float


async def run_once(variant: str, url: str, base: str, chats: int, messages: int) -> Figures:
    from telegram import Bot

    from bot.outbox_render import plain_message
    from bot.sender import MAX_IN_FLIGHT, Sender
    from storage.database import Database
    from storage.migrate import upgrade
    from storage.outbox import ClaimedMessage, SendLimits, enqueue, mark_sent

    class PerRowSender(Sender):
        """Each accepted send marked in a transaction of its own."""

        async def _mark_sent(self, message: ClaimedMessage, message_id: int | None) -> None:
            await mark_sent(self.database, message, message_id, self.clock())

    await upgrade(url)
    database = Database.from_url(url)
    now = datetime.now(UTC)
    for n in range(messages):
        owed = [plain_message(chat, f"message {n}") for chat in range(1, chats + 1)]
        await enqueue(database, owed, now)
    limits = SendLimits(per_second=100_000, chat_burst=messages, chat_per_second=1000.0)
    kind = Sender if variant == "batched" else PerRowSender
    async with Bot(TOKEN, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot") as bot:
        sender = kind(bot, database, limits=limits)
        await bot.get_me()  # the connection is open before the clock starts
        cpu, started = time.process_time(), time.monotonic()
        sent = await sender.send_all_due()
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    await database.dispose()
    assert sent == chats * messages, (sent, MAX_IN_FLIGHT)
    return Figures(sent / elapsed, cpu * 1000 / sent)


async def bench(args: argparse.Namespace) -> None:
    from updates import scratch_database

    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--serve-fake",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None and child.stdin is not None
    base = (await child.stdout.readline()).decode().strip()
    results: dict[tuple[str, str], list[Figures]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="copro-bench-sender-") as tmp:
            for database in [d for d in args.databases.split(",") if d]:
                for repeat in range(args.repeats):
                    for variant in VARIANTS:
                        async with scratch_database(database, Path(tmp)) as url:
                            figures = await run_once(variant, url, base, args.chats, args.messages)
                        results.setdefault((database, variant), []).append(figures)
                        print(
                            f"  {database} {variant} #{repeat + 1}: "
                            f"{figures.per_second:.0f} messages/s, "
                            f"{figures.cpu_ms:.2f} CPU ms/message",
                            flush=True,
                        )
    finally:
        child.stdin.close()
        await child.wait()
    print(f"\n{args.chats} chats x {args.messages} messages, medians")
    print(f"{'database':<11}{'marks':<9}{'messages/s':>11}{'CPU ms/msg':>12}  CPU vs batched")
    for (database, variant), runs in results.items():
        rate = statistics.median(r.per_second for r in runs)
        cpu = statistics.median(r.cpu_ms for r in runs)
        batched = statistics.median(r.cpu_ms for r in results[(database, "batched")])
        print(f"{database:<11}{variant:<9}{rate:>11.0f}{cpu:>12.2f}  {cpu / batched:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5, help="messages owed to each chat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake()
        return
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
