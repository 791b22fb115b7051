"""Contributors against a real ``copro-bot run`` process that is killed and restarted.

Shared by the crash-and-fault tests (``test_crash_and_faults.py``, small counts) and
``bench/soak.py`` (large counts). The fake Bot API runs in this process; the bot is a child
process killed with SIGKILL at random moments. Each contributor answers the ``spotted``
interview as a person would: waits for the next question, thinks a moment, answers it.
Afterwards :func:`audit` reads the database and what the fake saw, and counts what a
contributor would notice: answers lost or applied twice, chats left without their next
question, messages that arrived twice, and what the outbox still owes.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from conversations.engine import applicable_questions
from conversations.model import Answer, QuestionKind
from conversations.script import builtin_scripts
from storage.database import Database
from storage.models import AnswerRevision, AnswerRow, Contributor, Interview, OutboxRow
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser, Faults

JSON = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
STAFF_CHAT_ID = -1001234567890
TOKEN = "123456:TEST-TOKEN-crash-and-faults-0123456"

# What each contributor does at each question of the ``spotted`` script: tap a button or
# type a text ("{name}" is their name). The steps below follow the script as it is, so a
# question added to it fails here loudly instead of leaving every chat waiting.
ANSWERS: dict[str, tuple[str, str]] = {
    "consent": ("tap", "Yes"),
    "project": ("say", "{name} spotted neighbours and the council rebuilding a park"),
    "name": ("tap", "Skip"),
    "place_when": ("say", "{name}: Leeds, spring 2024"),
    "together": ("tap", "Skip"),
    "source": ("say", "{name} heard it on local radio"),
    "credit": ("tap", "Use my name"),
    "credit_name": ("say", "{name} the tipster"),
}

# (what the bot's message holds, what the contributor does; None: finished)
Action = tuple[str, str] | None


def _interview_steps() -> tuple[tuple[tuple[str, Action], ...], dict[str, int]]:
    """The questions the ``spotted`` script asks for :data:`ANSWERS`, in order, then the
    review and the reference number; and the step at which each typed answer is given."""
    script = builtin_scripts()["spotted"]
    planned: dict[str, Answer] = {}
    for question in script.questions:
        if question.id not in ANSWERS:
            raise LookupError(f"the crash harness has no answer for {question.id!r}")
        kind, what = ANSWERS[question.id]
        option = next((o.id for o in question.options if o.label == what), None)
        if question.kind == QuestionKind.YES_NO and what in ("Yes", "No"):
            option = what.lower()
        planned[question.id] = (
            Answer(question.id, choices=(option,))
            if kind == "tap" and option is not None
            else Answer(question.id, text=what, skipped=what == "Skip")
        )
    asked = applicable_questions(script, planned)
    steps: list[tuple[str, Action]] = [
        (f"Question {n} of ", ANSWERS[q.id]) for n, q in enumerate(asked, 1)
    ]
    steps += [("Here's what you told me", ("tap", "✅ Send it")), ("Your reference number", None)]
    typed = {q.id: n for n, q in enumerate(asked) if ANSWERS[q.id][0] == "say"}
    return tuple(steps), typed


STEPS, TYPED = _interview_steps()
"""``TYPED`` maps a question id to the step at which its text is typed."""
ANSWERS_PER_INTERVIEW = len(STEPS) - 2  # one per question; the review's tap submits


def bot_command() -> list[str]:
    script = Path(sys.executable).with_name("copro-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


async def launch_run(
    workdir: Path, environment: dict[str, str], log: Path, *options: str
) -> asyncio.subprocess.Process:
    """``copro-bot run`` with an empty settings file (everything comes from ``environment``),
    its output appended to ``log``."""
    settings = workdir / "empty.env"
    settings.touch()
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *bot_command(),
            "--env-file",
            str(settings),
            "run",
            *options,
            cwd=workdir,
            env=environment,
            stdout=out,
            stderr=out,
        )


class BotProcess:
    """``copro-bot run`` as an operator starts it; :meth:`kill` is SIGKILL."""

    def __init__(self, fake: FakeBotApi, workdir: Path, database_url: str) -> None:
        self.fake = fake
        self.workdir = workdir
        names = ("TELEGRAM_", "DATABASE_", "WEBHOOK_", "STAFF_", "INTERVIEW_", "LOG_LEVEL", "SEND_")
        self.environment = {k: v for k, v in os.environ.items() if not k.startswith(names)}
        self.environment.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.url,
            DATABASE_URL=database_url,
            STAFF_CHAT_ID=str(STAFF_CHAT_ID),
            LOG_LEVEL="WARNING",
            SEND_RATE_LIMIT="1000",
        )
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"
        self.starts = 0
        self.ready_at = 0.0

    async def start(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        since = self.fake.mark()
        self.process = await launch_run(self.workdir, self.environment, self.log)
        self.starts += 1
        await self.fake.wait_for(lambda c: c.method == "deleteWebhook", timeout, since=since)
        self.ready_at = time.monotonic()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
        self.process = None

    async def stop(self) -> int:
        """SIGTERM, as a deploy stops it; its exit status."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        self.process = None
        return code


