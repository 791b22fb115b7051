"""Drafts in storage: created on submit, regenerated when answers change, staff edits kept,
provenance stored per field, every change in the history, optimistic versions."""

from __future__ import annotations

import pytest

from conversations.drafting import untraceable_sentences
from conversations.model import CommandSent, MessageEdited, Started, TextSent
from conversations.script import ScriptCatalog, builtin_scripts
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.drafts import Actor, DraftInfo, DraftRefused, StaleDraft
from storage.redraft import redraft, script_of_snapshot
from storage.service import Handled, InterviewService
from storage.uow import UnitOfWork
from tests.storage.test_service import ADA, BOB, START, FakeClock, Person, press, say

NIA = Actor(user_id=900, name="Nia (staff)")
OWEN = Actor(user_id=901, name="Owen (staff)")
PROJECT = "parents and the school redesigned the playground together, the kids voted on it"


def spotted_service(database: Database) -> InterviewService:
    catalog = ScriptCatalog(dict(builtin_scripts()), default_id="spotted")
    return InterviewService(database, catalog, FakeClock())


async def submit_spotted(
    service: InterviewService, project: str = PROJECT, person: Person = ADA
) -> Handled:
    """Tell the short script a story: project typed as message 11, its name skipped, place
    as message 12."""
    handled = await say(service, Started("spotted"), person=person)
    handled = await service.handle(person, press(handled, "yes"))
    handled = await service.handle(person, TextSent(project, message_id=11))
    await service.handle(person, press(handled, "skip"))
    handled = await service.handle(person, TextSent("Leeds, spring 2025", message_id=12))
    handled = await service.handle(person, press(handled, "designing"))
    handled = await service.handle(person, press(handled, "done"))
    handled = await service.handle(person, TextSent("https://example.org/playground"))
    handled = await service.handle(person, press(handled, "anonymous"))
    submitted = await service.handle(person, CommandSent("submit"))
    assert submitted.submitted_reference is not None, submitted.replies
    return submitted


async def draft_of(database: Database, handled: Handled) -> DraftInfo:
    async with UnitOfWork(database) as uow:
        draft = await uow.drafts.by_interview(handled.interview_id or 0)
    assert draft is not None
    return draft


async def test_submitting_creates_a_new_draft_with_the_reference(database: Database) -> None:
    submitted = await submit_spotted(spotted_service(database))
    draft = await draft_of(database, submitted)

    assert draft.reference == submitted.submitted_reference
    assert draft.status is DraftStatus.NEW
    assert submitted.draft_title == draft.title
    assert "playground" in draft.record.summary.lower()
    assert "anonymous" in draft.record.credit_line.lower()
    assert "Ada" not in draft.record.credit_line
    assert "https://example.org/playground" in draft.record.links


async def test_every_sentence_of_a_stored_draft_is_traceable(database: Database) -> None:
    submitted = await submit_spotted(spotted_service(database))
    draft = await draft_of(database, submitted)
    async with UnitOfWork(database) as uow:
        interview = await uow.interviews.get(draft.interview_id)
        assert interview is not None
        script = await script_of_snapshot(uow, interview.script_version_id)
        answers = {a.question_id: a.answer for a in await uow.interviews.answers(interview.id)}

    assert untraceable_sentences(draft.record, script, answers) == []
    summary = draft.record.field("summary")
    assert summary.sources and summary.sources[0].question_id == "project"
    assert "playground" in summary.sources[0].excerpt


async def test_an_interview_still_in_progress_has_no_draft(database: Database) -> None:
    service = spotted_service(database)
    handled = await say(service, Started("spotted"))
    async with UnitOfWork(database) as uow:
        assert await uow.drafts.by_interview(handled.interview_id or 0) is None
        assert await uow.drafts.count() == 0


async def test_editing_an_answer_after_submission_regenerates_the_draft(
    database: Database,
) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    before = await draft_of(database, submitted)

    reply = await service.handle(ADA, MessageEdited(12, "Bradford, summer 2024"))
    after = await draft_of(database, submitted)

    assert any("Updated your answer" in r.text for r in reply.replies)
    assert after.version > before.version
    assert "Bradford" in after.record.field("place").text
    assert "Leeds" not in after.record.field("place").text
    async with UnitOfWork(database) as uow:
        revisions = await uow.interviews.revisions(after.interview_id, "place_when")
        history = await uow.drafts.history(after.id)
    assert [r.answer.text for r in revisions] == ["Leeds, spring 2025", "Bradford, summer 2024"]
    assert [e.kind for e in history] == ["created", "regenerated"]


async def test_a_correction_after_a_new_interview_began_still_reaches_the_old_draft(
    database: Database,
) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    await say(service, Started("spotted"))  # a second story is now in progress

    await service.handle(ADA, MessageEdited(12, "Bradford, summer 2024"))

    assert "Bradford" in (await draft_of(database, submitted)).record.field("place").text


