"""Train the lens's learned model and write ``conversations/lens/model.npz``.

Run ``python bench/lens_train.py`` after adding labelled snippets or retiring a batch. It
trains on the development set and the retired batches listed in
``bench/lens_quality.py:TRAINING_BATCHES`` (never a sealed one), choosing the model's
thresholds by leave-one-batch-out inside them (with the rules each batch was first
measured by, from git history), and prints what it wrote. Check the figures
with ``python bench/lens_quality.py --cross-validate`` before committing a new model.

``--from-database URL`` also trains on the staff's decisions in that database: each
confirmed lens suggestion is a positive for its tag on the quoted sentence, each rejected
one a negative for that tag only (see ``storage/lens_decisions.py``). They join the
development set, so they shape the model but not its thresholds, which are still chosen on
the retired batches alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# Training solves many small dense systems: one BLAS thread each is several times faster
# than threads fighting over a busy machine's cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lens_quality import DEVELOPMENT, TRAINING_BATCHES, first_readings, load_set, training_set

from conversations.lens import load_lens
from conversations.lens_model import MODEL_FILE, LabelledSnippet, decided_snippets, train
from storage.database import Database
from storage.lens_decisions import lens_decisions


def staff_snippets(url: str, tags: Sequence[str]) -> list[LabelledSnippet]:
    """The staff's confirmed and rejected English suggestions in the database at ``url``,
    as snippets (tags the lens no longer has are left out)."""

    async def read() -> list[LabelledSnippet]:
        database = Database.from_url(url)
        try:
            decisions = await lens_decisions(database, "en")
        finally:
            await database.dispose()
        known = set(tags)
        return decided_snippets(
            (d.question, d.quote, d.tag, d.confirmed) for d in decisions if d.tag in known
        )

    return asyncio.run(read())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    parser.add_argument(
        "--from-database",
        metavar="URL",
        help="also train on staff decisions on lens suggestions in this database",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tags = [r.key for r in load_lens().rules]
    batches = [training_set(n).items for n in TRAINING_BATCHES]
    readings = [first_readings(n, b) for n, b in zip(TRAINING_BATCHES, batches, strict=True)]
    development = load_set(DEVELOPMENT).items
    staff = staff_snippets(args.from_database, tags) if args.from_database else []
    model = train(batches, tags, always=[*development, *staff], readings=readings)
    model.save(args.out)
    snippets = len(development) + sum(len(b) for b in batches)
    print(
        f"trained on {snippets} snippets (development and batches "
        f"{', '.join(map(str, TRAINING_BATCHES))}) in {time.perf_counter() - started:.0f} s"
    )
    if args.from_database:
        decided = sum(len(s.known or ()) for s in staff)
        print(f"and on {decided} staff decisions on {len(staff)} quoted sentences")
    print(
        f"{len(model.word_vocabulary)} word and {len(model.char_vocabulary)} character features;"
        f" veto below {model.veto:.2f}, confident from {model.confident:.2f}"
    )
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
