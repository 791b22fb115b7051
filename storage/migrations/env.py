"""Alembic environment: runs on the connection ``storage.migrate`` hands over.

``storage.migrate.upgrade`` opens the async engine and passes a sync-facing connection in
``config.attributes["connection"]``. Run without one (the ``alembic`` command line with a
``sqlalchemy.url`` option), it opens its own async engine from that URL.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    from storage.database import Database

    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await database.dispose()


def _run_offline(url: str) -> None:
    from storage.database import normalise_url

    context.configure(url=normalise_url(url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


_given = context.config.attributes.get("connection")
if isinstance(_given, Connection):
    _run(_given)
elif context.is_offline_mode():
    _run_offline(context.config.get_main_option("sqlalchemy.url") or "")
else:
    asyncio.run(_run_from_url(context.config.get_main_option("sqlalchemy.url") or ""))
