"""Figures for staff (``/stats``, ``copro-bot stats``): examples by status, script and month
of submission, and how many interviews that were started were submitted.

Counts are grouped in SQL; months are counted in the organisation's time zone, so the
submission times are streamed (a column of timestamps, never whole rows) and bucketed here,
in the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import case, func, select

from storage.database import Database
from storage.models import DRAFT_STATUSES, INTERVIEW_STATUSES, Draft, Interview
from storage.outbox import OutboxFigures, SqlOutbox

MONTHS_SHOWN = 24


@dataclass(frozen=True)
class Stats:
    """Counts at one moment. Every status appears, with 0 when none has it."""

    drafts_by_status: dict[str, int]
    drafts_by_script: dict[str, int]
    drafts_by_month: dict[str, int]  # "YYYY-MM" -> examples submitted then, oldest first
    interviews_by_status: dict[str, int]
    interviews_by_script: dict[str, tuple[int, int]]  # script -> (started, submitted)
    timezone: str = "UTC"
    outbox: OutboxFigures | None = None

    @property
    def examples(self) -> int:
        return sum(self.drafts_by_status.values())

    @property
    def interviews_started(self) -> int:
        return sum(self.interviews_by_status.values())

    @property
    def interviews_submitted(self) -> int:
        return self.interviews_by_status.get("submitted", 0)

    @property
    def completion_rate(self) -> float | None:
        """Submitted interviews over started ones; ``None`` before the first one."""
        started = self.interviews_started
        return self.interviews_submitted / started if started else None

    def lines(self) -> list[str]:
        """The figures as plain text lines, for a chat message or a terminal."""
        lines = [f"Examples: {self.examples}", "By status:"]
        lines += [f"  {_label(s)}: {n}" for s, n in self.drafts_by_status.items()]
        lines.append("By script:")
        lines += [f"  {s}: {n}" for s, n in self.drafts_by_script.items()] or ["  none yet"]
        lines.append(f"By month submitted ({self.timezone}):")
        months = list(self.drafts_by_month.items())
        earlier = sum(n for _, n in months[:-MONTHS_SHOWN])
        if earlier:
            lines.append(f"  earlier: {earlier}")
        lines += [f"  {m}: {n}" for m, n in months[-MONTHS_SHOWN:]] or ["  none yet"]
        lines.append(
            f"Interviews: {self.interviews_started} started, {self.interviews_submitted} "
            f"submitted, completion {_percent(self.interviews_submitted, self.interviews_started)}"
        )
        lines += [
            f"  {_label(s)}: {n}" for s, n in self.interviews_by_status.items() if s != "submitted"
        ]
        if self.interviews_by_script:
            lines.append("Completion by script:")
            lines += [
                f"  {s}: {done} of {started} ({_percent(done, started)})"
                for s, (started, done) in self.interviews_by_script.items()
            ]
        if self.outbox is not None:
            states = self.outbox.by_state
            lines.append(
                f"Messages owed: {states.get('pending', 0)} waiting"
                f" ({self.outbox.overdue} overdue by a minute or more),"
                f" {states.get('failed', 0)} given up, {states.get('blocked', 0)} to chats"
                f" that blocked the bot, {states.get('sent', 0)} sent"
            )
        return lines

    def text(self) -> str:
        return "\n".join(self.lines())


def _label(status: str) -> str:
    return status.replace("_", " ")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "n/a"


async def collect_stats(database: Database, timezone: tzinfo = UTC) -> Stats:
    """Read the figures in one transaction; months are those of ``timezone``."""
    submitted = func.coalesce(Interview.submitted_at, Draft.created_at)
    async with database.session() as session:
        by_status = Counter(
            {
                str(status): int(n)
                for status, n in await session.execute(
                    select(Draft.status, func.count()).group_by(Draft.status)
                )
            }
        )
        by_script = {
            str(script): int(n)
            for script, n in await session.execute(
                select(Draft.script_id, func.count())
                .group_by(Draft.script_id)
                .order_by(Draft.script_id)
            )
        }
        months: Counter[str] = Counter()
        moments = await session.stream_scalars(
            select(submitted)
            .select_from(Draft)
            .join(Interview, Interview.id == Draft.interview_id)
            .execution_options(yield_per=2000)
        )
        async for moment in moments:
            if moment is not None:
                months[f"{moment.astimezone(timezone):%Y-%m}"] += 1
        interviews = Counter(
            {
                str(status): int(n)
                for status, n in await session.execute(
                    select(Interview.status, func.count()).group_by(Interview.status)
                )
            }
        )
        per_script: dict[str, tuple[int, int]] = {}
        done = func.sum(case((Interview.status == "submitted", 1), else_=0))
        for script, started, finished in await session.execute(
            select(Interview.script_id, func.count(), done)
            .group_by(Interview.script_id)
            .order_by(Interview.script_id)
        ):
            per_script[str(script)] = (int(started), int(finished or 0))
        outbox = await SqlOutbox(session).figures(datetime.now(UTC))
    return Stats(
        drafts_by_status={s: by_status.get(s, 0) for s in DRAFT_STATUSES},
        drafts_by_script=by_script,
        drafts_by_month=dict(sorted(months.items())),
        interviews_by_status={s: interviews.get(s, 0) for s in INTERVIEW_STATUSES},
        interviews_by_script=per_script,
        timezone=str(timezone),
        outbox=outbox,
    )
