"""Throughput of 1, 2 and 3 ``copro-bot run --webhook`` workers on one PostgreSQL.

The fake Bot API answers every message call 50 ms late (as a distant Telegram does) and
pushes updates round-robin to the workers, each chat's in order. 200 chats each send the
six updates of the ``spotted`` interview at once; the figure is updates acknowledged per
second (each one handled and committed, its replies owed). Replies leave at the bot-wide
``SEND_RATE_LIMIT`` (30 a second) and one a second per chat whatever the number of
workers, so sends are printed apart. Each run gets a fresh database.

    python -m bench.workers                       # TEST_DATABASE_URL or local PostgreSQL
    python -m bench.workers --chats 100 --workers 1 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.database import normalise_url
from storage.migrate import upgrade
from tests.e2e.crash_harness import TOKEN
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.workers_harness import WebhookWorker

ANSWERS = ("yes", "{name} and the council rebuilt a park", "Leeds, 2024", "/skip", "radio")


async def on_server(server: str, statement: str) -> None:
    engine = create_async_engine(
        normalise_url(server), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def one_run(server: str, workers: int, chats: int, workdir: Path) -> tuple[float, float]:
    """(updates acknowledged a second, messages sent a second) with ``workers`` workers."""
    name = f"copro_bench_{uuid.uuid4().hex[:10]}"
    await on_server(server, f'CREATE DATABASE "{name}"')
    url = normalise_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        async with FakeBotApi(TOKEN) as fake:
            fake.latency = 0.05  # every call, as to a distant Telegram
            pool = [WebhookWorker(fake, workdir, url, f"bench{n}") for n in range(workers)]
            await asyncio.gather(*(w.start() for w in pool))
            fake.push_to_workers([w.url for w in pool], answer_within=30.0)
            started = time.monotonic()
            for n in range(chats):
                user = fake.user(20000 + n, f"Person{n}")
                user.send_command("start", "spotted")
                for answer in ANSWERS:
                    if answer.startswith("/"):
                        user.send_command(answer[1:])
                    else:
                        user.send_text(answer.format(name=f"Person{n}"))
            total = chats * (1 + len(ANSWERS))
            await fake.wait_until(lambda: not fake.pending_updates, timeout=600)
            handled = time.monotonic() - started
            sends_started = sum(1 for c in fake.calls if c.method == "sendMessage")
            await asyncio.sleep(5.0)
            sends = sum(1 for c in fake.calls if c.method == "sendMessage") - sends_started
            await asyncio.gather(*(w.stop() for w in pool))
        return total / handled, sends / 5.0
    finally:
        await on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1/postgres",
        help="a PostgreSQL server URL (a database is made and dropped for each run)",
    )
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    print(f"{args.chats} chats x 6 updates; Bot API answers 50 ms late; {os.cpu_count()} CPUs")
    print(f"{'workers':>7}  {'updates/s':>9}  {'ratio':>5}  {'sends/s':>7}")
    first: float | None = None
    with tempfile.TemporaryDirectory() as folder:
        for count in args.workers:
            rate, sends = await one_run(args.database, count, args.chats, Path(folder))
            first = first or rate
            print(f"{count:>7}  {rate:>9.1f}  {rate / first:>5.2f}  {sends:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
