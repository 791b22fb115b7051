"""Collected examples made the real way: contributors answer the built-in scripts through
the interview service (engine, storage, drafter), then staff move the drafts along.

Shared by the export, stats, CLI and end-to-end tests.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from conversations.model import CommandSent, Event, Person, Pressed, Started, TextSent
from conversations.script import ScriptCatalog, builtin_scripts
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.migrate import upgrade
from storage.models import Interview
from storage.service import Handled, InterviewService
from storage.uow import UnitOfWork

# The path from "new" to each status, one allowed move at a time.
PATHS: dict[DraftStatus, tuple[DraftStatus, ...]] = {
    DraftStatus.NEW: (),
    DraftStatus.IN_REVIEW: (DraftStatus.IN_REVIEW,),
    DraftStatus.NEEDS_INFO: (DraftStatus.IN_REVIEW, DraftStatus.NEEDS_INFO),
    DraftStatus.READY: (DraftStatus.IN_REVIEW, DraftStatus.READY),
    DraftStatus.PUBLISHED: (DraftStatus.IN_REVIEW, DraftStatus.READY, DraftStatus.PUBLISHED),
    DraftStatus.ARCHIVED: (DraftStatus.ARCHIVED,),
}


@dataclass
class SettableClock:
    """Time that the test sets, moving a minute per reading."""

    now: datetime = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@dataclass
class Contributor:
    """One contributor's interview: who, which script, and answers by question id."""

    person: Person
    script_id: str
    answers: dict[str, Event] = field(default_factory=dict)


def choose(question_id: str, option: str) -> Pressed:
    return Pressed(f"c|{question_id}|{option}")


def _current_question(handled: Handled) -> tuple[str | None, list[str]]:
    data = [b.data for reply in handled.replies for row in reply.buttons for b in row]
    if "sub" in data:
        return "<review>", data
    for item in data:
        match = re.match(r"^[bcsdt]\|([^|]+)", item)
        if match:
            return match.group(1), data
    return None, data


async def submit(service: InterviewService, contributor: Contributor) -> str:
    """Answer the interview as given (skipping everything else) and send it: its reference."""
    handled = await service.handle(contributor.person, Started(contributor.script_id))
    asked: set[str] = set()
    for _ in range(80):
        if handled.submitted_reference:
            return handled.submitted_reference
        question, data = _current_question(handled)
        if question == "<review>":
            event: Event = Pressed("sub")
        elif question is None:
            raise AssertionError(f"no question in {[r.text for r in handled.replies]}")
        elif question in asked or question not in contributor.answers:
            skip = f"s|{question}"
            event = Pressed(skip) if skip in data else CommandSent("skip")
        else:
            event = contributor.answers[question]
        if question is not None:
            asked.add(question)
        handled = await service.handle(contributor.person, event)
    raise AssertionError("the interview did not finish")


async def move_draft(
    database: Database, reference: str, target: DraftStatus, now: datetime
) -> None:
    async with UnitOfWork(database) as uow:
        draft = await uow.drafts.by_reference(reference)
        assert draft is not None, reference
        for status in PATHS[target]:
            await uow.drafts.set_status(
                draft.id, status, expected_version=None, actor=None, now=now
            )
        await uow.commit()


def service_on(database: Database, clock: SettableClock) -> InterviewService:
    scripts = dict(builtin_scripts())
    return InterviewService(database, ScriptCatalog(scripts, default_id="full-story"), clock)


ANN = Contributor(
    Person(101, 101, "Ann Telegram"),
    "full-story",
    {
        "consent": choose("consent", "yes"),
        "project": TextSent(
            "Residents and the council ran a community garden together for three years."
        ),
        "changed": TextSent(
            "We planted a hundred trees and the whole street now meets every Sunday to share food."
        ),
        "contact_ok": choose("contact_ok", "yes"),
        "contact_how": TextSent("ann@example.org"),
        "credit": choose("credit", "named"),
        "credit_name": TextSent("Ann Lee"),
        "credit_org": TextSent("Hill Trust"),
    },
)
BOB = Contributor(
    Person(102, 102, "Bob Telegram"),
    "full-story",
    {
        "consent": choose("consent", "yes"),
        "project": TextSent("Tenants and the housing team redesigned the estate's play areas."),
        "hard": TextSent("Getting the housing team to share the budget took two years of asking."),
        "contact_ok": choose("contact_ok", "no"),
        "credit": choose("credit", "organisation"),
        "credit_org": TextSent("Bramley Food CIC"),
    },
)
CAT = Contributor(
    Person(103, 103, "Cat Telegram", language="pl-PL"),  # Telegram in Polish
    "spotted",
    {
        "consent": choose("consent", "yes"),
        "project": TextSent("Parents and the school redesigned the playground together."),
        "credit": choose("credit", "anonymous"),
    },
)
DAN = Contributor(
    Person(104, 104, "Dan Telegram"),
    "full-story",
    {
        "consent": choose("consent", "yes"),
        "project": TextSent("Young people and youth workers planned the summer programme."),
        "contact_ok": choose("contact_ok", "yes"),
        "contact_how": TextSent("dan@example.org"),
        "credit": choose("credit", "named"),
        "credit_name": TextSent("Dan Smith"),
    },
)
EVE = Contributor(
    Person(105, 105, "Eve Adams"),
    "spotted",
    {
        "consent": choose("consent", "yes"),
        "project": TextSent("The library and local artists ran a mural project with residents."),
        "credit": choose("credit", "named"),
    },
)


