"""Reference numbers: only submitted stories get one, in order, without gaps, also when
several are submitted at once; references given before the counter keep their numbers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import text

from conversations.model import Person, Started, TextSent
from storage.database import Database
from storage.migrate import upgrade
from tests.storage.test_service import (
    BOB,
    CONSENT,
    make_script,
    press,
    restart,
    say,
    service_for,
    submit,
    text_question,
)


async def test_abandoned_and_declined_interviews_take_no_reference(database: Database) -> None:
    script = replace(make_script(), questions=(CONSENT, text_question("q1")))
    service = service_for(database, script)
    asked = await say(service, Started(), person=BOB)
    await say(service, press(asked, "No"), person=BOB)  # declined
    await say(service, Started())
    asked = await restart(service)  # Ada's first interview is abandoned
    await say(service, press(asked, "Yes"), TextSent("A shared allotment"))
    first = await submit(service)
    asked = await say(service, Started(), person=BOB)
    await say(service, press(asked, "Yes"), TextSent("A tenants' panel"), person=BOB)
    second = await submit(service, person=BOB)

    assert (first.submitted_reference, second.submitted_reference) == (
        "CP-2026-00001",
        "CP-2026-00002",
    )


async def test_stories_submitted_at_once_get_consecutive_distinct_references(
    database: Database,
) -> None:
    service = service_for(database)
    people = [Person(user_id=100 + n, chat_id=100 + n, name=f"P{n}") for n in range(6)]
    for person in people:
        await say(service, Started(), TextSent("a"), TextSent("b"), person=person)

    handled = await asyncio.gather(*(submit(service, person) for person in people))

    assert sorted(h.submitted_reference or "" for h in handled) == [
        f"CP-2026-{n:05d}" for n in range(1, 7)
    ]


async def test_references_given_before_the_counter_keep_their_numbers(database_url: str) -> None:
    await upgrade(database_url, "0002")
    when = "'2026-02-01 10:00:00'"
    old = Database.from_url(database_url)
    try:
        async with old.engine.begin() as connection:
            for statement in (
                "INSERT INTO contributors (telegram_user_id, chat_id, created_at, updated_at) "
                f"VALUES (7, 7, {when}, {when})",
                "INSERT INTO script_versions (script_id, version, sha256, body, created_at) "
                f"VALUES ('demo', 1, 'x', '{{}}', {when})",
                "INSERT INTO interviews (contributor_id, script_version_id, script_id, status, "
                "started_at, updated_at, submitted_at, reference) SELECT c.id, s.id, 'demo', "
                f"'submitted', {when}, {when}, {when}, 'CP-2026-00009' "
                "FROM contributors c, script_versions s",
            ):
                await connection.execute(text(statement))
    finally:
        await old.dispose()
    await upgrade(database_url)
    database = Database.from_url(database_url)
    try:
        service = service_for(database)
        await say(service, Started(), TextSent("a"), TextSent("b"))
        handled = await submit(service)
    finally:
        await database.dispose()

    assert handled.submitted_reference == "CP-2026-00010"
