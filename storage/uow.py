"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from storage.contributors import SqlContributors
from storage.database import CoreStatements, Database
from storage.drafts import SqlDrafts
from storage.followups import SqlFollowUps
from storage.interviews import SqlInterviews
from storage.outbox import SqlOutbox
from storage.prompts import SqlStaffPrompts
from storage.scripts import SqlScriptVersions
from storage.staff import SqlStaff
from storage.updates import SqlUpdates


class UnitOfWork:
    """``async with UnitOfWork(db) as uow: ...; await uow.commit()``.

    Repositories share the session and never commit; leaving the block without
    :meth:`commit` (an exception, an early return) rolls everything back. Work that only
    reads passes ``read_only=True``, so that on SQLite it does not queue for the write lock.
    """

    session: AsyncSession
    contributors: SqlContributors
    drafts: SqlDrafts
    followups: SqlFollowUps
    interviews: SqlInterviews
    outbox: SqlOutbox
    prompts: SqlStaffPrompts
    scripts: SqlScriptVersions
    staff: SqlStaff
    updates: SqlUpdates

    def __init__(self, database: Database, *, read_only: bool = False) -> None:
        self._database = database
        self._read_only = read_only
        self._committed = False

    @property
    def database(self) -> Database:
        return self._database

    async def __aenter__(self) -> Self:
        self.session = (
            self._database.read_session() if self._read_only else self._database.session()
        )
        self.contributors = SqlContributors(self.session)
        self.drafts = SqlDrafts(self.session)
        self.followups = SqlFollowUps(self.session)
        core = CoreStatements(self.session)
        self.interviews = SqlInterviews(self.session, core)
        self.outbox = SqlOutbox(self.session, core)
        self.prompts = SqlStaffPrompts(self.session)
        self.scripts = SqlScriptVersions(self.session)
        self.staff = SqlStaff(self.session)
        self.updates = SqlUpdates(self.session, core)
        self._committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def rollback(self) -> None:
        await self.session.rollback()
        self._committed = False
