"""Bring a database's schema up to date with Alembic, configured in code (no alembic.ini).

Migrations run inside one transaction on the async engine's connection, handed to Alembic
through ``connection.run_sync``; SQLite's DDL is transactional too, so a failed upgrade
leaves the schema as it was.

Any number of processes may start together: on PostgreSQL the upgrade holds an advisory
lock (taken first in its transaction, released at commit), on SQLite the transaction begins
``BEGIN IMMEDIATE`` and so holds the write lock throughout; the others wait, then find the
schema current and do nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from storage.database import Database, normalise_url

# Any fixed 64-bit number, the same in every process of this project ("copro-mg").
MIGRATION_LOCK_KEY = 0x636F70726F2D6D67

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_config(database_url: str | None = None) -> Config:
    """An Alembic config for our migrations; ``command.revision(make_config(url), ...)`` works."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url is not None:
        rendered = normalise_url(database_url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(make_config()).get_current_head()


_REVISION = re.compile(r"^(down_)?revision\b[^=]*=\s*(.+)$", re.MULTILINE)


def heads_of_files() -> set[str]:
    """The head revision(s) named by the migration files, read without loading Alembic."""
    revisions: set[str] = set()
    below: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (below if down else revisions).update(re.findall(r"[\"']([^\"']+)[\"']", value))
    return revisions - below


async def is_current(database_url: str) -> bool:
    """Whether the database is at the head already: one cheap query, so a start with
    nothing to migrate does not load Alembic (hundreds of milliseconds)."""
    database = Database.from_url(database_url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            stored = {str(row[0]) for row in rows}
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    finally:
        await database.dispose()
    return bool(stored) and stored == heads_of_files()


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (the newest by default)."""
    if revision == "head" and await is_current(database_url):
        return
    config = make_config()
    database = Database.from_url(database_url)
    try:
        async with database.engine.begin() as connection:
            if database.dialect == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await database.dispose()


async def current_revision(database_url: str) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    database = Database.from_url(database_url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(_current_revision)
    finally:
        await database.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
