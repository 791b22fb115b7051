"""The interview service: one transaction per event, on SQLite and PostgreSQL.

These run the real engine on small scripts made here, so they state what storage does
(what is committed, kept, erased) rather than what the engine says.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conversations.model import (
    Button,
    CommandSent,
    Event,
    MessageEdited,
    Option,
    Person,
    Pressed,
    Question,
    QuestionKind,
    RestartRequested,
    Script,
    Started,
    TextSent,
)
from conversations.script import ScriptCatalog
from conversations.state import Status
from storage.database import Database
from storage.service import Handled, InterviewService
from storage.uow import UnitOfWork

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADA = Person(user_id=42, chat_id=42, name="Ada Lovelace", username="ada")
BOB = Person(user_id=43, chat_id=43, name="Bob")


class FakeClock:
    """Time that moves a minute per reading, so every event has its own timestamp."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def text_question(question_id: str) -> Question:
    return Question(
        id=question_id,
        kind=QuestionKind.TEXT,
        prompt=f"Tell me about {question_id}?",
        label=question_id.upper(),
        thin_words=0,
    )


def make_script(
    script_id: str = "demo", version: int = 1, questions: tuple[str, ...] = ("q1", "q2")
) -> Script:
    return Script(
        id=script_id,
        version=version,
        title=f"{script_id} v{version}",
        language="en",
        welcome="Welcome.",
        thanks="Thank you.",
        questions=tuple(text_question(q) for q in questions),
    )


CONSENT = Question(
    id="consent",
    kind=QuestionKind.YES_NO,
    prompt="May we keep your answers?",
    label="Consent",
    options=(Option("yes", "Yes"), Option("no", "No")),
    stop_on=("no",),
    stop_message="Understood: nothing is kept.",
)


def catalog_of(*scripts: Script) -> ScriptCatalog:
    return ScriptCatalog({s.id: s for s in scripts}, default_id=scripts[0].id)


def service_for(database: Database, *scripts: Script) -> InterviewService:
    return InterviewService(database, catalog_of(*(scripts or (make_script(),))), FakeClock())


def buttons(handled: Handled) -> list[Button]:
    return [button for reply in handled.replies for row in reply.buttons for button in row]


def press(handled: Handled, *labels: str) -> Pressed:
    """Press the first button whose label contains one of ``labels`` (case-insensitive)."""
    for button in buttons(handled):
        if any(label.lower() in button.label.lower() for label in labels):
            return Pressed(button.data)
    raise AssertionError(f"no button like {labels} in {buttons(handled)}")


async def answers_in(database: Database, interview_id: int) -> dict[str, str]:
    async with UnitOfWork(database) as uow:
        stored = await uow.interviews.answers(interview_id)
    return {a.question_id: a.answer.text for a in stored}


async def interview_of(database: Database, interview_id: int | None) -> tuple[Status, str | None]:
    assert interview_id is not None
    async with UnitOfWork(database) as uow:
        record = await uow.interviews.get(interview_id)
    assert record is not None
    return record.status, record.reference


async def say(service: InterviewService, *events: Event, person: Person = ADA) -> Handled:
    handled = None
    for event in events:
        handled = await service.handle(person, event)
    assert handled is not None
    return handled


async def submit(service: InterviewService, person: Person = ADA) -> Handled:
    return await service.handle(person, CommandSent("submit"))


# --- one transaction per event --------------------------------------------------------


async def test_first_contact_begins_an_interview_with_the_default_script(
    database: Database,
) -> None:
    handled = await say(service_for(database), TextSent("hello"))
    async with UnitOfWork(database) as uow:
        record = await uow.interviews.get(handled.interview_id or 0)

    assert record is not None
    assert (record.script_id, record.status, handled.replies != ()) == ("demo", Status.ACTIVE, True)


async def test_an_answer_is_committed_before_handle_returns(
    database: Database, migrated_url: str
) -> None:
    service = service_for(database)
    await say(service, Started())
    handled = await say(service, TextSent("We met at a festival", message_id=11))
    other = Database.from_url(migrated_url)
    try:
        stored = await answers_in(other, handled.interview_id or 0)
    finally:
        await other.dispose()

    assert stored == {"q1": "We met at a festival"}


async def test_a_redelivered_update_is_applied_once(database: Database) -> None:
    service = service_for(database)
    await say(service, Started())
    first = await service.handle(ADA, TextSent("one", message_id=1), update_id=500)
    again = await service.handle(ADA, TextSent("one", message_id=1), update_id=500)
    stored = await answers_in(database, first.interview_id or 0)

    assert (first.duplicate, again) == (
        False,
        Handled((), None, (), None, None, duplicate=True),
    )
    assert stored == {"q1": "one"}


async def test_concurrent_deliveries_of_one_update_apply_once(database: Database) -> None:
    service = service_for(database)
    begun = await say(service, Started())
    results = await asyncio.gather(
        *(service.handle(ADA, TextSent("one", message_id=1), update_id=900) for _ in range(5))
    )
    stored = await answers_in(database, begun.interview_id or 0)

    assert sorted(r.duplicate for r in results) == [False, True, True, True, True]
    assert stored == {"q1": "one"}


