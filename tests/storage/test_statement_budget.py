"""What one answered question costs the database: a budget of SQL statements, counted.

The count covers the update's whole handling transaction (``BEGIN`` included on SQLite,
where it is a statement of its own). A change that adds a query to this path fails here
first; raise the budget only with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from conversations.model import Event, Person, Pressed, Started, TextSent
from conversations.script import ScriptCatalog, builtin_scripts
from storage.database import Database
from storage.service import Handled, InterviewService
from storage.uow import UnitOfWork

ANSWER_BUDGET = 7  # the outbox's one INSERT of the update's messages will make it 8
ANA = Person(user_id=77, chat_id=77, name="Ana")


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block, in order."""
    statements: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


class Steps:
    def __init__(self, database: Database) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        catalog = ScriptCatalog(dict(builtin_scripts()), default_id="full-story")
        self.service = InterviewService(database, catalog, self.clock)
        self.update_id = 0
        self.message_id = 100

    def clock(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    async def send(self, event: Event) -> Handled:
        self.update_id += 1
        return await self.service.handle(ANA, event, update_id=self.update_id)

    async def say(self, text: str) -> Handled:
        self.message_id += 1
        return await self.send(TextSent(text, self.message_id))


async def mid_interview(steps: Steps) -> Handled:
    """Consent given and the project told: the contributor is at the third question, its
    name."""
    handled = await steps.send(Started())
    handled = await steps.send(Pressed(handled.replies[-1].buttons[0][0].data))  # "Yes"
    return await steps.say("A community garden run by residents and the council together")


async def test_a_text_answer_costs_at_most_the_budget(database: Database) -> None:
    steps = Steps(database)
    await mid_interview(steps)
    with counted(database) as statements:
        handled = await steps.say("Bramley Community Garden")  # the project's name
    assert handled.replies[-1].heading.startswith("Question 4 of")
    assert len(statements) <= ANSWER_BUDGET, "\n".join(statements)


async def test_a_button_press_costs_at_most_the_budget(database: Database) -> None:
    steps = Steps(database)
    asked = await mid_interview(steps)  # at the project's name, which has a Skip button
    [skip] = [b for row in asked.replies[-1].buttons for b in row if b.label == "Skip"]
    await steps.send(Pressed(skip.data))
    asked = await steps.say("Leeds, since the spring of 2023")  # now the stage buttons
    stage = asked.replies[-1].buttons[0][0]
    with counted(database) as statements:
        handled = await steps.send(Pressed(stage.data))
    assert handled.replies[-1].heading.startswith("Question 6 of")
    assert len(statements) <= ANSWER_BUDGET, "\n".join(statements)


async def test_answers_reach_the_database_with_their_revisions(database: Database) -> None:
    """The cheaper path still stores what it stored before: the answer, revision 1."""
    steps = Steps(database)
    handled = await mid_interview(steps)
    async with UnitOfWork(database) as uow:
        stored = {a.question_id: a for a in await uow.interviews.answers(handled.interview_id or 0)}
        revisions = await uow.interviews.revisions(handled.interview_id or 0, "project")
    assert stored["project"].text.startswith("A community garden")
    assert [(r.revision, r.reason) for r in revisions] == [(1, "answer")]


async def test_an_answer_believed_new_that_exists_becomes_its_next_revision(
    database: Database,
) -> None:
    steps = Steps(database)
    handled = await mid_interview(steps)
    interview_id = handled.interview_id or 0
    async with UnitOfWork(database) as uow:
        [project] = [
            a for a in await uow.interviews.answers(interview_id) if a.question_id == "project"
        ]
        changed = replace(project.answer, text="A garden, and a kitchen too")
        revision = await uow.interviews.save_answer(
            interview_id,
            changed,
            text=changed.text,
            reason="edit",
            chat_id=None,
            now=steps.clock(),
            new=True,
        )
        await uow.commit()
    async with UnitOfWork(database, read_only=True) as uow:
        revisions = await uow.interviews.revisions(interview_id, "project")
    assert revision == 2
    assert [(r.revision, r.reason, r.answer.text) for r in revisions] == [
        (1, "answer", project.answer.text),
        (2, "edit", "A garden, and a kitchen too"),
    ]


async def test_read_only_work_on_sqlite_takes_no_write_lock(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite's write lock only")
    with counted(database) as statements:
        async with UnitOfWork(database, read_only=True) as uow:
            await uow.contributors.by_user_id(ANA.user_id)
        async with UnitOfWork(database) as uow:
            await uow.contributors.by_user_id(ANA.user_id)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


class WelshSteps(Steps):
    """A contributor whose Telegram speaks Welsh, so their interview is held in Welsh."""

    person = Person(user_id=78, chat_id=78, name="Eleri", language="cy")

    async def send(self, event: Event) -> Handled:
        self.update_id += 1
        return await self.service.handle(self.person, event, update_id=self.update_id)


async def test_a_welsh_interview_keeps_its_language_and_its_budget(database: Database) -> None:
    steps = WelshSteps(database)
    await mid_interview(steps)
    with counted(database) as statements:
        handled = await steps.say("Gardd y Capel")  # the project's name
    assert handled.replies[-1].heading.startswith("Cwestiwn 4")
    # Her stored name, chat and language are current: she is not written again.
    assert len(statements) <= ANSWER_BUDGET, "\n".join(statements)
    async with UnitOfWork(database) as uow:
        found = await uow.interviews.active_of_person(steps.person)
    assert found is not None and found.contributor_current
    assert found.record.language == "cy"
