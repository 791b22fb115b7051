"""Shared database fixtures: every test that asks for one runs on SQLite and, when
``TEST_DATABASE_URL`` names a PostgreSQL server, on PostgreSQL too (else those variants are
reported as skipped, with the reason).

Each PostgreSQL test gets a database of its own, created through the server named by
``TEST_DATABASE_URL`` and dropped afterwards, so tests (and concurrent test runs) never see
each other's rows. If the server cannot be reached, the PostgreSQL variants skip with the
reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
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
    async with _scratch_postgresql() as url:
        yield url


@contextlib.asynccontextmanager
async def _scratch_postgresql(template: str | None = None) -> AsyncIterator[str]:
    """A PostgreSQL database of the test's own (a copy of ``template`` when given),
    dropped afterwards."""
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    name = f"copro_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    await _on_server(f'CREATE DATABASE "{name}"{copy_of}')
    try:
        yield (
            normalise_url(TEST_DATABASE_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_templates: dict[str, str] = {}  # backend -> a database migrated once, copied per test


async def _template(backend: str, folder: Path) -> str:
    """A database at the newest migration, made once per test process: each test that
    needs a migrated schema gets a copy, which takes milliseconds where running every
    migration again takes a second."""
    if backend not in _templates:
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'template.db'}"
        else:
            name = f"copro_template_{os.getpid()}_{uuid.uuid4().hex[:10]}"
            await _on_server(f'CREATE DATABASE "{name}"')
            url = normalise_url(TEST_DATABASE_URL).set(database=name).render_as_string(False)
        await upgrade(url)
        _templates[backend] = url
    return _templates[backend]


@pytest.fixture(scope="session")
def _template_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("template")


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    """The PostgreSQL template is dropped when the test process ends."""
    yield
    url = _templates.pop("postgresql", None)
    if url is not None:
        import asyncio

        name = make_url(url).database
        asyncio.run(_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
async def migrated_url(
    request: pytest.FixtureRequest, tmp_path: Path, _template_folder: Path
) -> AsyncIterator[str]:
    """The URL of a database with the schema at the newest migration: a copy of a template
    migrated once (``upgrade`` runs every migration; the migration tests use
    ``database_url`` and run them themselves)."""
    if request.param == "sqlite":
        template = await _template("sqlite", _template_folder)
        copy = tmp_path / "test.db"
        shutil.copyfile(make_url(template).database or "", copy)
        yield f"sqlite:///{copy}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    template = make_url(await _template("postgresql", _template_folder)).database
    async with _scratch_postgresql(template) as url:
        yield url


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    """An open :class:`Database` on a migrated, empty schema."""
    db = Database.from_url(migrated_url)
    try:
        yield db
    finally:
        await db.dispose()
