"""Exports stream: peak traced memory stays flat as the number of examples grows.

tracemalloc sees Python allocations only (not lxml's C heap), which is what would grow if
a writer kept examples, rows or ZIP entries; ``bench/export_bench.py`` also reports RSS.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.exports import ExportExample, ExportFilters, export
from tests.exports.factories import make_example

MB = 1024 * 1024


async def numbered(count: int) -> AsyncIterator[ExportExample]:
    for number in range(count):
        yield make_example(number)


async def peak_memory(tmp_path: Path, fmt: str, count: int) -> int:
    tracemalloc.start()
    try:
        result = await export(
            numbered(count), fmt, tmp_path / f"{count}.{fmt}", filters=ExportFilters()
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.count == count
    return peak


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "md", "xlsx"])
async def test_streaming_formats_export_2000_examples_in_flat_memory(
    tmp_path: Path, fmt: str
) -> None:
    small = await peak_memory(tmp_path, fmt, 200)
    large = await peak_memory(tmp_path, fmt, 2000)

    assert large < 30 * MB
    assert large < 1.5 * small + MB // 4, (small, large)


async def test_docx_zip_memory_does_not_grow_with_examples(tmp_path: Path) -> None:
    small = await peak_memory(tmp_path, "docx-zip", 10)
    large = await peak_memory(tmp_path, "docx-zip", 100)

    assert large < 1.5 * small + MB // 4, (small, large)


async def test_single_docx_of_150_examples_stays_within_a_loose_bound(tmp_path: Path) -> None:
    assert await peak_memory(tmp_path, "docx", 150) < 100 * MB
