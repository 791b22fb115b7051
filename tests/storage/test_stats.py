"""Staff figures: examples by status, script and month, and interviews started vs submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.model import Person, Started
from storage.database import Database
from storage.stats import collect_stats
from tests.storage.seed_examples import (
    CAT,
    Contributor,
    SettableClock,
    choose,
    seeded_database,
    service_on,
    submit,
)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The five seeded examples, plus one interview in progress and one declined."""
    database, _ = await seeded_database(database_url)
    clock = SettableClock(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    service = service_on(database, clock)
    await service.handle(Person(201, 201, "Fay"), Started("spotted"))
    gus = Person(202, 202, "Gus")
    await service.handle(gus, Started("spotted"))
    await service.handle(gus, choose("consent", "no"))
    try:
        yield database
    finally:
        await database.dispose()


async def test_examples_are_counted_by_status_with_every_status_listed(
    database: Database,
) -> None:
    stats = await collect_stats(database)
    assert stats.drafts_by_status == {
        "new": 1,
        "in_review": 1,
        "needs_info": 0,
        "ready": 2,
        "published": 1,
        "archived": 0,
    }
    assert stats.examples == 5


async def test_examples_are_counted_by_script_and_month_of_submission(
    database: Database,
) -> None:
    stats = await collect_stats(database)
    assert stats.drafts_by_script == {"full-story": 3, "spotted": 2}
    assert stats.drafts_by_month == {"2026-01": 1, "2026-02": 2, "2026-03": 2}


async def test_months_are_those_of_the_organisations_time_zone(database: Database) -> None:
    late = Contributor(Person(203, 203, "Hal"), "spotted", dict(CAT.answers))
    clock = SettableClock(datetime(2026, 1, 31, 22, 30, tzinfo=UTC))  # 07:30 on 1 Feb in Tokyo
    await submit(service_on(database, clock), late)

    in_utc = await collect_stats(database)
    in_tokyo = await collect_stats(database, ZoneInfo("Asia/Tokyo"))

    assert (in_utc.drafts_by_month["2026-01"], in_utc.drafts_by_month["2026-02"]) == (2, 2)
    assert (in_tokyo.drafts_by_month["2026-01"], in_tokyo.drafts_by_month["2026-02"]) == (1, 3)


async def test_completion_rate_is_submitted_interviews_over_started_ones(
    database: Database,
) -> None:
    stats = await collect_stats(database)
    assert (stats.interviews_started, stats.interviews_submitted) == (7, 5)
    assert stats.completion_rate == pytest.approx(5 / 7)
    assert stats.interviews_by_status == {
        "active": 1,
        "submitted": 5,
        "cancelled": 0,
        "declined": 1,
        "abandoned": 0,
    }
    assert stats.interviews_by_script == {"full-story": (3, 3), "spotted": (4, 2)}


async def test_the_text_for_staff_names_the_counts(database: Database) -> None:
    lines = (await collect_stats(database, ZoneInfo("Europe/London"))).lines()
    assert "Examples: 5" in lines
    assert "  in review: 1" in lines
    assert "By month submitted (Europe/London):" in lines
    assert "Interviews: 7 started, 5 submitted, completion 71%" in lines
    assert "  spotted: 2 of 4 (50%)" in lines


async def test_an_empty_database_has_no_completion_rate(database_url: str) -> None:
    from storage.migrate import upgrade

    await upgrade(database_url)
    empty = Database.from_url(database_url)
    try:
        stats = await collect_stats(empty)
    finally:
        await empty.dispose()
    assert (stats.examples, stats.interviews_started, stats.completion_rate) == (0, 0, None)
    assert "Interviews: 0 started, 0 submitted, completion n/a" in stats.lines()
