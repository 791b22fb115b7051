"""A start with nothing to migrate is cheap: the stored revision is compared with the
head named by the migration files, and Alembic is only loaded when they differ."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from storage.migrate import head_revision, heads_of_files, is_current, upgrade

ROOT = Path(__file__).resolve().parents[2]


def test_the_files_name_the_same_head_as_alembic() -> None:
    assert heads_of_files() == {head_revision()}


async def test_a_new_database_is_not_current_and_an_upgraded_one_is(database_url: str) -> None:
    assert not await is_current(database_url)
    await upgrade(database_url)
    assert await is_current(database_url)


async def test_a_second_start_does_not_load_alembic(database_url: str) -> None:
    await upgrade(database_url)
    probe = (
        "import asyncio, sys\n"
        "from storage.migrate import upgrade\n"
        f"asyncio.run(upgrade({database_url!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    assert stdout.decode().strip() == "[]"
