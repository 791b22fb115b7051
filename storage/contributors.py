"""Contributors: who talks to the bot. Upserting one also locks its row for the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import parse_language_code
from conversations.model import Person
from storage.database import Database, dialect_insert
from storage.models import Contributor


@dataclass(frozen=True)
class ContributorRecord:
    id: int
    telegram_user_id: int
    chat_id: int
    display_name: str
    username: str | None
    language: str | None
    reminders_enabled: bool
    chosen_language: str | None
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


def _record(row: Contributor) -> ContributorRecord:
    return ContributorRecord(
        id=row.id,
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
        display_name=row.display_name,
        username=row.username,
        language=row.language,
        reminders_enabled=row.reminders_enabled,
        chosen_language=row.chosen_language,
        created_at=row.created_at,
        updated_at=row.updated_at,
        erased_at=row.erased_at,
    )


class SqlContributors:
    """Contributor rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, person: Person, now: datetime) -> int:
        """Create or refresh the contributor and return its id.

        On PostgreSQL ``ON CONFLICT DO UPDATE`` locks the row until commit, so every later
        statement of a transaction for the same person waits for the earlier one: this is
        what serialises two updates from one chat, first contact included. Writing again
        after /delete lifts the tombstone: the person chose to take part again.
        """
        table = Contributor.__table__
        insert = dialect_insert(self._session, table).values(
            telegram_user_id=person.user_id,
            chat_id=person.chat_id,
            display_name=person.name,
            username=person.username,
            language=person.language,
            created_at=now,
            updated_at=now,
        )
        excluded = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.telegram_user_id],
            set_={
                "chat_id": excluded.chat_id,
                "display_name": excluded.display_name,
                "username": excluded.username,
                "language": func.coalesce(excluded.language, table.c.language),
                "updated_at": excluded.updated_at,
                "erased_at": None,
            },
        ).returning(table.c.id)
        return int((await self._session.execute(statement)).scalar_one())

    async def by_user_id(self, user_id: int, *, lock: bool = False) -> ContributorRecord | None:
        statement = select(Contributor).where(Contributor.telegram_user_id == user_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).scalar_one_or_none()
        return _record(row) if row is not None else None

    async def get(self, contributor_id: int) -> ContributorRecord | None:
        row = await self._session.get(Contributor, contributor_id)
        return _record(row) if row is not None else None

    async def choose_language(self, contributor_id: int, language: str, now: datetime) -> None:
        """Remember the language picked with /language; it wins over Telegram's."""
        await self._session.execute(
            update(Contributor)
            .where(Contributor.id == contributor_id)
            .values(chosen_language=language, updated_at=now)
        )

    async def set_reminders(self, contributor_id: int, enabled: bool, now: datetime) -> None:
        await self._session.execute(
            update(Contributor)
            .where(Contributor.id == contributor_id)
            .values(reminders_enabled=enabled, updated_at=now)
        )

    async def mark_erased(self, contributor_id: int, now: datetime) -> None:
        """Keep a tombstone: the Telegram id (so a later /delete can say so), no name."""
        await self._session.execute(
            update(Contributor)
            .where(Contributor.id == contributor_id)
            .values(
                display_name="",
                username=None,
                language=None,
                chosen_language=None,
                erased_at=now,
                updated_at=now,
            )
        )


async def language_for(database: Database, user_id: int, telegram_code: str | None) -> str:
    """The language to speak to someone outside an interview step: the one they chose with
    /language, else the one their Telegram app offers (English when we do not ship it)."""
    async with database.session() as session:
        chosen = (
            await session.execute(
                select(Contributor.chosen_language).where(Contributor.telegram_user_id == user_id)
            )
        ).scalar_one_or_none()
    return chosen or parse_language_code(telegram_code)
