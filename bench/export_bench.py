"""Export throughput and memory per format on synthetic examples.

Prints, per format: the time and examples per second of an untraced export of N examples,
the growth of the process's peak RSS during it, and the tracemalloc peak of traced
exports of N/10 and N examples with their ratio (streaming keeps it near 1; the target
is below 2). Asserts nothing.

    .venv/bin/python bench/export_bench.py                  # 100,000 examples
    .venv/bin/python bench/export_bench.py --count 20000 --formats csv,md
    .venv/bin/python bench/export_bench.py --count 2000 --formats docx,docx-zip

Traced runs are several times slower than untraced ones; the default run takes about
twenty minutes on two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.exports import (
    EXPORT_FORMATS,
    TEXT_FIELDS,
    ExportExample,
    ExportFilters,
    MediaItem,
    Tag,
    export,
)
from storage.exports.progress import rich_progress

WORDS = [
    "residents",
    "council",
    "garden",
    "youth",
    "workshop",
    "shared",
    "decisions",
    "budget",
    "tenants",
    "library",
    "artists",
    "nurses",
    "families",
    "listened",
    "together",
    "planned",
    "trust",
    "meeting",
    "survey",
    "map",
    "neighbourhood",
    "volunteers",
    "funding",
    "power",
    "voice",
    "training",
    "evaluation",
    "café",
    "stories",
]
START = datetime(2025, 1, 1, tzinfo=UTC)
DEFAULT_FORMATS = ("csv", "jsonl", "json", "md", "xlsx")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class Texts:
    """Pools of ready-made sentences, so the bench measures exporting, not text making."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pools = {
            size: [sentence(rng, rng.randint(*size)) for _ in range(256)]
            for size in ((3, 8), (5, 12), (20, 80), (100, 140))
        }

    def pick(self, size: tuple[int, int]) -> str:
        return self._rng.choice(self._pools[size])


async def synthetic(count: int, seed: int = 7) -> AsyncIterator[ExportExample]:
    """``count`` varied examples, made one at a time as a streaming query would yield."""
    rng = random.Random(seed)
    texts = Texts(rng)
    credits = ("named", "organisation", "anonymous")
    for number in range(count):
        fields = {name: texts.pick((20, 80)) for name in TEXT_FIELDS}
        fields["title"] = texts.pick((3, 8))
        yield ExportExample(
            reference=f"CP-2025-{number:06d}",
            status=rng.choice(("new", "in_review", "ready", "published")),
            script_id=rng.choice(("full_story", "spotted")),
            submitted_at=START + timedelta(minutes=number),
            updated_at=START + timedelta(minutes=number, seconds=30),
            fields=fields,
            quotes=tuple(texts.pick((5, 12)) for _ in range(rng.randint(0, 3))),
            credit=credits[number % 3],
            contributor_name=f"Person {number}",
            organisation=f"Organisation {number % 500}",
            contact=f"person{number}@example.org",
            contact_allowed=number % 2 == 0,
            quotes_allowed=number % 5 != 0,
            media_allowed=True,
            media=(MediaItem("photo", f"FILE{number}", texts.pick((3, 8))),),
            links=(f"https://example.org/{number}",),
            tags=(Tag("ladder", "co_design", "Co-design", "confirmed", texts.pick((5, 12))),),
            raw_answers={"story": texts.pick((100, 140))},
            erased=number % 97 == 0,
        )


async def run(
    fmt: str, count: int, folder: Path, progress: Callable[[int], None] | None = None
) -> float:
    started = time.perf_counter()
    await export(
        synthetic(count),
        fmt,
        folder / f"bench-{count}.{fmt}",
        filters=ExportFilters(include_raw=True),
        progress=progress,
    )
    return time.perf_counter() - started


async def traced_peak(fmt: str, count: int, folder: Path) -> int:
    tracemalloc.start()
    try:
        await run(fmt, count, folder)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def empty(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def bench(count: int, formats: list[str], show_progress: bool) -> None:
    print(f"{count:,} synthetic examples per format (peaks: tracemalloc, N/10 and N)")
    header = f"{'format':<9}{'time s':>9}{'ex/s':>10}{'RSS +MB':>9}"
    print(header + f"{'peak N/10 MB':>14}{'peak N MB':>11}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in formats:
            rss_before = max_rss_mb()
            if show_progress:
                with rich_progress(f"{fmt}", total=count) as progress:
                    seconds = await run(fmt, count, folder, progress)
            else:
                seconds = await run(fmt, count, folder)
            rss_growth = max_rss_mb() - rss_before
            small = await traced_peak(fmt, max(count // 10, 1), folder)
            large = await traced_peak(fmt, count, folder)
            print(
                f"{fmt:<9}{seconds:>9.1f}{count / seconds:>10,.0f}{rss_growth:>9.1f}"
                f"{small / 2**20:>14.2f}{large / 2**20:>11.2f}{large / small:>7.2f}",
                flush=True,
            )
            empty(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="examples per format")
    parser.add_argument(
        "--formats",
        default=",".join(DEFAULT_FORMATS),
        help=f"comma-separated, from {', '.join(EXPORT_FORMATS)} (docx: keep --count small)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args()
    formats = [fmt.strip() for fmt in args.formats.split(",") if fmt.strip()]
    unknown = [fmt for fmt in formats if fmt not in EXPORT_FORMATS]
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    asyncio.run(bench(args.count, formats, show_progress=not args.no_progress))


if __name__ == "__main__":
    main()
