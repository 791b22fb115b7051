"""Several ``copro-bot run --webhook`` processes on one PostgreSQL, fed round-robin by the
fake Bot API, one of them killed with SIGKILL and restarted while contributors take the
interview.

Shared by ``test_workers.py`` (the proof, small enough for CI) and ``bench/workers.py``
(throughput with 1, 2 and 3 workers). :func:`limits_report` reads what the fake saw and
counts what Telegram would have refused: more than ``per_second`` messages in any second,
more to one private chat than its bucket allows (``CHAT_BURST`` at once, then
``CHAT_PER_SECOND``), more than 20 a minute to a group.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from storage.database import Database
from storage.models import OutboxRow
from tests.e2e.crash_harness import (
    STAFF_CHAT_ID,
    TOKEN,
    BotProcess,
    Figures,
    Participant,
    audit,
    launch_run,
    take_interview,
)
from tests.e2e.fake_bot_api import FakeBotApi, RecordedCall

HOOK_PATH = "/telegram/hook"
SECRET = "workers-proof-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookWorker(BotProcess):
    """``copro-bot run --webhook`` on a port of its own, as a deploy runs each worker."""

    def __init__(
        self,
        fake: FakeBotApi,
        workdir: Path,
        database_url: str,
        name: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(fake, workdir, database_url)
        self.name = name
        self.port = free_port()
        self.log = workdir / f"{name}.log"
        self.environment.update(
            WEBHOOK_URL=f"https://bot.example.org{HOOK_PATH}",
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(self.port),
            SEND_RATE_LIMIT="30",
            CHAT_SEND_BURST=str(CHAT_BURST),
            CHAT_SEND_RATE=f"{CHAT_PER_SECOND:g}",
            **(extra or {}),
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def start(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        self.process = await launch_run(self.workdir, self.environment, self.log, "--webhook")
        self.starts += 1
        await self.wait_healthy(timeout)

    async def wait_healthy(self, timeout: float) -> None:  # noqa: ASYNC109
        """Until the worker's ``/healthz`` answers (it serves once it takes updates)."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status in (200, 503):
                            return
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.name} did not start serving within {timeout} s")


CHAT_BURST = 3
CHAT_PER_SECOND = 1.0
"""The private chats' send bucket the workers are given (copro-bot's defaults)."""


@dataclass
class Limits:
    """What Telegram would have refused, as the fake saw the calls arrive."""

    most_in_one_second: int = 0
    private_over_bucket: int = 0
    closest_private_gap: float = float("inf")
    most_to_group_in_a_minute: int = 0


def _most_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def _message_calls(fake: FakeBotApi) -> list[RecordedCall]:
    return [
        c
        for c in fake.calls
        if c.method.lower().startswith(("send", "edit")) and c.method != "sendChatAction"
    ]


def limits_report(fake: FakeBotApi) -> Limits:
    """Every message call (sends and edits) counts for the bot's rate; new messages (not
    edits: a card changed in place) for a chat's."""
    calls = _message_calls(fake)
    report = Limits(most_in_one_second=_most_in_window([c.at for c in calls], 1.0))
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        if call.method.lower().startswith("send") and "chat_id" in call.params:
            by_chat[int(call.params["chat_id"])].append(call.at)
    for chat_id, times in by_chat.items():
        times.sort()
        if chat_id < 0:
            report.most_to_group_in_a_minute = max(
                report.most_to_group_in_a_minute, _most_in_window(times, 60.0)
            )
            continue
        for before, after in itertools.pairwise(times):
            report.closest_private_gap = min(report.closest_private_gap, after - before)
        report.private_over_bucket += _over_bucket(times, CHAT_BURST, CHAT_PER_SECOND)
    return report


def _over_bucket(times: list[float], burst: int, per_second: float) -> int:
    """How many of a chat's messages (arrival times, sorted) came beyond a bucket of
    ``burst`` refilled at ``per_second``: some window ending with it holds more than
    ``burst + per_second x its length``."""
    return sum(
        1
        for j, end in enumerate(times)
        if any(j - i + 1 > burst + per_second * (end - times[i]) + 1e-6 for i in range(j))
    )


@dataclass
class WorkersFigures:
    """The crash harness's figures plus what only several workers can get wrong."""

    figures: Figures
    limits: Limits
    digests_to_staff: int = 0
    duplicates_outside_crash: int = 0
    crash_duplicates: int = 0
    staff_owed: int = 0
    deliveries_retried: int = 0
    handled_by_worker: list[int] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        limits = self.limits
        return [
            *self.figures.lines(),
            f"digests to staff       {self.digests_to_staff}",
            f"duplicates (crash)     {self.crash_duplicates}",
            f"duplicates (other)     {self.duplicates_outside_crash}",
            f"staff rows still owed  {self.staff_owed}",
            f"updates re-delivered   {self.deliveries_retried}",
            f"answered by worker     {self.handled_by_worker}",
            f"most calls in 1 s      {limits.most_in_one_second}",
            f"private over bucket    {limits.private_over_bucket}",
            f"closest private gap    {limits.closest_private_gap:.3f} s",
            f"most to group in 60 s  {limits.most_to_group_in_a_minute}",
            f"exit codes             {self.exit_codes}",
        ]


