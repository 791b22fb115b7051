"""Updates on their way in, one short transaction each, for the adapters: was this update
processed already, record one handled outside the interview service, park one that could
not be parsed or handled, and prune old ids (see :mod:`storage.updates`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.uow import UnitOfWork
from storage.updates import DEDUPE_WINDOW, ParkedRecord


async def already_processed(
    database: Database, update_id: int, fingerprint: str | None, now: datetime
) -> bool:
    # A read: on SQLite it does not queue for the write lock behind other chats' updates.
    async with UnitOfWork(database, read_only=True) as uow:
        return await uow.updates.seen(update_id, fingerprint, now=now)


@dataclass(frozen=True)
class BatchLookup:
    """What a batch of updates needs to know before it is handled, read at once."""

    processed: set[int]
    """Ids of the batch already processed (same content, within the window)."""
    staff: set[int]
    """Senders of the batch who are staff added in chat."""


async def look_up_batch(
    database: Database,
    updates: Iterable[tuple[int, str | None]],
    senders: Iterable[int],
    now: datetime,
) -> BatchLookup:
    """Which ``(update_id, fingerprint)`` pairs were processed already and which senders are
    staff: one read for a whole batch instead of transactions per update."""
    async with UnitOfWork(database, read_only=True) as uow:
        processed = await uow.updates.seen_among(updates, now)
        staff = await uow.staff.members_among(senders)
    return BatchLookup(processed, staff)


async def mark_processed(
    database: Database, update_id: int, fingerprint: str | None, now: datetime, outcome: str
) -> None:
    """Record an update handled outside the interview service (staff, admin, commands), or
    parked; an id the interview service already recorded keeps its own outcome."""
    async with UnitOfWork(database) as uow:
        if await uow.updates.claim(update_id, now, fingerprint):
            await uow.updates.record_outcome(update_id, outcome)
        await uow.commit()


async def park_update(
    database: Database, update_id: int | None, error: str, raw: str, now: datetime
) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.park(update_id, error, raw, now)
        await uow.commit()


async def forget_old_updates(database: Database, now: datetime) -> int:
    """Prune processed ids older than the dedupe window (run on a schedule)."""
    async with UnitOfWork(database) as uow:
        pruned = await uow.updates.prune(now - DEDUPE_WINDOW)
        await uow.commit()
    return pruned


async def parked_updates(database: Database, limit: int = 100) -> list[ParkedRecord]:
    async with UnitOfWork(database) as uow:
        return await uow.updates.parked(limit)


async def parked_count(database: Database) -> int:
    async with UnitOfWork(database) as uow:
        return await uow.updates.parked_count()
