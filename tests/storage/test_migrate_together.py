"""Several processes starting together each bring the schema up to date: the migration lock
(PostgreSQL's advisory lock, SQLite's write lock) makes the others wait, then find nothing
to do, instead of racing on the DDL."""

from __future__ import annotations

import asyncio
import sys

from storage.migrate import current_revision, head_revision

PROCESSES = 4
UPGRADE = (
    "import asyncio, sys; from storage.migrate import upgrade; asyncio.run(upgrade(sys.argv[1]))"
)


async def test_processes_starting_together_all_upgrade(database_url: str) -> None:
    started = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            UPGRADE,
            database_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    results = [await process.communicate() for process in started]

    failures = [
        err.decode()[-600:] for (_, err), p in zip(results, started, strict=True) if p.returncode
    ]
    assert failures == []
    assert await current_revision(database_url) == head_revision()
