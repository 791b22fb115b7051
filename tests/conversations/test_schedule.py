"""Digest schedules, period keys, quiet hours and reminder times, including property tests
across time zones with daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.schedule import (
    DigestSchedule,
    QuietHours,
    ReminderPolicy,
    ScheduleError,
    manual_period,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/Berlin",
        "Europe/London",
        "America/New_York",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
    )
]

zones = st.sampled_from(ZONES)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
schedules = st.builds(DigestSchedule, times, st.none() | st.integers(0, 6))


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily 09:00", DigestSchedule(time(9, 0))),
        ("weekly mon 09:00", DigestSchedule(time(9, 0), weekday=0)),
        ("  Weekly   FRI  7:05 ", DigestSchedule(time(7, 5), weekday=4)),
        ("daily 23:59", DigestSchedule(time(23, 59))),
    ],
)
def test_schedules_parse(text: str, expected: DigestSchedule) -> None:
    assert DigestSchedule.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "daily", "daily 24:00", "daily 9", "weekly 09:00", "weekly monday 09:00", "hourly 09:00"],
)
def test_malformed_schedules_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        DigestSchedule.parse(text)


@given(schedules, st.sampled_from(["", " ", "  "]), st.booleans())
def test_the_canonical_spelling_parses_back_to_the_same_schedule(
    schedule: DigestSchedule, padding: str, upper: bool
) -> None:
    text = padding + schedule.text.replace(" ", " " + padding) + padding
    assert DigestSchedule.parse(text.upper() if upper else text) == schedule


# --- periods ------------------------------------------------------------------------------


def test_a_daily_period_runs_from_yesterday_to_today_at_the_set_time() -> None:
    schedule = DigestSchedule.parse("daily 09:00")
    before = schedule.latest_due(berlin("2026-03-03T08:59"), BERLIN)
    at = schedule.latest_due(berlin("2026-03-03T09:00"), BERLIN)
    assert (before.key, before.start, before.end) == (
        "daily 09:00@2026-03-02",
        berlin("2026-03-01T09:00"),
        berlin("2026-03-02T09:00"),
    )
    assert (at.key, at.start, at.end) == (
        "daily 09:00@2026-03-03",
        berlin("2026-03-02T09:00"),
        berlin("2026-03-03T09:00"),
    )


def test_a_weekly_period_ends_on_its_weekday() -> None:
    schedule = DigestSchedule.parse("weekly mon 09:00")
    period = schedule.latest_due(berlin("2026-03-08T23:00"), BERLIN)  # a Sunday
    assert (period.key, period.start, period.end) == (
        "weekly mon 09:00@2026-03-02",
        berlin("2026-02-23T09:00"),
        berlin("2026-03-02T09:00"),
    )
    assert schedule.next_run(berlin("2026-03-08T23:00"), BERLIN) == berlin("2026-03-09T09:00")


def test_the_schedule_follows_local_time_across_a_daylight_saving_change() -> None:
    schedule = DigestSchedule.parse("daily 09:00")
    # Berlin moves from UTC+1 to UTC+2 on 29 March 2026.
    saturday = schedule.latest_due(berlin("2026-03-28T12:00"), BERLIN)
    sunday = schedule.latest_due(berlin("2026-03-29T12:00"), BERLIN)
    assert saturday.end.astimezone(UTC).hour == 8
    assert sunday.end.astimezone(UTC).hour == 7
    assert sunday.start == saturday.end
    assert sunday.end - sunday.start == timedelta(hours=23)


def test_a_manual_digest_is_keyed_by_the_minute() -> None:
    first = manual_period(datetime(2026, 3, 3, 9, 0, 5, tzinfo=UTC))
    second = manual_period(datetime(2026, 3, 3, 9, 0, 55, tzinfo=UTC))
    assert first == second
    assert first.key == "manual@2026-03-03T09:00Z"


@settings(max_examples=300)
@given(schedules, moments, zones)
def test_the_latest_due_period_ends_at_or_before_now_and_the_next_run_after(
    schedule: DigestSchedule, now: datetime, zone: ZoneInfo
) -> None:
    period = schedule.latest_due(now, zone)
    upcoming = schedule.next_run(now, zone)
    assert period.start < period.end <= now < upcoming
    # nothing is due in between: the latest period is the latest
    assert schedule.latest_due(upcoming - timedelta(microseconds=1), zone) == period
    # and the next period starts where this one ended
    assert schedule.latest_due(upcoming, zone).start == period.end
    assert schedule.next_period(now, zone) == schedule.latest_due(upcoming, zone)
    local = period.end.astimezone(zone)
    assert schedule.runs_on(local.date())
    assert period.key == f"{schedule.text}@{local.date().isoformat()}"
    assert len(period.key) <= 64  # digest_runs.period_key


@settings(max_examples=300)
@given(schedules, moments, zones, st.integers(0, 10_000))
def test_every_moment_of_a_period_gives_the_same_key(
    schedule: DigestSchedule, now: datetime, zone: ZoneInfo, offset_minutes: int
) -> None:
    period = schedule.latest_due(now, zone)
    upcoming = schedule.next_run(now, zone)
    inside = min(period.end + timedelta(minutes=offset_minutes), upcoming - timedelta(seconds=1))
    assert schedule.latest_due(inside, zone).key == period.key


@given(schedules, moments, zones)
def test_periods_last_one_step_give_or_take_a_clock_change(
    schedule: DigestSchedule, now: datetime, zone: ZoneInfo
) -> None:
    period = schedule.latest_due(now, zone)
    assert abs(period.end - period.start - schedule.step) <= timedelta(hours=2)


# --- quiet hours and reminders --------------------------------------------------------------

QUIET = QuietHours()


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-03-03T20:59", "2026-03-03T20:59"),
        ("2026-03-03T21:00", "2026-03-04T09:00"),
        ("2026-03-03T23:30", "2026-03-04T09:00"),
        ("2026-03-04T03:00", "2026-03-04T09:00"),
        ("2026-03-04T08:59", "2026-03-04T09:00"),
        ("2026-03-04T09:00", "2026-03-04T09:00"),
    ],
)
def test_quiet_hours_move_a_moment_to_nine_in_the_morning(local: str, expected: str) -> None:
    assert QUIET.next_allowed(berlin(local), BERLIN) == berlin(expected)


@given(moments, zones)
def test_the_next_allowed_moment_is_never_at_night_nor_earlier(
    moment: datetime, zone: ZoneInfo
) -> None:
    allowed = QUIET.next_allowed(moment, zone)
    assert allowed >= moment
    assert not QUIET.contains(allowed, zone)
    assert allowed - moment <= timedelta(hours=13)
    if not QUIET.contains(moment, zone):
        assert allowed == moment


def test_reminders_come_after_a_day_then_after_three_days_then_never() -> None:
    policy = ReminderPolicy()
    active = berlin("2026-03-02T10:00")
    first = policy.due_at(active, 0, None, BERLIN)
    assert first == berlin("2026-03-03T10:00")
    assert policy.due_at(active, 1, first, BERLIN) == berlin("2026-03-05T10:00")
    assert policy.due_at(active, 2, berlin("2026-03-05T10:00"), BERLIN) is None


def test_a_reminder_due_at_night_waits_for_the_morning() -> None:
    policy = ReminderPolicy()
    active = berlin("2026-03-02T22:30")
    assert policy.due_at(active, 0, None, BERLIN) == berlin("2026-03-04T09:00")
    assert not policy.is_due(berlin("2026-03-03T22:31"), active, 0, None, BERLIN)
    assert not policy.is_due(berlin("2026-03-04T08:59"), active, 0, None, BERLIN)
    assert policy.is_due(berlin("2026-03-04T09:00"), active, 0, None, BERLIN)


def test_remind_after_moves_the_first_reminder_and_stretches_the_last() -> None:
    assert ReminderPolicy.from_remind_after(timedelta(hours=2)).final_after == timedelta(hours=72)
    long = ReminderPolicy.from_remind_after(timedelta(hours=48))
    assert (long.first_after, long.final_after) == (timedelta(hours=48), timedelta(hours=96))


@given(
    moments,
    zones,
    st.integers(0, 2),
    st.integers(1, 200).map(lambda h: timedelta(hours=h)),
    st.integers(0, 10_000).map(lambda m: timedelta(minutes=m)),
)
def test_reminders_are_never_due_at_night_nor_before_their_time(
    active: datetime, zone: ZoneInfo, sent: int, remind_after: timedelta, later: timedelta
) -> None:
    policy = ReminderPolicy.from_remind_after(remind_after)
    reminded = active + remind_after if sent else None
    due = policy.due_at(active, sent, reminded, zone)
    if sent >= 2:
        assert due is None
        return
    assert due is not None
    assert not QUIET.contains(due, zone)
    wait = policy.first_after if sent == 0 else policy.final_after
    assert due >= active + wait
    now = active + later
    if policy.is_due(now, active, sent, reminded, zone):
        assert now >= due and not QUIET.contains(now, zone)


@given(schedules)
def test_every_schedule_settings_accept_parses_to_the_same_schedule(
    schedule: DigestSchedule,
) -> None:
    from bot.settings import load_settings

    accepted = load_settings({"DIGEST_SCHEDULE": schedule.text.upper()}).digest_schedule
    assert accepted is not None
    assert DigestSchedule.parse(accepted) == schedule
