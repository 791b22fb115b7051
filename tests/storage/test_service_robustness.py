"""The interview service when things go wrong, and what /mydata holds: an engine bug is
rolled back, logged with the update id (never the words), apologised for once; the export
covers drafts, their history, staff notes and follow-up questions; staff notices honour
anonymous credit."""

from __future__ import annotations

import logging

import pytest

from conversations import engine
from conversations.model import Answer, Person, TextSent
from conversations.state import InterviewState
from storage.database import Database
from storage.drafts import Actor
from storage.service import APOLOGY, credit_as
from storage.uow import UnitOfWork
from tests.storage.test_service import ADA, START, answers_in, say, service_for, submit

SECRET_WORDS = "my neighbour's private story"


async def test_an_engine_bug_is_rolled_back_logged_and_apologised_for_once(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    service = service_for(database)
    begun = await say(service, TextSent("hello"))

    def broken(*_args: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "step", broken)
    with caplog.at_level(logging.ERROR, logger="storage"):
        failed = await service.handle(ADA, TextSent(SECRET_WORDS), update_id=77)
    again = await service.handle(ADA, TextSent(SECRET_WORDS), update_id=77)  # redelivered

    assert [r.text for r in failed.replies] == [APOLOGY]
    assert failed.failed and failed.failure == "ZeroDivisionError: a bug"
    assert again.duplicate and again.replies == ()  # apologised once, not on redelivery
    assert await answers_in(database, begun.interview_id or 0) == {}
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "77" in record.getMessage() and record.exc_info is not None
    assert SECRET_WORDS not in caplog.text

    monkeypatch.undo()
    recovered = await service.handle(ADA, TextSent("A story"), update_id=78)
    assert not recovered.failed
    assert await answers_in(database, begun.interview_id or 0) == {"q1": "A story"}


async def test_mydata_holds_the_draft_its_history_notes_and_follow_ups(
    database: Database,
) -> None:
    service = service_for(database)
    await say(service, TextSent("hello"), TextSent("A garden"), TextSent("In Leeds"))
    submitted = await submit(service)
    assert submitted.draft_id is not None
    async with UnitOfWork(database) as uow:
        contributor = await uow.contributors.by_user_id(ADA.user_id)
        assert contributor is not None
        sam = Actor(800, "Sam")
        await uow.drafts.add_note(submitted.draft_id, "Ask for a photo", actor=sam, now=START)
        await uow.followups.add(
            submitted.draft_id,
            contributor.id,
            "Who paid for it?",
            asked_by=800,
            asked_by_name="Sam",
            notify_chat_id=800,
            now=START,
        )
        await uow.commit()

    exported = await service.export_person_data(ADA.user_id)

    [interview] = exported["interviews"]
    draft = interview["draft"]
    assert draft["reference"] == submitted.submitted_reference
    assert draft["status"] == "new"
    assert draft["body"]["fields"]  # the drafted text itself
    assert [e["kind"] for e in draft["history"]] == ["created", "note"]
    assert draft["staff_notes"] == [{"text": "Ask for a photo", "created_at": START.isoformat()}]
    assert [(f["question"], f["status"]) for f in draft["follow_ups"]] == [
        ("Who paid for it?", "pending")
    ]
    assert "Sam" not in str(draft) and "800" not in str(draft)  # staff's own data stays out


async def test_an_unfinished_interview_exports_with_no_draft(database: Database) -> None:
    service = service_for(database)
    await say(service, TextSent("hello"), TextSent("A garden"))

    [interview] = (await service.export_person_data(ADA.user_id))["interviews"]

    assert interview["draft"] is None


def credited(choice: str | None, **said: str) -> InterviewState:
    answers = {q: Answer(q, text=t) for q, t in said.items()}
    if choice is not None:
        answers["credit"] = Answer("credit", choices=(choice,))
    return InterviewState("s", 1, answers=answers)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (credited("anonymous"), None),
        (credited(None), None),
        (credited("named"), "Ada Lovelace"),
        (credited("named", credit_name="A. Lovelace"), "A. Lovelace"),
        (credited("organisation", credit_org="Leeds Tenants"), "someone from Leeds Tenants"),
        (credited("organisation"), None),
    ],
)
def test_staff_see_only_the_name_the_credit_choice_allows(
    state: InterviewState, expected: str | None
) -> None:
    assert credit_as(state, ADA.name) == expected


def test_an_anonymous_person_is_not_named_even_with_a_name() -> None:
    assert credit_as(credited("anonymous", credit_name="Ada"), Person(1, 1, "Ada").name) is None
