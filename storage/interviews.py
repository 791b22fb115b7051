"""Interviews and their answers: one aggregate, loaded and saved together.

The engine's state is one JSON column; answers are also kept as rows (with every earlier
value as a revision, and the chat messages they came from) so that staff tools can query
them and an edited chat message finds its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, case, delete, func, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import Answer, Person
from conversations.state import InterviewState, Status
from storage.database import CoreStatements, dialect_insert, per_dialect
from storage.models import (
    AnswerMessage,
    AnswerRevision,
    AnswerRow,
    Contributor,
    Interview,
    ReferenceCounter,
)

RevisionReason = Literal["answer", "edit", "probe", "followup"]


class StaleInterview(RuntimeError):
    """The interview changed since it was loaded (its ``lock_version`` moved on)."""


@dataclass(frozen=True)
class InterviewRecord:
    id: int
    contributor_id: int
    script_id: str
    script_version_id: int
    status: Status
    reference: str | None
    started_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    state: InterviewState | None
    lock_version: int = 0
    reminders_sent: int = 0
    last_reminded_at: datetime | None = None
    language: str = "en"


@dataclass(frozen=True)
class StoredAnswer:
    interview_id: int
    question_id: str
    answer: Answer
    text: str
    revision: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredRevision:
    revision: int
    reason: str
    answer: Answer
    created_at: datetime


@dataclass(frozen=True)
class PersonsInterview:
    """A person's active interview, and whether their stored name and chat are current."""

    contributor_id: int
    contributor_current: bool
    record: InterviewRecord


def make_reference(number: int, when: datetime) -> str:
    """The human reference given on submission, e.g. ``CP-2026-00042``: the year's
    ``number``-th submitted story."""
    return f"CP-{when.year}-{number:05d}"


def _record(row: Interview) -> InterviewRecord:
    return _record_of_row(row)


def _record_of_row(row: Any) -> InterviewRecord:
    """An :class:`InterviewRecord` from a row of the interviews table, ORM or Core."""
    return InterviewRecord(
        id=row.id,
        contributor_id=row.contributor_id,
        script_id=row.script_id,
        script_version_id=row.script_version_id,
        status=Status(row.status),
        reference=row.reference,
        started_at=row.started_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
        state=InterviewState.from_json(row.state) if row.state is not None else None,
        lock_version=row.lock_version,
        reminders_sent=row.reminders_sent,
        last_reminded_at=row.last_reminded_at,
        language=row.language,
    )


# The statements of an answered question, built once (see storage.database.per_dialect).

_INTERVIEWS = cast(Table, Interview.__table__)
_CONTRIBUTORS = cast(Table, Contributor.__table__)
_ACTIVE_OF_PERSON = (
    select(
        _INTERVIEWS,
        _CONTRIBUTORS.c.chat_id.label("contributor_chat_id"),
        _CONTRIBUTORS.c.display_name,
        _CONTRIBUTORS.c.username,
        _CONTRIBUTORS.c.language.label("contributor_language"),
        _CONTRIBUTORS.c.erased_at,
    )
    .join(_CONTRIBUTORS, _CONTRIBUTORS.c.id == _INTERVIEWS.c.contributor_id)
    .where(
        _CONTRIBUTORS.c.telegram_user_id == bindparam("person"),
        _INTERVIEWS.c.status == Status.ACTIVE.value,
    )
    .order_by(_INTERVIEWS.c.id.desc())
    .limit(1)
    .with_for_update(of=_INTERVIEWS)
)
_SAVE_STATE = (
    update(_INTERVIEWS)
    .where(
        _INTERVIEWS.c.id == bindparam("saved_id"),
        _INTERVIEWS.c.lock_version == bindparam("saved_version"),
    )
    .values(
        state=bindparam("saved_state", type_=_INTERVIEWS.c.state.type),
        status=bindparam("saved_status"),
        language=bindparam("saved_language"),
        lock_version=_INTERVIEWS.c.lock_version + 1,
        updated_at=bindparam("saved_at"),
    )
)
_REVISIONS = cast(Table, AnswerRevision.__table__)
_FIRST_REVISION = insert(_REVISIONS).values(
    answer_id=bindparam("answer"),
    revision=1,
    value=bindparam("value", type_=_REVISIONS.c.value.type),
    reason="answer",
    created_at=bindparam("at"),
)


