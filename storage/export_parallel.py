"""Exports read from the database, large CSV, JSON Lines, Markdown and XLSX ones in worker
processes.

Nearly all of an export's time is Python spent per example (reading its rows, applying
consent, formatting), on one core. A file of these formats is its examples one after
another, so a large export is cut into ranges of draft ids: each worker process exports its
ranges with the very code of a serial export (:func:`storage.export_source.stream_examples`
into :func:`storage.exports.export`) into part files, and the parts are joined in id order
as they are done: CSV and JSON Lines less the head every part repeats, a Markdown ZIP's
entries copied as they are and its directory moved by where they land, an XLSX sheet's rows
(numbered where they belong) into the one workbook, compressed at the end. The file is byte
for byte the serial one, and each worker streams, so memory stays bounded. Other formats,
small exports, a single core or a database other processes cannot open are exported
serially.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

from storage.database import Database
from storage.export_source import count_examples, draft_id_span, stream_examples
from storage.exports.export import export
from storage.exports.model import ExportFilters, ExportResult
from storage.exports.writers import CSV_HEAD, ExampleWriter, XlsxRowsWriter, XlsxWriter
from storage.exports.zipstream import StreamingZipFile

# Draft ids per range: small enough to balance the workers, large enough that a range's
# start (a transaction, a database connection) costs nothing beside its examples.
RANGE_SIZE = 10_000
# Below this many draft ids, starting worker processes costs more than they save.
MIN_PARALLEL_SPAN = 20_000
MAX_WORKERS = 8
_COPY_CHUNK = 1 << 20


class _Joined(Protocol):
    """The file joined from parts: ``append`` each in order, then ``finish`` (or ``abort``)."""

    def append(self, part: Path, count: int) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


class _JoinedLines:
    """Parts that are lines, each starting with the same ``head``, written once here."""

    def __init__(self, path: Path, head: bytes) -> None:
        self._file: IO[bytes] = path.open("wb")
        self._file.write(head)
        self._skip = len(head)

    def append(self, part: Path, count: int) -> None:
        with part.open("rb") as file:
            file.seek(self._skip)
            shutil.copyfileobj(file, self._file, _COPY_CHUNK)

    def finish(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class _JoinedZip:
    """Parts that are ZIP files: their entries copied byte for byte, their directory
    entries kept (on disk, as ever) with the offsets where the entries now are."""

    def __init__(self, path: Path) -> None:
        self._zip = StreamingZipFile(path)

    def append(self, part: Path, count: int) -> None:
        with zipfile.ZipFile(part) as source:
            entries = source.infolist()  # one range's: bounded
            length = source.start_dir  # the entries end where the directory starts
        base = self._zip.start_dir
        assert self._zip.fp is not None
        with part.open("rb") as file:
            while length:
                chunk = file.read(min(length, _COPY_CHUNK))
                if not chunk:
                    raise ValueError(f"{part} ends before its directory")
                self._zip.fp.write(chunk)
                length -= len(chunk)
        self._zip.start_dir = self._zip.fp.tell()
        for info in entries:
            info.header_offset += base
            self._zip.filelist.append(info)
        self._zip._didModify = True

    def finish(self) -> None:
        self._zip.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()


class _JoinedWorkbook:
    """Parts that are sheet rows (:class:`XlsxRowsWriter`), numbered where they belong:
    joined into the one workbook, which is compressed as it is finished."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._book = XlsxWriter(path, exported_at)
        self.text_style = self._book.text_style

    def append(self, part: Path, count: int) -> None:
        with part.open("rb") as rows:
            self._book.append_rows(rows, count)

    def finish(self) -> None:
        self._book.finish()

    def abort(self) -> None:
        self._book.abort()


def _joined(fmt: str, path: Path, exported_at: datetime) -> _Joined:
    if fmt == "csv":
        return _JoinedLines(path, CSV_HEAD.encode())
    if fmt == "jsonl":
        return _JoinedLines(path, b"")
    if fmt == "md":
        return _JoinedZip(path)
    return _JoinedWorkbook(path, exported_at)


PARALLEL_FORMATS: tuple[str, ...] = ("csv", "jsonl", "md", "xlsx")


