"""Periodic jobs are claimed in the database: several processes, one run a period."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.database import Database
from storage.maintenance import claim_job
from storage.models import JobRun

NOW = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)


async def test_of_several_processes_claiming_one_period_exactly_one_wins(
    migrated_url: str,
) -> None:
    processes = [Database.from_url(migrated_url) for _ in range(4)]
    try:
        won = await asyncio.gather(
            *(
                claim_job(db, "purge", "2026-03-02T10", NOW, f"worker-{n}")
                for n, db in enumerate(processes)
            )
        )
        assert sorted(won) == [False, False, False, True]
        # The next hour is a new period; another job's period is its own.
        assert await claim_job(processes[1], "purge", "2026-03-02T11", NOW, "worker-1")
        assert await claim_job(processes[2], "prune", "2026-03-02T10", NOW, "worker-2")
    finally:
        for db in processes:
            await db.dispose()


async def test_only_the_newest_claims_of_a_job_are_kept(database: Database) -> None:
    for hour in range(5):
        moment = NOW + timedelta(hours=hour)
        assert await claim_job(database, "purge", f"{moment:%Y-%m-%dT%H}", moment, "w", keep=3)
    async with database.session() as session:
        kept = (await session.execute(select(JobRun.period).order_by(JobRun.period))).scalars()
        assert list(kept) == ["2026-03-02T12", "2026-03-02T13", "2026-03-02T14"]
