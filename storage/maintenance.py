"""Housekeeping driven by the database: reminders for unfinished interviews, the contributor's
choice to have none, and purging interviews left unfinished past the retention period.

Everything a reminder needs is in the interview row (``reminders_sent``,
``last_reminded_at``, ``updated_at`` as the last activity), so reminders survive restarts.
A reminder is claimed with a conditional ``UPDATE`` (only if the count and the last activity
are still what was read) and committed before it is sent: of several processes, one sends
it, and a contributor who writes meanwhile is not nudged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import case, delete, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.reminders import Nudge
from conversations.schedule import MAX_REMINDERS, ReminderPolicy
from conversations.state import Status
from storage.contributors import SqlContributors
from storage.database import Database
from storage.interviews import SqlInterviews
from storage.models import Contributor, Interview, JobRun
from storage.outbox import OutboxMessage, SqlOutbox

BATCH = 200
PURGED_STATUSES = (Status.ACTIVE, Status.ABANDONED, Status.CANCELLED)


@dataclass(frozen=True)
class ReminderCandidate:
    """An unfinished interview of a contributor who accepts reminders."""

    interview_id: int
    chat_id: int
    display_name: str
    started_at: datetime
    last_activity: datetime
    reminders_sent: int
    last_reminded_at: datetime | None
    answered: int
    language: str = "en"


@dataclass(frozen=True)
class DueReminder:
    """A reminder claimed for sending: where to, and what it says."""

    interview_id: int
    chat_id: int
    nudge: Nudge


class SqlMaintenance:
    """Reminder and retention queries; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reminder_candidates(
        self, idle_since: datetime, *, limit: int = BATCH
    ) -> list[ReminderCandidate]:
        """Active interviews untouched since ``idle_since`` that may still be reminded."""
        rows = await self._session.execute(
            select(Interview, Contributor)
            .join(Contributor, Contributor.id == Interview.contributor_id)
            .where(
                Interview.status == Status.ACTIVE.value,
                Interview.state.is_not(None),
                Interview.reminders_sent < MAX_REMINDERS,
                Interview.updated_at <= idle_since,
                Contributor.reminders_enabled.is_(True),
                Contributor.erased_at.is_(None),
            )
            .order_by(Interview.updated_at, Interview.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [
            ReminderCandidate(
                interview_id=interview.id,
                chat_id=contributor.chat_id,
                display_name=contributor.display_name,
                started_at=interview.started_at,
                last_activity=interview.updated_at,
                reminders_sent=interview.reminders_sent,
                last_reminded_at=interview.last_reminded_at,
                answered=len((interview.state or {}).get("answers") or {}),
                language=interview.language,
            )
            for interview, contributor in rows.all()
        ]

    async def claim_reminder(self, candidate: ReminderCandidate, now: datetime) -> bool:
        """Count the reminder as sent if nothing changed since ``candidate`` was read."""
        result = await self._session.execute(
            update(Interview)
            .where(
                Interview.id == candidate.interview_id,
                Interview.status == Status.ACTIVE.value,
                Interview.reminders_sent == candidate.reminders_sent,
                Interview.updated_at == candidate.last_activity,
            )
            .values(last_reminded_at=now, reminders_sent=Interview.reminders_sent + 1)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    async def purge_unfinished(self, cutoff: datetime, *, limit: int = 500) -> int:
        """Erase answers and state of interviews left unfinished since before ``cutoff``
        (in progress, started over or cancelled); submitted ones are never touched. The
        rows stay, marked abandoned, like the tombstones /delete leaves."""
        statuses = [status.value for status in PURGED_STATUSES]
        stale = (
            Interview.status.in_(statuses),
            Interview.state.is_not(None),
            Interview.updated_at < cutoff,
        )
        ids = list(
            (
                await self._session.execute(
                    select(Interview.id).where(*stale).order_by(Interview.id).limit(limit)
                )
            ).scalars()
        )
        if not ids:
            return 0
        purged = list(
            (
                await self._session.execute(
                    update(Interview)
                    .where(Interview.id.in_(ids), *stale)
                    .values(
                        state=null(),
                        status=case(
                            (Interview.status == Status.ACTIVE.value, Status.ABANDONED.value),
                            else_=Interview.status,
                        ),
                        lock_version=Interview.lock_version + 1,
                    )
                    .returning(Interview.id)
                    .execution_options(synchronize_session=False)
                )
            ).scalars()
        )
        interviews = SqlInterviews(self._session)
        for interview_id in purged:
            await interviews.delete_answers(interview_id)
        return len(purged)


def first_name(display_name: str) -> str:
    return display_name.split()[0] if display_name.split() else ""


# --- use cases: one transaction each --------------------------------------------------------


async def claim_due_reminders(
    database: Database,
    policy: ReminderPolicy,
    zone: tzinfo,
    now: datetime,
    retention_days: int,
    *,
    owe: Callable[[DueReminder], Sequence[OutboxMessage]] | None = None,
) -> list[DueReminder]:
    """Claim every reminder due at ``now`` and commit; with ``owe``, each nudge's outbox
    rows are written in the claim's transaction (a claimed nudge is never lost).

    Nothing is due during quiet hours, so the night passes without touching the database.
    """
    if policy.quiet.contains(now, zone):
        return []
    due: list[DueReminder] = []
    async with database.session() as session, session.begin():
        maintenance = SqlMaintenance(session)
        for candidate in await maintenance.reminder_candidates(now - policy.first_after):
            if candidate.last_activity + timedelta(days=retention_days) <= now:
                continue  # about to be purged: too late to nudge
            if not policy.is_due(
                now,
                candidate.last_activity,
                candidate.reminders_sent,
                candidate.last_reminded_at,
                zone,
            ):
                continue
            if await maintenance.claim_reminder(candidate, now):
                due.append(
                    reminder := DueReminder(
                        interview_id=candidate.interview_id,
                        chat_id=candidate.chat_id,
                        nudge=Nudge(
                            number=candidate.reminders_sent + 1,
                            first_name=first_name(candidate.display_name),
                            started_at=candidate.started_at,
                            answered=candidate.answered,
                            delete_after=candidate.last_activity + timedelta(days=retention_days),
                            language=candidate.language,
                        ),
                    )
                )
                if owe is not None:
                    await SqlOutbox(session).add_all(owe(reminder), now)
    return due


async def claim_job(
    database: Database, job: str, period: str, now: datetime, worker: str, *, keep: int = 48
) -> bool:
    """Whether this process is the one to run ``job`` for ``period`` (an hour, a day):
    the first insert wins, every other process's fails on the primary key. The ``keep``
    newest claims of the job are kept; older ones go in the same transaction."""
    try:
        async with database.session() as session, session.begin():
            session.add(JobRun(job=job, period=period, claimed_at=now, claimed_by=worker[:64]))
            await session.flush()
            newest = (
                select(JobRun.period)
                .where(JobRun.job == job)
                .order_by(JobRun.claimed_at.desc())
                .limit(keep)
            )
            await session.execute(
                delete(JobRun).where(JobRun.job == job, JobRun.period.not_in(newest))
            )
    except IntegrityError:
        return False
    return True


async def purge_unfinished(database: Database, retention_days: int, now: datetime) -> int:
    """Purge everything left unfinished for more than ``retention_days``; how many."""
    cutoff = now - timedelta(days=retention_days)
    total = 0
    while True:
        async with database.session() as session, session.begin():
            purged = await SqlMaintenance(session).purge_unfinished(cutoff)
        total += purged
        if purged == 0:
            return total


async def set_reminders(database: Database, user_id: int, enabled: bool, now: datetime) -> bool:
    """Turn a contributor's reminders on or off; False if the bot has never met them."""
    async with database.session() as session, session.begin():
        contributors = SqlContributors(session)
        contributor = await contributors.by_user_id(user_id)
        if contributor is None:
            return False
        await contributors.set_reminders(contributor.id, enabled, now)
    return True


async def reminders_enabled(database: Database, user_id: int) -> bool | None:
    """Whether a contributor accepts reminders; None if the bot has never met them."""
    async with database.session() as session, session.begin():
        contributor = await SqlContributors(session).by_user_id(user_id)
    return None if contributor is None else contributor.reminders_enabled
