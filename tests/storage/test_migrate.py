"""Migrations: they upgrade an empty database and create exactly the models' schema."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_empty_database_has_no_revision(database_url: str) -> None:
    assert await current_revision(database_url) is None


async def test_upgrade_from_empty_reaches_head(database_url: str) -> None:
    await upgrade(database_url)

    assert await current_revision(database_url) == head_revision()


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)

    assert await current_revision(database_url) == head_revision()


async def test_upgrade_creates_every_model_table(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_tables)

    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_models_match_migrations(database: Database) -> None:
    async with database.engine.connect() as connection:
        diff = await connection.run_sync(_diff)

    assert diff == []
