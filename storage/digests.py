"""Digest periods and what a digest says.

A period is claimed by inserting its unique key (``INSERT ... ON CONFLICT DO NOTHING``): of
several processes computing the same due period, exactly one gets the row and sends the
digest. A claim that was never marked sent (the process died mid-send) may be taken over
once its lease has run out, so a crash delays a digest instead of losing it.

A digest lists the drafts created since the previous digest ended, so a period missed
during downtime is folded into the next one sent and no draft falls between two digests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.digest import (
    MAX_IN_FULL,
    WAITING_AFTER,
    WAITING_STATUSES,
    DigestData,
    DigestDraft,
    DigestFollowUp,
)
from conversations.drafting import DraftRecord
from conversations.schedule import DigestPeriod
from conversations.state import Status
from conversations.workflow import DraftStatus
from storage.database import Database, dialect_insert
from storage.drafts import SqlDrafts
from storage.models import DigestRun, Draft, FollowUp, Interview
from storage.outbox import OutboxMessage, SqlOutbox

CLAIM_LEASE = timedelta(minutes=15)
AWAITING_ANSWER = ("pending", "delivered")


@dataclass(frozen=True)
class DigestRunInfo:
    key: str
    start: datetime
    end: datetime
    claimed_at: datetime
    sent_at: datetime | None
    draft_count: int


def _run(row: DigestRun) -> DigestRunInfo:
    return DigestRunInfo(
        key=row.period_key,
        start=row.period_start,
        end=row.period_end,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        draft_count=row.draft_count,
    )


# What a digest lists of a draft: its row without the body, which is read (and parsed) only
# for the drafts the digest shows in full.
_LISTED = (
    Draft.id,
    Draft.reference,
    Draft.status,
    Draft.title,
    Draft.created_at,
    Draft.status_changed_at,
    Interview.language,
)


def _digest_draft(row: Any, records: dict[int, DraftRecord]) -> DigestDraft:
    return DigestDraft(
        id=row.id,
        reference=row.reference,
        status=DraftStatus(row.status),
        record=records.get(row.id),
        created_at=row.created_at,
        status_changed_at=row.status_changed_at,
        language=row.language or "en",
        headline=row.title or "",
    )


class SqlDigests:
    """Digest-run rows and the queries a digest is made of; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> DigestRunInfo | None:
        row = (
            await self._session.execute(
                select(DigestRun)
                .where(DigestRun.period_key == key)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        return _run(row) if row is not None else None

    async def runs(self) -> list[DigestRunInfo]:
        rows = await self._session.execute(
            select(DigestRun).order_by(DigestRun.period_end, DigestRun.id)
        )
        return [_run(row) for row in rows.scalars()]

    async def last_end(self) -> datetime | None:
        """Where the latest claimed digest ended: the next one starts there."""
        value: datetime | None = (
            await self._session.execute(select(func.max(DigestRun.period_end)))
        ).scalar()
        return value

    async def start_for(self, period: DigestPeriod) -> datetime:
        """The start of ``period``'s digest: the end of the previous one, else its own."""
        start = await self.last_end() or period.start
        return min(start, period.end)

    async def claim(
        self, period: DigestPeriod, now: datetime, *, lease: timedelta = CLAIM_LEASE
    ) -> DigestRunInfo | None:
        """Take ``period`` for sending; None when another process has (or had) it."""
        start = await self.start_for(period)
        table = DigestRun.__table__
        inserted = (
            await self._session.execute(
                dialect_insert(self._session, table)
                .values(
                    period_key=period.key,
                    period_start=start,
                    period_end=period.end,
                    claimed_at=now,
                    draft_count=0,
                )
                .on_conflict_do_nothing(index_elements=[table.c.period_key])
                .returning(table.c.id)
            )
        ).first()
        if inserted is None:
            taken = await self._session.execute(
                update(DigestRun)
                .where(
                    DigestRun.period_key == period.key,
                    DigestRun.sent_at.is_(None),
                    DigestRun.claimed_at < now - lease,
                )
                .values(claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(taken, "rowcount", 0) != 1:
                return None
        return await self.get(period.key)

    async def mark_sent(self, key: str, draft_count: int, now: datetime) -> None:
        await self._session.execute(
            update(DigestRun)
            .where(DigestRun.period_key == key)
            .values(sent_at=now, draft_count=draft_count)
            .execution_options(synchronize_session=False)
        )

    async def release(self, key: str) -> None:
        """Give up a claim whose digest could not be sent, so the next attempt retries."""
        await self._session.execute(
            delete(DigestRun).where(DigestRun.period_key == key, DigestRun.sent_at.is_(None))
        )

    async def gather(self, start: datetime, end: datetime, now: datetime) -> DigestData:
        """What the digest of ``[start, end)`` says, as of ``now``."""
        listed = select(*_LISTED).join(Interview, Interview.id == Draft.interview_id)
        new = (
            await self._session.execute(
                listed.where(Draft.created_at >= start, Draft.created_at < end).order_by(
                    Draft.created_at, Draft.id
                )
            )
        ).all()
        waiting = (
            await self._session.execute(
                listed.where(
                    Draft.status.in_([s.value for s in WAITING_STATUSES]),
                    Draft.status_changed_at < now - WAITING_AFTER,
                ).order_by(Draft.status_changed_at, Draft.id)
            )
        ).all()
        in_full = [row.id for row in new[:MAX_IN_FULL]]
        records = {
            int(draft_id): DraftRecord.from_json(body)
            for draft_id, body in (
                await self._session.execute(
                    select(Draft.id, Draft.body).where(Draft.id.in_(in_full))
                )
            ).all()
        }
        follow_ups = await self._session.execute(
            select(FollowUp, Draft.reference)
            .join(Draft, Draft.id == FollowUp.draft_id)
            .where(FollowUp.status.in_(AWAITING_ANSWER))
            .order_by(FollowUp.created_at, FollowUp.id)
        )
        in_progress = (
            await self._session.execute(
                select(func.count())
                .select_from(Interview)
                .where(Interview.status == Status.ACTIVE.value, Interview.state.is_not(None))
            )
        ).scalar_one()
        return DigestData(
            start=start,
            end=end,
            now=now,
            new_drafts=tuple(_digest_draft(row, records) for row in new),
            counts=await SqlDrafts(self._session).count_by_status(),
            waiting=tuple(_digest_draft(row, {}) for row in waiting),
            follow_ups=tuple(
                DigestFollowUp(
                    draft_id=row.draft_id,
                    reference=reference,
                    question=row.question,
                    asked_by=row.asked_by_name,
                    asked_at=row.created_at,
                )
                for row, reference in follow_ups.all()
            ),
            interviews_in_progress=int(in_progress),
        )


# --- use cases: one transaction each --------------------------------------------------------


async def claim_digest(
    database: Database, period: DigestPeriod, now: datetime, *, lease: timedelta = CLAIM_LEASE
) -> DigestRunInfo | None:
    """Claim ``period`` and commit, so no other process sends it; None if taken."""
    async with database.session() as session, session.begin():
        return await SqlDigests(session).claim(period, now, lease=lease)


async def claim_and_owe_digest(
    database: Database,
    period: DigestPeriod,
    now: datetime,
    compose: Callable[[DigestData], Sequence[OutboxMessage]],
    *,
    lease: timedelta = CLAIM_LEASE,
) -> DigestData | None:
    """Claim ``period``, gather its digest and owe its messages in ONE transaction, marked
    sent as it commits: the outbox delivers it whole, so a digest is owed entirely or not
    at all. None when another process has it (a claim never marked sent, left by an older
    process, is taken over once its lease ran out)."""
    async with database.session() as session, session.begin():
        digests = SqlDigests(session)
        run = await digests.claim(period, now, lease=lease)
        if run is None:
            return None
        data = await digests.gather(run.start, run.end, now)
        await SqlOutbox(session).add_all(compose(data), now)
        await digests.mark_sent(period.key, len(data.new_drafts), now)
        return data


async def gather_digest(
    database: Database, start: datetime, end: datetime, now: datetime
) -> DigestData:
    async with database.session() as session, session.begin():
        return await SqlDigests(session).gather(start, end, now)


async def mark_digest_sent(database: Database, key: str, draft_count: int, now: datetime) -> None:
    async with database.session() as session, session.begin():
        await SqlDigests(session).mark_sent(key, draft_count, now)


async def release_digest(database: Database, key: str) -> None:
    async with database.session() as session, session.begin():
        await SqlDigests(session).release(key)


async def digest_run(database: Database, key: str) -> DigestRunInfo | None:
    async with database.session() as session, session.begin():
        return await SqlDigests(session).get(key)


async def digest_start(database: Database, period: DigestPeriod) -> datetime:
    """Where ``period``'s digest would start if it were claimed now (claims nothing)."""
    async with database.session() as session, session.begin():
        return await SqlDigests(session).start_for(period)