@dataclass(frozen=True)
class Seeded:
    """What :func:`seed` made: reference by contributor name, and submission times."""

    references: dict[str, str]
    submitted: dict[str, datetime]


# name, contributor, when the interview begins, the draft status staff leave it in
PLAN: tuple[tuple[str, Contributor, datetime, DraftStatus], ...] = (
    ("ann", ANN, datetime(2026, 1, 10, 9, 0, tzinfo=UTC), DraftStatus.READY),
    ("bob", BOB, datetime(2026, 2, 3, 9, 0, tzinfo=UTC), DraftStatus.PUBLISHED),
    ("cat", CAT, datetime(2026, 2, 20, 9, 0, tzinfo=UTC), DraftStatus.NEW),
    ("dan", DAN, datetime(2026, 3, 5, 9, 0, tzinfo=UTC), DraftStatus.READY),
    ("eve", EVE, datetime(2026, 3, 28, 9, 0, tzinfo=UTC), DraftStatus.IN_REVIEW),
)


async def seed(database: Database) -> Seeded:
    """Five submitted examples (see :data:`PLAN`); Dan's data is then erased, his draft
    kept (see :func:`erase_keeping_drafts`)."""
    clock = SettableClock()
    service = service_on(database, clock)
    references: dict[str, str] = {}
    submitted: dict[str, datetime] = {}
    for name, contributor, begins, status in PLAN:
        clock.now = begins
        reference = await submit(service, contributor)
        references[name] = reference
        async with database.session() as session:
            when = await session.scalar(
                select(Interview.submitted_at).where(Interview.reference == reference)
            )
        assert when is not None
        submitted[name] = when
        await move_draft(database, reference, status, clock())
    await erase_keeping_drafts(database, DAN.person.user_id, clock())
    return Seeded(references, submitted)


async def erase_keeping_drafts(database: Database, user_id: int, now: datetime) -> None:
    """Erase a contributor's answers and name but leave their drafts, as ``/delete`` did
    before it removed drafts too: such drafts may still be in a database."""
    async with UnitOfWork(database) as uow:
        contributor = await uow.contributors.by_user_id(user_id)
        assert contributor is not None
        await uow.interviews.erase_for_contributor(contributor.id, now)
        await uow.contributors.mark_erased(contributor.id, now)
        await uow.commit()


_templates: dict[str, tuple[Path, Seeded]] = {}


async def seeded_sqlite_file(path: Path) -> Seeded:
    """Write a SQLite database holding :func:`seed`'s examples to ``path``.

    The examples are made once per test run and copied, which is much quicker than
    interviewing five contributors again for every test.
    """
    if "sqlite" not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="copro-seed-"))
        template = folder / "seeded.db"
        url = f"sqlite:///{template}"
        await upgrade(url)
        database = Database.from_url(url)
        try:
            seeded = await seed(database)
        finally:
            await database.dispose()
        _templates["sqlite"] = (template, seeded)
    template, seeded = _templates["sqlite"]
    shutil.copyfile(template, path)
    return seeded


async def seeded_database(url: str) -> tuple[Database, Seeded]:
    """An open database at ``url`` (empty, no schema yet) holding :func:`seed`'s examples."""
    if url.startswith("sqlite"):
        seeded = await seeded_sqlite_file(Path(url.removeprefix("sqlite:///")))
        return Database.from_url(url), seeded
    await upgrade(url)
    database = Database.from_url(url)
    return database, await seed(database)
