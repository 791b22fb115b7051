"""Staff prompts: what a staff member's next message in a chat is for (a field's new text,
a note, a question for a contributor). One per staff member; a new one replaces the old.

In the database rather than in memory so that a prompt begun on one worker is finished on
another, and ``version`` remembers which draft version the staff member was looking at, so
their edit can be checked against changes made meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import StaffPrompt

PromptKind = Literal["edit", "note", "ask"]


@dataclass(frozen=True)
class PromptRecord:
    user_id: int
    chat_id: int
    kind: PromptKind
    draft_id: int
    field: str | None
    version: int
    created_at: datetime


def _record(row: StaffPrompt) -> PromptRecord:
    kind: PromptKind = row.kind  # type: ignore[assignment]  # a CHECK constraint
    return PromptRecord(
        user_id=row.user_id,
        chat_id=row.chat_id,
        kind=kind,
        draft_id=row.draft_id,
        field=row.field,
        version=row.version,
        created_at=row.created_at,
    )


class SqlStaffPrompts:
    """Staff-prompt rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, prompt: PromptRecord) -> None:
        """Record ``prompt``, replacing the staff member's earlier one."""
        values = {
            "user_id": prompt.user_id,
            "chat_id": prompt.chat_id,
            "kind": prompt.kind,
            "draft_id": prompt.draft_id,
            "field": prompt.field,
            "version": prompt.version,
            "created_at": prompt.created_at,
        }
        statement = dialect_insert(self._session, StaffPrompt).values(**values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                set_={k: v for k, v in values.items() if k != "user_id"},
            )
        )

    async def get(self, user_id: int, *, lock: bool = False) -> PromptRecord | None:
        statement = select(StaffPrompt).where(StaffPrompt.user_id == user_id)
        if lock:
            statement = statement.with_for_update()
        row = (
            await self._session.execute(statement.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        return _record(row) if row is not None else None

    async def clear(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(StaffPrompt).where(StaffPrompt.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))