async def test_concurrent_answers_from_one_person_are_all_stored(database: Database) -> None:
    questions = tuple(f"q{i}" for i in range(1, 13))
    service = service_for(database, make_script(questions=questions))
    begun = await say(service, Started())
    texts = [f"answer number {i}" for i in range(10)]
    await asyncio.gather(
        *(
            service.handle(ADA, TextSent(text, message_id=100 + i), update_id=1000 + i)
            for i, text in enumerate(texts)
        )
    )
    stored = await answers_in(database, begun.interview_id or 0)
    async with UnitOfWork(database) as uow:
        record = await uow.interviews.get(begun.interview_id or 0)

    assert record is not None and record.state is not None
    assert sorted(stored.values()) == sorted(texts)
    assert sorted(stored) == sorted(questions[:10])
    assert {q: a.text for q, a in record.state.answers.items()} == stored
    assert record.lock_version == 10


async def test_first_contacts_at_once_begin_a_single_interview(database: Database) -> None:
    service = service_for(database)
    await asyncio.gather(*(service.handle(BOB, Started()) for _ in range(4)))
    async with UnitOfWork(database) as uow:
        contributor = await uow.contributors.by_user_id(BOB.user_id)
        assert contributor is not None
        interviews = await uow.interviews.for_contributor(contributor.id)

    assert [i.status for i in interviews].count(Status.ACTIVE) == 1


# --- resuming, snapshots, revisions ---------------------------------------------------


async def test_a_new_process_continues_the_interview(database: Database, migrated_url: str) -> None:
    service = service_for(database)
    begun = await say(service, Started(), TextSent("first answer"))
    await database.dispose()

    reopened = Database.from_url(migrated_url)
    try:
        resumed = await say(service_for(reopened), TextSent("second answer"))
        stored = await answers_in(reopened, resumed.interview_id or 0)
    finally:
        await reopened.dispose()

    assert resumed.interview_id == begun.interview_id
    assert stored == {"q1": "first answer", "q2": "second answer"}


async def test_an_interview_keeps_the_script_it_began_with(database: Database) -> None:
    await say(service_for(database, make_script(version=1)), Started())
    changed = make_script(version=1, questions=("other", "q2"))  # edited, version not bumped
    handled = await say(service_for(database, changed), TextSent("still v1"))
    async with UnitOfWork(database) as uow:
        snapshots = await uow.scripts.all_of("demo")

    assert await answers_in(database, handled.interview_id or 0) == {"q1": "still v1"}
    assert len(snapshots) == 1


async def test_a_new_interview_takes_the_changed_script(database: Database) -> None:
    first = await say(service_for(database), Started(), TextSent("a"), TextSent("b"))
    await submit(service_for(database))
    changed = make_script(version=2, questions=("new", "q2"))
    second = await say(service_for(database, changed), Started(), TextSent("fresh"))
    async with UnitOfWork(database) as uow:
        snapshots = await uow.scripts.all_of("demo")

    assert second.interview_id != first.interview_id
    assert await answers_in(database, second.interview_id or 0) == {"new": "fresh"}
    assert [s.version for s in snapshots] == [1, 2]


async def test_an_edited_message_keeps_the_earlier_answer_as_a_revision(
    database: Database,
) -> None:
    service = service_for(database)
    await say(service, Started(), TextSent("We met in 2018", message_id=7))
    handled = await say(service, MessageEdited(message_id=7, text="We met in 2019"))
    async with UnitOfWork(database) as uow:
        revisions = await uow.interviews.revisions(handled.interview_id or 0, "q1")
        located = await uow.interviews.answer_for_message(ADA.chat_id, 7)

    assert [(r.revision, r.reason, r.answer.text) for r in revisions] == [
        (1, "answer", "We met in 2018"),
        (2, "edit", "We met in 2019"),
    ]
    assert located == (handled.interview_id, "q1")


# --- finishing, restarting, several interviews ----------------------------------------


async def test_submission_gives_a_reference_and_a_later_start_begins_anew(
    database: Database,
) -> None:
    service = service_for(database)
    first = await say(service, Started(), TextSent("a"), TextSent("b"))
    submitted = await submit(service)
    second = await say(service, Started(), TextSent("c"))

    assert submitted.submitted_reference == f"CP-2026-{first.interview_id:05d}"
    assert await interview_of(database, first.interview_id) == (
        Status.SUBMITTED,
        submitted.submitted_reference,
    )
    assert await interview_of(database, second.interview_id) == (Status.ACTIVE, None)
    assert await answers_in(database, second.interview_id or 0) == {"q1": "c"}


