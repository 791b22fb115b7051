"""Telegram updates on their way in: claim an ``update_id`` first, so a redelivery applies
once; park what cannot be parsed or handled, so it never blocks what comes after it.

Update ids are not trusted as unique for ever: Telegram starts a new sequence after a week
without updates, and a database may be moved to another bot. An id counts as seen only
with the same content (its fingerprint) and within :data:`DEDUPE_WINDOW`, far longer than
Telegram's 24 hours of redelivery; older ids are pruned on a schedule. A recorded
fingerprint of another length than the one in hand was made by an earlier release from other
bytes, so it cannot be compared: the id alone decides then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import CoreStatements, per_dialect
from storage.models import ParkedUpdate, ProcessedUpdate

DEDUPE_WINDOW = timedelta(days=7)
ERROR_LIMIT = 500

_SEEN_AMONG = select(
    ProcessedUpdate.update_id, ProcessedUpdate.processed_at, ProcessedUpdate.fingerprint
).where(ProcessedUpdate.update_id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True)
class ParkedRecord:
    """An update kept for the operator: its id (if it had one), why, and its raw JSON."""

    id: int
    update_id: int | None
    error: str
    raw: str
    received_at: datetime


class SqlUpdates:
    """Processed update ids and parked updates; never commits."""

    def __init__(self, session: AsyncSession, core: CoreStatements | None = None) -> None:
        self._session = session
        self._core = core or CoreStatements(session)

    async def claim(self, update_id: int, now: datetime, fingerprint: str | None = None) -> bool:
        """Record ``update_id``; ``False`` when it was already recorded (a redelivery).

        Done first in the update's transaction: a concurrent delivery of the same id waits
        on the primary key until this transaction ends, then finds it taken (or, if this
        one rolled back, claims it itself). A recorded id with other content, or recorded
        before the window, is another update that happens to reuse the id: it is claimed anew.
        """
        statements = _CLAIM if fingerprint is not None else _CLAIM_UNKNOWN
        result = await self._core.execute(
            statements[self._core.dialect],
            {
                "claimed_id": update_id,
                "claimed_at": now,
                "content": fingerprint,
                "content_length": len(fingerprint or ""),
                "window_start": now - DEDUPE_WINDOW,
            },
        )
        return result.scalar_one_or_none() is not None

    async def seen(
        self, update_id: int, fingerprint: str | None = None, *, now: datetime | None = None
    ) -> bool:
        """Whether this update (same id, same content, within the window) was processed."""
        statement = select(ProcessedUpdate.processed_at, ProcessedUpdate.fingerprint).where(
            ProcessedUpdate.update_id == update_id
        )
        row = (await self._session.execute(statement)).one_or_none()
        if row is None:
            return False
        processed_at, known = row
        return _same(processed_at, known, fingerprint, now)

    async def seen_among(
        self, updates: Iterable[tuple[int, str | None]], now: datetime
    ) -> set[int]:
        """The ids among ``(update_id, fingerprint)`` pairs that :meth:`seen` would call
        processed, in one statement (a whole ``getUpdates`` batch at once)."""
        wanted = dict(updates)
        if not wanted:
            return set()
        result = await self._session.execute(_SEEN_AMONG, {"ids": list(wanted)})
        return {
            update_id
            for update_id, processed_at, known in result
            if _same(processed_at, known, wanted[update_id], now)
        }

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

    async def park(self, update_id: int | None, error: str, raw: str, now: datetime) -> None:
        self._session.add(
            ParkedUpdate(update_id=update_id, error=error[:ERROR_LIMIT], raw=raw, received_at=now)
        )

    async def parked(self, limit: int = 100) -> list[ParkedRecord]:
        """The newest parked updates first."""
        statement = select(ParkedUpdate).order_by(ParkedUpdate.id.desc()).limit(limit)
        rows = (await self._session.execute(statement)).scalars().all()
        return [
            ParkedRecord(row.id, row.update_id, row.error, row.raw, row.received_at) for row in rows
        ]

    async def parked_count(self) -> int:
        return int(
            (await self._session.execute(select(func.count()).select_from(ParkedUpdate))).scalar()
            or 0
        )


def _same(
    processed_at: datetime, known: str | None, fingerprint: str | None, now: datetime | None
) -> bool:
    """Whether a recorded id (processed then, with ``known`` content) is this update."""
    if now is not None and processed_at < now - DEDUPE_WINDOW:
        return False
    if fingerprint is None or known is None or len(known) != len(fingerprint):
        return True
    return known == fingerprint


def _claim(insert: Callable[[Any], Any], *, known: bool) -> Any:
    """``claim``'s statement, built once (see :func:`storage.database.per_dialect`): insert
    the id, or take over a row that belongs to an earlier update that used the same id."""
    table = ProcessedUpdate.__table__
    columns = table.c
    statement = insert(table).values(
        update_id=bindparam("claimed_id"),
        processed_at=bindparam("claimed_at"),
        fingerprint=bindparam("content"),
        outcome=None,
    )
    reused: ColumnElement[bool] = columns.processed_at < bindparam("window_start")
    if known:
        other_content = and_(
            columns.fingerprint.is_not(None),
            func.length(columns.fingerprint) == bindparam("content_length"),
            columns.fingerprint != bindparam("content"),
        )
        reused = or_(reused, other_content)
    return statement.on_conflict_do_update(
        index_elements=[columns.update_id],
        set_={
            "processed_at": statement.excluded.processed_at,
            "fingerprint": statement.excluded.fingerprint,
            "outcome": None,
        },
        where=reused,
    ).returning(columns.update_id)


_CLAIM = per_dialect(lambda insert: _claim(insert, known=True))
_CLAIM_UNKNOWN = per_dialect(lambda insert: _claim(insert, known=False))
