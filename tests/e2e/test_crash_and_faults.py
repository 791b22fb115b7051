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

from tests.e2e.crash_harness import ANSWERS_PER_INTERVIEW, Plan, run_plan
from tests.e2e.fake_bot_api import Faults

pytestmark = pytest.mark.bot_errors_expected


async def test_twenty_contributors_lose_nothing_over_ten_random_kills(tmp_path: Path) -> None:
    figures = await run_plan(
        Plan(contributors=20, kills=10, kill_gap=(0.3, 1.5), think=(0.2, 1.2), seed=10), tmp_path
    )
    assert figures.kills == 10
    answers = 20 * ANSWERS_PER_INTERVIEW
    assert figures.answers_typed == answers
    assert (figures.answers_stored, figures.answers_lost, figures.answers_doubled) == (
        answers,
        0,
        0,
    )
    assert (figures.chats_stuck, figures.outbox_owed, figures.outbox_failed) == (0, 0, 0)
    # A kill between Telegram accepting a message and the row being marked sent may send it
    # again after the restart: at most the one message each chat had in flight then.
    assert figures.sent_twice <= figures.kills * figures.contributors


async def test_429s_500s_slow_answers_and_a_blocked_chat_lose_nothing(tmp_path: Path) -> None:
    plans = [
        Plan(
            contributors=8,
            kills=1,
            faults=Faults(error_rate=0.4, status=429, retry_after=1, seed=1),
            fault_seconds=3,
            seed=21,
        ),
        Plan(
            contributors=8,
            kills=1,
            faults=Faults(error_rate=0.5, status=500, delay=2.0, seed=2),
            fault_seconds=4,
            blocked_chat_seconds=4,
            seed=22,
        ),
    ]
    for number, plan in enumerate(plans):
        workdir = tmp_path / f"plan{number}"
        workdir.mkdir()
        figures = await run_plan(plan, workdir)
        if plan.faults is not None and plan.faults.error_rate > 0:
            assert figures.refused_calls > 0  # the faults were met, and outlasted
        assert (figures.answers_lost, figures.answers_doubled, figures.chats_stuck) == (0, 0, 0), (
            figures.lines(),
            figures.stuck,
        )
        assert (figures.outbox_owed, figures.outbox_failed) == (0, 0)
        assert figures.sent_twice <= (figures.kills + 1) * figures.contributors


async def test_a_thousand_duplicate_deliveries_are_applied_once(tmp_path: Path) -> None:
    figures = await run_plan(
        Plan(contributors=20, kills=1, duplicates=1000, think=(0.3, 1.5), seed=30), tmp_path
    )
    assert figures.duplicates_delivered >= 1000
    assert (figures.answers_lost, figures.answers_doubled, figures.chats_stuck) == (0, 0, 0), (
        figures.lines(),
        figures.stuck,
    )
    assert (figures.outbox_owed, figures.outbox_failed) == (0, 0)
    assert figures.sent_twice <= figures.kills * figures.contributors
