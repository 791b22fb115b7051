"""Train the project-name scorer and write ``conversations/lens/names.json``.

Every drafting fixture (the tuning set and the held-out sets) says what its project is called,
or that it has no name. Each phrase the drafter finds that could be a name
(``conversations/drafting_names.py``) is an example: the name itself a positive, every other
phrase a negative. A logistic regression over their features is fitted with SciPy.

Before writing the model it prints a leave-one-set-out check: for each set of ten held-out
fixtures (and the tuning set), a model trained on all the others names its projects. These
are the figures to quote; the rules' own figures on fresh sets are in
``tests/drafting/fixtures/held_out/README.md``.

    python bench/name_train.py            # check, then write the model
    python bench/name_train.py --check    # the check alone
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.drafting import draft_headline
from conversations.drafting_names import MODEL_PATH, Candidate, NameModel, name_key
from tests.drafting.fixture_data import (
    Interview,
    all_interviews,
    held_out_interviews,
)

# The inverse strength of the L2 penalty, and the probability a name must reach to be used
# before the title rules: both chosen on the leave-one-set-out check, not on fresh sets.
C = 0.3
THRESHOLD = 0.5
# A rule's name the scorer gives less than this is not used: on the first fresh sets the rules
# met after the scorer was built (h241-h280, out of fold), it set aside three wrong names and
# no right one ("English", "Comes", a newspaper's name).
RULE_VETO = 0.005
# Its own name replaces a rule's it scores below DOUBT when it is OVERRIDE sure: out of fold,
# one more right name on h161-h240 and on h281-h320, none lost on h241-h280.
OVERRIDE = 0.7
DOUBT = 0.1
MIN_EXAMPLES = 3  # a feature seen in fewer phrases than this is not learned


@dataclass(frozen=True)
class Example:
    """One fixture's phrases, with which of them (if any) is the project's name."""

    name: str
    group: str
    gold: str | None
    found: dict[str, Candidate]


def group_of(name: str) -> str:
    """The set a fixture was written in: ten held-out fixtures at a time, or the tuning set."""
    match = re.match(r"h(\d+)_", name)
    return "tuning" if match is None else f"h{(int(match.group(1)) - 1) // 10 * 10 + 1}"


def examples(interviews: Sequence[Interview]) -> list[Example]:
    out = []
    for interview in interviews:
        if not interview.title:
            continue
        headline = draft_headline(
            interview.script,
            interview.answers,
            language=interview.language,
            contributor_name=interview.contributor_name,
        )
        gold = interview.title.get("name")
        out.append(
            Example(
                interview.name,
                group_of(interview.name),
                name_key(str(gold)) if gold else None,
                headline.name_candidates(),
            )
        )
    return out


def fit(train: Sequence[Example], c: float = C) -> NameModel:
    """A logistic regression over every phrase of ``train``, names weighted up to balance."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import minimize

    seen: dict[str, int] = {}
    for example in train:
        for candidate in example.found.values():
            for feature in candidate.features:
                seen[feature] = seen.get(feature, 0) + 1
    vocabulary = {
        f: i for i, f in enumerate(sorted(f for f, n in seen.items() if n >= MIN_EXAMPLES))
    }
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    labels: list[float] = []
    for example in train:
        for key, candidate in example.found.items():
            for feature, value in candidate.features.items():
                if feature in vocabulary:
                    rows.append(len(labels))
                    cols.append(vocabulary[feature])
                    values.append(value)
            labels.append(1.0 if key == example.gold else 0.0)
    y = np.array(labels)
    x = sparse.csr_matrix((values, (rows, cols)), shape=(len(y), len(vocabulary) + 1)).tolil()
    x[:, len(vocabulary)] = 1.0  # the bias, not penalised
    x = x.tocsr()
    balance = np.where(y > 0, ((len(y) - y.sum()) / max(y.sum(), 1.0)) ** 0.5, 1.0)
    penalised = np.r_[np.ones(len(vocabulary)), 0.0]

    def loss(w: Any) -> tuple[float, Any]:
        z = x @ w
        value = balance @ (np.logaddexp(0.0, z) - y * z) + 0.5 / c * (penalised * w) @ w
        gradient = x.T @ (balance * (1.0 / (1.0 + np.exp(-z)) - y)) + penalised * w / c
        return float(value), gradient

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    weights = {f: float(w[i]) for f, i in vocabulary.items()}
    return NameModel(weights, float(w[-1]), THRESHOLD, RULE_VETO, OVERRIDE, DOUBT)


@dataclass
class Tally:
    named: int = 0
    named_right: int = 0
    named_wrong: int = 0
    unnamed: int = 0
    unnamed_named: int = 0

    def add(self, example: Example, model: NameModel) -> None:
        best = model.best(example.found)
        confident = best is not None and best[1] >= model.threshold
        picked = name_key(best[0].text) if best is not None and confident else None
        if example.gold:
            self.named += 1
            self.named_right += picked == example.gold
            self.named_wrong += picked is not None and picked != example.gold
        else:
            self.unnamed += 1
            self.unnamed_named += picked is not None

    def line(self) -> str:
        return (
            f"names found {self.named_right}/{self.named} (wrong name {self.named_wrong}), "
            f"a name given where there is none {self.unnamed_named}/{self.unnamed}"
        )


def check(all_examples: Sequence[Example]) -> None:
    """Leave one set out: each set named by a model that never saw it."""
    groups = sorted({e.group for e in all_examples}, key=lambda g: (g != "tuning", len(g), g))
    total, recent = Tally(), Tally()
    for group in groups:
        model = fit([e for e in all_examples if e.group != group])
        tally = Tally()
        for example in all_examples:
            if example.group == group:
                tally.add(example, model)
                total.add(example, model)
                if group != "tuning" and int(group[1:]) >= 161:
                    recent.add(example, model)
        print(f"  {group:>7}: {tally.line()}")
    print(f"  all sets, each left out: {total.line()}")
    print(f"  h161 on (the rules, first run on h161-h240: names 17/48), left out: {recent.line()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="the check alone; write nothing")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    all_examples = examples([*all_interviews(), *held_out_interviews()])
    phrases = sum(len(e.found) for e in all_examples)
    print(f"{len(all_examples)} fixtures, {phrases} phrases, threshold {THRESHOLD}, C {C}")
    check(all_examples)
    if not args.check:
        model = fit(all_examples)
        MODEL_PATH.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH} ({len(model.weights)} weights)")
    print(f"in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
