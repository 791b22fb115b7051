"""Precision and recall of the co-production lens on labelled answer snippets.

Run ``python bench/lens_quality.py [--extra lens.yaml] [--misses SET] [--unseal] [--learned]``,
or ``python bench/lens_quality.py --cross-validate`` for leave-one-batch-out figures. Each set of
snippets is one file in ``bench/data``: ``lens_labelled.yaml`` is the development set (rules
may be tuned on it), ``lens_batch<N>.yaml`` are held-out batches written and labelled before
the last rule changes. For each set it prints precision and recall overall, per framework and
per tag, with the targets (at least 0.8 each) marked PASS or FAIL. A file with ``sealed: true``
is the final check of a round: it is left out unless ``--unseal`` is given, so nobody sees its
figures, let alone its misses, while tuning. A batch with ``retired: true`` has had its
figures reported and has joined the development data. It always exits 0: these are figures
to watch, not a test.

``--learned`` measures the rules together with the shipped learned model
(``conversations/lens/model.npz``, trained on every development set, so flattering there).
``--cross-validate`` is the measure of generalisation the model is tuned by: for each of the
retired batches (``TRAINING_BATCHES``), a model is trained on the development set and the
other batches (its thresholds chosen inside those) and scored on the one left out. It prints,
per fold and as a mean, the rules as they are now (tuned on the retired batches, so
flattering there), the rules as they were when that batch was measured sealed (from git
history: the fair figure), the model alone, and the rules with the model, both ways. It
reads only the files listed in ``TRAINING_BATCHES``, never a sealed batch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

# Training solves many small dense systems: one BLAS thread each is several times faster
# than threads fighting over a busy machine's cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.lens import Lens, load_lens, parse_lens
from conversations.lens_model import (
    LabelledSnippet,
    LensModel,
    RuleReading,
    document,
    load_model,
    train,
)
from conversations.tidy import WordsLoader

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
DEVELOPMENT = DATA / "lens_labelled.yaml"
PRECISION_TARGET = 0.8
RECALL_TARGET = 0.8
# Batches measured once, sealed, and retired: the only ones the model trains on. A batch is
# added here only after its sealed figures are recorded in conversations/lens/README.md.
TRAINING_BATCHES = (
    *range(3, 26),
    27,
    28,
    29,
)
# The commit whose rules each batch was measured against while sealed (batch 3: the rules
# from before any change that saw it).
AS_MEASURED = {
    3: "b8950ab",
    4: "21766d0^",
    5: "418325f^",
    6: "eeaa439",
    7: "173564f^",
    8: "8ebaaae",
    9: "a15ec65",
    10: "cee3498",
    11: "3a47ae1",
    12: "710983a",
    13: "7d4c8c9",
    14: "c87ca70",
    15: "a2349e2",
    16: "5a08762",
    17: "ea615cd",
    18: "4deedee",
    19: "b302805",
    20: "b302805",
    21: "b302805",
    22: "0792f1f",
    23: "0792f1f",
    24: "0792f1f",
    25: "0792f1f",
    27: "0792f1f",
    28: "0792f1f",
    29: "0792f1f",
}
RULES_PATH = "conversations/lens/coproduction.yaml"

Item = LabelledSnippet


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


def agreement(path: Path = DATA / "lens_agreement.yaml") -> tuple[float, float, int, int]:
    """A second annotator's tags scored against a batch's as if a classifier gave them:
    (precision, recall, answers given the same tags, answers). How far careful readers of
    the same guide agree is the ceiling a fresh batch's figures can be judged against."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gold = load_set(DATA / str(data["against"])).items
    found = extra = missed = same = 0
    for raw in data["items"]:
        truth = gold[int(raw["n"]) - 1].tags
        given = frozenset(raw.get("tags") or ())
        found += len(truth & given)
        extra += len(given - truth)
        missed += len(truth - given)
        same += truth == given
    return found / max(1, found + extra), found / max(1, found + missed), same, len(gold)


def training_set(number: int) -> Snippets:
    """A retired batch to train on; a sealed or unretired one is refused."""
    snippets = load_set(DATA / f"lens_batch{number}.yaml")
    if snippets.sealed or not snippets.tuned_on:
        raise SystemExit(f"batch {number} is not retired: it may not be trained on")
    return snippets


def found_tags(lens: Lens | None, model: LensModel | None, items: Sequence[Item]) -> list[set[str]]:
    """The tags suggested for each item: by the rules, the model, or both combined."""
    rules = [
        {m.key for m in lens.match(item.text, item.question)} if lens else set() for item in items
    ]
    if model is None:
        return rules
    scores = model.probabilities([document(i.question, i.text) for i in items])
    if lens is None:
        return [
            {t for t, p in zip(model.tags, row, strict=True) if p >= model.confident}
            for row in scores
        ]
    return [
        model.keys(keys, list(row), lens.negated(item.text, item.question), item.text)
        for item, keys, row in zip(items, rules, scores, strict=True)
    ]