async def test_a_staff_edit_survives_regeneration_with_new_material_beside_it(
    database: Database,
) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    draft = await draft_of(database, submitted)
    async with UnitOfWork(database) as uow:
        await uow.drafts.edit_field(
            draft.id,
            "place",
            "Leeds (Harehills), spring 2025",
            expected_version=draft.version,
            actor=NIA,
            now=START,
        )
        await uow.commit()

    await service.handle(ADA, MessageEdited(12, "Bradford, summer 2024"))
    after = await draft_of(database, submitted)

    place = after.record.field("place")
    assert place.text == "Leeds (Harehills), spring 2025"
    assert place.suggested_update is not None and "Bradford" in place.suggested_update
    assert after.staff_edited["place"]["by"] == NIA.user_id


async def test_two_staff_editing_the_same_version_the_second_is_refused(
    database: Database,
) -> None:
    draft = await draft_of(database, await submit_spotted(spotted_service(database)))
    async with UnitOfWork(database) as uow:
        await uow.drafts.edit_field(
            draft.id, "title", "Kids redesign their playground", **_by(NIA, draft)
        )
        await uow.commit()
    async with UnitOfWork(database) as uow:
        with pytest.raises(StaleDraft) as stale:
            await uow.drafts.edit_field(draft.id, "title", "Playground project", **_by(OWEN, draft))

    assert stale.value.current.title == "Kids redesign their playground"
    async with UnitOfWork(database) as uow:
        history = await uow.drafts.history(draft.id)
    edits = [(e.actor_name, e.before, e.after) for e in history if e.kind == "field"]
    assert edits == [(NIA.name, draft.title, "Kids redesign their playground")]


async def test_status_moves_follow_the_workflow_and_record_who(database: Database) -> None:
    draft = await draft_of(database, await submit_spotted(spotted_service(database)))
    async with UnitOfWork(database) as uow:
        with pytest.raises(DraftRefused, match="reviewed"):
            await uow.drafts.set_status(draft.id, DraftStatus.PUBLISHED, **_by(NIA, draft))
        moved = await uow.drafts.set_status(draft.id, DraftStatus.IN_REVIEW, **_by(NIA, draft))
        await uow.commit()

    assert moved.status is DraftStatus.IN_REVIEW
    assert moved.status_changed_by == NIA.user_id
    async with UnitOfWork(database) as uow:
        counts = await uow.drafts.count_by_status()
    assert counts[DraftStatus.IN_REVIEW] == 1 and counts[DraftStatus.NEW] == 0


async def test_lens_decisions_survive_regeneration(database: Database) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    draft = await draft_of(database, submitted)
    assert draft.record.lens, "the story should suggest at least one co-production tag"
    key = draft.record.lens[0].key
    async with UnitOfWork(database) as uow:
        await uow.drafts.decide_tag(draft.id, key, "confirmed", **_by(NIA, draft))
        await uow.commit()

    await service.handle(ADA, MessageEdited(12, "Bradford, summer 2024"))
    after = await draft_of(database, submitted)

    assert {s.key: s.status for s in after.record.lens}[key] == "confirmed"


async def test_erased_contributor_drafts_are_not_regenerated(database: Database) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    await service.erase_person(ADA.user_id)

    async with UnitOfWork(database) as uow:
        assert await redraft(uow, submitted.interview_id or 0, START) is None


def _by(actor: Actor, draft: DraftInfo) -> dict[str, object]:
    return {"expected_version": draft.version, "actor": actor, "now": START}


async def test_erasing_a_contributor_removes_their_drafts_and_history(
    database: Database,
) -> None:
    service = spotted_service(database)
    submitted = await submit_spotted(service)
    draft = await draft_of(database, submitted)

    assert await service.erase_person(ADA.user_id)

    async with UnitOfWork(database) as uow:
        assert await uow.drafts.by_interview(submitted.interview_id or 0) is None
        assert await uow.drafts.history(draft.id) == []
        assert await uow.drafts.count() == 0


async def test_the_learned_lens_model_reaches_drafts_only_when_the_service_asks(
    database: Database,
) -> None:
    """LENS_MODEL=learned: a submission's draft carries the tags the learned model adds
    beside the rules; the default service drafts with the rules alone."""
    story = (
        "tenants and the housing officers share the chairing of the repairs panel and take it "
        "in turns"
    )

    async def tags(service: InterviewService, person: Person) -> set[str]:
        submitted = await submit_spotted(service, story, person)
        return {s.key for s in (await draft_of(database, submitted)).record.lens}

    catalog = ScriptCatalog(dict(builtin_scripts()), default_id="spotted")
    rules = await tags(InterviewService(database, catalog, FakeClock()), ADA)
    learned = await tags(InterviewService(database, catalog, FakeClock(), lens_model=True), BOB)
    assert learned > rules  # the model only adds: it vetoes none of these rule matches
    assert "nsce/working_together" in learned - rules
