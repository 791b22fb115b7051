"""Migration 0005: drafts stored before it get their export view, and it downgrades cleanly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.export_view import export_view
from storage.migrate import current_revision, make_config, upgrade
from storage.models import Contributor, Draft, Interview, ScriptVersion
from tests.storage.test_export_output import _body

BEFORE = "0004_job_runs"
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = make_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def downgrade(url: str, revision: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_downgrade, revision)
    finally:
        await database.dispose()


async def insert_drafts_of_an_older_release(url: str, bodies: list[dict[str, Any]]) -> None:
    """Drafts as the release before 0005 wrote them (the insert names no view column)."""
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await session.execute(
                insert(ScriptVersion).values(
                    id=1,
                    script_id="full-story",
                    version=1,
                    sha256="0" * 64,
                    body={},
                    created_at=WHEN,
                )
            )
            for n, body in enumerate(bodies, start=1):
                reference = f"CP-2026-{n:05d}"
                await session.execute(
                    insert(Contributor).values(
                        id=n, telegram_user_id=n, chat_id=n, created_at=WHEN, updated_at=WHEN
                    )
                )
                await session.execute(
                    insert(Interview).values(
                        id=n,
                        contributor_id=n,
                        script_version_id=1,
                        script_id="full-story",
                        status="submitted",
                        state={},
                        started_at=WHEN,
                        updated_at=WHEN,
                        submitted_at=WHEN,
                        reference=reference,
                    )
                )
                await session.execute(
                    insert(Draft).values(
                        interview_id=n,
                        reference=reference,
                        script_id="full-story",
                        title="",
                        body=body,
                        staff_edited={},
                        created_at=WHEN,
                        updated_at=WHEN,
                        status_changed_at=WHEN,
                    )
                )
            await session.commit()
    finally:
        await database.dispose()


async def draft_columns(url: str) -> set[str]:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("drafts")}
            )
    finally:
        await database.dispose()


async def stored_views(url: str) -> list[Any]:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.execute(select(Draft.export_view).order_by(Draft.id))
            return [row[0] for row in rows]
    finally:
        await database.dispose()


async def test_drafts_stored_before_the_view_get_theirs_and_downgrade_drops_it(
    database_url: str,
) -> None:
    await upgrade(database_url, BEFORE)
    records = [_body(n) for n in range(3)]
    unreadable = {"fields": "not a list"}
    await insert_drafts_of_an_older_release(
        database_url, [records[0].to_json(), unreadable, records[2].to_json()]
    )

    await upgrade(database_url)

    views = await stored_views(database_url)
    assert views == [export_view(records[0]), None, export_view(records[2])]

    await downgrade(database_url, BEFORE)
    assert await current_revision(database_url) == BEFORE
    assert "export_view" not in await draft_columns(database_url)

    await upgrade(database_url)  # and up again, the views rebuilt
    assert await stored_views(database_url) == views
