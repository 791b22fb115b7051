"""Script snapshots: the exact script an interview follows, whatever the files say later."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import ScriptVersion

UNCOMMITTED = "copro_uncommitted_snapshots"
"""``session.info`` key: ids of snapshots this session stored, not to be cached."""


def canonical_json(body: dict[str, Any]) -> str:
    """Key order and spacing fixed, so equal scripts hash equal."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def script_sha256(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ScriptSnapshot:
    id: int
    script_id: str
    version: int
    sha256: str
    body: dict[str, Any]


class SqlScriptVersions:
    """Script snapshot rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def snapshot(
        self, script_id: str, version: int, body: dict[str, Any], now: datetime
    ) -> ScriptSnapshot:
        """The stored snapshot of ``body``, stored now if this exact body is new.

        Keyed by content, not by version number: a file edited without bumping its version
        still gets a row of its own.
        """
        sha = script_sha256(body)
        table = ScriptVersion.__table__
        inserted = await self._session.execute(
            dialect_insert(self._session, table)
            .values(
                script_id=script_id,
                version=version,
                sha256=sha,
                body=json.loads(canonical_json(body)),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[table.c.script_id, table.c.sha256])
        )
        row = (
            await self._session.execute(
                select(ScriptVersion).where(
                    ScriptVersion.script_id == script_id, ScriptVersion.sha256 == sha
                )
            )
        ).scalar_one()
        if getattr(inserted, "rowcount", 0):
            # Not committed yet: its id may be reused if this transaction rolls back.
            self._session.info.setdefault(UNCOMMITTED, set()).add(row.id)
        return _snapshot(row)

    async def get(self, snapshot_id: int) -> ScriptSnapshot | None:
        row = await self._session.get(ScriptVersion, snapshot_id)
        return _snapshot(row) if row is not None else None

    async def all_of(self, script_id: str) -> list[ScriptSnapshot]:
        rows = await self._session.execute(
            select(ScriptVersion)
            .where(ScriptVersion.script_id == script_id)
            .order_by(ScriptVersion.id)
        )
        return [_snapshot(row) for row in rows.scalars()]


def _snapshot(row: ScriptVersion) -> ScriptSnapshot:
    return ScriptSnapshot(
        id=row.id, script_id=row.script_id, version=row.version, sha256=row.sha256, body=row.body
    )
