"""Follow-up questions: a staff member's question about a draft, for its contributor.

A question is ``pending`` until it reaches the contributor's chat (at once when they are not
in an interview, else when that interview pauses), ``delivered`` until they answer it, then
``answered`` (the reply is also stored as an answer of the interview, with provenance).
``failed`` means it could not be delivered (the contributor blocked the bot); ``cancelled``
that the contributor chose not to answer. One question is out at a time per contributor,
so a reply is never ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import Answer
from storage.models import FollowUp

FollowUpStatus = Literal["pending", "delivered", "answered", "failed", "cancelled"]
OPEN_STATUSES: tuple[FollowUpStatus, ...] = ("pending", "delivered")


@dataclass(frozen=True)
class FollowUpRecord:
    id: int
    draft_id: int
    contributor_id: int
    question: str
    asked_by: int
    asked_by_name: str
    notify_chat_id: int
    status: FollowUpStatus
    answer_question_id: str | None
    answer: Answer | None
    created_at: datetime
    delivered_at: datetime | None
    answered_at: datetime | None

    @property
    def question_id(self) -> str:
        """The question id the reply is stored under among the interview's answers: the
        gap's question it was asked for, else one of its own (``followup_<id>``)."""
        return self.answer_question_id or f"followup_{self.id}"


def _record(row: FollowUp) -> FollowUpRecord:
    status: FollowUpStatus = row.status  # type: ignore[assignment]  # a CHECK constraint
    return FollowUpRecord(
        id=row.id,
        draft_id=row.draft_id,
        contributor_id=row.contributor_id,
        question=row.question,
        asked_by=row.asked_by,
        asked_by_name=row.asked_by_name,
        notify_chat_id=row.notify_chat_id,
        status=status,
        answer_question_id=row.answer_question_id,
        answer=Answer.from_json(row.answer) if row.answer is not None else None,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        answered_at=row.answered_at,
    )


class SqlFollowUps:
    """Follow-up rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _first(self, statement: Select[Any]) -> FollowUpRecord | None:
        row = (
            await self._session.execute(statement.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        return _record(row) if row is not None else None

    async def add(
        self,
        draft_id: int,
        contributor_id: int,
        question: str,
        *,
        asked_by: int,
        asked_by_name: str,
        notify_chat_id: int,
        now: datetime,
        answer_question_id: str | None = None,
    ) -> FollowUpRecord:
        """A new pending question; ``answer_question_id`` names the interview question its
        reply adds to (a gap's question), else the reply gets a question id of its own."""
        row = FollowUp(
            draft_id=draft_id,
            contributor_id=contributor_id,
            question=question,
            asked_by=asked_by,
            asked_by_name=asked_by_name,
            notify_chat_id=notify_chat_id,
            status="pending",
            answer_question_id=answer_question_id,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def get(self, follow_up_id: int, *, lock: bool = False) -> FollowUpRecord | None:
        statement = select(FollowUp).where(FollowUp.id == follow_up_id)
        return await self._first(statement.with_for_update() if lock else statement)

    async def _oldest(
        self, contributor_id: int, status: FollowUpStatus, lock: bool
    ) -> FollowUpRecord | None:
        statement = (
            select(FollowUp)
            .where(FollowUp.contributor_id == contributor_id, FollowUp.status == status)
            .order_by(FollowUp.created_at, FollowUp.id)
            .limit(1)
        )
        return await self._first(statement.with_for_update() if lock else statement)

    async def awaiting_answer(
        self, contributor_id: int, *, lock: bool = False
    ) -> FollowUpRecord | None:
        """The question the contributor has been sent and not answered yet, if any."""
        return await self._oldest(contributor_id, "delivered", lock)

    async def next_pending(
        self, contributor_id: int, *, lock: bool = False
    ) -> FollowUpRecord | None:
        """The oldest question still waiting to be sent to the contributor."""
        return await self._oldest(contributor_id, "pending", lock)

    async def for_draft(self, draft_id: int) -> list[FollowUpRecord]:
        rows = await self._session.execute(
            select(FollowUp)
            .where(FollowUp.draft_id == draft_id)
            .order_by(FollowUp.created_at, FollowUp.id)
        )
        return [_record(row) for row in rows.scalars().all()]

    async def _set(self, follow_up_id: int, **values: object) -> None:
        await self._session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def mark_delivered(self, follow_up_id: int, now: datetime) -> None:
        await self._set(follow_up_id, status="delivered", delivered_at=now)

    async def mark_pending(self, follow_up_id: int) -> None:
        """Back to the queue (a send failed for a reason that may pass)."""
        await self._set(follow_up_id, status="pending", delivered_at=None)

    async def mark_failed(self, follow_up_id: int) -> None:
        await self._set(follow_up_id, status="failed")

    async def mark_cancelled(self, follow_up_id: int, now: datetime) -> None:
        await self._set(follow_up_id, status="cancelled", answered_at=now)

    async def mark_answered(
        self, follow_up_id: int, question_id: str, answer: Answer, now: datetime
    ) -> None:
        """Answered with ``answer`` (the reply itself), stored under ``question_id``."""
        await self._set(
            follow_up_id,
            status="answered",
            answer_question_id=question_id,
            answer=answer.to_json(),
            answered_at=now,
        )

    async def erase_for_contributor(self, contributor_id: int) -> int:
        """Delete a contributor's follow-ups (their replies with them), for /delete."""
        result = await self._session.execute(
            delete(FollowUp).where(FollowUp.contributor_id == contributor_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
