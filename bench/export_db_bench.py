"""Exports read from a database: time and peak memory per format, through export_source.

Fills a SQLite database with N submitted examples (contributors, interviews, consent
answers and drafts whose bodies are real ``DraftRecord`` JSON, written in bulk), then per
format prints: the time, CPU time and examples per second of an untraced export of all N read
through :func:`storage.export_parallel.export_database` (large exports in worker
processes, their CPU time counted), the growth of the process's peak
RSS during it, and the tracemalloc peak of traced exports of N/10 and N examples with
their ratio (bounded memory keeps it near 1; this process's: a worker runs the serial
export's code, whose peak ``--workers 1`` shows). The database is filled in a child process,
so the RSS figures are the export's own. Asserts nothing.

    .venv/bin/python bench/export_db_bench.py                     # 100,000 examples
    .venv/bin/python bench/export_db_bench.py --count 20000 --formats csv,jsonl
    .venv/bin/python bench/export_db_bench.py --database /tmp/bench.db   # keep and reuse it
    .venv/bin/python bench/export_db_bench.py --workers 1   # every format in one process

Traced runs are several times slower than untraced ones.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from conversations.digest import as_plain_text, build_digest, digest_document
from conversations.drafting import FIELD_ORDER, DraftField, DraftRecord, DraftSentence
from conversations.lens import LensSuggestion
from conversations.model import Answer, MediaRef
from storage.database import Database
from storage.digests import gather_digest
from storage.export_parallel import export_database, export_workers
from storage.export_source import count_examples
from storage.export_view import export_view
from storage.exports import EXPORT_FORMATS, ExportFilters
from storage.exports.progress import rich_progress
from storage.migrate import upgrade
from storage.models import AnswerRow, Contributor, Draft, Interview, ScriptVersion

# The same made-up vocabulary and start date as the in-memory export benchmark beside it.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_bench import DEFAULT_FORMATS, START, sentence

STATUSES = ("new", "in_review", "ready", "published")
CHUNK = 2000


def draft_record(rng: random.Random, number: int, script_id: str) -> DraftRecord:
    """A draft as the drafter makes it: every field with its sentences and sources."""
    fields = {}
    for name in FIELD_ORDER:
        # Contributors skip questions: about a third of the fields stay empty.
        many = 1 if name == "title" else rng.choice((0, 1, 1, 2, 2, 3))
        sentences = tuple(
            DraftSentence(sentence(rng, rng.randint(8, 20)), (name,)) for _ in range(many)
        )
        text = " ".join(s.text for s in sentences)
        fields[name] = DraftField(name, text, sentences=sentences, generated_text=text)
    record = DraftRecord(
        script_id=script_id,
        reference=f"CP-2025-{number:06d}",
        fields=fields,
        lens=(
            LensSuggestion("ladder", "co_design", "Co-design", sentence(rng, 8), "origin"),
            LensSuggestion("nsce", "impact", "Impact", sentence(rng, 8), "changed", "confirmed"),
        ),
        media=(MediaRef("photo", f"FILE{number}", f"u{number}", sentence(rng, 4)),),
        links=(f"https://example.org/{number}",),
        script_version=1,
    )
    return record


def consent_answers(number: int) -> list[tuple[str, Answer, str]]:
    credit = ("named", "organisation", "anonymous")[number % 3]
    contact = number % 2 == 0
    answers = [
        ("consent", Answer("consent", choices=("yes",)), "Yes"),
        ("credit", Answer("credit", choices=(credit,)), credit),
        ("contact_ok", Answer("contact_ok", choices=("yes" if contact else "no",)), "Yes"),
        ("project", Answer("project", "A project " * 20), "A project " * 20),
    ]
    if credit == "named":
        answers.append(("credit_name", Answer("credit_name", f"Person {number}"), "Person"))
    if credit != "anonymous":
        answers.append(("credit_org", Answer("credit_org", f"Org {number % 500}"), "Org"))
    if contact:
        email = f"person{number}@example.org"
        answers.append(("contact_how", Answer("contact_how", email), email))
    return answers


def chunks(count: int) -> Iterator[range]:
    for start in range(0, count, CHUNK):
        yield range(start, min(start + CHUNK, count))


async def fill(database: Database, count: int) -> None:
    """Write ``count`` examples in bulk (about 1/97 of their contributors erased)."""
    rng = random.Random(7)
    async with database.session() as session:
        have = int((await session.execute(select(func.count()).select_from(Draft))).scalar_one())
    if have >= count:
        return
    if have:
        raise SystemExit(f"the database holds {have} examples, fewer than {count}: use a new one")
    async with database.session() as session:
        version_id = (
            await session.execute(
                insert(ScriptVersion)
                .values(
                    script_id="full-story", version=1, sha256="0" * 64, body={}, created_at=START
                )
                .returning(ScriptVersion.id)
            )
        ).scalar_one()
        await session.commit()
    with rich_progress("Filling the database", total=count) as progress:
        for numbers in chunks(count):
            async with database.session() as session:
                rows = []
                for n in numbers:
                    when = START + timedelta(minutes=n)
                    rows.append(
                        {
                            "id": n + 1,
                            "telegram_user_id": 10_000_000 + n,
                            "chat_id": 10_000_000 + n,
                            "display_name": f"Person {n}",
                            "created_at": when,
                            "updated_at": when,
                            "erased_at": when if n % 97 == 0 else None,
                        }
                    )
                await session.execute(insert(Contributor), rows)
                await session.execute(
                    insert(Interview),
                    [
                        {
                            "id": n + 1,
                            "contributor_id": n + 1,
                            "script_version_id": version_id,
                            "script_id": "full-story" if n % 4 else "spotted",
                            "status": "submitted",
                            "state": {},
                            "started_at": START + timedelta(minutes=n),
                            "updated_at": START + timedelta(minutes=n),
                            "submitted_at": START + timedelta(minutes=n, seconds=30),
                            "reference": f"CP-2025-{n:06d}",
                        }
                        for n in numbers
                    ],
                )
                answers = [
                    {
                        "interview_id": n + 1,
                        "question_id": qid,
                        "value": answer.to_json(),
                        "text": text,
                        "revision": 1,
                        "created_at": START,
                        "updated_at": START,
                    }
                    for n in numbers
                    if n % 97
                    for qid, answer, text in consent_answers(n)
                ]
                await session.execute(insert(AnswerRow), answers)
                drafts = []
                for n in numbers:
                    script = "full-story" if n % 4 else "spotted"
                    when = START + timedelta(minutes=n, seconds=30)
                    status = rng.choice(STATUSES)  # drawn first, as before: the same data
                    record = draft_record(rng, n, script)
                    drafts.append(
                        {
                            "interview_id": n + 1,
                            "reference": f"CP-2025-{n:06d}",
                            "script_id": script,
                            "status": status,
                            "title": "",
                            # Body and view as every writer of a draft stores them.
                            "body": record.to_json(),
                            "export_view": export_view(record),
                            "staff_edited": {},
                            "version": 1,
                            "created_at": when,
                            "updated_at": when,
                            "status_changed_at": when,
                        }
                    )
                await session.execute(insert(Draft), drafts)
                await session.commit()
            progress(numbers.stop)


async def run(
    database: Database,
    fmt: str,
    count: int,
    folder: Path,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> tuple[float, float]:
    """The export's wall time and the CPU time in it of the whole process (every thread)
    and of its worker processes, through the path the application exports with."""
    filters = ExportFilters(include_raw=True, until=START + timedelta(minutes=count))
    started, cpu = time.perf_counter(), time.process_time() + children_cpu()
    result = await export_database(
        database,
        fmt,
        folder / f"bench-{count}.{fmt}",
        filters=filters,
        progress=progress,
        workers=workers,
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() + children_cpu() - cpu
    assert result.count == count, (result.count, count)
    return seconds, cpu


def children_cpu() -> float:
    """CPU seconds of the worker processes that have ended (a parallel export's)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def traced_peak(
    database: Database, fmt: str, count: int, folder: Path, workers: int | None
) -> int:
    """This process's tracemalloc peak (in a parallel export, each worker streams with
    the serial export's code, whose peak the serial run shows)."""
    tracemalloc.start()
    try:
        await run(database, fmt, count, folder, workers=workers)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def file_mb(path: Path) -> float:
    return os.path.getsize(path) / 2**20


