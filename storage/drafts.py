"""Draft example records: the draft of each submitted interview, its history, its status.

Every change bumps ``version``. Staff changes name the version they were made against, so
when two staff members polish the same draft the second is told instead of silently
overwriting the first (optimistic locking, checked in the ``UPDATE`` itself so that it holds
across processes on one PostgreSQL). Generated changes (a regeneration after an answer
changed) never touch a field staff edited: :func:`conversations.drafting.merge_regenerated`
keeps it and offers the new material beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.drafting import FIELD_ORDER, DraftField, DraftRecord
from conversations.lens import LensStatus
from conversations.workflow import DraftStatus, refusal
from storage.export_view import export_view
from storage.models import Draft, DraftEvent, Interview

FIELD_NAMES: tuple[str, ...] = tuple(FIELD_ORDER)


class StaleDraft(RuntimeError):
    """The draft changed since the staff member loaded it."""

    def __init__(self, current: DraftInfo) -> None:
        super().__init__(f"draft {current.reference} is at version {current.version}")
        self.current = current


class DraftRefused(ValueError):
    """A change that is not allowed (an invalid status move, an unknown field or tag)."""


@dataclass(frozen=True)
class Actor:
    """Who made a change: a Telegram user id and a display name for the history."""

    user_id: int
    name: str


@dataclass(frozen=True)
class DraftInfo:
    id: int
    interview_id: int
    reference: str
    script_id: str
    status: DraftStatus
    record: DraftRecord
    staff_edited: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    status_changed_by: int | None

    @property
    def title(self) -> str:
        return self.record.title or self.reference


@dataclass(frozen=True)
class DraftEventInfo:
    id: int
    version: int
    kind: str
    field: str | None
    before: str | None
    after: str | None
    actor_user_id: int | None
    actor_name: str
    created_at: datetime


def _info(row: Draft) -> DraftInfo:
    return DraftInfo(
        id=row.id,
        interview_id=row.interview_id,
        reference=row.reference,
        script_id=row.script_id,
        status=DraftStatus(row.status),
        record=DraftRecord.from_json(row.body),
        staff_edited=dict(row.staff_edited or {}),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status_changed_at=row.status_changed_at,
        status_changed_by=row.status_changed_by,
    )


def _event(row: DraftEvent) -> DraftEventInfo:
    return DraftEventInfo(
        id=row.id,
        version=row.version,
        kind=row.kind,
        field=row.field,
        before=row.before,
        after=row.after,
        actor_user_id=row.actor_user_id,
        actor_name=row.actor_name,
        created_at=row.created_at,
    )


class SqlDrafts:
    """Draft and draft-event rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, statement: Any) -> DraftInfo | None:
        row = (
            await self._session.execute(statement.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        return _info(row) if row is not None else None

    async def get(self, draft_id: int, *, lock: bool = False) -> DraftInfo | None:
        statement = select(Draft).where(Draft.id == draft_id)
        return await self._one(statement.with_for_update() if lock else statement)

    async def by_reference(self, reference: str) -> DraftInfo | None:
        return await self._one(select(Draft).where(Draft.reference == reference.strip().upper()))

    async def by_interview(self, interview_id: int, *, lock: bool = False) -> DraftInfo | None:
        statement = select(Draft).where(Draft.interview_id == interview_id)
        return await self._one(statement.with_for_update() if lock else statement)

    async def page(
        self, statuses: Iterable[DraftStatus] | None = None, *, offset: int = 0, limit: int = 10
    ) -> list[DraftInfo]:
        """Drafts oldest first (the queue order: what has waited longest comes first)."""
        statement = select(Draft).order_by(Draft.created_at, Draft.id).offset(offset).limit(limit)
        if statuses is not None:
            statement = statement.where(Draft.status.in_([s.value for s in statuses]))
        rows = (await self._session.execute(statement)).scalars().all()
        return [_info(row) for row in rows]

    async def count(self, statuses: Iterable[DraftStatus] | None = None) -> int:
        statement = select(func.count()).select_from(Draft)
        if statuses is not None:
            statement = statement.where(Draft.status.in_([s.value for s in statuses]))
        return int((await self._session.execute(statement)).scalar_one())

    async def count_by_status(self) -> dict[DraftStatus, int]:
        rows = await self._session.execute(
            select(Draft.status, func.count()).group_by(Draft.status)
        )
        counts = {status: 0 for status in DraftStatus}
        for status, count in rows.all():
            counts[DraftStatus(status)] = int(count)
        return counts

    async def created_between(self, start: datetime, end: datetime) -> list[DraftInfo]:
        rows = await self._session.execute(
            select(Draft)
            .where(Draft.created_at >= start, Draft.created_at < end)
            .order_by(Draft.created_at, Draft.id)
        )
        return [_info(row) for row in rows.scalars().all()]

    async def waiting_since(
        self, before: datetime, statuses: Iterable[DraftStatus]
    ) -> list[DraftInfo]:
        """Drafts in ``statuses`` whose status has not changed since ``before``."""
        rows = await self._session.execute(
            select(Draft)
            .where(
                Draft.status.in_([s.value for s in statuses]),
                Draft.status_changed_at < before,
            )
            .order_by(Draft.status_changed_at, Draft.id)
        )
        return [_info(row) for row in rows.scalars().all()]

    async def history(self, draft_id: int, *, limit: int = 50) -> list[DraftEventInfo]:
        """The latest ``limit`` events, oldest first."""
        rows = await self._session.execute(
            select(DraftEvent)
            .where(DraftEvent.draft_id == draft_id)
            .order_by(DraftEvent.id.desc())
            .limit(limit)
        )
        return [_event(row) for row in reversed(rows.scalars().all())]

    # --- changes --------------------------------------------------------------------------

    async def delete_for_contributor(self, contributor_id: int) -> int:
        """Erase the drafts of a contributor's stories (history, follow-ups and prompts go
        with them): after /delete nothing drawn from their words remains."""
        interviews = select(Interview.id).where(Interview.contributor_id == contributor_id)
        result = await self._session.execute(
            delete(Draft)
            .where(Draft.interview_id.in_(interviews))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def create(
        self, interview_id: int, reference: str, record: DraftRecord, now: datetime
    ) -> DraftInfo:
        row = Draft(
            interview_id=interview_id,
            reference=reference,
            script_id=record.script_id,
            status=DraftStatus.NEW.value,
            title=record.title,
            body=record.to_json(),
            export_view=export_view(record),
            staff_edited={},
            version=1,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
            status_changed_by=None,
        )
        self._session.add(row)
        await self._session.flush()
        await self._log(row.id, 1, "created", now, after=record.title)
        return _info(row)

    async def _log(
        self,
        draft_id: int,
        version: int,
        kind: str,
        now: datetime,
        *,
        field: str | None = None,
        before: str | None = None,
        after: str | None = None,
        actor: Actor | None = None,
    ) -> None:
        self._session.add(
            DraftEvent(
                draft_id=draft_id,
                version=version,
                kind=kind,
                field=field,
                before=before,
                after=after,
                actor_user_id=actor.user_id if actor else None,
                actor_name=actor.name if actor else "",
                created_at=now,
            )
        )
        await self._session.flush()

    async def _write(
        self,
        current: DraftInfo,
        now: datetime,
        *,
        expected_version: int | None,
        record: DraftRecord | None = None,
        staff_edited: dict[str, Any] | None = None,
        status: DraftStatus | None = None,
        actor: Actor | None = None,
    ) -> DraftInfo:
        """Apply a change if the draft is still at ``expected_version`` (any, when None)."""
        version = current.version if expected_version is None else expected_version
        values: dict[str, Any] = {"version": version + 1, "updated_at": now}
        if record is not None:
            values["body"] = record.to_json()
            values["export_view"] = export_view(record)
            values["title"] = record.title
        if staff_edited is not None:
            values["staff_edited"] = staff_edited
        if status is not None:
            values["status"] = status.value
            values["status_changed_at"] = now
            values["status_changed_by"] = actor.user_id if actor else None
        result = await self._session.execute(
            update(Draft)
            .where(Draft.id == current.id, Draft.version == version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            latest = await self.get(current.id)
            raise StaleDraft(latest if latest is not None else current)
        updated = await self.get(current.id)
        assert updated is not None
        return updated

    async def _current(self, draft_id: int) -> DraftInfo:
        current = await self.get(draft_id)
        if current is None:
            raise DraftRefused("That draft no longer exists.")
        return current

    async def regenerate(self, draft_id: int, fresh: DraftRecord, now: datetime) -> DraftInfo:
        """Store a regenerated draft (already merged with staff edits) if anything changed."""
        current = await self._current(draft_id)
        if fresh.to_json() == current.record.to_json():
            return current
        updated = await self._write(current, now, expected_version=None, record=fresh)
        changed = sorted(
            name
            for name, new in fresh.fields.items()
            if new.to_json() != current.record.field(name).to_json()
        )
        await self._log(
            draft_id, updated.version, "regenerated", now, after=", ".join(changed) or None
        )
        return updated

    async def edit_field(
        self,
        draft_id: int,
        name: str,
        text: str,
        *,
        expected_version: int,
        actor: Actor,
        now: datetime,
    ) -> DraftInfo:
        """Replace a field's text with a staff member's; the drafter never overwrites it again."""
        current = await self._current(draft_id)
        if name not in current.record.fields and name not in FIELD_NAMES:
            raise DraftRefused(f"There is no field called {name!r}.")
        old = current.record.field(name)
        generated = old.generated_text if old.generated_text is not None else old.text
        new_field = replace(
            old,
            text=text.strip(),
            generated_text=generated,
            suggested_update=None,
            suggested_sentences=(),
        )
        fields = dict(current.record.fields)
        fields[name] = new_field
        record = replace(current.record, fields=_in_order(fields))
        edited = dict(current.staff_edited)
        edited[name] = {"by": actor.user_id, "name": actor.name, "at": now.isoformat()}
        updated = await self._write(
            current,
            now,
            expected_version=expected_version,
            record=record,
            staff_edited=edited,
            actor=actor,
        )
        await self._log(
            draft_id,
            updated.version,
            "field",
            now,
            field=name,
            before=old.text,
            after=new_field.text,
            actor=actor,
        )
        return updated

    async def set_status(
        self,
        draft_id: int,
        target: DraftStatus,
        *,
        expected_version: int | None,
        actor: Actor | None,
        now: datetime,
    ) -> DraftInfo:
        """Move a draft along the workflow; an invalid move raises :class:`DraftRefused`."""
        current = await self._current(draft_id)
        reason = refusal(current.status, target)
        if reason is not None:
            raise DraftRefused(reason)
        updated = await self._write(
            current, now, expected_version=expected_version, status=target, actor=actor
        )
        await self._log(
            draft_id,
            updated.version,
            "status",
            now,
            before=current.status.value,
            after=target.value,
            actor=actor,
        )
        return updated

    async def decide_tag(
        self,
        draft_id: int,
        key: str,
        decision: LensStatus,
        *,
        expected_version: int,
        actor: Actor,
        now: datetime,
    ) -> DraftInfo:
        """Confirm or reject a suggested lens tag (``framework/tag``)."""
        current = await self._current(draft_id)
        if not any(s.key == key for s in current.record.lens):
            raise DraftRefused("That tag is not suggested for this draft.")
        lens = tuple(
            replace(s, status=decision) if s.key == key else s for s in current.record.lens
        )
        updated = await self._write(
            current,
            now,
            expected_version=expected_version,
            record=replace(current.record, lens=lens),
            actor=actor,
        )
        await self._log(
            draft_id, updated.version, "lens", now, field=key, after=decision, actor=actor
        )
        return updated

    async def add_note(self, draft_id: int, text: str, *, actor: Actor, now: datetime) -> None:
        """A staff note in the history; notes never conflict, so no version check."""
        current = await self._current(draft_id)
        await self._log(draft_id, current.version, "note", now, after=text.strip(), actor=actor)

    async def log_follow_up(
        self, draft_id: int, text: str, *, actor: Actor | None, now: datetime
    ) -> None:
        current = await self._current(draft_id)
        await self._log(draft_id, current.version, "followup", now, after=text, actor=actor)


def _in_order(fields: dict[str, DraftField]) -> dict[str, DraftField]:
    order = {name: i for i, name in enumerate(FIELD_NAMES)}
    return dict(sorted(fields.items(), key=lambda item: order.get(item[0], len(order))))
