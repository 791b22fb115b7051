"""The async engine and session factory, built from one ``DATABASE_URL``.

SQLite and PostgreSQL take the same code paths. On SQLite every transaction that may write
starts with ``BEGIN IMMEDIATE`` so that two writers queue on the write lock (waiting up to
the busy timeout) instead of both reading first and then deadlocking on the upgrade to a
write lock; read-only work (:meth:`Database.read_session`) starts with a plain ``BEGIN`` and
never waits for a writer, since WAL lets readers carry on meanwhile. ``synchronous=FULL``
syncs the WAL at every commit: an update is acknowledged to Telegram only after its commit,
so a power cut must not lose a committed answer Telegram will not send again. JSON columns
are written without spaces. Nothing connects until the first statement runs.

A URL's password never appears in an error or a log line: :func:`redact_url` hides it.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import weakref
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, CursorResult, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_POOL_SIZE = 20
"""Connections a process keeps open to a SQLite file, and no more. Every chat of a polled
batch starts its transaction at once; with SQLAlchemy's default pool (five, and ten more
closed again as soon as they are returned) a connection, its aiosqlite thread and its set-up
were made anew for every few updates. Writers take turns on the write lock anyway, so the
rest wait for a pooled connection instead (as long as the busy timeout)."""

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


class DatabaseUrlError(ValueError):
    """The URL names a database this project does not run on."""


def normalise_url(url: str) -> URL:
    """Map ``sqlite:///``, ``postgres://`` and ``postgresql://`` onto the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    try:
        parsed = make_url(url)
    except Exception:  # SQLAlchemy raises ArgumentError for garbage
        raise DatabaseUrlError(f"not a database URL: {redact_url(url)!r}") from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


