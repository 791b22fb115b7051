"""Processed Telegram updates: claim an ``update_id`` first, so a redelivery applies once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import ProcessedUpdate


class SqlUpdates:
    """Processed update ids; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record ``update_id``; ``False`` when it was already recorded.

        Done first in the update's transaction: a concurrent delivery of the same id waits
        on the primary key until this transaction ends, then finds it taken (or, if this
        one rolled back, claims it itself).
        """
        table = ProcessedUpdate.__table__
        statement = (
            dialect_insert(self._session, table)
            .values(update_id=update_id, processed_at=now)
            .on_conflict_do_nothing(index_elements=[table.c.update_id])
            .returning(table.c.update_id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def seen(self, update_id: int) -> bool:
        statement = select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def record_outcome(self, update_id: int, outcome: str) -> None:
        await self._session.execute(
            update(ProcessedUpdate)
            .where(ProcessedUpdate.update_id == update_id)
            .values(outcome=outcome)
        )

    async def prune(self, before: datetime) -> int:
        """Forget ids processed before ``before`` (Telegram stops redelivering after a day)."""
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