@dataclass
class Participant:
    """One person taking the interview; ``step`` is how far they got."""

    user: FakeUser
    name: str
    step: int = 0
    cursor: int = 0
    typed: dict[int, str] = field(default_factory=dict)
    finished: bool = False
    recovering: bool = False
    """They unblocked the bot: /start, then "Carry on" from its welcome back."""


# A contributor who hears nothing back for this long is stuck, however slow the machine:
# a busy machine slows every reply down, a lost one never comes.
STALL_SECONDS = 45.0


async def take_interview(
    person: Participant,
    rng: random.Random,
    think: tuple[float, float],
    deadline: float,
    stall: float = STALL_SECONDS,
    restarted: Callable[[], float] = lambda: 0.0,
) -> None:
    """Answer each question once, after it arrived; a message that arrived twice (or an
    earlier one again) is passed over, as a person would. Give up at ``deadline`` or after
    ``stall`` seconds without the next message (counted from the bot's last restart, if
    later: a bot killed and restarted again and again answers nobody in between)."""
    person.user.send_command("start", "spotted")
    waiting_since = time.monotonic()
    while person.step < len(STEPS) and time.monotonic() < min(
        deadline, max(waiting_since, restarted()) + stall
    ):
        expect, action = STEPS[person.step]
        if person.recovering:
            expect, action = "Welcome back!", ("tap", "Carry on")
        messages = person.user.bot_messages()
        found = next(
            (
                (i, m)
                for i, m in enumerate(messages[person.cursor :], person.cursor)
                if expect in str(m.get("text", ""))
            ),
            None,
        )
        if found is None:
            await asyncio.sleep(0.05)
            continue
        index, message = found
        person.cursor = index + 1
        if person.recovering:
            person.recovering = False
            person.user.press_button(message, "Carry on")
            waiting_since = time.monotonic()
            continue
        if action is None:
            person.finished = True
            return
        await asyncio.sleep(rng.uniform(*think))
        kind, what = action
        if kind == "tap":
            person.user.press_button(message, what)
        else:
            text = what.format(name=person.name)
            person.typed[person.step] = text
            person.user.send_text(text)
        person.step += 1
        waiting_since = time.monotonic()


@dataclass
class Figures:
    """What :func:`audit` found; ``ok`` when a contributor would notice nothing wrong."""

    contributors: int = 0
    kills: int = 0
    answers_typed: int = 0
    answers_stored: int = 0
    answers_lost: int = 0
    answers_doubled: int = 0
    chats_stuck: int = 0
    sent_twice: int = 0
    max_copies: int = 0
    sender_retries: int = 0
    refused_calls: int = 0
    duplicates_delivered: int = 0
    outbox_owed: int = 0
    outbox_failed: int = 0
    seconds: float = 0.0
    stuck: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.answers_lost == 0
            and self.answers_doubled == 0
            and self.chats_stuck == 0
            and self.outbox_owed == 0
            and self.outbox_failed == 0
        )

    def lines(self) -> list[str]:
        return [
            f"contributors           {self.contributors}",
            f"kills (SIGKILL)        {self.kills}",
            f"answers typed          {self.answers_typed}",
            f"answers stored         {self.answers_stored}",
            f"answers lost           {self.answers_lost}",
            f"answers doubled        {self.answers_doubled}",
            f"chats stuck            {self.chats_stuck}",
            f"messages sent twice    {self.sent_twice}",
            f"most copies of one     {self.max_copies}",
            f"sender retries         {self.sender_retries}",
            f"refused Bot API calls  {self.refused_calls}",
            f"duplicate deliveries   {self.duplicates_delivered}",
            f"outbox rows owed       {self.outbox_owed}",
            f"outbox rows failed     {self.outbox_failed}",
            f"seconds                {self.seconds:.1f}",
        ]


