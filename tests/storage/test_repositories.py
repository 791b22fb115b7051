"""Repositories: contributors, script snapshots, interviews with answers and revisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from conversations.model import Answer, Person
from conversations.state import InterviewState, Status
from storage.database import Database
from storage.interviews import InterviewRecord, StaleInterview, make_reference
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
ADA = Person(user_id=10_000_000_001, chat_id=10_000_000_001, name="Ada", username="ada")
BODY = {"id": "demo", "version": 1, "questions": [{"id": "q1"}]}


async def start_interview(database: Database, person: Person = ADA) -> InterviewRecord:
    async with UnitOfWork(database) as uow:
        contributor_id = await uow.contributors.upsert(person, NOW)
        snapshot = await uow.scripts.snapshot("demo", 1, BODY, NOW)
        state = InterviewState(script_id="demo", script_version=1, started_at=NOW)
        record = await uow.interviews.create(contributor_id, snapshot.id, state, NOW)
        await uow.commit()
    return record


# --- contributors ---------------------------------------------------------------------


async def test_upsert_creates_then_refreshes_one_contributor(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        first = await uow.contributors.upsert(ADA, NOW)
        second = await uow.contributors.upsert(replace(ADA, name="Ada L.", chat_id=5), LATER)
        record = await uow.contributors.by_user_id(ADA.user_id)
        await uow.commit()

    assert record is not None
    assert (first, record.id, record.display_name, record.chat_id) == (second, first, "Ada L.", 5)
    assert (record.created_at, record.updated_at) == (NOW, LATER)


async def test_upsert_keeps_a_known_language_when_none_is_given(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.contributors.upsert(replace(ADA, language="de"), NOW)
        await uow.contributors.upsert(ADA, LATER)
        record = await uow.contributors.by_user_id(ADA.user_id)

    assert record is not None and record.language == "de"


async def test_erased_contributor_keeps_no_name(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        contributor_id = await uow.contributors.upsert(ADA, NOW)
        await uow.contributors.mark_erased(contributor_id, LATER)
        record = await uow.contributors.get(contributor_id)

    assert record is not None
    assert (record.display_name, record.username, record.erased_at) == ("", None, LATER)


async def test_datetimes_come_back_aware_in_utc(database: Database) -> None:
    berlin = timezone(timedelta(hours=1))
    async with UnitOfWork(database) as uow:
        contributor_id = await uow.contributors.upsert(ADA, NOW.astimezone(berlin))
        await uow.commit()
    async with UnitOfWork(database) as uow:
        record = await uow.contributors.get(contributor_id)

    assert record is not None
    assert (record.created_at, record.created_at.utcoffset()) == (NOW, timedelta(0))


# --- script snapshots -----------------------------------------------------------------


async def test_same_script_body_is_stored_once(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        first = await uow.scripts.snapshot("demo", 1, BODY, NOW)
        again = await uow.scripts.snapshot("demo", 1, dict(reversed(BODY.items())), LATER)
        await uow.commit()

    assert (again.id, again.sha256) == (first.id, first.sha256)


async def test_changed_body_with_same_version_gets_its_own_snapshot(database: Database) -> None:
    changed = {**BODY, "questions": [{"id": "q1"}, {"id": "q2"}]}
    async with UnitOfWork(database) as uow:
        first = await uow.scripts.snapshot("demo", 1, BODY, NOW)
        second = await uow.scripts.snapshot("demo", 1, changed, LATER)
        stored = await uow.scripts.all_of("demo")

    assert first.id != second.id
    assert [s.body for s in stored] == [BODY, changed]


# --- interviews -----------------------------------------------------------------------


async def test_created_interview_is_the_active_one(database: Database) -> None:
    created = await start_interview(database)
    async with UnitOfWork(database) as uow:
        active = await uow.interviews.active_for(created.contributor_id)

    assert active == created
    assert (active.status, active.state) == (
        Status.ACTIVE,
        InterviewState(script_id="demo", script_version=1, started_at=NOW),
    )


async def test_saving_state_bumps_lock_version_and_status(database: Database) -> None:
    created = await start_interview(database)
    assert created.state is not None
    async with UnitOfWork(database) as uow:
        saved = await uow.interviews.save_state(
            created, replace(created.state, status=Status.CANCELLED), LATER
        )
        active = await uow.interviews.active_for(created.contributor_id)
        await uow.commit()

    assert (saved.lock_version, saved.status, saved.updated_at, active) == (
        1,
        Status.CANCELLED,
        LATER,
        None,
    )


async def test_saving_from_a_stale_copy_is_refused(database: Database) -> None:
    created = await start_interview(database)
    assert created.state is not None
    async with UnitOfWork(database) as uow:
        await uow.interviews.save_state(created, created.state, LATER)
        with pytest.raises(StaleInterview):
            await uow.interviews.save_state(created, created.state, LATER)


async def test_submission_gives_a_reference_from_year_and_id(database: Database) -> None:
    created = await start_interview(database)
    async with UnitOfWork(database) as uow:
        reference = await uow.interviews.mark_submitted(created.id, LATER)
        stored = await uow.interviews.get(created.id)
        await uow.commit()

    assert stored is not None
    assert (reference, stored.reference, stored.submitted_at) == (
        f"CP-2026-{created.id:05d}",
        reference,
        LATER,
    )


def test_reference_pads_the_id_to_five_digits() -> None:
    assert make_reference(42, NOW) == "CP-2026-00042"


async def test_each_change_of_an_answer_keeps_a_revision(database: Database) -> None:
    created = await start_interview(database)
    first = Answer("q1", text="We met", message_ids=(100,), answered_at=NOW)
    edited = replace(first, text="We met in 2019")
    async with UnitOfWork(database) as uow:
        await uow.interviews.save_answer(
            created.id, first, text=first.text, reason="answer", chat_id=ADA.chat_id, now=NOW
        )
        unchanged = await uow.interviews.save_answer(
            created.id, first, text=first.text, reason="edit", chat_id=ADA.chat_id, now=NOW
        )
        revision = await uow.interviews.save_answer(
            created.id, edited, text=edited.text, reason="edit", chat_id=ADA.chat_id, now=LATER
        )
        await uow.commit()
    async with UnitOfWork(database) as uow:
        answers = await uow.interviews.answers(created.id)
        revisions = await uow.interviews.revisions(created.id, "q1")
        located = await uow.interviews.answer_for_message(ADA.chat_id, 100)

    assert (unchanged, revision) == (1, 2)
    assert [(a.question_id, a.answer, a.text, a.revision) for a in answers] == [
        ("q1", edited, "We met in 2019", 2)
    ]
    assert [(r.revision, r.reason, r.answer) for r in revisions] == [
        (1, "answer", first),
        (2, "edit", edited),
    ]
    assert located == (created.id, "q1")


async def test_deleting_answers_removes_revisions_and_message_maps(database: Database) -> None:
    created = await start_interview(database)
    answer = Answer("q1", text="Yes", message_ids=(5, 6))
    async with UnitOfWork(database) as uow:
        await uow.interviews.save_answer(
            created.id, answer, text="Yes", reason="answer", chat_id=1, now=NOW
        )
        deleted = await uow.interviews.delete_answers(created.id)
        remaining = (
            await uow.interviews.answers(created.id),
            await uow.interviews.revisions(created.id, "q1"),
            await uow.interviews.answer_for_message(1, 5),
        )

    assert (deleted, remaining) == (1, ([], [], None))


async def test_erasing_a_contributor_clears_states_and_keeps_references(
    database: Database,
) -> None:
    created = await start_interview(database)
    async with UnitOfWork(database) as uow:
        reference = await uow.interviews.mark_submitted(created.id, NOW)
        await uow.interviews.save_answer(
            created.id, Answer("q1", text="x"), text="x", reason="answer", chat_id=1, now=NOW
        )
        held = await uow.interviews.erase_for_contributor(created.contributor_id, LATER)
        stored = await uow.interviews.get(created.id)
        answers = await uow.interviews.answers(created.id)
        await uow.commit()

    assert stored is not None
    assert (held, stored.state, stored.reference, stored.status, answers) == (
        1,
        None,
        reference,
        Status.ABANDONED,
        [],
    )
