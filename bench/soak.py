"""Soak: ``copro-bot run`` killed with SIGKILL at random moments while contributors answer.

The crash-and-fault tests (``tests/e2e/test_crash_and_faults.py``) with larger counts: by
default 20 chats, 60 kills, a spell of 500s, one of 429s, one of 2-second answers, one chat
blocked for a while, and 1,000 duplicate deliveries. Prints answers typed / stored / lost /
doubled, chats stuck, messages sent twice and the sender's retries, per phase and in total.

    python -m bench.soak                 # SQLite, the defaults
    python -m bench.soak --kills 100 --database postgresql://postgres@127.0.0.1/soak
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.crash_harness import Figures, Plan, run_plan
from tests.e2e.fake_bot_api import Faults


def phases(chats: int, kills: int, duplicates: int) -> list[tuple[str, Plan]]:
    """Kills spread over several rounds of ``chats`` interviews, faults in some of them."""
    per_round = 12
    rounds = max(1, -(-kills // per_round))
    plans: list[tuple[str, Plan]] = []
    for n in range(rounds):
        these = min(per_round, kills - n * per_round)
        faults: Faults | None = None
        name = "kills"
        blocked = 0.0
        if n % 4 == 1:
            faults, name = Faults(error_rate=0.3, status=500, seed=n), "kills + 500s"
        elif n % 4 == 2:
            faults, name = Faults(error_rate=0.3, status=429, retry_after=1, seed=n), "kills + 429s"
            blocked = 5.0
            name += " + a blocked chat"
        elif n % 4 == 3:
            faults, name = Faults(delay=2.0), "kills + 2 s answers"
        plans.append(
            (
                f"round {n + 1}: {name}",
                Plan(
                    contributors=chats,
                    kills=these,
                    kill_gap=(0.3, 2.5),
                    think=(0.3, 2.5),
                    faults=faults,
                    fault_seconds=6.0 if faults else 0.0,
                    blocked_chat_seconds=blocked,
                    duplicates=duplicates // rounds,
                    seed=100 + n,
                    deadline=150.0,
                    first_user_id=7000 + 100 * n,
                ),
            )
        )
    return plans


def add(total: Figures, part: Figures) -> None:
    for name in (
        "contributors",
        "kills",
        "answers_typed",
        "answers_stored",
        "answers_lost",
        "answers_doubled",
        "chats_stuck",
        "sent_twice",
        "sender_retries",
        "refused_calls",
        "duplicates_delivered",
        "outbox_owed",
        "outbox_failed",
    ):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.max_copies = max(total.max_copies, part.max_copies)
    total.stuck += part.stuck


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--duplicates", type=int, default=1000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    started = time.monotonic()
    total = Figures()
    with tempfile.TemporaryDirectory() as folder:
        for number, (name, plan) in enumerate(phases(args.chats, args.kills, args.duplicates)):
            workdir = Path(folder) / f"round{number}"
            workdir.mkdir()
            # On PostgreSQL the rounds share the database; their contributors differ.
            figures = await run_plan(plan, workdir, args.database)
            print(f"== {name}")
            print("\n".join("   " + line for line in figures.lines()))
            for line in figures.stuck:
                print("   !", line)
            sys.stdout.flush()
            add(total, figures)
    total.seconds = time.monotonic() - started
    print("== total")
    print("\n".join("   " + line for line in total.lines()))
    print("OK: nothing lost, doubled or stuck" if total.ok else "NOT OK")
    return 0 if total.ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