@dataclass
class Plan:
    """One run: how many people, kills, faults and duplicate deliveries."""

    contributors: int = 20
    kills: int = 10
    kill_gap: tuple[float, float] = (0.5, 2.0)
    think: tuple[float, float] = (0.3, 2.0)
    faults: Faults | None = None
    fault_seconds: float = 0.0
    blocked_chat_seconds: float = 0.0
    duplicates: int = 0
    seed: int = 1
    # A ceiling only: a contributor is stuck after STALL_SECONDS with nothing new.
    deadline: float = 600.0
    first_user_id: int = 7000


async def run_plan(plan: Plan, workdir: Path, database_url: str | None = None) -> Figures:
    """Run ``plan`` against a fresh database (SQLite in ``workdir`` unless given)."""
    rng = random.Random(plan.seed)
    url = database_url or f"sqlite:///{workdir / 'bot.db'}"
    started = time.monotonic()
    figures = Figures(contributors=plan.contributors)
    async with FakeBotApi(TOKEN) as fake:
        bot = BotProcess(fake, workdir, url)
        try:
            await bot.start()
            deadline = time.monotonic() + plan.deadline
            people = [
                Participant(fake.user(plan.first_user_id + n, f"Person{n}"), f"Person{n}")
                for n in range(plan.contributors)
            ]
            blocked = people[0].user.chat_id if plan.blocked_chat_seconds > 0 else None
            interviews = [
                asyncio.create_task(
                    take_interview(
                        p,
                        random.Random(plan.seed * 1000 + i),
                        plan.think,
                        deadline,
                        restarted=lambda: bot.ready_at,
                    )
                )
                for i, p in enumerate(people)
            ]
            trouble = asyncio.create_task(_make_trouble(fake, plan, rng, blocked, people))
            for _ in range(plan.kills):
                await asyncio.sleep(rng.uniform(*plan.kill_gap))
                await bot.kill()
                figures.kills += 1
                await bot.start()
            await trouble
            await asyncio.gather(*interviews)
            await _until_settled(fake, url, time.monotonic() + SETTLE_SECONDS)
            code = await bot.stop()
            if code != 0:
                figures.stuck.append(f"the bot exited with {code}")
            await audit(fake, url, people, figures)
        finally:
            await bot.kill()  # a failed start or check leaves no bot running
    figures.seconds = time.monotonic() - started
    return figures


async def _make_trouble(
    fake: FakeBotApi,
    plan: Plan,
    rng: random.Random,
    blocked: int | None,
    people: list[Participant],
) -> None:
    """Faults for a while, one chat blocked for a while, then duplicate deliveries."""
    if plan.faults is not None or blocked is not None:
        await asyncio.sleep(1.0)
        fake.faults = plan.faults
        if blocked is not None:
            fake.blocked_chats.add(blocked)
        await asyncio.sleep(max(plan.fault_seconds, plan.blocked_chat_seconds))
        # On a slow machine the window may pass before any message was due: the faults
        # last until one was met (or a minute), so the run always tests outlasting them.
        waited = 0.0
        while plan.faults is not None and plan.faults.error_rate > 0 and waited < 60:
            if any(not c.ok for c in fake.calls if c.method.lower().startswith(("send", "edit"))):
                break
            await asyncio.sleep(0.2)
            waited += 0.2
        fake.faults = None
        if blocked is not None:
            fake.blocked_chats.discard(blocked)
            # They unblock the bot and pick up where they were.
            person = next(p for p in people if p.user.chat_id == blocked)
            if not person.finished:
                person.cursor = len(person.user.bot_messages())
                person.recovering = True
                person.user.send_command("start")
    sent = 0
    while sent < plan.duplicates:
        await asyncio.sleep(0.05)
        seen = [u for u in fake.delivered if "message" in u or "callback_query" in u]
        if not seen:
            continue
        batch = [rng.choice(seen) for _ in range(min(25, plan.duplicates - sent))]
        fake.redeliver(batch)
        sent += len(batch)
    if plan.duplicates and all(p.finished for p in people):
        return