def _insert_new(insert: Callable[[Any], Any]) -> Any:
    table = AnswerRow.__table__
    return (
        insert(table)
        .values(
            interview_id=bindparam("interview"),
            question_id=bindparam("question"),
            value=bindparam("value", type_=table.c.value.type),
            text=bindparam("text", type_=table.c.text.type),
            revision=1,
            created_at=bindparam("at"),
            updated_at=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=[table.c.interview_id, table.c.question_id])
        .returning(table.c.id)
    )


def _map_message(insert: Callable[[Any], Any]) -> Any:
    table = AnswerMessage.__table__
    statement = insert(table).values(
        chat_id=bindparam("chat"), message_id=bindparam("message"), answer_id=bindparam("answer")
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.chat_id, table.c.message_id],
        set_={"answer_id": statement.excluded.answer_id},
    )


_INSERT_NEW = per_dialect(_insert_new)
_MAP_MESSAGE = per_dialect(_map_message)


class SqlInterviews:
    """Interview, answer, revision and message-map rows; never commits."""

    def __init__(self, session: AsyncSession, core: CoreStatements | None = None) -> None:
        self._session = session
        self._core = core or CoreStatements(session)

    async def _one(self, statement: Any) -> InterviewRecord | None:
        row = (
            await self._session.execute(statement.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        return _record(row) if row is not None else None

    # --- interviews ---------------------------------------------------------------------

    async def active_for(self, contributor_id: int, *, lock: bool = True) -> InterviewRecord | None:
        """The contributor's active interview, row-locked until commit when ``lock``.

        ``FOR UPDATE`` on PostgreSQL; SQLite ignores it and needs none, since every
        transaction there holds the database's write lock from ``BEGIN IMMEDIATE``.
        """
        statement = (
            select(Interview)
            .where(
                Interview.contributor_id == contributor_id,
                Interview.status == Status.ACTIVE.value,
            )
            .order_by(Interview.id.desc())
            .limit(1)
        )
        if lock:
            statement = statement.with_for_update()
        return await self._one(statement)

    async def active_of_person(self, person: Person) -> PersonsInterview | None:
        """The person's active interview, row-locked until commit, in one statement.

        ``None`` when they have none (or are unknown): then the caller records them and
        looks further. Locking the interview (not the contributor) serialises a chat's
        updates on PostgreSQL and re-reads the row a concurrent update just committed.
        """
        found = await self._core.execute(_ACTIVE_OF_PERSON, {"person": person.user_id})
        row = found.one_or_none()
        if row is None:
            return None
        current = (
            row.contributor_chat_id == person.chat_id
            and row.display_name == person.name
            and row.username == person.username
            and (person.language is None or row.contributor_language == person.language)
            and row.erased_at is None
        )
        return PersonsInterview(row.contributor_id, current, _record_of_row(row))

    async def latest_finished_for(self, contributor_id: int) -> InterviewRecord | None:
        """The most recent interview that is over and still has its state (not erased)."""
        return await self._one(
            select(Interview)
            .where(
                Interview.contributor_id == contributor_id,
                Interview.status != Status.ACTIVE.value,
                Interview.state.is_not(None),
            )
            .order_by(Interview.id.desc())
            .limit(1)
        )

    async def get(self, interview_id: int, *, lock: bool = False) -> InterviewRecord | None:
        statement = select(Interview).where(Interview.id == interview_id)
        if lock:
            statement = statement.with_for_update()
        return await self._one(statement)

    async def for_contributor(self, contributor_id: int) -> list[InterviewRecord]:
        rows = await self._session.execute(
            select(Interview)
            .where(Interview.contributor_id == contributor_id)
            .order_by(Interview.id)
            .execution_options(populate_existing=True)
        )
        return [_record(row) for row in rows.scalars()]

    async def with_status(
        self, status: Status, *, updated_before: datetime | None = None, limit: int = 1000
    ) -> list[InterviewRecord]:
        """Interviews in ``status``, least recently touched first (reminders, digests)."""
        statement = select(Interview).where(Interview.status == status.value)
        if updated_before is not None:
            statement = statement.where(Interview.updated_at < updated_before)
        rows = await self._session.execute(
            statement.order_by(Interview.updated_at, Interview.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_record(row) for row in rows.scalars()]

    async def create(
        self,
        contributor_id: int,
        script_version_id: int,
        state: InterviewState,
        now: datetime,
    ) -> InterviewRecord:
        row = Interview(
            contributor_id=contributor_id,
            script_version_id=script_version_id,
            script_id=state.script_id,
            status=state.status.value,
            language=state.language,
            state=state.to_json(),
            lock_version=0,
            started_at=now,
            updated_at=now,
            reminders_sent=0,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def save_state(
        self, record: InterviewRecord, state: InterviewState, now: datetime
    ) -> InterviewRecord:
        """Store ``state`` (its status becomes the row's) if nobody saved since ``record``.

        Raises :class:`StaleInterview` otherwise: callers hold the row lock, so this is a
        guard against a bug, not a path taken in normal operation.
        """
        result = await self._core.execute(
            _SAVE_STATE,
            {
                "saved_id": record.id,
                "saved_version": record.lock_version,
                "saved_state": state.to_json(),
                "saved_status": state.status.value,
                "saved_language": state.language,
                "saved_at": now,
            },
        )
        if getattr(result, "rowcount", 0) != 1:
            raise StaleInterview(f"interview {record.id} changed since it was loaded")
        # What the row now holds, without reading it back.
        return replace(
            record,
            status=state.status,
            state=state,
            lock_version=record.lock_version + 1,
            updated_at=now,
        )

    async def mark_submitted(self, interview_id: int, now: datetime) -> str:
        """Give the interview its reference and submission time; returns the reference.

        The number is the year's next from ``reference_counters``: the counter row is
        bumped in this transaction, so concurrent submissions queue on its lock (a row lock
        on PostgreSQL, the write lock on SQLite) and never share or skip a number.
        """
        reference = make_reference(await self._next_reference_number(now.year), now)
        await self._session.execute(
            update(Interview)
            .where(Interview.id == interview_id)
            .values(submitted_at=now, reference=reference)
            .execution_options(synchronize_session=False)
        )
        return reference

    async def _next_reference_number(self, year: int) -> int:
        await self._session.execute(
            dialect_insert(self._session, ReferenceCounter)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        bumped = await self._session.execute(
            update(ReferenceCounter)
            .where(ReferenceCounter.year == year)
            .values(last_number=ReferenceCounter.last_number + 1)
            .returning(ReferenceCounter.last_number)
            .execution_options(synchronize_session=False)
        )
        return int(bumped.scalar_one())

    async def record_reminder(self, interview_id: int, now: datetime) -> None:
        await self._session.execute(
            update(Interview)
            .where(Interview.id == interview_id)
            .values(last_reminded_at=now, reminders_sent=Interview.reminders_sent + 1)
            .execution_options(synchronize_session=False)
        )

    # --- answers ------------------------------------------------------------------------

    async def save_answer(
        self,
        interview_id: int,
        answer: Answer,
        *,
        text: str,
        reason: RevisionReason,
        chat_id: int | None,
        now: datetime,
        new: bool = False,
    ) -> int:
        """Store the answer's new value and a revision; returns the revision number.

        A new answer's first revision is always ``"answer"``; ``reason`` labels changes.
        An unchanged value adds no revision. The answer's message ids are mapped to it.
        ``new`` says the caller believes the question unanswered so far: the row is then
        inserted without being looked up first (and looked up after all if it exists).
        """
        value = answer.to_json()
        if new:
            answer_id = await self._insert_new(interview_id, answer.question_id, value, text, now)
            if answer_id is not None:
                await self._core.execute(
                    _FIRST_REVISION, {"answer": answer_id, "value": value, "at": now}
                )
                await self._map_messages(answer_id, answer, chat_id)
                return 1
        row = (
            await self._session.execute(
                select(AnswerRow)
                .where(
                    AnswerRow.interview_id == interview_id,
                    AnswerRow.question_id == answer.question_id,
                )
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if row is None:
            row = AnswerRow(
                interview_id=interview_id,
                question_id=answer.question_id,
                value=value,
                text=text,
                revision=1,
                created_at=now,
                updated_at=now,
            )
            self._session.add(row)
            await self._session.flush()
            reason = "answer"
        elif row.value == value:
            await self._map_messages(row.id, answer, chat_id)
            return row.revision
        else:
            row.value = value
            row.text = text
            row.revision += 1
            row.updated_at = now
        self._session.add(
            AnswerRevision(
                answer_id=row.id, revision=row.revision, value=value, reason=reason, created_at=now
            )
        )
        await self._session.flush()
        await self._map_messages(row.id, answer, chat_id)
        return row.revision

    async def _insert_new(
        self, interview_id: int, question_id: str, value: Any, text: str, now: datetime
    ) -> int | None:
        """Insert an answer's first value; ``None`` if the question has one already."""
        statement = _INSERT_NEW[self._core.dialect]
        params = {
            "interview": interview_id,
            "question": question_id,
            "value": value,
            "text": text,
            "at": now,
        }
        found = (await self._core.execute(statement, params)).scalar_one_or_none()
        return int(found) if found is not None else None

    async def _map_messages(self, answer_id: int, answer: Answer, chat_id: int | None) -> None:
        if chat_id is None or not answer.message_ids:
            return
        await self._core.execute(
            _MAP_MESSAGE[self._core.dialect],
            [
                {"chat": chat_id, "message": message_id, "answer": answer_id}
                for message_id in dict.fromkeys(answer.message_ids)
            ],
        )

    async def answers(self, interview_id: int) -> list[StoredAnswer]:
        rows = await self._session.execute(
            select(AnswerRow)
            .where(AnswerRow.interview_id == interview_id)
            .order_by(AnswerRow.id)
            .execution_options(populate_existing=True)
        )
        return [
            StoredAnswer(
                interview_id=row.interview_id,
                question_id=row.question_id,
                answer=Answer.from_json(row.value),
                text=row.text,
                revision=row.revision,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            for row in rows.scalars()
        ]

    async def revisions(self, interview_id: int, question_id: str) -> list[StoredRevision]:
        """Every value the answer has had, oldest first (the current one last)."""
        rows = await self._session.execute(
            select(AnswerRevision)
            .join(AnswerRow, AnswerRow.id == AnswerRevision.answer_id)
            .where(AnswerRow.interview_id == interview_id, AnswerRow.question_id == question_id)
            .order_by(AnswerRevision.revision)
        )
        return [
            StoredRevision(
                revision=row.revision,
                reason=row.reason,
                answer=Answer.from_json(row.value),
                created_at=row.created_at,
            )
            for row in rows.scalars()
        ]

    async def answer_for_message(self, chat_id: int, message_id: int) -> tuple[int, str] | None:
        """``(interview_id, question_id)`` of the answer a chat message fed, if any."""
        row = (
            await self._session.execute(
                select(AnswerRow.interview_id, AnswerRow.question_id)
                .join(AnswerMessage, AnswerMessage.answer_id == AnswerRow.id)
                .where(AnswerMessage.chat_id == chat_id, AnswerMessage.message_id == message_id)
            )
        ).one_or_none()
        return (int(row[0]), str(row[1])) if row is not None else None

    async def delete_answers(self, interview_id: int) -> int:
        """Remove an interview's answers with their revisions and message maps."""
        return await self._delete_answers(AnswerRow.interview_id == interview_id)

    async def _delete_answers(self, where: Any) -> int:
        # Explicit deletes rather than trusting ON DELETE CASCADE alone: the schema has it,
        # but a connection opened without foreign_keys=ON (sqlite3 shell) would not.
        answer_ids = select(AnswerRow.id).where(where).scalar_subquery()
        await self._session.execute(
            delete(AnswerRevision).where(AnswerRevision.answer_id.in_(answer_ids))
        )
        await self._session.execute(
            delete(AnswerMessage).where(AnswerMessage.answer_id.in_(answer_ids))
        )
        result = await self._session.execute(delete(AnswerRow).where(where))
        return int(getattr(result, "rowcount", 0) or 0)

    async def erase_for_contributor(self, contributor_id: int, now: datetime) -> int:
        """Delete every answer and state of a contributor's interviews; returns how many
        interviews held anything. Rows stay as tombstones so references are never reused."""
        interview_ids = select(Interview.id).where(Interview.contributor_id == contributor_id)
        held = (
            await self._session.execute(
                select(func.count())
                .select_from(Interview)
                .where(Interview.contributor_id == contributor_id, Interview.state.is_not(None))
            )
        ).scalar_one()
        await self._delete_answers(AnswerRow.interview_id.in_(interview_ids.scalar_subquery()))
        await self._session.execute(
            update(Interview)
            .where(Interview.contributor_id == contributor_id)
            .values(
                state=null(),
                status=case(
                    (Interview.status == Status.ACTIVE.value, Status.ABANDONED.value),
                    else_=Interview.status,
                ),
                lock_version=Interview.lock_version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return int(held)
