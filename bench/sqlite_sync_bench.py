"""What ``synchronous=FULL`` costs on SQLite: updates handled per second, FULL against NORMAL.

Runs the real interview service (one transaction per update, as the bot does) on a SQLite
file with WAL: CONTRIBUTORS people each answer ANSWERS questions, one update after another,
first with the pragma the bot uses (FULL: the WAL is synced at every commit, so an answer
acknowledged to Telegram survives a power cut), then with NORMAL (synced at checkpoints
only). Prints the median and 95th percentile time per update and the ratio. Asserts nothing.

    .venv/bin/python bench/sqlite_sync_bench.py
    .venv/bin/python bench/sqlite_sync_bench.py --contributors 50 --answers 20 --dir /var/tmp
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event

from conversations.model import Person, Question, QuestionKind, Script, TextSent
from conversations.script import ScriptCatalog
from storage.database import Database
from storage.migrate import upgrade
from storage.service import InterviewService


def script(answers: int) -> Script:
    questions = tuple(
        Question(id=f"q{n}", kind=QuestionKind.TEXT, prompt=f"Q{n}?", label=f"Q{n}", thin_words=0)
        for n in range(answers + 1)
    )
    return Script(
        id="bench",
        version=1,
        title="Bench",
        language="en",
        welcome="Hi.",
        thanks="Thanks.",
        questions=questions,
    )


async def timings(path: Path, synchronous: str, contributors: int, answers: int) -> list[float]:
    url = f"sqlite:///{path}"
    await upgrade(url)
    database = Database.from_url(url)

    def override(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    event.listen(database.engine.sync_engine, "connect", override)  # runs after ours
    clock = iter(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=s) for s in range(10**9))
    service = InterviewService(
        database, ScriptCatalog({"bench": script(answers)}, "bench"), lambda: next(clock)
    )
    spent: list[float] = []
    update_id = 0
    try:
        for answer in range(answers + 1):
            for person in range(contributors):
                update_id += 1
                who = Person(1000 + person, 1000 + person, f"Person {person}")
                began = time.perf_counter()
                await service.handle(who, TextSent(f"answer {answer}"), update_id=update_id)
                spent.append(time.perf_counter() - began)
    finally:
        await database.dispose()
    return spent


def summary(spent: list[float]) -> tuple[float, float]:
    ordered = sorted(spent)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributors", type=int, default=20)
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=None, help="where the database files go")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for mode in ("FULL", "NORMAL"):
            spent = await timings(
                Path(folder) / f"{mode}.db", mode, args.contributors, args.answers
            )
            figures[mode] = summary(spent)
            median, p95 = figures[mode]
            print(
                f"synchronous={mode:<6} {len(spent)} updates: median {median:.2f} ms, "
                f"p95 {p95:.2f} ms, {1000 / median:.0f} updates/s"
            )
    print(f"FULL / NORMAL median time per update: {figures['FULL'][0] / figures['NORMAL'][0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