async def test_text_after_submission_does_not_begin_a_new_interview(database: Database) -> None:
    service = service_for(database)
    first = await say(service, Started(), TextSent("a"), TextSent("b"))
    await submit(service)
    after = await say(service, TextSent("one more thing"))

    assert after.interview_id == first.interview_id
    assert await interview_of(database, first.interview_id) == (
        Status.SUBMITTED,
        f"CP-2026-{first.interview_id:05d}",
    )
    assert await answers_in(database, first.interview_id or 0) == {"q1": "a", "q2": "b"}


async def test_a_restart_abandons_the_interview_and_begins_another(database: Database) -> None:
    service = service_for(database)
    first = await say(service, Started(), TextSent("a"))
    handled = await restart(service)

    assert any(isinstance(e, RestartRequested) for e in handled.effects)
    assert handled.interview_id != first.interview_id
    assert await interview_of(database, first.interview_id) == (Status.ABANDONED, None)
    assert await interview_of(database, handled.interview_id) == (Status.ACTIVE, None)
    assert await answers_in(database, handled.interview_id or 0) == {}


async def restart(service: InterviewService) -> Handled:
    """Ask to start over and confirm, by whatever buttons the engine offers."""
    handled = await say(service, Started())
    for _ in range(3):
        if any(isinstance(e, RestartRequested) for e in handled.effects):
            return handled
        handled = await say(service, press(handled, "start over", "restart", "new", "again"))
    return handled


async def test_declining_consent_keeps_no_answers(database: Database) -> None:
    script = replace(make_script(), questions=(text_question("q0"), CONSENT, text_question("q2")))
    service = service_for(database, script)
    await say(service, Started())
    asked = await say(service, TextSent("something said before consent"))
    declined = await say(service, press(asked, "No"))
    async with UnitOfWork(database) as uow:
        record = await uow.interviews.get(declined.interview_id or 0)

    assert record is not None and record.state is not None
    assert (record.status, record.state.answers) == (Status.DECLINED, {})
    assert await answers_in(database, declined.interview_id or 0) == {}


# --- the contributor's own data -------------------------------------------------------


async def test_export_contains_the_contributor_and_their_answers(database: Database) -> None:
    service = service_for(database)
    handled = await say(service, Started(), TextSent("A story", message_id=3))
    exported = await service.export_person_data(ADA.user_id)

    assert exported["contributor"]["display_name"] == "Ada Lovelace"
    assert [i["id"] for i in exported["interviews"]] == [handled.interview_id]
    assert [
        (a["question_id"], a["text"], [r["reason"] for r in a["revisions"]])
        for a in exported["interviews"][0]["answers"]
    ] == [("q1", "A story", ["answer"])]


async def test_export_of_a_stranger_is_empty(database: Database) -> None:
    exported = await service_for(database).export_person_data(999)

    assert exported == {"contributor": None, "interviews": []}


async def test_erasing_a_person_removes_answers_states_and_name(database: Database) -> None:
    service = service_for(database)
    first = await say(service, Started(), TextSent("a", message_id=1), TextSent("b"))
    await submit(service)
    await say(service, Started(), TextSent("c", message_id=2))
    other = await say(service, Started(), TextSent("bob's"), person=BOB)

    erased = await service.erase_person(ADA.user_id)
    again = await service.erase_person(ADA.user_id)
    exported = await service.export_person_data(ADA.user_id)
    async with UnitOfWork(database) as uow:
        contributor = await uow.contributors.by_user_id(ADA.user_id)
        maps = await uow.interviews.answer_for_message(ADA.chat_id, 1)

    assert (erased, again) == (True, False)
    assert contributor is not None
    assert (contributor.display_name, contributor.username, contributor.erased) == ("", None, True)
    assert [(i["state"], i["answers"]) for i in exported["interviews"]] == [(None, []), (None, [])]
    assert [i["status"] for i in exported["interviews"]] == ["submitted", "abandoned"]
    assert maps is None
    assert await answers_in(database, first.interview_id or 0) == {}
    assert await answers_in(database, other.interview_id or 0) == {"q1": "bob's"}


async def test_erasing_a_stranger_reports_nothing_existed(database: Database) -> None:
    assert await service_for(database).erase_person(999) is False


async def test_status_names_the_last_submitted_reference(database: Database) -> None:
    service = service_for(database)
    first = await say(service, Started(), TextSent("a"), TextSent("b"))
    before = await service.status_of(ADA.user_id)
    await submit(service)
    after = await service.status_of(ADA.user_id)

    assert before is None
    assert after is not None and f"CP-2026-{first.interview_id:05d}" in after


async def test_a_first_help_gets_the_welcome_the_first_question_and_the_help(
    database: Database,
) -> None:
    service = service_for(database)
    handled = await service.handle(ADA, CommandSent("help"))
    texts = [reply.text for reply in handled.replies]

    assert texts[0] == "Welcome."
    assert any("q1" in text for text in texts[:3])
    assert "/skip" in texts[-1]  # the help, after the question it is about
    assert await answers_in(database, handled.interview_id or 0) == {}