def evaluate(
    lens: Lens | None, items: Sequence[Item], model: LensModel | None = None
) -> tuple[dict[str, Count], list[str]]:
    """Counts per tag, and one line per extra or missed tag."""
    counts: dict[str, Count] = {}
    misses: list[str] = []
    for item, found in zip(items, found_tags(lens, model, items), strict=True):
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


def total(counts: dict[str, Count]) -> Count:
    overall = Count()
    for count in counts.values():
        overall.add(count)
    return overall


def rules_at(commit: str) -> Lens | None:
    """The built-in rules as they were at ``commit``, or None without git history."""
    shown = subprocess.run(
        ["git", "show", f"{commit}:{RULES_PATH}"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        return None
    data = yaml.load(shown.stdout, Loader=WordsLoader)  # a SafeLoader subclass, as load_lens
    return parse_lens(data, f"{commit}:{RULES_PATH}")


def first_readings(number: int, items: Sequence[Item]) -> list[RuleReading]:
    """What the rules found in a retired batch when it was still fresh (``AS_MEASURED``).

    The model's thresholds are chosen on these: the rules as they are now were tuned on the
    batch and find far more in it than they will in a fresh one.
    """
    lens = rules_at(AS_MEASURED[number])
    if lens is None:
        raise SystemExit(f"the rules batch {number} was measured by need git history")
    return [
        RuleReading(
            frozenset(m.key for m in lens.match(item.text, item.question)),
            frozenset(lens.negated(item.text, item.question)),
        )
        for item in items
    ]


def cross_validate(folds: Sequence[int]) -> None:
    """Leave-one-batch-out over the retired batches: train on the rest, score the one left."""
    lens = load_lens()
    tags = [r.key for r in lens.rules]
    development = load_set(DEVELOPMENT).items
    batches = {n: training_set(n).items for n in TRAINING_BATCHES}
    readings = {n: first_readings(n, items) for n, items in batches.items()}
    columns = ("rules now", "rules then", "model", "now+model", "then+model")
    print("leave-one-batch-out (precision/recall); 'then' = the rules the batch was measured by")
    print(f"  {'fold':8}" + "".join(f"{c:>13}" for c in columns))
    sums = [[0.0, 0.0] for _ in columns]
    for fold in folds:
        others = [n for n in TRAINING_BATCHES if n != fold]
        model = train(
            [batches[n] for n in others],
            tags,
            always=development,
            readings=[readings[n] for n in others],
        )
        then = rules_at(AS_MEASURED[fold])
        items = batches[fold]
        figures: list[tuple[float, float] | None] = []
        for rules, learned in (
            (lens, None),
            (then, None),
            (None, model),
            (lens, model),
            (then, model),
        ):
            if rules is None and learned is None:
                figures.append(None)
                continue
            overall = total(evaluate(rules, items, learned)[0])
            figures.append((overall.precision, overall.recall))
        cells = "".join(f"{'-':>13}" if f is None else f"{f[0]:8.2f}/{f[1]:.2f}" for f in figures)
        print(
            f"  batch {fold:<2}{cells}   (veto {model.veto:.2f}, confident {model.confident:.2f})"
        )
        for index, figure in enumerate(figures):
            if figure is not None:
                sums[index][0] += figure[0]
                sums[index][1] += figure[1]
    cells = "".join(f"{p / len(folds):8.2f}/{r / len(folds):.2f}" for p, r in sums)
    print(f"  {'mean':8}{cells}")


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
    parser.add_argument(
        "--learned", action="store_true", help="measure the rules with the shipped learned model"
    )
    parser.add_argument(
        "--cross-validate",
        action="store_true",
        help="leave-one-batch-out over the retired batches (trains a model per fold)",
    )
    parser.add_argument(
        "--fold",
        action="append",
        type=int,
        default=[],
        metavar="N",
        help="with --cross-validate: only these folds (batch numbers)",
    )
    parser.add_argument(
        "--agreement",
        action="store_true",
        help="how far a second annotator's tags agree with a batch's (lens_agreement.yaml)",
    )
    args = parser.parse_args(argv)
    if args.agreement:
        precision, recall, same, total = agreement()
        print(
            f"second annotator against batch 11: precision {precision:.2f}, recall "
            f"{recall:.2f}, the same tags on {same} of {total} answers"
        )
        return 0
    if args.cross_validate:
        cross_validate(args.fold or TRAINING_BATCHES)
        return 0
    model = load_model() if args.learned else None
    lens = load_lens()
    if args.extra:
        lens = lens.extend(load_lens(args.extra))
    wanted = {name.replace(" ", "") for name in args.misses}
    for path in args.labelled or all_sets():
        snippets = load_set(path)
        if snippets.sealed and not args.unseal:
            print(f"\n{snippets.name}: sealed, {len(snippets.items)} snippets (not measured)")
            continue
        counts, misses = evaluate(lens, snippets.items, model)
        role = "tuned on" if snippets.tuned_on else "held out"
        print(f"\n{snippets.name} ({len(snippets.items)} snippets, {role}):")
        print_set(snippets, counts)
        if snippets.name.replace(" ", "") in wanted:
            print(f"\n  {snippets.name} misses:")
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
