"""Rewriting stored drafts with the writer model (against the fake OpenAI-compatible server):
after the answer's transaction, invented facts kept out, failures fall back, staff win."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.writer_model import OpenAICompatibleModel
from conversations.model import CommandSent, Started, TextSent
from conversations.writer import LEFT_OUT_FIELD, WRITER_TEMPLATE
from storage import writing
from storage.database import Database
from storage.drafts import DraftInfo
from storage.redraft import redraft
from storage.service import Handled, InterviewService
from storage.uow import UnitOfWork
from storage.writing import write_pending
from tests.fake_llm_api import INVENTED_FACTS, FakeLlmApi
from tests.storage.test_drafts import NIA, draft_of, spotted_service
from tests.storage.test_service import ADA, START, press, say

STORY = (
    "Ada Lovelace and 30 parents redesigned the playground with Bramley Primary in 2024. "
    "The kids voted on every part of it."
)


async def submit(service: InterviewService, credit: str = "anonymous") -> Handled:
    handled = await say(service, Started("spotted"))
    handled = await service.handle(ADA, press(handled, "yes"))
    handled = await service.handle(ADA, TextSent(STORY, message_id=11))
    await service.handle(ADA, press(handled, "skip"))  # its name, asked since version 3
    handled = await service.handle(ADA, TextSent("Leeds, spring 2025", message_id=12))
    handled = await service.handle(ADA, press(handled, "designing"))
    handled = await service.handle(ADA, press(handled, "done"))
    handled = await service.handle(ADA, TextSent("https://example.org/playground"))
    handled = await service.handle(ADA, press(handled, credit))
    if credit != "anonymous":  # the name to use, asked since the spotted script's version 2
        await service.handle(ADA, TextSent("Ada Lovelace", message_id=13))
    submitted = await service.handle(ADA, CommandSent("submit"))
    assert submitted.submitted_reference is not None, submitted.replies
    return submitted


@pytest.fixture
async def llm() -> AsyncIterator[FakeLlmApi]:
    async with FakeLlmApi() as api:
        yield api


@pytest.fixture
async def model(llm: FakeLlmApi) -> AsyncIterator[OpenAICompatibleModel]:
    client = OpenAICompatibleModel(llm.base_url, "fake-model", timeout_seconds=0.5)
    try:
        yield client
    finally:
        await client.close()


async def history(database: Database, draft: DraftInfo) -> list[tuple[str, str, str | None]]:
    async with UnitOfWork(database) as uow:
        events = await uow.drafts.history(draft.id)
    return [(e.kind, e.actor_name, e.after) for e in events]


def all_text(draft: DraftInfo) -> str:
    return "\n".join(f.text for f in draft.record.fields.values())


async def test_a_submitted_draft_is_rewritten_as_a_new_version_with_a_note(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    submitted = await submit(spotted_service(database))
    before = await draft_of(database, submitted)

    report = await write_pending(database, model, START)

    after = await draft_of(database, submitted)
    assert (report.drafts_written, after.version) == (1, before.version + 1)
    summary = after.record.field("summary")
    assert summary.text != before.record.summary
    assert {s.template for s in summary.sentences} == {WRITER_TEMPLATE}
    assert all(s.question_ids for s in summary.sentences)
    assert summary.generated_text == before.record.field("summary").generated_text
    assert history_note(await history(database, after)).startswith("rewrote Summary")
    # Handled once: the next round sends nothing.
    sent = len(llm.requests)
    assert (await write_pending(database, model, START)).drafts_written == 0
    assert len(llm.requests) == sent


def history_note(events: list[tuple[str, str, str | None]]) -> str:
    notes = [after or "" for kind, actor, after in events if actor == "writer model"]
    assert [kind for kind, actor, _ in events if actor == "writer model"] == ["note"]
    return notes[0]


@pytest.mark.parametrize("mode", ["invent", "invent_inside"])
async def test_invented_facts_never_reach_the_stored_draft_but_staff_see_them_flagged(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel, mode: str
) -> None:
    llm.mode = mode
    submitted = await submit(spotted_service(database))

    report = await write_pending(database, model, START)

    draft = await draft_of(database, submitted)
    fields = {n: f for n, f in draft.record.fields.items() if n != LEFT_OUT_FIELD}
    published = "\n".join(f.text for f in fields.values())
    for facts in INVENTED_FACTS.values():
        for fact in facts:
            assert fact not in published
    left_out = draft.record.field(LEFT_OUT_FIELD).text
    assert report.sentences_left_out >= 1
    assert "7391" in left_out and "Zebedee Quortley" in left_out
    assert "left out by the checker" in history_note(await history(database, draft))


async def test_an_anonymous_contributor_is_never_named_to_the_writer_model(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    submitted = await submit(spotted_service(database), credit="anonymous")
    draft = await draft_of(database, submitted)
    assert "Ada Lovelace" in all_text(draft)  # the drafter keeps what was said, for staff

    await write_pending(database, model, START)

    sent = llm.sent_text()
    assert llm.requests and "Ada" not in sent and "Lovelace" not in sent
    assert "credit_line" not in sent and "Shared" not in sent


async def test_a_named_contributor_may_be_named_to_the_writer_model(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    await submit(spotted_service(database), credit="my name")
    await write_pending(database, model, START)
    assert "Ada Lovelace" in llm.sent_text()


@pytest.mark.parametrize("mode", ["error", "timeout", "garbage", "wrong_shape", "empty"])
async def test_any_failure_of_the_model_keeps_the_deterministic_text(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel, mode: str
) -> None:
    llm.mode = mode
    llm.hang_seconds = 2.0
    submitted = await submit(spotted_service(database))
    before = await draft_of(database, submitted)

    report = await write_pending(database, model, START)

    after = await draft_of(database, submitted)
    assert report.fields_rewritten == 0 and report.fields_kept >= 1
    assert after.record.to_json() == before.record.to_json()
    assert after.version == before.version


async def test_a_staff_edit_made_while_the_model_writes_wins(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    submitted = await submit(spotted_service(database))
    before = await draft_of(database, submitted)

    async def staff_edit() -> None:
        async with UnitOfWork(database) as uow:
            await uow.drafts.edit_field(
                before.id,
                "summary",
                "Staff wording.",
                expected_version=before.version,
                actor=NIA,
                now=START,
            )
            await uow.commit()

    pending = await writing.pending_drafts(database)
    rewrites = await writing.rewrite_fields(pending[0], model)
    await staff_edit()
    assert await writing.save_rewrites(database, pending[0], rewrites, START) is False

    after = await draft_of(database, submitted)
    assert after.record.summary == "Staff wording."
    # The next round leaves the edited field alone and rewrites the rest.
    llm.requests.clear()
    await write_pending(database, model, START)
    final = await draft_of(database, submitted)
    assert final.record.summary == "Staff wording."
    assert "Staff wording" not in llm.sent_text()
    assert final.version == after.version + 1


async def test_a_draft_the_model_did_not_answer_for_is_asked_again_later(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    llm.mode = "error"
    submitted = await submit(spotted_service(database))

    first = await write_pending(database, model, START)
    assert len(llm.requests) == 1  # the other fields wait rather than fail one by one
    draft = await draft_of(database, submitted)
    assert first.unanswered == [draft.id]
    assert [p.draft_id for p in await writing.pending_drafts(database)] == [draft.id]
    assert await writing.pending_drafts(database, waiting={draft.id}) == []

    llm.mode = "good"
    second = await write_pending(database, model, START)
    # Every field holding the contributor's prose: summary, place and power_sharing.
    assert (second.unanswered, second.fields_rewritten) == ([], 3)
    rewritten = await draft_of(database, submitted)
    for name in ("summary", "place", "power_sharing"):
        assert {s.template for s in rewritten.record.field(name).sentences} == {WRITER_TEMPLATE}
    assert await writing.pending_drafts(database) == []


async def test_a_draft_given_up_keeps_the_deterministic_text_until_it_changes(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    llm.mode = "timeout"
    llm.hang_seconds = 2.0
    submitted = await submit(spotted_service(database))
    before = await draft_of(database, submitted)

    report = await write_pending(database, model, START, give_up={before.id})

    assert report.unanswered == [before.id]
    assert await writing.pending_drafts(database) == []
    after = await draft_of(database, submitted)
    assert (after.version, after.record.to_json()) == (before.version, before.record.to_json())


async def test_staff_changes_send_nothing_but_a_redraft_is_written_again(
    database: Database, llm: FakeLlmApi, model: OpenAICompatibleModel
) -> None:
    submitted = await submit(spotted_service(database))
    await write_pending(database, model, START)
    written = await draft_of(database, submitted)
    async with UnitOfWork(database) as uow:
        await uow.drafts.edit_field(
            written.id,
            "place",
            "Leeds.",
            expected_version=written.version,
            actor=NIA,
            now=START,
        )
        await uow.commit()
    llm.requests.clear()

    assert (await write_pending(database, model, START)).drafts_written == 0
    assert llm.requests == []

    async with UnitOfWork(database) as uow:
        await redraft(uow, written.interview_id, START)  # as after an edited answer
        await uow.commit()
    redrafted = await draft_of(database, submitted)
    assert "Ada Lovelace" in redrafted.record.summary  # the drafter's text is back

    report = await write_pending(database, model, START)

    final = await draft_of(database, submitted)
    assert report.fields_rewritten >= 1 and "Ada" not in llm.sent_text()
    assert final.record.field("place").text == "Leeds."
    assert "Ada Lovelace" not in final.record.summary