SETTLE_SECONDS = 60.0  # after the last contributor finished or gave up


async def _until_settled(fake: FakeBotApi, url: str, until: float) -> None:
    """Wait until the outbox owes nothing that can still go and the fake is quiet."""
    database = Database.from_url(url)
    try:
        while time.monotonic() < until:
            async with database.session() as session:
                owed = (
                    await session.execute(select(func.count()).where(OutboxRow.state == "pending"))
                ).scalar_one()
            if owed == 0 and not fake.pending_updates:
                break
            await asyncio.sleep(0.2)
        await fake.wait_idle()
    finally:
        await database.dispose()


async def audit(fake: FakeBotApi, url: str, people: list[Participant], figures: Figures) -> None:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            for person in people:
                figures.answers_typed += min(person.step, ANSWERS_PER_INTERVIEW)
                rows = (
                    await session.execute(
                        select(
                            AnswerRow.question_id, AnswerRow.text, AnswerRow.revision, AnswerRow.id
                        )
                        .join(Interview, Interview.id == AnswerRow.interview_id)
                        .join(Contributor, Contributor.id == Interview.contributor_id)
                        .where(Contributor.telegram_user_id == person.user.user_id)
                    )
                ).all()
                stored = {
                    question: (text, revision, answer_id)
                    for question, text, revision, answer_id in rows
                }
                figures.answers_stored += min(len(stored), person.step)
                figures.answers_lost += max(
                    0, min(person.step, ANSWERS_PER_INTERVIEW) - len(stored)
                )
                for question, step in TYPED.items():
                    if step in person.typed and (
                        question not in stored or stored[question][0] != person.typed[step]
                    ):
                        figures.answers_lost += 1
                for _, revision, answer_id in stored.values():
                    revisions = (
                        await session.execute(
                            select(func.count()).where(AnswerRevision.answer_id == answer_id)
                        )
                    ).scalar_one()
                    if revision != 1 or revisions != 1:
                        figures.answers_doubled += 1
                if not person.finished:
                    figures.chats_stuck += 1
                    figures.stuck.append(f"{person.name} stopped at step {person.step + 1}")
                texts = Counter(str(m.get("text", "")) for m in person.user.bot_messages())
                figures.sent_twice += sum(n - 1 for n in texts.values() if n > 1)
                figures.max_copies = max(figures.max_copies, *texts.values(), 0)
            states = dict(
                (
                    await session.execute(
                        select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
                    )
                ).all()
            )
            figures.outbox_owed = int(states.get("pending", 0))
            figures.outbox_failed = int(states.get("failed", 0))
            extra = (
                await session.execute(select(func.coalesce(func.sum(OutboxRow.tries - 1), 0)))
            ).scalar_one()
            figures.sender_retries = int(extra or 0)
    finally:
        await database.dispose()
    delivering = [c for c in fake.calls if c.method.lower().startswith(("send", "edit"))]
    figures.refused_calls = sum(1 for c in delivering if not c.ok)
    # A 429 uses up no try, yet is a retry all the same.
    figures.sender_retries += sum(1 for c in delivering if c.status == 429)
    ids = Counter(int(u["update_id"]) for u in fake.delivered)
    figures.duplicates_delivered = sum(n - 1 for n in ids.values() if n > 1)


def run(plan: Plan, workdir: Path, database_url: str | None = None) -> Figures:
    return asyncio.run(run_plan(plan, workdir, database_url))
