"""Three ``copro-bot run --webhook`` workers on one PostgreSQL, updates delivered round-robin
(and again to another worker when one does not answer), one worker killed with SIGKILL and
restarted twice while 50 contributors take the interview. Nothing a contributor or the staff
would notice may go wrong, and Telegram's limits hold over the three workers together.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import normalise_url
from tests.conftest import TEST_DATABASE_URL, _on_server
from tests.e2e.crash_harness import ANSWERS_PER_INTERVIEW
from tests.e2e.workers_harness import run_workers

pytestmark = pytest.mark.bot_errors_expected


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """An empty PostgreSQL database of its own; skipped without ``TEST_DATABASE_URL``."""
    if not TEST_DATABASE_URL:
        pytest.skip("several workers need PostgreSQL: TEST_DATABASE_URL is not set")
    name = f"copro_workers_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    await _on_server(f'CREATE DATABASE "{name}"')
    url = normalise_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url  # empty: the three workers starting at once migrate it, under the lock
    finally:
        await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_three_webhook_workers_lose_nothing_and_keep_telegrams_limits(
    postgres_url: str, tmp_path: Path
) -> None:
    result = await run_workers(tmp_path, postgres_url, workers=3, contributors=50, kills=2)
    report = "\n".join(result.lines())
    figures = result.figures
    assert figures.kills == 2, report
    # Any update may reach any worker: each of the three answered its share.
    assert all(count >= 20 for count in result.handled_by_worker), report
    answers = 50 * ANSWERS_PER_INTERVIEW
    assert figures.answers_typed == answers, report
    assert (figures.answers_stored, figures.answers_lost, figures.answers_doubled) == (
        answers,
        0,
        0,
    ), report
    # Every contributor got each next question and finished.
    assert figures.chats_stuck == 0, report
    assert figures.outbox_failed == 0, report
    # Only the staff group may still be owed (20 a minute); nothing to a contributor.
    assert figures.outbox_owed == result.staff_owed, report
    # One digest period came due: sent once, whichever of the five starts saw it first.
    assert result.digests_to_staff == 1, report
    # A copy only where a kill fell between Telegram accepting a message and its mark.
    assert result.duplicates_outside_crash == 0, report
    assert figures.max_copies <= 2, report
    limits = result.limits
    assert limits.most_in_one_second <= 30, report
    assert limits.private_over_bucket == 0, report
    assert limits.most_to_group_in_a_minute <= 20, report
    assert result.exit_codes == [0, 0, 0], report
