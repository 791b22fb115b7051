"""The backup and restore commands of docs/deploy.md, run as written: what was stored
comes back, and the restored database is at the same migration."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage.database import Database, normalise_url
from storage.migrate import upgrade
from storage.models import Contributor
from tests.conftest import TEST_DATABASE_URL, _on_server

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"


async def seed(url: str) -> None:
    await upgrade(url)
    database = Database.from_url(url)
    try:
        async with database.session() as session, session.begin():
            for n in range(3):
                session.add(
                    Contributor(
                        telegram_user_id=500 + n,
                        chat_id=500 + n,
                        display_name=f"Person {n}",
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
    finally:
        await database.dispose()


async def contents(url: str) -> tuple[list[str], str]:
    """The contributors' names and the migration the database is at."""
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            names = (
                await session.execute(
                    select(Contributor.display_name).order_by(Contributor.display_name)
                )
            ).scalars()
            version = await session.execute(text("SELECT version_num FROM alembic_version"))
            return [str(n) for n in names], str(version.scalar_one())
    finally:
        await database.dispose()


async def shell(command: str, cwd: Path, **env: str) -> None:
    process = await asyncio.create_subprocess_shell(
        command, cwd=cwd, env={**os.environ, **env}, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


def documented(prefix: str) -> str:
    """The command line of docs/deploy.md that starts with ``prefix``: the test runs the
    documented command, not a copy of it."""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith(prefix):
            return line
    raise LookupError(prefix)


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
async def test_a_sqlite_backup_restores_everything(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'copro-bot.db'}"
    await seed(url)
    before = await contents(url)
    await shell(documented("sqlite3 copro-bot.db"), tmp_path)
    (tmp_path / "copro-bot.db").unlink()
    shutil.copy(tmp_path / "copro-bot-backup.db", tmp_path / "copro-bot.db")  # the restore
    assert await contents(url) == before
    assert before[0] == ["Person 0", "Person 1", "Person 2"]


@pytest.fixture
async def two_postgres_databases() -> AsyncIterator[tuple[str, str]]:
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL backups need TEST_DATABASE_URL")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed")
    names = [f"copro_backup_{os.getpid()}_{uuid.uuid4().hex[:8]}_{n}" for n in range(2)]
    for name in names:
        await _on_server(f'CREATE DATABASE "{name}"')
    base = normalise_url(TEST_DATABASE_URL)
    urls = [
        base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        for name in names
    ]
    try:
        yield urls[0], urls[1]
    finally:
        for name in names:
            await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_a_postgresql_dump_restores_into_another_database(
    two_postgres_databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = two_postgres_databases
    await seed(source)
    before = await contents(source)
    dump = documented("pg_dump ").replace("copro-$(date +%F).dump", "copro.dump")
    await shell(dump, tmp_path, DATABASE_URL=source)
    restore = documented("pg_restore ").replace("copro-2026-03-02.dump", "copro.dump")
    await shell(restore, tmp_path, DATABASE_URL=target)
    assert await contents(target) == before
    database = Database.from_url(target)
    try:
        async with database.session() as session:
            count = await session.execute(select(func.count()).select_from(Contributor))
            assert count.scalar_one() == 3
    finally:
        await database.dispose()
