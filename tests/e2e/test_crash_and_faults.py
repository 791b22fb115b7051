"""Nothing the bot owes anyone is lost: ``copro-bot run`` as a real process, killed with
SIGKILL at random moments and restarted, while 20 contributors take the interview; then the
Bot API misbehaving (429s, 500s, slow answers, one chat blocked for a while); then Telegram
delivering updates again. Each time: every answer typed is stored once, none is applied
twice, every contributor got the question after their last answer (and finished), and the
outbox owes nothing. ``bench/soak.py`` runs the same with larger counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.crash_harness import Plan, run_plan
from tests.e2e.fake_bot_api import Faults

pytestmark = pytest.mark.bot_errors_expected


async def test_twenty_contributors_lose_nothing_over_ten_random_kills(tmp_path: Path) -> None:
    figures = await run_plan(Plan(contributors=20, kills=10, seed=10), tmp_path)
    assert figures.kills == 10
    assert figures.answers_typed == 20 * 6
    assert (figures.answers_stored, figures.answers_lost, figures.answers_doubled) == (120, 0, 0)
    assert (figures.chats_stuck, figures.outbox_owed, figures.outbox_failed) == (0, 0, 0)
    # A kill between Telegram accepting a message and the row being marked sent may send it
    # twice (every chat's send in flight at that moment): never a third time.
    assert figures.max_copies <= 2


async def test_429s_500s_slow_answers_and_a_blocked_chat_lose_nothing(tmp_path: Path) -> None:
    plans = [
        Plan(
            contributors=10,
            kills=2,
            faults=Faults(error_rate=0.3, status=429, retry_after=1, seed=1),
            fault_seconds=4,
            seed=21,
        ),
        Plan(
            contributors=10,
            kills=2,
            faults=Faults(error_rate=0.5, status=500, seed=2),
            fault_seconds=4,
            blocked_chat_seconds=4,
            seed=22,
        ),
        Plan(contributors=10, kills=1, faults=Faults(delay=2.0), fault_seconds=4, seed=23),
    ]
    for number, plan in enumerate(plans):
        workdir = tmp_path / f"plan{number}"
        workdir.mkdir()
        figures = await run_plan(plan, workdir)
        assert figures.refused_calls > 0 or plan.faults is None or plan.faults.delay > 0
        assert (figures.answers_lost, figures.answers_doubled, figures.chats_stuck) == (0, 0, 0), (
            figures.lines(),
            figures.stuck,
        )
        assert (figures.outbox_owed, figures.outbox_failed) == (0, 0)
        assert figures.max_copies <= 2
        assert figures.sender_retries > 0  # the faults were met, and outlasted


async def test_a_thousand_duplicate_deliveries_are_applied_once(tmp_path: Path) -> None:
    figures = await run_plan(
        Plan(contributors=20, kills=2, duplicates=1000, think=(0.5, 2.5), seed=30), tmp_path
    )
    assert figures.duplicates_delivered >= 1000
    assert (figures.answers_lost, figures.answers_doubled, figures.chats_stuck) == (0, 0, 0), (
        figures.lines(),
        figures.stuck,
    )
    assert (figures.outbox_owed, figures.outbox_failed) == (0, 0)
    assert figures.max_copies <= 2