_USERINFO_PASSWORD = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@]*):[^/?#]*@")


def redact_url(url: str | URL) -> str:
    """``url`` with any password replaced by ``***``, for errors and logs; works on strings
    SQLAlchemy cannot parse too."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _USERINFO_PASSWORD.sub(r"\1:***@", url)


def scrub_password(text: str, url: str) -> str:
    """``text`` (an error message, a log line) without the password of ``url`` in any form."""
    text = text.replace(url, redact_url(url))
    try:
        password = make_url(url).password
    except Exception:  # an unparsable URL: its password is only where the pattern finds it
        return _USERINFO_PASSWORD.sub(r"\1:***@", text)
    if password:
        for form in {str(password), quote(str(password), safe="")}:
            text = text.replace(form, "***")
    return text


_BEGIN_WRITE = "BEGIN IMMEDIATE"


class _WriteTurns:
    """This process's SQLite writers, one at a time, in order of arrival: an asyncio lock per
    event loop, taken by the statement that begins a write transaction and given back when
    it ends. A writer waiting here waits as long as the busy timeout at most, then fails as
    SQLite itself would ("database is locked"). Other processes still meet the busy handler.
    """

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._locks = weakref.WeakKeyDictionary()

    async def take(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        try:
            async with asyncio.timeout(self._timeout):
                await lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        return lock


class _TurnTakingConnection(aiosqlite.Connection):
    """aiosqlite's connection, with a write transaction's statements run on the event loop.

    aiosqlite hands every call (a cursor, an execute, a fetch, a close) to the connection's
    thread and back: about 50 hand-overs for an answered question, each waking the loop
    through its self-pipe, which cost more CPU than the statements. Here a write transaction
    takes its turn among this process's writers (:class:`_WriteTurns`) and runs ``BEGIN
    IMMEDIATE`` in the thread (another process may hold the lock: the busy handler waits
    there, not on the loop); from then on nothing can make it wait, so its statements run
    in place until ``COMMIT``, which goes to the thread again (it syncs the disk). Two
    hand-overs a transaction instead of four a statement. Everything outside a write turn
    keeps aiosqlite's thread, except a cursor made or closed, and a rollback, while the
    thread is idle (none of them waits for a lock).
    """

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int, turns: _WriteTurns
    ) -> None:
        super().__init__(connector, iter_chunk_size)
        self._turns = turns
        self._turn: asyncio.Lock | None = None
        # Calls handed to the thread, and those it finished (each counted by one thread only):
        # the thread is idle when they are equal, even after a caller stopped waiting.
        self._handed = 0
        self._finished = 0

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._turn is not None or (self._idle() and _never_waits(fn)):
            if not self._running or self._connection is None:
                raise ValueError("Connection closed")
            return fn(*args, **kwargs)
        if args and args[0] == _BEGIN_WRITE:
            turn = await self._turns.take()
            try:
                result = await self._in_thread(fn, *args, **kwargs)
            except BaseException:
                turn.release()
                raise
            self._turn = turn
            return result
        return await self._in_thread(fn, *args, **kwargs)

    def _idle(self) -> bool:
        return self._handed == self._finished

    async def _in_thread(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self._finished += 1

        self._handed += 1
        return await super()._execute(call)  # type: ignore[no-untyped-call]

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()

    async def commit(self) -> None:
        if self._turn is None:
            await super().commit()
            return
        try:
            await self._in_thread(self._conn.commit)
        finally:
            self._end_turn()

    async def rollback(self) -> None:
        try:
            if self._turn is not None or self._idle():
                # WAL: a rollback neither waits for a lock nor writes to disk.
                self._conn.rollback()
            else:
                await super().rollback()
        finally:
            self._end_turn()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._end_turn()

    def stop(self) -> asyncio.Future[Any] | None:
        try:
            return super().stop()
        finally:
            self._end_turn()


def _never_waits(fn: Any) -> bool:
    """A cursor made or closed: no lock, no disk."""
    name = getattr(fn, "__name__", "")
    return (name == "cursor" and isinstance(getattr(fn, "__self__", None), sqlite3.Connection)) or (
        name == "close" and isinstance(getattr(fn, "__self__", None), sqlite3.Cursor)
    )


def _turn_taking_connector(turns: _WriteTurns) -> Callable[..., _TurnTakingConnection]:
    """What SQLAlchemy's aiosqlite adapter calls instead of ``aiosqlite.connect``, with the
    same arguments (the URL's)."""

    def connect(
        database: str, *, iter_chunk_size: int = 64, **kwargs: Any
    ) -> _TurnTakingConnection:
        # Used from the loop and from the connection's thread, one call at a time.
        kwargs["check_same_thread"] = False
        connection = _TurnTakingConnection(
            lambda: sqlite3.connect(database, **kwargs), iter_chunk_size, turns
        )
        connection._thread.daemon = True  # as SQLAlchemy sets aiosqlite's own
        return connection

    return connect


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take BEGIN away from the driver (the documented recipe); "begin" below emits our own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # The busy timeout first: switching a new file to WAL takes a lock that several
        # processes starting together would otherwise fail on at once.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


_READ_ONLY = "copro_read_only"


def _on_sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql(_BEGIN_WRITE)


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _compact_json(value: Any) -> str:
    # One encoder for every value: json.dumps makes a new one per call given any option.
    return _COMPACT.encode(value)


class Database:
    """One engine and its session factory; share one per process, dispose on shutdown."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False
        )
        self.read_sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        echo: bool = False,
        pool_size: int | None = None,
        max_overflow: int | None = None,
    ) -> Database:
        """``pool_size`` and ``max_overflow`` size a PostgreSQL process's connection pool
        (each worker holds up to their sum; SQLAlchemy's defaults when None)."""
        parsed = normalise_url(url)
        sizing: dict[str, int] = {}
        if _is_sqlite(parsed):
            sizing = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 0}
        else:
            if pool_size is not None:
                sizing["pool_size"] = pool_size
            if max_overflow is not None:
                sizing["max_overflow"] = max_overflow
        engine = create_async_engine(
            parsed,
            echo=echo,
            pool_pre_ping=not _is_sqlite(parsed),
            json_serializer=_compact_json,
            **sizing,
        )
        if _is_sqlite(parsed):
            connector = _turn_taking_connector(_WriteTurns(SQLITE_BUSY_TIMEOUT_MS / 1000))

            def do_connect(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
                params["async_creator_fn"] = connector

            event.listen(engine.sync_engine, "do_connect", do_connect)
            event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
            event.listen(engine.sync_engine, "begin", _on_sqlite_begin)
        return cls(engine)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def session(self) -> AsyncSession:
        return self.sessions()

    def read_session(self) -> AsyncSession:
        """A session for work that only reads: on SQLite it takes no write lock (a write
        in it may fail with "database is locked" instead of waiting)."""
        return self.read_sessions()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that knows ``ON CONFLICT`` on both backends (their APIs are the same)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


_Built = TypeVar("_Built")


def per_dialect(build: Callable[[Callable[[Any], Any]], _Built]) -> dict[str, _Built]:
    """A statement built once per backend from its ``insert`` (their ``ON CONFLICT`` APIs are
    the same), so that a hot path does not build, and SQLAlchemy need not key, a new
    statement object each time; look one up with :func:`dialect_of`."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}


def dialect_of(session: AsyncSession) -> str:
    """``"sqlite"`` or ``"postgresql"``: the backend ``session`` talks to."""
    return session.get_bind().dialect.name


class CoreStatements:
    """Runs prebuilt Core statements (no ORM entity in them) of a session's transaction on
    its connection directly. Through ``AsyncSession.execute`` such a statement gets nothing
    from the ORM (no autoflush, no identity map) yet pays for its dispatch each time: about
    a tenth of an answered update's CPU. Same transaction, same connection: the session's
    (it begins it if need be). The connection is asked for again once the session let it
    go (a commit or rollback), never reused after that.
    """

    __slots__ = ("_connection", "_session", "dialect")

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._connection: AsyncConnection | None = None
        self.dialect: str = dialect_of(session)
        """``"sqlite"`` or ``"postgresql"``, as :func:`dialect_of` says."""

    async def execute(self, statement: Any, parameters: Any = None) -> CursorResult[Any]:
        connection = self._connection
        if connection is None or connection.closed:
            connection = self._connection = await self._session.connection()
        result: CursorResult[Any] = await connection.execute(statement, parameters)
        return result
