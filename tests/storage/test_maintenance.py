"""Reminders and retention in the database: which unfinished interviews are nudged and when,
each nudge claimed once, the contributor's opt-out, and the purge of abandoned answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from conversations.model import CommandSent, Person, Started, TextSent
from conversations.schedule import ReminderPolicy
from conversations.state import Status
from storage.database import Database
from storage.maintenance import (
    SqlMaintenance,
    claim_due_reminders,
    purge_unfinished,
    reminders_enabled,
    set_reminders,
)
from storage.models import AnswerRevision, AnswerRow, Contributor, Interview
from storage.service import InterviewService
from tests.storage.seed_examples import CAT, SettableClock, choose, service_on, submit
from tests.storage.test_service import press

ZONE = ZoneInfo("Europe/Berlin")
POLICY = ReminderPolicy()
RETENTION = 90
# Monday 2 March 2026, 10:00 in Berlin
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADA = Person(user_id=71, chat_id=71, name="Ada Lovelace")
BEN = Person(user_id=72, chat_id=72, name="Ben")


async def begin(database: Database, person: Person, when: datetime) -> InterviewService:
    """``person`` starts the short script and answers two questions at ``when``."""
    service = service_on(database, SettableClock(when))
    await service.handle(person, Started("spotted"))
    await service.handle(person, choose("consent", "yes"))
    await service.handle(person, TextSent("Parents and the school redesigned the playground."))
    return service


async def last_activity(database: Database, person: Person) -> datetime:
    async with database.session() as session:
        when = await session.scalar(
            select(Interview.updated_at)
            .join(Contributor, Contributor.id == Interview.contributor_id)
            .where(Contributor.telegram_user_id == person.user_id)
            .order_by(Interview.id.desc())
            .limit(1)
        )
    assert when is not None
    return when


async def due(database: Database, now: datetime) -> list[tuple[int, int]]:
    """(chat, reminder number) of every reminder claimed at ``now``."""
    claimed = await claim_due_reminders(database, POLICY, ZONE, now, RETENTION)
    return [(r.chat_id, r.nudge.number) for r in claimed]


async def test_a_nudge_after_a_day_a_last_one_after_three_then_nothing(
    database: Database,
) -> None:
    await begin(database, ADA, START)
    active = await last_activity(database, ADA)

    assert await due(database, active + timedelta(hours=23, minutes=59)) == []
    assert await due(database, active + timedelta(hours=24)) == [(71, 1)]
    assert await due(database, active + timedelta(hours=24, minutes=1)) == []  # claimed once
    assert await due(database, active + timedelta(hours=71)) == []
    assert await due(database, active + timedelta(hours=72)) == [(71, 2)]
    assert await due(database, active + timedelta(days=30)) == []


async def test_the_nudge_knows_the_name_progress_and_deletion_date(database: Database) -> None:
    await begin(database, ADA, START)
    active = await last_activity(database, ADA)
    [reminder] = await claim_due_reminders(
        database, POLICY, ZONE, active + timedelta(days=1), RETENTION
    )
    assert reminder.nudge.first_name == "Ada"
    assert reminder.nudge.answered == 2
    assert reminder.nudge.delete_after == active + timedelta(days=RETENTION)


async def test_nobody_is_nudged_at_night(database: Database) -> None:
    evening = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    await begin(database, ADA, evening)
    active = await last_activity(database, ADA)
    assert await due(database, active + timedelta(hours=24)) == []  # 22:3x next night
    morning = datetime(2026, 3, 4, 7, 59, tzinfo=UTC)  # 08:59 in Berlin
    assert await due(database, morning) == []
    assert await due(database, morning + timedelta(minutes=1)) == [(71, 1)]


async def test_a_contributor_who_turned_reminders_off_gets_none(database: Database) -> None:
    await begin(database, ADA, START)
    await begin(database, BEN, START)
    assert await set_reminders(database, ADA.user_id, False, START)
    assert await reminders_enabled(database, ADA.user_id) is False
    assert await due(database, START + timedelta(days=1, hours=1)) == [(72, 1)]
    await set_reminders(database, ADA.user_id, True, START)
    assert await due(database, START + timedelta(days=1, hours=2)) == [(71, 1)]


async def test_turning_reminders_off_for_a_stranger_changes_nothing(database: Database) -> None:
    assert await set_reminders(database, 999, False, START) is False
    assert await reminders_enabled(database, 999) is None


async def test_a_contributor_who_writes_meanwhile_is_not_nudged(database: Database) -> None:
    service = await begin(database, ADA, START)
    later = START + timedelta(days=1, hours=1)
    async with database.session() as session:
        [candidate] = await SqlMaintenance(session).reminder_candidates(later)
    await service.handle(ADA, TextSent("Leeds, spring 2025"))
    async with database.session() as session, session.begin():
        assert await SqlMaintenance(session).claim_reminder(candidate, later) is False


async def test_finished_and_erased_interviews_are_never_nudged(database: Database) -> None:
    await submit(service_on(database, SettableClock(START)), CAT)
    service = await begin(database, ADA, START)
    await service.erase_person(ADA.user_id)
    assert await due(database, START + timedelta(days=2)) == []


async def test_several_processes_send_each_nudge_once(migrated_url: str) -> None:
    setup = Database.from_url(migrated_url)
    try:
        for user in range(5):
            await begin(setup, Person(user_id=100 + user, chat_id=100 + user, name="P"), START)
    finally:
        await setup.dispose()
    processes = [Database.from_url(migrated_url) for _ in range(3)]
    try:
        now = START + timedelta(days=1, hours=2)
        results = await asyncio.gather(
            *(claim_due_reminders(db, POLICY, ZONE, now, RETENTION) for db in processes)
        )
    finally:
        for db in processes:
            await db.dispose()
    chats = sorted(r.chat_id for result in results for r in result)
    assert chats == [100, 101, 102, 103, 104]


# --- retention -----------------------------------------------------------------------------


async def answers_of(database: Database) -> dict[int, int]:
    async with database.session() as session:
        rows = await session.execute(
            select(AnswerRow.interview_id, func.count()).group_by(AnswerRow.interview_id)
        )
        return {int(i): int(n) for i, n in rows.all()}


async def interviews(database: Database) -> dict[int, tuple[str, bool]]:
    async with database.session() as session:
        rows = (await session.execute(select(Interview).order_by(Interview.id))).scalars()
        return {row.id: (row.status, row.state is not None) for row in rows}


async def test_unfinished_interviews_are_purged_after_the_retention_period(
    database: Database,
) -> None:
    await submit(service_on(database, SettableClock(START)), CAT)  # interview 1, submitted
    await begin(database, ADA, START)  # interview 2, left unfinished
    await begin(database, BEN, START + timedelta(days=60))  # interview 3, recent enough
    assert set(await answers_of(database)) == {1, 2, 3}

    before = START + timedelta(days=RETENTION - 1)
    assert await purge_unfinished(database, RETENTION, before) == 0

    after = START + timedelta(days=RETENTION, hours=1)
    assert await purge_unfinished(database, RETENTION, after) == 1
    assert await purge_unfinished(database, RETENTION, after) == 0  # nothing left to do
    assert set(await answers_of(database)) == {1, 3}
    assert await interviews(database) == {
        1: (Status.SUBMITTED.value, True),
        2: (Status.ABANDONED.value, False),
        3: (Status.ACTIVE.value, True),
    }
    async with database.session() as session:
        revisions = await session.scalar(select(func.count()).select_from(AnswerRevision))
    assert revisions == sum((await answers_of(database)).values())  # none left orphaned

    # the submitted story stays however old it gets
    assert await purge_unfinished(database, RETENTION, START + timedelta(days=1000)) == 1
    assert set(await answers_of(database)) == {1}


async def test_cancelled_interviews_are_purged_too(database: Database) -> None:
    service = await begin(database, ADA, START)
    asked = await service.handle(ADA, CommandSent("cancel"))
    await service.handle(ADA, press(asked, "Yes, stop"))
    [(status, _)] = (await interviews(database)).values()
    assert status == Status.CANCELLED.value
    assert await purge_unfinished(database, RETENTION, START + timedelta(days=RETENTION + 1)) == 1
    assert await answers_of(database) == {}
    assert list((await interviews(database)).values()) == [(Status.CANCELLED.value, False)]
