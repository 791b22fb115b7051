"""Precision and recall of the co-production lens on a labelled set of answer snippets.

Run ``python bench/lens_quality.py [labelled.yaml] [--extra lens.yaml] [--misses]``. It prints
figures per framework and overall for the development snippets (the ones rules may be tuned
on), with the targets marked PASS or FAIL, then the same figures for the held-out snippets
(``held_out: true``), which no rule was written from: those are the fairer guide to new
answers and are printed for honesty, not judged. It always exits 0: these are figures to
watch, not a test.

``--misses`` lists the development snippets' extra and missed tags only; held-out misses are
listed with ``--held-out-misses``, for when a held-out batch is retired into development
data (and a new one written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.lens import Lens, load_lens

DEFAULT_SET = Path(__file__).parent / "data" / "lens_labelled.yaml"
PRECISION_TARGET = 0.8
RECALL_TARGET = 0.8


@dataclass(frozen=True)
class Item:
    question: str
    text: str
    tags: frozenset[str]
    held_out: bool = False
    batch: int | None = None


@dataclass
class Count:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_pos + self.false_neg
        return self.true_pos / expected if expected else 1.0


def load_items(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Item(
            str(raw["question"]),
            str(raw["text"]),
            frozenset(raw.get("tags") or ()),
            bool(raw.get("held_out", False)),
            int(raw["batch"]) if raw.get("batch") is not None else None,
        )
        for raw in data["items"]
    ]


def evaluate(lens: Lens, items: Sequence[Item]) -> tuple[dict[str, Count], list[str]]:
    counts: dict[str, Count] = {}
    misses: list[str] = []
    for item in items:
        found = {m.key for m in lens.match(item.text, item.question)}
        for key in found | item.tags:
            framework = key.split("/", 1)[0]
            count = counts.setdefault(framework, Count())
            if key in found and key in item.tags:
                count.true_pos += 1
            elif key in found:
                count.false_pos += 1
                misses.append(f"  extra   {key:26} {item.text}")
            else:
                count.false_neg += 1
                misses.append(f"  missed  {key:26} {item.text}")
    return counts, misses


def verdict(value: float, target: float) -> str:
    return "PASS" if value >= target else "FAIL"


def print_table(counts: dict[str, Count]) -> Count:
    """Print one row per framework and the overall row; return the overall count."""
    print(f"{'framework':12} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    total = Count()
    for framework in sorted(counts):
        c = counts[framework]
        total.true_pos += c.true_pos
        total.false_pos += c.false_pos
        total.false_neg += c.false_neg
        print(
            f"{framework:12} {c.precision:9.2f} {c.recall:7.2f} "
            f"{c.true_pos:4} {c.false_pos:4} {c.false_neg:4}"
        )
    print(
        f"{'overall':12} {total.precision:9.2f} {total.recall:7.2f} "
        f"{total.true_pos:4} {total.false_pos:4} {total.false_neg:4}"
    )
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labelled", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--extra", type=Path, help="a staff lens file to add to the built-in one")
    parser.add_argument(
        "--misses", action="store_true", help="list every extra and missed tag (development)"
    )
    parser.add_argument(
        "--held-out-misses",
        action="store_true",
        help="list the held-out snippets' extra and missed tags (do not tune on them)",
    )
    args = parser.parse_args(argv)
    lens = load_lens()
    if args.extra:
        lens = lens.extend(load_lens(args.extra))
    items = load_items(args.labelled)
    development = [item for item in items if not item.held_out]
    held_out = [item for item in items if item.held_out]
    print(f"lens quality on {len(items)} labelled snippets ({args.labelled.name})")
    print(f"\ndevelopment snippets ({len(development)}, the rules may be tuned on these):")
    counts, misses = evaluate(lens, development)
    total = print_table(counts)
    held_misses: list[str] = []
    if held_out:
        batches = sorted({item.batch for item in held_out if item.batch is not None})
        named = f", batch {', '.join(map(str, batches))}" if batches else ""
        print(f"\nheld-out snippets ({len(held_out)}{named}, never tuned on; for honesty):")
        held_counts, held_misses = evaluate(lens, held_out)
        print_table(held_counts)
    print()
    print(
        f"target precision >= {PRECISION_TARGET} (development): "
        f"{verdict(total.precision, PRECISION_TARGET)} ({total.precision:.2f})"
    )
    print(
        f"target recall >= {RECALL_TARGET} (development): "
        f"{verdict(total.recall, RECALL_TARGET)} ({total.recall:.2f})"
    )
    if args.misses:
        print("\ndevelopment misses:")
        print("\n".join(misses))
    if args.held_out_misses:
        print("\nheld-out misses:")
        print("\n".join(held_misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
