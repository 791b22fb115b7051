"""A clock the test moves by hand, for the bot's scheduled work.

``now()`` only changes when the test says so. ``sleep()`` waits until the clock has been
moved past the sleeper's wake-up time; :meth:`FakeClock.advance` moves it and returns once
every scheduler it woke has finished its tick and gone back to sleep, and (given the fake
Bot API) what the tick owed has left the outbox, so a test can assert what was (or was not)
sent at that moment.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.e2e.fake_bot_api import FakeBotApi

SETTLE_SECONDS = 10.0
OUTBOX_SECONDS = 0.25


class FakeClock:
    def __init__(self, start: datetime, fake: FakeBotApi | None = None) -> None:
        self._now = start
        self._fake = fake
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []
        self._fell_asleep = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def __call__(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        entry = (self._now + timedelta(seconds=seconds), asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        self._fell_asleep.set()
        try:
            await entry[1]
        finally:
            self._sleepers.remove(entry)

    @property
    def sleeping(self) -> int:
        """How many tasks are asleep on this clock right now."""
        return sum(not future.done() for _, future in self._sleepers)

    async def settle(self, sleepers: int = 1) -> None:
        """Wait until ``sleepers`` tasks are asleep: every tick in progress has finished."""
        async with asyncio.timeout(SETTLE_SECONDS):
            while self.sleeping < sleepers:
                self._fell_asleep.clear()
                await self._fell_asleep.wait()
        if self._fake is not None:
            # The outbox's sender, woken by the tick, sends what it owed within moments.
            await asyncio.sleep(OUTBOX_SECONDS)
            await self._fake.wait_idle()

    async def advance(self, delta: timedelta, *, sleepers: int = 1) -> None:
        """Move time on by ``delta``, wake whoever is due, and wait for them to settle."""
        await self.settle(sleepers)
        self._now += delta
        for wake, future in list(self._sleepers):
            if wake <= self._now and not future.done():
                future.set_result(None)
        await self.settle(sleepers)

    async def advance_to(self, moment: datetime, *, sleepers: int = 1) -> None:
        if moment < self._now:
            raise ValueError("time does not run backwards")
        await self.advance(moment - self._now, sleepers=sleepers)
