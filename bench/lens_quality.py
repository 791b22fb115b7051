"""Precision and recall of the co-production lens on labelled answer snippets.

Run ``python bench/lens_quality.py [--extra lens.yaml] [--misses SET] [--unseal]``. Each set of
snippets is one file in ``bench/data``: ``lens_labelled.yaml`` is the development set (rules
may be tuned on it), ``lens_batch<N>.yaml`` are held-out batches written and labelled before
the last rule changes. For each set it prints precision and recall overall, per framework and
per tag, with the targets (at least 0.8 each) marked PASS or FAIL. A file with ``sealed: true``
is the final check of a round: it is left out unless ``--unseal`` is given, so nobody sees its
figures, let alone its misses, while tuning. A batch with ``retired: true`` has had its
figures reported and has joined the development data. It always exits 0: these are figures
to watch, not a test.
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

DATA = Path(__file__).resolve().parent / "data"
DEVELOPMENT = DATA / "lens_labelled.yaml"
PRECISION_TARGET = 0.8
RECALL_TARGET = 0.8


@dataclass(frozen=True)
class Item:
    question: str
    text: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Snippets:
    """One labelled file: its name, whether it is sealed, and its snippets."""

    name: str
    sealed: bool
    tuned_on: bool
    items: tuple[Item, ...]


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

    def add(self, other: Count) -> None:
        self.true_pos += other.true_pos
        self.false_pos += other.false_pos
        self.false_neg += other.false_neg


def load_set(path: Path) -> Snippets:
    path = path.resolve()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = tuple(
        Item(str(raw["question"]), str(raw["text"]), frozenset(raw.get("tags") or ()))
        for raw in data["items"]
    )
    name = "dev" if path == DEVELOPMENT else path.stem.removeprefix("lens_").replace("_", " ")
    tuned_on = path == DEVELOPMENT or bool(data.get("retired", False))
    return Snippets(name, bool(data.get("sealed", False)), tuned_on, items)


def all_sets() -> list[Path]:
    """The development set first, then the held-out batches in order."""
    batches = sorted(
        DATA.glob("lens_batch*.yaml"), key=lambda p: int(p.stem.removeprefix("lens_batch") or 0)
    )
    return [DEVELOPMENT, *batches]


def evaluate(lens: Lens, items: Sequence[Item]) -> tuple[dict[str, Count], list[str]]:
    """Counts per tag, and one line per extra or missed tag."""
    counts: dict[str, Count] = {}
    misses: list[str] = []
    for item in items:
        found = {m.key for m in lens.match(item.text, item.question)}
        for key in sorted(found | item.tags):
            count = counts.setdefault(key, Count())
            if key in found and key in item.tags:
                count.true_pos += 1
            elif key in found:
                count.false_pos += 1
                misses.append(f"  extra   {key:26} [{item.question}] {item.text}")
            else:
                count.false_neg += 1
                misses.append(f"  missed  {key:26} [{item.question}] {item.text}")
    return counts, misses


def row(name: str, c: Count) -> str:
    return (
        f"  {name:26} {c.precision:9.2f} {c.recall:7.2f} "
        f"{c.true_pos:4} {c.false_pos:4} {c.false_neg:4}"
    )


def verdict(value: float, target: float) -> str:
    return "PASS" if value >= target else "FAIL"


def print_set(snippets: Snippets, counts: dict[str, Count]) -> Count:
    """Print overall, per framework and per tag rows; return the overall count."""
    print(f"  {'':26} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    total = Count()
    frameworks: dict[str, Count] = {}
    for key, count in counts.items():
        total.add(count)
        frameworks.setdefault(key.split("/", 1)[0], Count()).add(count)
    print(row("overall", total))
    for framework in sorted(frameworks):
        print(row(framework, frameworks[framework]))
    for key in sorted(counts):
        print(row("  " + key, counts[key]))
    print(
        f"  targets: precision >= {PRECISION_TARGET} {verdict(total.precision, PRECISION_TARGET)}"
        f" ({total.precision:.2f}), recall >= {RECALL_TARGET}"
        f" {verdict(total.recall, RECALL_TARGET)} ({total.recall:.2f})"
    )
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labelled", nargs="*", type=Path, help="labelled files (default: all)")
    parser.add_argument("--extra", type=Path, help="a staff lens file to add to the built-in one")
    parser.add_argument(
        "--misses",
        action="append",
        default=[],
        metavar="SET",
        help="list the extra and missed tags of a set ('dev', 'batch3'...); never of a "
        "held-out batch that is still used as a check",
    )
    parser.add_argument(
        "--unseal", action="store_true", help="also measure sealed batches (the final check)"
    )
    args = parser.parse_args(argv)
    lens = load_lens()
    if args.extra:
        lens = lens.extend(load_lens(args.extra))
    wanted = {name.replace(" ", "") for name in args.misses}
    for path in args.labelled or all_sets():
        snippets = load_set(path)
        if snippets.sealed and not args.unseal:
            print(f"\n{snippets.name}: sealed, {len(snippets.items)} snippets (not measured)")
            continue
        counts, misses = evaluate(lens, snippets.items)
        role = "tuned on" if snippets.tuned_on else "held out"
        print(f"\n{snippets.name} ({len(snippets.items)} snippets, {role}):")
        print_set(snippets, counts)
        if snippets.name.replace(" ", "") in wanted:
            print(f"\n  {snippets.name} misses:")
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