def empty(folder: Path) -> None:
    shutil.rmtree(folder)
    os.mkdir(folder)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def fill_file(path: Path, count: int) -> None:
    url = f"sqlite:///{path}"
    await upgrade(url)
    database = Database.from_url(url)
    try:
        await fill(database, count)
    finally:
        await database.dispose()


def prepare(path: Path, count: int) -> None:
    """Fill the database in a child process, so its memory does not count in the figures."""
    started = time.perf_counter()
    script = str(Path(__file__).resolve())
    command = [sys.executable, script, "--fill-only", "--count", str(count), "--database"]
    subprocess.run([*command, str(path)], check=True)
    seconds = time.perf_counter() - started
    print(f"database {path}: {file_mb(path):,.0f} MB, ready in {seconds:.0f} s")


def plain_dump(path: Path, count: int, target: Path) -> tuple[float, float]:
    """The floor an export is compared with: the same draft, interview, contributor and
    answer rows read with ``sqlite3`` and written with ``csv.writer``, nothing else (wall and
    CPU seconds). Its queries need no index beyond the keys: ``EXPLAIN QUERY PLAN`` shows one
    scan of drafts by id and key look-ups, and one scan of answers by their unique key."""
    started, cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(path)
    until = (START + timedelta(minutes=count)).isoformat()
    try:
        with target.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            drafts = connection.execute(
                "SELECT d.id, d.reference, d.status, d.script_id, d.body, d.created_at,"
                " d.updated_at, i.id, i.submitted_at, c.display_name, c.erased_at"
                " FROM drafts d JOIN interviews i ON i.id = d.interview_id"
                " JOIN contributors c ON c.id = i.contributor_id"
                " WHERE coalesce(i.submitted_at, d.created_at) < ? ORDER BY d.id",
                (until,),
            )
            for row in drafts:
                writer.writerow(row)
            answers = connection.execute(
                "SELECT a.interview_id, a.question_id, a.value, a.text FROM answers a"
                " JOIN drafts d ON d.interview_id = a.interview_id"
                " JOIN interviews i ON i.id = a.interview_id"
                " WHERE coalesce(i.submitted_at, d.created_at) < ?"
                " ORDER BY a.interview_id, a.id",
                (until,),
            )
            for row in answers:
                writer.writerow(row)
    finally:
        connection.close()
    return time.perf_counter() - started, time.process_time() - cpu


