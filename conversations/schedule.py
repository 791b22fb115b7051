"""When scheduled work is due: digest periods from ``DIGEST_SCHEDULE``, quiet hours at
night, and when an unfinished interview's reminders fall.

Pure: every function is given the moment it reasons about (an aware datetime) and the time
zone the schedule is written in; results are aware datetimes in UTC. A digest period is
named by a key (``daily 09:00@2026-03-03``) that storage makes unique, so each period is
sent once however many processes compute it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(
    r"^(?:(?P<daily>daily)|weekly\s+(?P<weekday>mon|tue|wed|thu|fri|sat|sun))\s+"
    r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$"
)


class ScheduleError(ValueError):
    """``DIGEST_SCHEDULE`` is not ``daily HH:MM`` or ``weekly <day> HH:MM``."""


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return moment


def local_moment(day: date, at: time, zone: tzinfo) -> datetime:
    """``at`` o'clock on ``day`` in ``zone``, in UTC.

    A wall-clock time skipped by a daylight-saving change (02:30 on a spring-forward night)
    is read with the offset in force before the change, so it lands just after the gap; a
    time that happens twice (autumn) means its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DigestPeriod:
    """One digest: drafts created in ``[start, end)`` go in the digest sent at ``end``."""

    key: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DigestSchedule:
    """``daily 09:00`` (``weekday`` None) or ``weekly mon 09:00`` (``weekday`` 0 = Monday)."""

    at: time
    weekday: int | None = None

    @classmethod
    def parse(cls, text: str) -> DigestSchedule:
        match = _SCHEDULE.match(" ".join(text.lower().split()))
        if match is None:
            raise ScheduleError(f"expected e.g. 'daily 09:00' or 'weekly mon 09:00', got {text!r}")
        at = time(int(match["hour"]), int(match["minute"]))
        weekday = None if match["daily"] else WEEKDAYS.index(match["weekday"])
        return cls(at=at, weekday=weekday)

    @property
    def text(self) -> str:
        """The canonical spelling, e.g. ``weekly mon 09:00``."""
        when = f"{self.at:%H:%M}"
        return (
            f"daily {when}" if self.weekday is None else f"weekly {WEEKDAYS[self.weekday]} {when}"
        )

    @property
    def step(self) -> timedelta:
        return timedelta(days=1 if self.weekday is None else 7)

    def runs_on(self, day: date) -> bool:
        return self.weekday is None or day.weekday() == self.weekday

    def occurrence(self, day: date, zone: tzinfo) -> datetime | None:
        """When the digest of ``day`` is due (UTC), or None if none is due that day."""
        return local_moment(day, self.at, zone) if self.runs_on(day) else None

    def period_ending_on(self, day: date, zone: tzinfo) -> DigestPeriod:
        """The period whose digest is due on ``day`` (which must be a day it runs on)."""
        end = self.occurrence(day, zone)
        if end is None:
            raise ValueError(f"no digest is due on {day}")
        start = local_moment(day - self.step, self.at, zone)
        return DigestPeriod(key=f"{self.text}@{day.isoformat()}", start=start, end=end)

    def latest_due(self, now: datetime, zone: tzinfo) -> DigestPeriod:
        """The most recent period whose digest time is at or before ``now``."""
        today = _aware(now).astimezone(zone).date()
        for back in range(9):
            day = today - timedelta(days=back)
            end = self.occurrence(day, zone)
            if end is not None and end <= now:
                return self.period_ending_on(day, zone)
        raise AssertionError("a digest is due at least once a week")  # pragma: no cover

    def next_run(self, now: datetime, zone: tzinfo) -> datetime:
        """The first digest time strictly after ``now`` (UTC)."""
        today = _aware(now).astimezone(zone).date()
        for ahead in range(9):
            end = self.occurrence(today + timedelta(days=ahead), zone)
            if end is not None and end > now:
                return end
        raise AssertionError("a digest is due at least once a week")  # pragma: no cover

    def next_period(self, now: datetime, zone: tzinfo) -> DigestPeriod:
        """The period whose digest is sent next after ``now``."""
        end = self.next_run(now, zone)
        return self.period_ending_on(end.astimezone(zone).date(), zone)


def manual_period(now: datetime, *, lookback: timedelta = timedelta(days=1)) -> DigestPeriod:
    """A digest asked for by hand (``copro-bot digest --send``): keyed by the minute, so
    two cron jobs firing together send it once."""
    end = _aware(now).astimezone(UTC).replace(second=0, microsecond=0)
    return DigestPeriod(key=f"manual@{end:%Y-%m-%dT%H:%MZ}", start=end - lookback, end=end)


# --- quiet hours and reminders -----------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which nobody is nudged, by default 21:00 to 09:00."""

    start: time = time(21, 0)
    end: time = time(9, 0)

    def contains(self, moment: datetime, zone: tzinfo) -> bool:
        clock = _aware(moment).astimezone(zone).time()
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_allowed(self, moment: datetime, zone: tzinfo) -> datetime:
        """``moment`` itself outside quiet hours; otherwise when they end (UTC)."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return local_moment(day, self.end, zone)


FINAL_REMINDER_AFTER = timedelta(hours=72)
MAX_REMINDERS = 2


@dataclass(frozen=True)
class ReminderPolicy:
    """A friendly nudge ``first_after`` the last activity, a last one ``final_after``."""

    first_after: timedelta = timedelta(hours=24)
    final_after: timedelta = FINAL_REMINDER_AFTER
    quiet: QuietHours = QuietHours()

    @classmethod
    def from_remind_after(cls, remind_after: timedelta) -> ReminderPolicy:
        """``REMIND_AFTER`` sets the first nudge; the last comes after 72 h, or twice
        ``REMIND_AFTER`` when that is later."""
        return cls(
            first_after=remind_after, final_after=max(FINAL_REMINDER_AFTER, 2 * remind_after)
        )

    def due_at(
        self,
        last_activity: datetime,
        reminders_sent: int,
        last_reminded_at: datetime | None,
        zone: tzinfo,
    ) -> datetime | None:
        """When the next reminder is due (moved out of quiet hours); None after the last."""
        if reminders_sent >= MAX_REMINDERS:
            return None
        due = _aware(last_activity) + (
            self.first_after if reminders_sent == 0 else self.final_after
        )
        if reminders_sent > 0 and last_reminded_at is not None:
            # Never two nudges closer together than the first one came.
            due = max(due, last_reminded_at + self.first_after)
        return self.quiet.next_allowed(due, zone)

    def is_due(
        self,
        now: datetime,
        last_activity: datetime,
        reminders_sent: int,
        last_reminded_at: datetime | None,
        zone: tzinfo,
    ) -> bool:
        """Whether to send the next reminder at ``now`` (never during quiet hours)."""
        due = self.due_at(last_activity, reminders_sent, last_reminded_at, zone)
        return due is not None and due <= now and not self.quiet.contains(now, zone)
