"""Processed update ids: a redelivered update is claimed once, an id reused by another
update (a restarted sequence) is claimed anew; unusable updates are parked."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.intake import forget_old_updates, look_up_batch, park_update, parked_updates
from storage.uow import UnitOfWork
from storage.updates import DEDUPE_WINDOW

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_an_update_id_is_claimed_only_once(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        first = await uow.updates.claim(7, NOW)
        second = await uow.updates.claim(7, NOW)
        await uow.commit()

    assert (first, second) == (True, False)


async def test_a_claim_rolled_back_is_forgotten(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(8, NOW)
    async with UnitOfWork(database) as uow:
        seen = await uow.updates.seen(8)

    assert seen is False


async def test_concurrent_claims_of_one_update_id_let_one_through(database: Database) -> None:
    async def claim() -> bool:
        async with UnitOfWork(database) as uow:
            claimed = await uow.updates.claim(9, NOW)
            await asyncio.sleep(0.05)
            await uow.commit()
            return claimed

    results = await asyncio.gather(*(claim() for _ in range(5)))

    assert sorted(results) == [False, False, False, False, True]


async def test_prune_forgets_old_update_ids_only(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(1, NOW - timedelta(days=3))
        await uow.updates.claim(2, NOW)
        await uow.updates.record_outcome(2, "answered")
        pruned = await uow.updates.prune(NOW - timedelta(days=1))
        await uow.commit()
    async with UnitOfWork(database) as uow:
        seen = (await uow.updates.seen(1), await uow.updates.seen(2))

    assert (pruned, seen) == (1, (False, True))


async def test_an_id_reused_with_other_content_is_a_new_update(database: Database) -> None:
    """Telegram restarted its id sequence (or the database serves another bot)."""
    async with UnitOfWork(database) as uow:
        first = await uow.updates.claim(10, NOW, "content-a")
        again = await uow.updates.claim(10, NOW, "content-a")
        reused = await uow.updates.claim(10, NOW + timedelta(minutes=1), "content-b")
        reused_again = await uow.updates.claim(10, NOW + timedelta(minutes=2), "content-b")
        await uow.commit()

    assert (first, again, reused, reused_again) == (True, False, True, False)


async def test_an_id_seen_before_the_window_is_a_new_update(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(11, NOW, "same")
        within = await uow.updates.claim(11, NOW + DEDUPE_WINDOW - timedelta(hours=1), "same")
        after = await uow.updates.claim(11, NOW + DEDUPE_WINDOW + timedelta(hours=1), "same")
        await uow.commit()

    assert (within, after) == (False, True)


async def test_seen_matches_id_content_and_window(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(12, NOW, "content-a")
        await uow.commit()
    async with UnitOfWork(database) as uow:
        seen = [
            await uow.updates.seen(12, "content-a", now=NOW),
            await uow.updates.seen(12, "content-b", now=NOW),
            await uow.updates.seen(12, "content-a", now=NOW + DEDUPE_WINDOW * 2),
            await uow.updates.seen(13, "content-a", now=NOW),
        ]

    assert seen == [True, False, False, False]


async def test_forget_old_updates_prunes_beyond_the_window(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(20, NOW - DEDUPE_WINDOW - timedelta(hours=1), "old")
        await uow.updates.claim(21, NOW - timedelta(days=1), "recent")
        await uow.commit()

    pruned = await forget_old_updates(database, NOW)

    async with UnitOfWork(database) as uow:
        kept = (await uow.updates.seen(20), await uow.updates.seen(21))
    assert (pruned, kept) == (1, (False, True))


async def test_a_parked_update_keeps_its_raw_json_whatever_it_holds(database: Database) -> None:
    raw = json.dumps({"update_id": 5, "message": {"text": "\ud800 and \x00"}}, ensure_ascii=True)

    await park_update(database, 5, "TypeError: missing date", raw, NOW)
    await park_update(database, None, "not an update", "null", NOW)

    [unnamed, parked] = await parked_updates(database)
    assert (parked.update_id, parked.error, json.loads(parked.raw)) == (
        5,
        "TypeError: missing date",
        {"update_id": 5, "message": {"text": "\ud800 and \x00"}},
    )
    assert (unnamed.update_id, unnamed.raw) == (None, "null")


async def test_a_batch_is_checked_for_redeliveries_and_staff_in_one_read(
    database: Database,
) -> None:
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(30, NOW, "content-a")
        await uow.updates.claim(31, NOW - DEDUPE_WINDOW * 2, "content-b")
        await uow.updates.claim(32, NOW, "content-c")
        await uow.staff.add(501, "Sam", 900, NOW)
        await uow.commit()

    found = await look_up_batch(
        database,
        [(30, "content-a"), (31, "content-b"), (32, "content-x"), (33, "content-d")],
        [501, 502],
        NOW,
    )

    # 31 is too old to be a redelivery, 32 came with other content, 33 was never seen.
    assert (found.processed, found.staff) == ({30}, {501})
    empty = await look_up_batch(database, [], [], NOW)
    assert (empty.processed, empty.staff) == (set(), set())


async def test_a_fingerprint_an_earlier_release_made_decides_by_the_id_alone(
    database: Database,
) -> None:
    """Fingerprints of another length were made from other bytes: a redelivery across an
    upgrade is still recognised, not applied a second time."""
    earlier, now_made = "0" * 64, "A" * 43
    async with UnitOfWork(database) as uow:
        await uow.updates.claim(40, NOW, earlier)
        await uow.updates.claim(41, NOW, "B" * 43)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        seen = await uow.updates.seen(40, now_made, now=NOW)
        claimed_again = await uow.updates.claim(40, NOW, now_made)
        reused = await uow.updates.claim(41, NOW, "C" * 43)
        await uow.commit()

    assert (seen, claimed_again, reused) == (True, False, True)
    found = await look_up_batch(database, [(40, now_made), (41, "D" * 43)], [], NOW)
    assert found.processed == {40}