def export_workers() -> int:
    """The worker processes a large export uses: one per core this process may run on (at
    most :data:`MAX_WORKERS`), unless the machine was busy over the last minute (a load
    average of its cores plus one or more), when the export runs in this process.

    Workers only help where there is CPU to spare: on a busy machine they share the same
    CPU time with more to do (starting, joining), and an export in them ran slower than one
    in process. The margin of one leaves room for this process and its last export's
    workers, which the average still counts.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0] >= cores + 1
    except OSError:  # no load average to read
        busy = False
    return 1 if busy else max(1, min(cores, MAX_WORKERS))


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
    if fmt in PARALLEL_FORMATS and count > 1 and url is not None:
        span = await draft_id_span(database)
        if span is not None and span[1] - span[0] + 1 >= min_parallel_span:
            ranges = [
                (start - 1, min(start + range_size - 1, span[1]))
                for start in range(span[0], span[1] + 1, range_size)
            ]
            try:
                return await _export_ranges(
                    database, url, fmt, output, filters, stamp, ranges, count, progress
                )
            except _CountChanged:
                pass  # a draft changed between counting and exporting: exported serially
    return await export(
        stream_examples(database, filters),
        fmt,
        output,
        filters=filters,
        progress=progress,
        exported_at=stamp,
    )


async def _export_ranges(
    database: Database,
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
    ``<name>.part``, renamed into place once complete (never a half-written file).

    A sheet's rows are numbered: each range's first row follows from how many examples
    the ranges before it hold, counted first; :class:`_CountChanged` when a range then
    held another number of them.
    """
    partial = output.with_name(output.name + ".part")
    parts = output.with_name(output.name + ".parts")
    parts.mkdir(exist_ok=True)
    loop = asyncio.get_running_loop()
    # "spawn": a fork of a process running an event loop and driver threads is unsafe.
    pool = ProcessPoolExecutor(
        min(workers, len(ranges)), mp_context=multiprocessing.get_context("spawn")
    )
    joined: _Joined | None = None
    total = 0
    try:
        joined = await asyncio.to_thread(_joined, fmt, partial, stamp)
        rows: list[tuple[int, int] | None] = [None] * len(ranges)
        if isinstance(joined, _JoinedWorkbook):
            last_row = 1  # the header's
            for n, (after, through) in enumerate(ranges):
                count = await count_examples(database, filters, after=after, through=through)
                rows[n] = (last_row, count)
                last_row += count
        style = joined.text_style if isinstance(joined, _JoinedWorkbook) else 0
        futures = [
            loop.run_in_executor(
                pool,
                _export_range,
                _Range(
                    url, fmt, filters, after, through, str(parts / f"{n}"), stamp, rows[n], style
                ),
            )
            for n, (after, through) in enumerate(ranges)
        ]
        for n, future in enumerate(futures):
            count = await future
            expected = rows[n]
            if expected is not None and count != expected[1]:
                # A draft entered or left the filters (a status changed, a draft was
                # erased) after its range was counted: the rows after it are misnumbered.
                raise _CountChanged
            await asyncio.to_thread(_append, joined, parts / f"{n}", count)
            total += count
            if progress is not None:
                progress(total)
        await asyncio.to_thread(joined.finish)
        size = await asyncio.to_thread(_complete, partial, output)
    except BaseException:
        if joined is not None:
            with contextlib.suppress(Exception):
                joined.abort()
        partial.unlink(missing_ok=True)
        raise
    finally:
        # Ranges not started are dropped; a range a worker is exporting runs to its end.
        await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
        await asyncio.to_thread(shutil.rmtree, parts, True)
    return ExportResult(count=total, path=output, bytes=size)


class _CountChanged(Exception):
    """A range of a sheet held another number of examples than counted before."""


def _append(joined: _Joined, part: Path, count: int) -> None:
    joined.append(part, count)
    part.unlink()


def _complete(partial: Path, output: Path) -> int:
    partial.replace(output)
    return output.stat().st_size


@dataclass(frozen=True)
class _Range:
    """What a worker process exports: drafts ``(after, through]`` into ``part``; for a
    sheet, the row before its first and how many examples it must hold, and the style of
    formula-like text."""

    url: str
    fmt: str
    filters: ExportFilters
    after: int
    through: int
    part: str
    stamp: datetime
    rows: tuple[int, int] | None
    text_style: int


def _export_range(task: _Range) -> int:
    """In a worker process: export one range, and how many examples it held."""
    return asyncio.run(_export_range_async(task))


async def _export_range_async(task: _Range) -> int:
    database = Database.from_url(task.url)
    writer_for: Callable[[Path, datetime], ExampleWriter] | None = None
    if task.rows is not None:
        last_row, _ = task.rows

        def writer_for(path: Path, _stamp: datetime) -> ExampleWriter:
            return XlsxRowsWriter(path, last_row, task.text_style)

    try:
        examples = stream_examples(database, task.filters, after=task.after, through=task.through)
        result = await export(
            examples,
            task.fmt,
            Path(task.part),
            filters=task.filters,
            exported_at=task.stamp,
            writer_for=writer_for,
        )
    finally:
        await database.dispose()
    return result.count
