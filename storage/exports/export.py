"""Export collected examples to a file: filter, apply consent, stream into one format.

The source is any async iterable (the storage query streams rows), consumed one example
at a time; the file is written next to ``output`` as ``<name>.part`` and renamed into
place only when complete, so a failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import zipfile
from collections.abc import AsyncIterable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from storage.exports.consent import apply_consent
from storage.exports.model import ExportExample, ExportFilters, ExportResult, as_utc, matches
from storage.exports.writers import (
    CsvWriter,
    DocxWriter,
    DocxZipWriter,
    ExampleWriter,
    JsonLinesWriter,
    JsonWriter,
    MarkdownZipWriter,
    XlsxWriter,
)

_WRITERS: dict[str, Callable[[Path, datetime], ExampleWriter]] = {
    "csv": CsvWriter,
    "jsonl": JsonLinesWriter,
    "json": JsonWriter,
    "md": MarkdownZipWriter,
    "xlsx": XlsxWriter,
    "docx": DocxWriter,
    "docx-zip": DocxZipWriter,
}

EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)

_MEDIA_TYPES = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "json": "application/json",
    "md": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx-zip": "application/zip",
}

_EXTENSIONS = {
    "csv": "csv",
    "jsonl": "jsonl",
    "json": "json",
    "md": "md.zip",
    "xlsx": "xlsx",
    "docx": "docx",
    "docx-zip": "docx.zip",
}

# Telegram bots may send documents of up to 50 MB.
TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024


def _check(fmt: str) -> None:
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(_WRITERS)}")


def media_type(fmt: str) -> str:
    """The MIME type of a file in ``fmt``."""
    _check(fmt)
    return _MEDIA_TYPES[fmt]


def default_file_name(fmt: str, now: datetime) -> str:
    """``copro-examples-YYYYMMDD-HHMMSSZ.<ext>`` in UTC, e.g. ``...Z.md.zip`` for Markdown."""
    _check(fmt)
    return f"copro-examples-{as_utc(now):%Y%m%d-%H%M%S}Z.{_EXTENSIONS[fmt]}"


async def export(
    examples: AsyncIterable[ExportExample],
    fmt: str,
    output: Path,
    *,
    filters: ExportFilters,
    progress: Callable[[int], None] | None = None,
    exported_at: datetime | None = None,
    writer_for: Callable[[Path, datetime], ExampleWriter] | None = None,
) -> ExportResult:
    """Write the examples that match ``filters``, consent applied, to ``output`` in ``fmt``.

    ``progress`` is called with the running count after each exported example.
    ``exported_at`` (default: now) is stamped into the JSON and DOCX files and the ZIP
    entries. ``writer_for`` makes the writer instead of ``fmt``'s own (a part of a file
    exported in several processes).
    """
    _check(fmt)
    stamp = exported_at if exported_at is not None else datetime.now(UTC)
    partial = output.with_name(output.name + ".part")
    with _fewer_collections():
        writer = (writer_for or _WRITERS[fmt])(partial, stamp)
        count = 0
        try:
            async for example in examples:
                if not matches(example, filters):
                    continue
                writer.write(apply_consent(example, filters.include_raw))
                count += 1
                if progress is not None:
                    progress(count)
            size = await asyncio.to_thread(_complete, writer, partial, output)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.abort()
            partial.unlink(missing_ok=True)
            raise
    return ExportResult(count=count, path=output, bytes=size)


# An export makes and drops a few objects per example and keeps none, yet each batch it
# reads outlives the youngest generation, so the collector kept walking the whole process
# (modules, the ORM's metadata, the bot's state): a sixth of an export's time. While any
# export runs, what existed before it is frozen out of collections and the youngest
# generation is collected less often; both are undone when the last export ends.
_EXPORT_THRESHOLD = 20_000
_exports_running = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    global _exports_running, _saved_threshold
    if _exports_running == 0:
        _saved_threshold = gc.get_threshold()
        gc.freeze()
        first, *older = _saved_threshold
        gc.set_threshold(max(first, _EXPORT_THRESHOLD), *older)
    _exports_running += 1
    try:
        yield
    finally:
        _exports_running -= 1
        if _exports_running == 0:
            gc.set_threshold(*_saved_threshold)
            gc.unfreeze()


def _complete(writer: ExampleWriter, partial: Path, output: Path) -> int:
    """Finish the file, move it into place and return its size (blocking: run in a thread)."""
    writer.finish()
    partial.replace(output)
    return output.stat().st_size


def zip_if_large(path: Path, limit_bytes: int = TELEGRAM_UPLOAD_LIMIT) -> Path:
    """``path`` itself if it fits in ``limit_bytes``, else a deflated ``<name>.zip`` of it.

    A file that is a ZIP already is returned as it is. The result may still exceed the
    limit (callers check its size and point the admin to the command line export).
    """
    if path.stat().st_size <= limit_bytes or (path.suffix == ".zip" and zipfile.is_zipfile(path)):
        return path
    zipped = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.write(path, arcname=path.name)
    return zipped
