"""The outbox: every message the bot owes anyone, as rows written in the same transaction as
the change that causes them, and delivered later by one sender (``bot/sender.py``).

A crash between a commit and its sends loses nothing: the rows are there after a restart.
Rows hold the rendered Bot API parameters (``bot/`` renders, ``storage/`` only keeps them).
A chat's rows go out strictly in ``id`` order: only a chat's oldest pending row can be
claimed, and the next one only once it is sent or given up. Claims carry a lease, so a
sender that died mid-send is replaced; on PostgreSQL claims are serialised by an advisory
lock (the rate limits are counted inside it) and take rows ``FOR UPDATE SKIP LOCKED``, so
several processes share one outbox; on SQLite one process sends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.database import CoreStatements, Database
from storage.followups import FollowUpRecord
from storage.models import OutboxRow

if TYPE_CHECKING:
    from storage.uow import UnitOfWork as _UnitOfWork

log = logging.getLogger(__name__)

OutboxState = Literal["pending", "sent", "failed", "blocked"]
OUTBOX_STATES: tuple[OutboxState, ...] = get_args(OutboxState)
CLAIM_LOCK_KEY = 0x636F70726F  # "copro": one advisory lock for every sender's claims
DEFAULT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class OutboxMessage:
    """A message to owe: the Bot API ``method`` and its rendered parameters.

    ``follow_up_id`` links the staff question this message puts (it is "delivered" only once
    Telegram accepts it); ``digest_key`` the digest period it belongs to; ``edits_id`` the
    outbox row of the message this one edits, whose Telegram message id is only known once
    that row is sent (an edit of a message whose id is known carries it in ``payload``).
    """

    chat_id: int
    method: str
    payload: dict[str, Any]
    kind: str = "reply"
    follow_up_id: int | None = None
    digest_key: str | None = None
    edits_id: int | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    """A row claimed for sending: what to send and what waits for it."""

    id: int
    chat_id: int
    kind: str
    method: str
    payload: dict[str, Any]
    tries: int
    follow_up_id: int | None
    digest_key: str | None
    edits_message_id: int | None
    """For an edit: the message id Telegram gave the message it edits (None: never sent)."""
    edits_id: int | None


@dataclass(frozen=True)
class SendLimits:
    """Telegram's limits as the sender keeps them, counted over every process's sends.

    A private chat has a token bucket of ``chat_burst`` messages refilled at
    ``chat_per_second``: by default three at once, then one a second. Telegram asks for no
    more than one a second in a chat in the long run and allows short bursts; a bucket of
    one would hold every reply to someone answering quickly until a second after the last
    (a reply and the next question go out as one message anyway). A 429 still holds the
    chat's messages for its ``retry_after``, whatever the bucket holds. A group
    ``group_per_minute`` a minute; the whole bot ``per_second``, edits included (a menu
    changed in place is not held back by the chat's limits).

    A try counts from its claim until the window has passed since Telegram *answered* it
    (``attempted_at`` is moved to the answer): two calls claimed a second apart can reach
    Telegram closer together (the first slow on the wire, the second quick), while a call
    claimed a second after the previous one was answered cannot, whichever process sends.
    """

    per_second: float = 30.0
    chat_burst: int = 3
    chat_per_second: float = 1.0
    group_per_minute: int = 20

    def chat_allows(self, attempts: list[datetime], now: datetime) -> bool:
        """Whether a private chat whose recent tries were at ``attempts`` may take one more
        at ``now``: the bucket is replayed over those tries, full before the first."""
        tokens = float(self.chat_burst)
        last: datetime | None = None
        for moment in sorted(attempts):
            if last is not None:
                elapsed = (moment - last).total_seconds()
                tokens = min(self.chat_burst, tokens + elapsed * self.chat_per_second)
            tokens -= 1
            last = moment
        if last is not None:
            elapsed = (now - last).total_seconds()
            tokens = min(self.chat_burst, tokens + elapsed * self.chat_per_second)
        return tokens >= 1 - 1e-9


@dataclass(frozen=True)
class OutboxFigures:
    """For ``copro-bot stats`` and the log: rows by state, and the pending ones past due."""

    by_state: dict[str, int]
    overdue: int
    oldest_pending: datetime | None


_ADD = insert(cast(Table, OutboxRow.__table__)).returning(OutboxRow.__table__.c.id)
"""The outbox's INSERT, built and compiled once: SQLAlchemy sends the rows of one call as one
multi-row statement ("insertmanyvalues"), where ``.values(rows)`` compiled anew per update."""


class SqlOutbox:
    """Outbox rows inside a unit of work; never commits."""

    def __init__(self, session: AsyncSession, core: CoreStatements | None = None) -> None:
        self._session = session
        self._core = core or CoreStatements(session)

    async def add_all(self, messages: Sequence[OutboxMessage], now: datetime) -> list[int]:
        """Owe ``messages``, in order, with ONE statement; their row ids (ascending, as
        both databases number the rows of one multi-row insert in order)."""
        if not messages:
            return []
        rows = [
            {
                "chat_id": m.chat_id,
                "kind": m.kind,
                "method": m.method,
                "payload": m.payload,
                "state": "pending",
                "tries": 0,
                "next_attempt_at": None,
                "follow_up_id": m.follow_up_id,
                "digest_key": m.digest_key,
                "edits_id": m.edits_id,
                "created_at": now,
            }
            for m in messages
        ]
        result = await self._core.execute(_ADD, rows)
        return sorted(int(i) for i in result.scalars().all())

    async def waits_for_follow_up(self, follow_up_id: int) -> bool:
        """Whether a message putting this staff question is still owed (not sent yet)."""
        found = await self._session.execute(
            select(OutboxRow.id)
            .where(OutboxRow.follow_up_id == follow_up_id, OutboxRow.state == "pending")
            .limit(1)
        )
        return found.first() is not None

    async def follow_up_handed_over(self, follow_up_id: int) -> bool:
        """Whether the message putting this staff question was accepted by Telegram or is
        being sent right now (the sender marks it delivered a moment later)."""
        found = await self._session.execute(
            select(OutboxRow.id)
            .where(
                OutboxRow.follow_up_id == follow_up_id,
                (OutboxRow.state == "sent")
                | ((OutboxRow.state == "pending") & OutboxRow.claimed_until.is_not(None)),
            )
            .limit(1)
        )
        return found.first() is not None

    async def figures(self, now: datetime) -> OutboxFigures:
        counts = await self._session.execute(
            select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
        )
        by_state = {str(state): int(count) for state, count in counts.all()}
        due = func.coalesce(OutboxRow.next_attempt_at, OutboxRow.created_at)
        overdue = await self._session.execute(
            select(func.count()).where(
                OutboxRow.state == "pending", due < now - timedelta(minutes=1)
            )
        )
        count = overdue.scalar_one()
        oldest = await self._session.execute(
            select(func.min(OutboxRow.created_at)).where(OutboxRow.state == "pending")
        )
        return OutboxFigures(by_state, int(count or 0), oldest.scalar())


# --- the sender's side: each call is its own short transaction ------------------------------


def UnitOfWork(database: Database) -> _UnitOfWork:
    """``storage.uow`` imports this module for :class:`SqlOutbox`; import it back late."""
    from storage.uow import UnitOfWork as unit_of_work

    return unit_of_work(database)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_OUTBOX = cast(Table, OutboxRow.__table__)
_HEAD = aliased(OutboxRow, name="head")
_SAME_CHAT = aliased(OutboxRow, name="same_chat")
_RECENT = aliased(OutboxRow, name="recent")
_BUSY = (
    select(func.count().label("busy"))
    .select_from(OutboxRow)
    .where(
        (OutboxRow.attempted_at > bindparam("second_ago"))
        | (
            (OutboxRow.state == "pending")
            & OutboxRow.claimed_until.is_not(None)
            & (OutboxRow.claimed_until > bindparam("now"))
        )
    )
    .scalar_subquery()
    .label("busy")
)
_HEADS = (
    select(_HEAD.id)
    .where(
        _HEAD.state == "pending",
        _HEAD.next_attempt_at.is_(None) | (_HEAD.next_attempt_at <= bindparam("now")),
        _HEAD.claimed_until.is_(None) | (_HEAD.claimed_until < bindparam("now")),
        _HEAD.id
        == select(func.min(_SAME_CHAT.id))
        .where(_SAME_CHAT.state == "pending", _SAME_CHAT.chat_id == _HEAD.chat_id)
        .scalar_subquery(),
    )
    .order_by(_HEAD.id)
    .limit(bindparam("candidates"))
)
_CANDIDATES = (
    select(OutboxRow.id, OutboxRow.chat_id, OutboxRow.method, _RECENT.attempted_at, _BUSY)
    .outerjoin(
        _RECENT,
        # Every state, so the chat's rows are found through the (state, chat_id) index
        # rather than by scanning the whole bot's last minute for each chat.
        _RECENT.state.in_([literal_column(f"'{state}'") for state in OUTBOX_STATES])
        & (_RECENT.chat_id == OutboxRow.chat_id)
        & (_RECENT.attempted_at > bindparam("minute_ago"))
        & _RECENT.method.not_like("edit%"),
    )
    .where(OutboxRow.id.in_(_HEADS))
    .order_by(OutboxRow.id)
)
"""Each chat's due head row (the oldest few hundred chats first), with every try of that
chat in the last minute (one row each) and the bot's tries in the last second: all a claim
reads, in one statement built once."""
_CANDIDATES_LOCKED = _CANDIDATES.with_for_update(skip_locked=True, of=OutboxRow)
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("until"),
        attempted_at=bindparam("now"),
        tries=_OUTBOX.c.tries + 1,
    )
    .returning(
        _OUTBOX.c.id,
        _OUTBOX.c.chat_id,
        _OUTBOX.c.kind,
        _OUTBOX.c.method,
        _OUTBOX.c.payload,
        _OUTBOX.c.tries,
        _OUTBOX.c.follow_up_id,
        _OUTBOX.c.digest_key,
        _OUTBOX.c.edits_id,
    )
)
_EDITED = select(_OUTBOX.c.id, _OUTBOX.c.message_id).where(
    _OUTBOX.c.id.in_(bindparam("ids", expanding=True))
)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


async def claim_due(
    database: Database,
    worker: str,
    now: datetime,
    limits: SendLimits,
    *,
    at_most: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    clock: Callable[[], datetime] | None = None,
) -> list[ClaimedMessage]:
    """Claim the due head rows of as many chats as the rate limits allow right now.

    The limits count the tries in flight and those claimed or answered in the last second
    (the bot), the chat's bucket (a private chat) and the last minute (a group) by
    every process. With ``clock``, the time is read once the claim lock is held: a time read
    before waiting for it would stamp these claims older than they are, and the next
    sender's window would open too early. Two statements on SQLite (read, then claim with
    ``RETURNING``), three on PostgreSQL (the claim lock first); a third reads the message
    ids edits need, when any does.
    """
    async with database.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            await connection.execute(_LOCK, {"key": CLAIM_LOCK_KEY})
        if clock is not None:
            now = clock()
        found = await connection.execute(
            _CANDIDATES_LOCKED if postgres else _CANDIDATES,
            {
                "now": now,
                "second_ago": now - timedelta(seconds=1),
                "minute_ago": now - timedelta(minutes=1),
                "candidates": max(at_most * 4, 20),
            },
        )
        rows = found.all()
        if not rows:
            return []
        room = min(at_most, int(limits.per_second) - int(rows[0].busy))
        if room <= 0:
            return []
        heads: dict[int, tuple[int, str]] = {}
        attempts: dict[int, list[datetime]] = defaultdict(list)
        for row_id, chat_id, method, attempted_at, _ in rows:
            heads[row_id] = (chat_id, method)
            if attempted_at is not None:
                attempts[row_id].append(attempted_at)
        ids: list[int] = []
        for row_id, (chat_id, method) in heads.items():
            if len(ids) >= room:
                break
            times = attempts[row_id]
            if method.startswith("edit"):
                pass  # a card changed in place is no new message: only the bot's rate holds
            elif chat_id < 0:
                if len(times) >= limits.group_per_minute:
                    continue
            elif not limits.chat_allows(times, now):
                continue
            ids.append(row_id)
        if not ids:
            return []
        claimed = (
            await connection.execute(
                _CLAIM, {"ids": ids, "worker": worker, "until": now + lease, "now": now}
            )
        ).all()
        targets = {row.edits_id for row in claimed if row.edits_id is not None}
        edited: dict[int, int | None] = {}
        if targets:
            found = await connection.execute(_EDITED, {"ids": sorted(targets)})
            edited = {int(i): m for i, m in found.all()}
    return sorted(
        (
            ClaimedMessage(
                id=row.id,
                chat_id=row.chat_id,
                kind=row.kind,
                method=row.method,
                payload=dict(row.payload),
                tries=row.tries,
                follow_up_id=row.follow_up_id,
                digest_key=row.digest_key,
                edits_message_id=edited.get(row.edits_id) if row.edits_id is not None else None,
                edits_id=row.edits_id,
            )
            for row in claimed
        ),
        key=lambda message: message.id,
    )


@dataclass(frozen=True)
class SentMark:
    """A send Telegram accepted: the row, the message id it gave, when it answered."""

    message: ClaimedMessage
    message_id: int | None
    at: datetime


_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        state="sent",
        sent_at=bindparam("at"),
        attempted_at=bindparam("at"),
        message_id=bindparam("telegram_id"),
        claimed_until=None,
    )
)


async def mark_sent_many(database: Database, marks: Sequence[SentMark]) -> None:
    """Telegram accepted these: ONE transaction and one UPDATE run for every row (each with
    its own message id and answer time); the staff questions among them are now out."""
    if not marks:
        return
    async with UnitOfWork(database) as uow:
        connection = await uow.session.connection()
        await connection.execute(
            _MARK_SENT,
            [
                {"row_id": mark.message.id, "at": mark.at, "telegram_id": mark.message_id}
                for mark in marks
            ],
        )
        for mark in marks:
            follow_up_id = mark.message.follow_up_id
            if follow_up_id is None:
                continue
            follow_up = await uow.followups.get(follow_up_id, lock=True)
            if follow_up is not None and follow_up.status == "pending":
                await uow.followups.mark_delivered(follow_up_id, mark.at)
        await uow.commit()


async def mark_sent(
    database: Database, message: ClaimedMessage, message_id: int | None, now: datetime
) -> None:
    """Telegram accepted it (one row of :func:`mark_sent_many`)."""
    await mark_sent_many(database, [SentMark(message, message_id, now)])


async def retry_later(
    database: Database,
    message: ClaimedMessage,
    error: str,
    at: datetime,
    *,
    count_try: bool,
    now: datetime | None = None,
) -> None:
    """A transient failure: try again at ``at``. A 429 does not use up a try. ``now`` (the
    failure's answer) restarts the rate windows this try counts in."""
    values: dict[str, Any] = {"next_attempt_at": at, "claimed_until": None, "last_error": error}
    if now is not None:
        values["attempted_at"] = now
    if not count_try:
        values["tries"] = OutboxRow.tries - 1
    async with UnitOfWork(database) as uow:
        await uow.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()


BlockedNotice = Callable[[FollowUpRecord, str, str], Sequence[OutboxMessage]]
"""The messages that tell a staff member their question could not reach its contributor
(given the follow-up, its draft's reference and the contributor's name); rendered by the
adapter."""


async def give_up(
    database: Database,
    message: ClaimedMessage,
    error: str,
    now: datetime,
    *,
    blocked: bool,
    notices: BlockedNotice,
) -> int:
    """Stop trying: ``blocked`` (403: the chat blocked the bot or is gone) marks every row
    still owed to that chat; otherwise (a refusal, or too many tries) only this row fails.
    A staff question among them fails for good (when blocked) or goes back to the queue,
    and its asker is told. Rows stay, for ``copro-bot stats`` and the log. Returns how many
    rows were given up."""
    state: OutboxState = "blocked" if blocked else "failed"
    async with UnitOfWork(database) as uow:
        session = uow.session
        query = select(OutboxRow).where(OutboxRow.id == message.id)
        if blocked:
            query = select(OutboxRow).where(
                OutboxRow.chat_id == message.chat_id,
                OutboxRow.state == "pending",
                (OutboxRow.id == message.id)
                | OutboxRow.claimed_until.is_(None)
                | (OutboxRow.claimed_until < now),
            )
        rows = list((await session.execute(query)).scalars().all())
        ids = [row.id for row in rows]
        if not ids:
            return 0
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(state=state, claimed_until=None, last_error=error)
            .execution_options(synchronize_session=False)
        )
        told: list[OutboxMessage] = []
        for row in rows:
            if row.follow_up_id is None:
                continue
            follow_up = await uow.followups.get(row.follow_up_id, lock=True)
            if follow_up is None or follow_up.status != "pending":
                continue
            draft = await uow.drafts.get(follow_up.draft_id)
            if blocked:
                await uow.followups.mark_failed(follow_up.id)
                await uow.drafts.log_follow_up(
                    follow_up.draft_id,
                    "could not deliver the question: the contributor has blocked the bot",
                    actor=None,
                    now=now,
                )
                contributor = await uow.contributors.get(follow_up.contributor_id)
                told.extend(
                    notices(
                        follow_up,
                        draft.reference if draft is not None else "",
                        contributor.display_name if contributor is not None else "",
                    )
                )
        await uow.outbox.add_all(told, now)
        await uow.commit()
    return len(ids)


