"""Examples for export tests, and readers that turn any export file back into text."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.exports import ExportExample, MediaItem, Tag
from storage.exports.columns import TEXT_FIELDS

SUBMITTED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def make_example(number: int = 1, **overrides: Any) -> ExportExample:
    """A fully filled example (named credit, everything allowed), changed by ``overrides``."""
    fields = {
        name: f"{name.replace('_', ' ').capitalize()} of example {number}." for name in TEXT_FIELDS
    }
    fields["title"] = f"Community garden {number}"
    example = ExportExample(
        reference=f"CP-2026-{number:05d}",
        status="ready",
        script_id="full_story",
        submitted_at=SUBMITTED + timedelta(hours=number),
        updated_at=SUBMITTED + timedelta(hours=number, minutes=5),
        fields=fields,
        quotes=(f"We planted it together {number}.",),
        credit="named",
        contributor_name=f"Person {number}",
        organisation=f"Trust {number}",
        contact=f"person{number}@example.org",
        contact_allowed=True,
        quotes_allowed=True,
        media_allowed=True,
        media=(MediaItem(kind="photo", file_id=f"FILE{number}", caption="The garden", url=None),),
        links=(f"https://example.org/garden/{number}",),
        tags=(
            Tag("ladder", "co_design", "Co-design", "confirmed", f"we designed it {number}"),
            Tag("ladder", "consultation", "Consultation", "suggested", "asked people"),
            Tag("ladder", "tokenism", "Tokenism", "rejected", "nothing"),
        ),
        raw_answers={"story": f"raw story words {number}", "place": "Leeds"},
    )
    return replace(example, **overrides)


async def source(examples: Iterable[ExportExample]) -> AsyncIterator[ExportExample]:
    """An async stream of examples, as the storage query will give them."""
    for example in examples:
        yield example


def all_bytes(data: bytes) -> bytes:
    """The bytes of a file with every ZIP inside it (xlsx, docx, md.zip) unpacked, recursively."""
    if not data.startswith(b"PK"):
        return data
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts.append(name.encode())
            parts.append(all_bytes(archive.read(name)))
    return b"\n".join(parts)


def file_bytes(path: Path) -> bytes:
    """:func:`all_bytes` of a file on disk."""
    return all_bytes(path.read_bytes())
