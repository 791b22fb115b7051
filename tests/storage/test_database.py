"""The engine set-up: URL normalisation, SQLite pragmas, serialised SQLite writers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import (
    Database,
    DatabaseUrlError,
    normalise_url,
    redact_url,
    scrub_password,
)
from storage.migrate import upgrade
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///copro.db", "sqlite+aiosqlite:///copro.db"),
        ("sqlite+aiosqlite:////var/lib/c.db", "sqlite+aiosqlite:////var/lib/c.db"),
        ("postgresql://u:p@db:5432/copro", "postgresql+asyncpg://u:p@db:5432/copro"),
        ("postgres://u@db/copro", "postgresql+asyncpg://u@db/copro"),
        ("postgresql+asyncpg://u@db/copro", "postgresql+asyncpg://u@db/copro"),
        ("postgresql+psycopg2://u@db/copro", "postgresql+asyncpg://u@db/copro"),
    ],
)
def test_sync_urls_are_mapped_to_async_drivers(given: str, expected: str) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize("url", ["mysql://u@db/copro", "not a url"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(DatabaseUrlError):
        normalise_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://copro:s3cr%40t-pw@db.example.org:5432/copro",
        "postgres://copro:s3cr@t-pw@db.example.org/copro",
        "mysql://copro:s3cr@t-pw@db.example.org/copro",
        "postgresql://copro:s3cr@t-pw@[not a host/copro",
    ],
)
def test_a_password_never_shows_in_redacted_text(url: str) -> None:
    message = f"could not connect to {url}: password of {url} refused"

    assert "s3cr" not in scrub_password(message, url)
    assert "s3cr" not in redact_url(url)
    assert "copro" in redact_url(url)  # the rest stays, to tell which database


def test_a_refused_url_does_not_repeat_its_password() -> None:
    with pytest.raises(DatabaseUrlError) as refused:
        normalise_url("mysql://copro:s3cr@t-pw@db/copro")
    with pytest.raises(DatabaseUrlError) as garbage:
        normalise_url("postgresql://copro:s3cr@t-pw@db:notaport/copro")

    assert "s3cr" not in str(refused.value) and "s3cr" not in str(garbage.value)


def test_creating_a_database_does_not_connect(tmp_path: Path) -> None:
    Database.from_url(f"sqlite:///{tmp_path / 'never.db'}")

    assert not (tmp_path / "never.db").exists()


async def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        async with database.engine.connect() as connection:
            pragmas = [
                (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            ]
    finally:
        await database.dispose()

    # synchronous=FULL (2): a commit acknowledged to Telegram survives a power cut.
    assert pragmas == ["wal", 1, 30000, 2]


async def test_sqlite_refuses_a_row_that_breaks_a_foreign_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    await upgrade(url)
    database = Database.from_url(url)
    statement = text(
        "INSERT INTO answers (interview_id, question_id, value, text, revision, created_at,"
        " updated_at) VALUES (999, 'q', '{}', '', 1, '2026-01-01', '2026-01-01')"
    )
    try:
        async with database.engine.connect() as connection:
            with pytest.raises(Exception, match="FOREIGN KEY"):
                await connection.execute(statement)
    finally:
        await database.dispose()


async def test_two_writers_that_read_first_both_succeed(database: Database) -> None:
    """Read-then-write transactions queue instead of deadlocking (BEGIN IMMEDIATE on SQLite)."""

    async def claim(update_id: int) -> bool:
        async with UnitOfWork(database) as uow:
            await uow.updates.seen(update_id)
            await asyncio.sleep(0.05)
            claimed = await uow.updates.claim(update_id, NOW)
            await uow.commit()
            return claimed

    results = await asyncio.gather(claim(1), claim(2))

    assert list(results) == [True, True]


async def test_many_sqlite_writers_of_one_process_all_commit(tmp_path: Path) -> None:
    """Thirty chats writing at once take turns; none fails with "database is locked"."""
    database = Database.from_url(f"sqlite:///{tmp_path / 'turns.db'}")
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE said (n INTEGER PRIMARY KEY)")

        async def write(n: int) -> None:
            async with database.engine.begin() as connection:
                await connection.execute(text("INSERT INTO said VALUES (:n)"), {"n": n})
                await asyncio.sleep(0)  # another writer asks for its turn meanwhile

        await asyncio.gather(*(write(n) for n in range(30)))
        async with database.engine.connect() as connection:
            stored = (await connection.exec_driver_sql("SELECT n FROM said ORDER BY n")).all()
    finally:
        await database.dispose()

    assert [n for (n,) in stored] == list(range(30))


async def test_a_sqlite_reader_goes_on_while_a_writer_holds_its_turn(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'read.db'}")
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE said (n INTEGER PRIMARY KEY)")
            await connection.exec_driver_sql("INSERT INTO said VALUES (1)")
        writing, read = asyncio.Event(), asyncio.Event()

        async def write() -> None:
            async with database.engine.begin() as connection:
                await connection.exec_driver_sql("INSERT INTO said VALUES (2)")
                writing.set()
                await read.wait()  # holds the write lock until the reader is done

        writer = asyncio.create_task(write())
        await writing.wait()
        async with database.read_session() as session:
            seen = (await session.execute(text("SELECT n FROM said"))).scalars().all()
        read.set()
        await writer
    finally:
        await database.dispose()

    assert seen == [1]  # the writer's row is not committed yet


async def test_a_sqlite_writer_waits_for_another_process_without_stopping_the_loop(
    tmp_path: Path,
) -> None:
    """Another process holding the write lock: the writer waits in SQLite's busy handler on
    the connection's thread, and everything else on the loop carries on meanwhile."""
    import sqlite3

    path = tmp_path / "other.db"
    database = Database.from_url(f"sqlite:///{path}")
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE said (n INTEGER PRIMARY KEY)")
        # The executor may run each call on a different thread: the other process's
        # connection is used from whichever one is free.
        other = await asyncio.to_thread(
            sqlite3.connect, path, isolation_level=None, check_same_thread=False
        )
        await asyncio.to_thread(other.execute, "BEGIN IMMEDIATE")

        async def write() -> None:
            async with database.engine.begin() as connection:
                await connection.exec_driver_sql("INSERT INTO said VALUES (1)")

        writer = asyncio.create_task(write())
        ticks = 0
        while ticks < 20:  # the loop keeps turning while the writer waits
            await asyncio.sleep(0.01)
            ticks += 1
        waited = not writer.done()
        await asyncio.to_thread(other.execute, "COMMIT")
        await writer
        await asyncio.to_thread(other.close)
        async with database.engine.connect() as connection:
            stored = (await connection.exec_driver_sql("SELECT n FROM said")).scalars().all()
    finally:
        await database.dispose()

    assert (waited, stored) == (True, [1])


async def test_a_sqlite_writer_inside_its_own_write_transaction_fails_after_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with SQLite's lock alone: the inner writer's turn never comes, and it is told so
    rather than waiting for ever."""
    from sqlalchemy.exc import OperationalError

    import storage.database as module

    monkeypatch.setattr(module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    database = Database.from_url(f"sqlite:///{tmp_path / 'nested.db'}")
    try:
        async with database.engine.begin() as outer:
            await outer.exec_driver_sql("CREATE TABLE said (n INTEGER PRIMARY KEY)")
            with pytest.raises(OperationalError, match="database is locked"):
                async with database.engine.begin() as inner:
                    await inner.exec_driver_sql("INSERT INTO said VALUES (1)")
            await outer.exec_driver_sql("INSERT INTO said VALUES (2)")
        async with database.engine.connect() as connection:
            stored = (await connection.exec_driver_sql("SELECT n FROM said")).scalars().all()
    finally:
        await database.dispose()

    assert stored == [2]
