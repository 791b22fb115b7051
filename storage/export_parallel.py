"""Exports read from the database, large CSV and JSON Lines ones in worker processes.

Nearly all of an export's time is Python spent per example (reading its rows, applying
consent, formatting), on one core. A file of either format is its rows one after another,
so a large export is cut into ranges of draft ids: each worker process exports its ranges
with the very code of a serial export (:func:`storage.export_source.stream_examples` into
:func:`storage.exports.export`) into part files, and the parts are joined in id order as
they are done, less the head every part repeats. The file is byte for byte the serial one,
and each worker streams, so memory stays bounded. Other formats, small exports, a single
core or a database other processes cannot open are exported serially.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from storage.database import Database
from storage.export_source import draft_id_span, stream_examples
from storage.exports.export import export
from storage.exports.model import ExportFilters, ExportResult
from storage.exports.writers import CSV_HEAD

# What every part of a format starts with, written once at the top of the joined file.
_PART_HEADS: dict[str, bytes] = {"csv": CSV_HEAD.encode(), "jsonl": b""}
PARALLEL_FORMATS: tuple[str, ...] = tuple(_PART_HEADS)
# Draft ids per range: small enough to balance the workers, large enough that a range's
# start (a transaction, a database connection) costs nothing beside its examples.
RANGE_SIZE = 10_000
# Below this many draft ids, starting worker processes costs more than they save.
MIN_PARALLEL_SPAN = 20_000
MAX_WORKERS = 8
_COPY_CHUNK = 1 << 20


def export_workers() -> int:
    """The worker processes a large export uses: one per core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def worker_url(database: Database) -> str | None:
    """The URL a worker process opens the same database with (``None`` when it cannot:
    an in-memory SQLite database belongs to its process)."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


async def export_database(
    database: Database,
    fmt: str,
    output: Path,
    *,
    filters: ExportFilters,
    progress: Callable[[int], None] | None = None,
    exported_at: datetime | None = None,
    workers: int | None = None,
    range_size: int = RANGE_SIZE,
    min_parallel_span: int = MIN_PARALLEL_SPAN,
) -> ExportResult:
    """Export the examples matching ``filters`` to ``output`` in ``fmt``, as
    :func:`storage.exports.export` of :func:`storage.export_source.stream_examples` does,
    in ``workers`` processes (default :func:`export_workers`) where that is worth it.

    ``progress`` is called with the running count, after each example in a serial export
    and after each range of drafts in a parallel one.
    """
    stamp = exported_at if exported_at is not None else datetime.now(UTC)
    count = workers if workers is not None else export_workers()
    url = worker_url(database)
    if fmt in _PART_HEADS and count > 1 and url is not None:
        span = await draft_id_span(database)
        if span is not None and span[1] - span[0] + 1 >= min_parallel_span:
            ranges = [
                (start - 1, min(start + range_size - 1, span[1]))
                for start in range(span[0], span[1] + 1, range_size)
            ]
            return await _export_ranges(url, fmt, output, filters, stamp, ranges, count, progress)
    return await export(
        stream_examples(database, filters),
        fmt,
        output,
        filters=filters,
        progress=progress,
        exported_at=stamp,
    )


async def _export_ranges(
    url: str,
    fmt: str,
    output: Path,
    filters: ExportFilters,
    stamp: datetime,
    ranges: list[tuple[int, int]],
    workers: int,
    progress: Callable[[int], None] | None,
) -> ExportResult:
    """Each range exported by a worker to a part file, the parts joined in order into
    ``<name>.part``, renamed into place once complete (never a half-written file)."""
    head = _PART_HEADS[fmt]
    partial = output.with_name(output.name + ".part")
    parts = output.with_name(output.name + ".parts")
    parts.mkdir(exist_ok=True)
    loop = asyncio.get_running_loop()
    # "spawn": a fork of a process running an event loop and driver threads is unsafe.
    pool = ProcessPoolExecutor(
        min(workers, len(ranges)), mp_context=multiprocessing.get_context("spawn")
    )
    total = 0
    try:
        futures = [
            loop.run_in_executor(
                pool, _export_range, url, fmt, filters, after, through, str(parts / f"{n}"), stamp
            )
            for n, (after, through) in enumerate(ranges)
        ]
        with partial.open("wb") as joined:
            joined.write(head)
            for n, future in enumerate(futures):
                total += await future
                await asyncio.to_thread(_append, parts / f"{n}", joined, len(head))
                if progress is not None:
                    progress(total)
        size = await asyncio.to_thread(_complete, partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        # Ranges not started are dropped; a range a worker is exporting runs to its end.
        await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
        await asyncio.to_thread(shutil.rmtree, parts, True)
    return ExportResult(count=total, path=output, bytes=size)


def _append(part: Path, joined: IO[bytes], skip: int) -> None:
    with part.open("rb") as file:
        file.seek(skip)
        shutil.copyfileobj(file, joined, _COPY_CHUNK)
    part.unlink()


def _complete(partial: Path, output: Path) -> int:
    partial.replace(output)
    return output.stat().st_size


def _export_range(
    url: str,
    fmt: str,
    filters: ExportFilters,
    after: int,
    through: int,
    part: str,
    stamp: datetime,
) -> int:
    """In a worker process: the examples of drafts ``(after, through]`` into ``part``."""
    return asyncio.run(_export_range_async(url, fmt, filters, after, through, Path(part), stamp))


async def _export_range_async(
    url: str,
    fmt: str,
    filters: ExportFilters,
    after: int,
    through: int,
    part: Path,
    stamp: datetime,
) -> int:
    database = Database.from_url(url)
    try:
        examples = stream_examples(database, filters, after=after, through=through)
        result = await export(examples, fmt, part, filters=filters, exported_at=stamp)
        return result.count
    finally:
        await database.dispose()
