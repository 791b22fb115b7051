"""Shared database fixtures: every test that asks for one runs on SQLite and, when
``TEST_DATABASE_URL`` names a PostgreSQL server, on PostgreSQL too (else those variants are
reported as skipped, with the reason).

Each PostgreSQL test gets a database of its own, created through the server named by
``TEST_DATABASE_URL`` and dropped afterwards, so tests (and concurrent test runs) never see
each other's rows. If the server cannot be reached, the PostgreSQL variants skip with the
reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.cli import adopt_new_duration_types
from storage.database import Database, normalise_url
from storage.migrate import upgrade

adopt_new_duration_types(os.environ)  # as the command does, for bots built in-process

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()

# Both are always collected, so a run without PostgreSQL says so in its skipped count.
BACKENDS = ["sqlite", "postgresql"]
NO_POSTGRES = "PostgreSQL variant: set TEST_DATABASE_URL=postgresql://... to run it"

_unreachable: list[str] = []  # the reason, once a connection attempt has failed


async def _on_server(statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    if _unreachable:
        pytest.skip(_unreachable[0])
    engine = create_async_engine(
        normalise_url(TEST_DATABASE_URL),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"timeout": 5},
    )
    try:
        try:
            connection = await engine.connect()
        except (OSError, TimeoutError, DBAPIError) as error:
            _unreachable.append(f"PostgreSQL at TEST_DATABASE_URL unreachable: {error}")
            pytest.skip(_unreachable[0])
        try:
            await connection.execute(text(statement))
        finally:
            await connection.close()
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database (no tables): a SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    name = f"copro_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    await _on_server(f'CREATE DATABASE "{name}"')
    try:
        yield (
            normalise_url(TEST_DATABASE_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    """The URL of a database with the schema at the newest migration."""
    await upgrade(database_url)
    return database_url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    """An open :class:`Database` on a migrated, empty schema."""
    db = Database.from_url(migrated_url)
    try:
        yield db
    finally:
        await db.dispose()