def digest_schedule_just_due() -> str:
    """A daily digest whose latest period began two minutes ago (UTC): the first worker to
    start owes it; the others, and restarts, must not."""
    due = datetime.now(UTC) - timedelta(minutes=2)
    return f"daily {due:%H:%M}"


async def run_workers(
    workdir: Path,
    database_url: str,
    *,
    workers: int = 3,
    contributors: int = 50,
    kills: int = 2,
    think: tuple[float, float] = (0.2, 0.8),
    deadline: float = 600.0,  # a ceiling: a contributor is stuck after a stall
    seed: int = 11,
) -> WorkersFigures:
    """The proof's scenario against an already migrated database."""
    started = time.monotonic()
    rng = random.Random(seed)
    figures = Figures(contributors=contributors)
    env = {"DIGEST_SCHEDULE": digest_schedule_just_due(), "TIMEZONE": "UTC"}
    async with FakeBotApi(TOKEN) as fake:
        pool = [
            WebhookWorker(fake, workdir, database_url, f"worker{n}", env) for n in range(workers)
        ]
        try:
            await asyncio.gather(*(w.start() for w in pool))
            fake.push_to_workers([w.url for w in pool], answer_within=5.0)
            end = time.monotonic() + deadline
            people = [
                Participant(fake.user(9000 + n, f"Person{n}"), f"Person{n}")
                for n in range(contributors)
            ]
            interviews = [
                asyncio.create_task(take_interview(p, random.Random(seed * 1000 + i), think, end))
                for i, p in enumerate(people)
            ]
            kill_times: list[float] = []
            for _ in range(kills):
                await asyncio.sleep(rng.uniform(3.0, 6.0))
                kill_times.append(time.monotonic())
                await pool[0].kill()
                figures.kills += 1
                await asyncio.sleep(0.5)
                await pool[0].start()
            await asyncio.gather(*interviews)
            await _until_private_chats_settled(fake, database_url, time.monotonic())
            result = WorkersFigures(figures=figures, limits=limits_report(fake))
            result.exit_codes = list(await asyncio.gather(*(w.stop() for w in pool)))
            await audit(fake, database_url, people, figures)
            result.digests_to_staff = sum(
                1
                for m in fake.sent_messages(STAFF_CHAT_ID)
                if str(m.get("text", "")).startswith("Digest") and "edit_date" not in m
            )
            result.crash_duplicates, result.duplicates_outside_crash = _duplicates(fake, kill_times)
            result.staff_owed = await _owed_to(database_url, STAFF_CHAT_ID)
            retried = Counter(update_id for update_id, _, status in fake.webhook_deliveries)
            result.deliveries_retried = sum(n - 1 for n in retried.values())
            answered = Counter(url for _, url, status in fake.webhook_deliveries if status == 200)
            result.handled_by_worker = [answered[w.url] for w in pool]
        finally:
            # A worker that failed to start (or a failed check) leaves none running.
            await asyncio.gather(*(w.kill() for w in pool), return_exceptions=True)
    result.seconds = time.monotonic() - started
    return result


def _duplicates(fake: FakeBotApi, kill_times: list[float]) -> tuple[int, int]:
    """Messages that reached a chat twice: (those a kill explains, the others). A kill
    explains a copy when the first arrived before the kill and the second after it: the
    first was accepted and the killed worker never marked its row sent."""
    first_seen: dict[tuple[int, str], float] = {}
    crash, other = 0, 0
    for call in _message_calls(fake):
        if not call.method.lower().startswith("send") or not call.ok:
            continue
        key = (int(call.params.get("chat_id", 0)), str(call.params.get("text", "")))
        if not key[1]:
            continue
        if key not in first_seen:
            first_seen[key] = call.at
            continue
        if any(first_seen[key] < kill <= call.at for kill in kill_times):
            crash += 1
        else:
            other += 1
    return crash, other


async def _until_private_chats_settled(fake: FakeBotApi, url: str, end: float) -> None:
    """Until nothing is owed to a contributor and every update was answered. The staff
    group may still be owed notices: 20 a minute is all Telegram lets a group have."""
    database = Database.from_url(url)
    try:
        while time.monotonic() < end + 30:
            async with database.session() as session:
                owed = (
                    await session.execute(
                        select(func.count()).where(
                            OutboxRow.state == "pending", OutboxRow.chat_id > 0
                        )
                    )
                ).scalar_one()
            if owed == 0 and not fake.pending_updates:
                break
            await asyncio.sleep(0.2)
    finally:
        await database.dispose()


async def _owed_to(url: str, chat_id: int) -> int:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            return int(
                (
                    await session.execute(
                        select(func.count()).where(
                            OutboxRow.state == "pending", OutboxRow.chat_id == chat_id
                        )
                    )
                ).scalar_one()
            )
    finally:
        await database.dispose()