async def digest_seconds(database: Database, count: int) -> float:
    """Gather and render the staff digest of ``count`` new drafts (text and document)."""
    started = time.perf_counter()
    end = START + timedelta(minutes=count)
    data = await gather_digest(database, START, end, end + timedelta(hours=1))
    as_plain_text(build_digest(data, UTC))
    digest_document(data, UTC)
    seconds = time.perf_counter() - started
    assert len(data.new_drafts) == count, (len(data.new_drafts), count)
    return seconds


async def bench(
    count: int, formats: list[str], path: Path, show_progress: bool, workers: int | None
) -> None:
    database = Database.from_url(f"sqlite:///{path}")
    try:
        total = await count_examples(database, ExportFilters())
        print(
            f"{count:,} of {total:,} examples per format, read in batches from SQLite, "
            f"CSV, JSON Lines, Markdown and XLSX in up to {workers or export_workers()} workers "
            "(peaks: tracemalloc, N/10 and N)"
        )
        header = f"{'format':<9}{'time s':>9}{'cpu s':>8}{'ex/s':>10}{'RSS +MB':>9}"
        print(header + f"{'peak N/10 MB':>14}{'peak N MB':>11}{'ratio':>7}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for fmt in formats:
                rss_before = max_rss_mb()
                if show_progress:
                    with rich_progress(fmt, total=count) as progress:
                        seconds, cpu = await run(database, fmt, count, folder, progress, workers)
                else:
                    seconds, cpu = await run(database, fmt, count, folder, workers=workers)
                rss_growth = max_rss_mb() - rss_before
                small = await traced_peak(database, fmt, max(count // 10, 1), folder, workers)
                large = await traced_peak(database, fmt, count, folder, workers)
                print(
                    f"{fmt:<9}{seconds:>9.1f}{cpu:>8.1f}{count / seconds:>10,.0f}{rss_growth:>9.1f}"
                    f"{small / 2**20:>14.2f}{large / 2**20:>11.2f}{large / small:>7.2f}",
                    flush=True,
                )
                if fmt in ("csv", "jsonl"):
                    floor, floor_cpu = plain_dump(path, count, folder / "plain.csv")
                    print(
                        f"{'':<9}plain sqlite3 + csv.writer dump of the same rows: "
                        f"{floor:.1f} s ({floor_cpu:.1f} s CPU); {fmt} is {seconds / floor:.2f}x "
                        f"that ({cpu / floor_cpu:.2f}x in CPU)",
                        flush=True,
                    )
                empty(folder)
        digest_count = min(count, 10_000)
        seconds = await digest_seconds(database, digest_count)
        print(f"digest of {digest_count:,} new drafts (gather, text, document): {seconds:.2f} s")
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="examples per format")
    parser.add_argument(
        "--formats",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated, from {', '.join(EXPORT_FORMATS)} (docx: keep --count small)",
    )
    parser.add_argument(
        "--database", type=Path, default=None, help="SQLite file to fill (or reuse) and read"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (1: serial; default: cores)"
    )
    parser.add_argument("--fill-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_only:
        asyncio.run(fill_file(args.database, args.count))
        return
    formats = [fmt.strip() for fmt in args.formats.split(",") if fmt.strip()]
    unknown = [fmt for fmt in formats if fmt not in EXPORT_FORMATS]
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    if args.database is not None:
        prepare(args.database, args.count)
        asyncio.run(bench(args.count, formats, args.database, not args.no_progress, args.workers))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        prepare(path, args.count)
        asyncio.run(bench(args.count, formats, path, not args.no_progress, args.workers))


if __name__ == "__main__":
    main()
