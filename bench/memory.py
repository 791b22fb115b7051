"""Memory with many interviews in progress: the bot's RSS must not grow with their number.

For each count (1,000, 5,000 and 10,000 by default) a SQLite database is filled with that
many contributors mid-interview (consent given, the project told; rows copied in bulk
from one interview the service really ran), then a fresh process opens it as the bot
does (the service, its script catalog, the database) and every contributor answers one
more question through ``InterviewService.handle``. Like ``copro-bot run`` by default, the
process first loads the lens's learned model (``--rules-only``: as with LENS_MODEL=rules).
Printed: the peak RSS of that process and its growth against the smallest count. Asserts
nothing.

    .venv/bin/python bench/memory.py
    .venv/bin/python bench/memory.py --counts 1000,10000 --rules-only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from conversations.lens_model import warm_up
from conversations.model import Person, Pressed, Started, TextSent
from conversations.script import ScriptCatalog, builtin_scripts
from storage.database import Database
from storage.migrate import upgrade
from storage.models import AnswerRevision, AnswerRow, Contributor, Interview
from storage.service import InterviewService

FIRST_USER = 1_000_000
CHUNK = 1000


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


def service_for(database: Database) -> InterviewService:
    catalog = ScriptCatalog(dict(builtin_scripts()), default_id="full-story")
    return InterviewService(database, catalog, Clock())


async def fill(url: str, count: int) -> None:
    """``count`` contributors at the third question, copied from one real interview."""
    await upgrade(url)
    database = Database.from_url(url)
    try:
        service = service_for(database)
        template = Person(user_id=FIRST_USER, chat_id=FIRST_USER, name="Person 0")
        handled = await service.handle(template, Started())
        await service.handle(template, Pressed(handled.replies[-1].buttons[0][0].data))
        await service.handle(template, TextSent("A community garden run by residents", 1))
        async with database.session() as session:
            interview = (await session.execute(select(Interview))).scalar_one()
            answers = (await session.execute(select(AnswerRow))).scalars().all()
            answer_rows = [
                {k: getattr(a, k) for k in ("question_id", "value", "text", "revision")}
                for a in answers
            ]
            now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
            for start in range(1, count, CHUNK):
                numbers = range(start, min(count, start + CHUNK))
                ids = (
                    await session.execute(
                        insert(Contributor).returning(Contributor.id),
                        [
                            {
                                "telegram_user_id": FIRST_USER + n,
                                "chat_id": FIRST_USER + n,
                                "display_name": f"Person {n}",
                                "created_at": now,
                                "updated_at": now,
                            }
                            for n in numbers
                        ],
                    )
                ).scalars()
                interview_ids = (
                    await session.execute(
                        insert(Interview).returning(Interview.id),
                        [
                            {
                                "contributor_id": contributor_id,
                                "script_version_id": interview.script_version_id,
                                "script_id": interview.script_id,
                                "status": "active",
                                "state": interview.state,
                                "lock_version": 0,
                                "started_at": now,
                                "updated_at": now,
                                "reminders_sent": 0,
                            }
                            for contributor_id in list(ids)
                        ],
                    )
                ).scalars()
                answer_ids = (
                    await session.execute(
                        insert(AnswerRow).returning(AnswerRow.id, AnswerRow.revision),
                        [
                            {**row, "interview_id": i, "created_at": now, "updated_at": now}
                            for i in list(interview_ids)
                            for row in answer_rows
                        ],
                    )
                ).all()
                await session.execute(
                    insert(AnswerRevision),
                    [
                        {
                            "answer_id": a,
                            "revision": r,
                            "value": {},
                            "reason": "answer",
                            "created_at": now,
                        }
                        for a, r in answer_ids
                    ],
                )
            await session.commit()
    finally:
        await database.dispose()


async def answer_all(url: str, count: int) -> None:
    """What the bot does: every contributor answers their current question once."""
    database = Database.from_url(url)
    try:
        service = service_for(database)
        for n in range(count):
            person = Person(user_id=FIRST_USER + n, chat_id=FIRST_USER + n, name=f"Person {n}")
            handled = await service.handle(
                person, TextSent("Leeds, since the spring of 2023", 10 + n), update_id=n + 1
            )
            if not handled.replies:
                raise RuntimeError(f"no reply for contributor {n}")
    finally:
        await database.dispose()


def child(url: str, count: int, learned: bool) -> None:
    if learned:
        warm_up()  # what `copro-bot run` does at start with the default LENS_MODEL
    started = time.perf_counter()
    asyncio.run(answer_all(url, count))
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak_mb, "seconds": elapsed}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument(
        "--rules-only", action="store_true", help="leave the lens's learned model unloaded"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), not args.rules_only)
        return
    counts = [int(c) for c in args.counts.split(",")]
    results: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="copro-memory-") as folder:
        for count in counts:
            url = f"sqlite:///{Path(folder) / f'memory-{count}.db'}"
            asyncio.run(fill(url, count))
            ran = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    url,
                    str(count),
                    *(["--rules-only"] if args.rules_only else []),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(ran.stdout.strip().splitlines()[-1])
            results.append((count, figures["peak_mb"], figures["seconds"]))
            print(
                f"{count:>7} interviews in progress: peak RSS {figures['peak_mb']:.1f} MB "
                f"({count / figures['seconds']:.0f} answers/s)",
                flush=True,
            )
    smallest = results[0][1]
    for count, peak, _ in results[1:]:
        print(f"peak RSS at {count} / at {results[0][0]}: {peak / smallest:.2f}x")


if __name__ == "__main__":
    main()
