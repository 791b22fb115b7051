"""Digest periods in the database: claimed once however many processes try, a dead claim
taken over, each digest starting where the previous one ended; and what a digest says."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conversations.digest import digest_document
from conversations.model import Started
from conversations.schedule import DigestPeriod, DigestSchedule
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.digests import (
    SqlDigests,
    claim_digest,
    digest_run,
    digest_start,
    gather_digest,
    mark_digest_sent,
    release_digest,
)
from storage.models import Draft, FollowUp, Interview
from tests.storage.seed_examples import (
    ANN,
    BOB,
    CAT,
    Contributor,
    SettableClock,
    move_draft,
    service_on,
    submit,
)

ZONE = UTC
DAILY = DigestSchedule.parse("daily 09:00")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def period(day: datetime) -> DigestPeriod:
    return DAILY.latest_due(day, ZONE)


async def submit_at(database: Database, contributor: Contributor, when: datetime) -> str:
    return await submit(service_on(database, SettableClock(when)), contributor)


async def test_a_period_is_claimed_once(database: Database) -> None:
    first = await claim_digest(database, period(MONDAY), MONDAY)
    again = await claim_digest(database, period(MONDAY), MONDAY + timedelta(seconds=30))
    assert first is not None and first.key == "daily 09:00@2026-03-02"
    assert again is None


async def test_two_processes_claiming_together_get_it_once(migrated_url: str) -> None:
    processes = [Database.from_url(migrated_url) for _ in range(4)]
    try:
        claims = await asyncio.gather(
            *(claim_digest(db, period(MONDAY), MONDAY) for db in processes)
        )
    finally:
        for db in processes:
            await db.dispose()
    assert sum(claim is not None for claim in claims) == 1


async def test_a_claim_never_marked_sent_is_taken_over_after_its_lease(
    database: Database,
) -> None:
    await claim_digest(database, period(MONDAY), MONDAY)
    lease = timedelta(minutes=15)
    too_soon = await claim_digest(database, period(MONDAY), MONDAY + timedelta(minutes=14))
    taken = await claim_digest(database, period(MONDAY), MONDAY + timedelta(minutes=16))
    assert too_soon is None
    assert taken is not None and taken.claimed_at == MONDAY + timedelta(minutes=16)
    await mark_digest_sent(database, taken.key, 3, MONDAY + timedelta(minutes=17))
    later = await claim_digest(database, period(MONDAY), MONDAY + 10 * lease)
    assert later is None  # a sent digest is never taken over
    run = await digest_run(database, taken.key)
    assert run is not None
    assert (run.sent_at, run.draft_count) == (MONDAY + timedelta(minutes=17), 3)


async def test_a_released_claim_can_be_claimed_again(database: Database) -> None:
    await claim_digest(database, period(MONDAY), MONDAY)
    await release_digest(database, period(MONDAY).key)
    assert await claim_digest(database, period(MONDAY), MONDAY + timedelta(minutes=1)) is not None


async def test_each_digest_starts_where_the_previous_one_ended(database: Database) -> None:
    # the first digest covers its own period
    first = await claim_digest(database, period(MONDAY), MONDAY)
    assert first is not None and first.start == MONDAY - timedelta(days=1)
    # three days of downtime: the next digest covers all of them, nothing falls between
    thursday = MONDAY + timedelta(days=3, hours=2)
    assert await digest_start(database, period(thursday)) == MONDAY
    late = await claim_digest(database, period(thursday), thursday)
    assert late is not None
    assert (late.start, late.end) == (MONDAY, MONDAY + timedelta(days=3))


async def test_a_digest_says_what_is_new_waiting_asked_and_in_progress(
    database: Database,
) -> None:
    old = await submit_at(database, ANN, MONDAY - timedelta(days=12))
    await submit_at(database, BOB, MONDAY - timedelta(hours=20))
    await submit_at(database, CAT, MONDAY - timedelta(hours=2))
    await move_draft(database, old, DraftStatus.IN_REVIEW, MONDAY - timedelta(days=10))
    # an interview still in progress
    await service_on(database, SettableClock(MONDAY)).handle(ANN.person, Started("spotted"))
    async with database.session() as session, session.begin():
        draft = await session.scalar(select(Draft).where(Draft.reference == old))
        interview = await session.get(Interview, draft.interview_id if draft else 0)
        assert draft is not None and interview is not None
        for status, question in [
            ("delivered", "Who paid for the garden?"),
            ("answered", "How many trees?"),
        ]:
            session.add(
                FollowUp(
                    draft_id=draft.id,
                    contributor_id=interview.contributor_id,
                    question=question,
                    asked_by=900,
                    asked_by_name="Nia",
                    notify_chat_id=-100,
                    status=status,
                    created_at=MONDAY - timedelta(days=2),
                )
            )

    data = await gather_digest(database, MONDAY - timedelta(days=1), MONDAY, MONDAY)

    assert [d.reference for d in data.new_drafts] == ["CP-2026-00002", "CP-2026-00003"]
    assert data.new_drafts[1].record is not None and data.new_drafts[1].record.summary
    assert data.counts[DraftStatus.NEW] == 2 and data.counts[DraftStatus.IN_REVIEW] == 1
    assert [(d.reference, d.status) for d in data.waiting] == [(old, DraftStatus.IN_REVIEW)]
    assert [(f.reference, f.question, f.asked_by) for f in data.follow_ups] == [
        (old, "Who paid for the garden?", "Nia")
    ]
    assert data.interviews_in_progress == 1


async def test_a_long_digest_reads_only_the_drafts_it_shows_in_full(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.digests.MAX_IN_FULL", 2)
    for hours, contributor in ((20, ANN), (10, BOB), (2, CAT)):
        await submit_at(database, contributor, MONDAY - timedelta(hours=hours))
    old = await submit_at(database, ANN, MONDAY - timedelta(days=12))
    await move_draft(database, old, DraftStatus.IN_REVIEW, MONDAY - timedelta(days=10))

    data = await gather_digest(database, MONDAY - timedelta(days=1), MONDAY, MONDAY)

    first, second, third = data.new_drafts
    assert first.record is not None and second.record is not None and third.record is None
    # the draft beyond the limit still has its title for the digest's one-line mention
    assert third.title == third.headline and third.title.strip()
    assert third.title != third.reference
    assert [d.reference for d in data.waiting] == [old]
    assert data.waiting[0].record is None and data.waiting[0].title != old
    document = digest_document(data, ZONE)
    assert document.count("\n---\n") == 3  # two drafts in full, then the list
    assert f"- {third.reference}: {third.title}" in document


async def test_runs_are_listed_in_order(database: Database) -> None:
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        await claim_digest(database, period(day), day)
    async with database.session() as session:
        runs = await SqlDigests(session).runs()
    assert [r.key for r in runs] == ["daily 09:00@2026-03-02", "daily 09:00@2026-03-03"]
