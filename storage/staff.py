"""Staff added in chat by an admin. Staff named in ``STAFF_USER_IDS`` are not stored: the
settings are their source of truth, so removing them there is enough."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import StaffMember

_MEMBERS_AMONG = select(StaffMember.user_id).where(
    StaffMember.user_id.in_(bindparam("ids", expanding=True))
)


@dataclass(frozen=True)
class StaffRecord:
    user_id: int
    display_name: str
    added_by: int
    added_at: datetime


class SqlStaff:
    """Staff-member rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user_id: int, display_name: str, added_by: int, now: datetime) -> bool:
        """Add a staff member; ``False`` when they already were one."""
        result = await self._session.execute(
            dialect_insert(self._session, StaffMember)
            .values(user_id=user_id, display_name=display_name, added_by=added_by, added_at=now)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        return bool(getattr(result, "rowcount", 0))

    async def remove(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(StaffMember).where(StaffMember.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def is_member(self, user_id: int) -> bool:
        row = await self._session.execute(
            select(StaffMember.user_id).where(StaffMember.user_id == user_id)
        )
        return row.scalar_one_or_none() is not None

    async def members_among(self, user_ids: Iterable[int]) -> set[int]:
        """The staff members among ``user_ids``, in one statement (a whole batch's senders)."""
        ids = list(set(user_ids))
        if not ids:
            return set()
        return set((await self._session.execute(_MEMBERS_AMONG, {"ids": ids})).scalars())

    async def all(self) -> list[StaffRecord]:
        rows = await self._session.execute(select(StaffMember).order_by(StaffMember.added_at))
        return [
            StaffRecord(r.user_id, r.display_name, r.added_by, r.added_at)
            for r in rows.scalars().all()
        ]