async def release_claims(database: Database, dead: Callable[[str], bool] | None = None) -> int:
    """Forget claims; their rows are tried again at once. Without ``dead``, every claim (on
    SQLite, where one process sends, all claims at start are a dead process's); with it,
    the claims of the senders it names (``claimed_by``), for one worker of several to take
    over those of a killed neighbour without waiting for their lease."""
    claimed = (OutboxRow.state == "pending") & OutboxRow.claimed_until.is_not(None)
    async with UnitOfWork(database) as uow:
        if dead is not None:
            holders = await uow.session.execute(
                select(OutboxRow.claimed_by).where(claimed).distinct()
            )
            gone = [h for h in holders.scalars() if h is not None and dead(h)]
            if not gone:
                return 0
            claimed = claimed & OutboxRow.claimed_by.in_(gone)
        result = await uow.session.execute(
            update(OutboxRow)
            .where(claimed)
            .values(claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


SENT_KEPT = timedelta(days=7)


async def prune_sent(database: Database, before: datetime) -> int:
    """Forget rows sent before ``before`` (their message ids are no use to an edit by then,
    and documents are kept in full); rows given up stay, for ``copro-bot stats``."""
    async with UnitOfWork(database) as uow:
        result = await uow.session.execute(
            delete(OutboxRow).where(OutboxRow.state == "sent", OutboxRow.sent_at < before)
        )
        await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def outbox_figures(database: Database, now: datetime) -> OutboxFigures:
    async with UnitOfWork(database) as uow:
        return await uow.outbox.figures(now)


async def enqueue(database: Database, messages: Sequence[OutboxMessage], now: datetime) -> None:
    """Owe ``messages`` in a transaction of their own (replies that change nothing else)."""
    if not messages:
        return
    async with UnitOfWork(database) as uow:
        await uow.outbox.add_all(messages, now)
        await uow.commit()


@dataclass(frozen=True)
class OutboxHealth:
    """What ``/healthz`` reports: messages owed, the oldest one's time, the last send."""

    owed: int
    oldest_owed: datetime | None
    last_sent: datetime | None


async def outbox_health(database: Database) -> OutboxHealth:
    """Two indexed aggregates in one short transaction (it also proves the database
    answers)."""
    async with database.session() as session:
        owed, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxRow.created_at)).where(
                    OutboxRow.state == "pending"
                )
            )
        ).one()
        # ``attempted_at`` is a sent row's answer time, and indexed (``sent_at`` is not).
        last = (
            await session.execute(
                select(func.max(OutboxRow.attempted_at)).where(OutboxRow.state == "sent")
            )
        ).scalar()
    return OutboxHealth(int(owed or 0), oldest, last)
