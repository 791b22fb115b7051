"""Processed update ids: a redelivered update is claimed once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_an_update_id_is_claimed_only_once(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        first = await uow.updates.claim(7, NOW)
        second = await uow.updates.claim(7, NOW)
        await uow.commit()

    assert (first, second) == (True, False)


async def test_a_claim_rolled_back_is_forgotten(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(8, NOW)
    async with UnitOfWork(database) as uow:
        seen = await uow.updates.seen(8)

    assert seen is False


async def test_concurrent_claims_of_one_update_id_let_one_through(database: Database) -> None:
    async def claim() -> bool:
        async with UnitOfWork(database) as uow:
            claimed = await uow.updates.claim(9, NOW)
            await asyncio.sleep(0.05)
            await uow.commit()
            return claimed

    results = await asyncio.gather(*(claim() for _ in range(5)))

    assert sorted(results) == [False, False, False, False, True]


async def test_prune_forgets_old_update_ids_only(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(1, NOW - timedelta(days=3))
        await uow.updates.claim(2, NOW)
        await uow.updates.record_outcome(2, "answered")
        pruned = await uow.updates.prune(NOW - timedelta(days=1))
        await uow.commit()
    async with UnitOfWork(database) as uow:
        seen = (await uow.updates.seen(1), await uow.updates.seen(2))

    assert (pruned, seen) == (1, (False, True))
