"""The export filters: status, script, and submitted_at from ``since`` (in) to ``until`` (out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.exports import ExportFilters, matches
from storage.exports.model import iso_utc
from tests.exports.factories import make_example

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ExportFilters(), True),
        (ExportFilters(status=frozenset({"ready", "published"})), True),
        (ExportFilters(status=frozenset({"new"})), False),
        (ExportFilters(script="full_story"), True),
        (ExportFilters(script="spotted"), False),
        (ExportFilters(since=AT), True),
        (ExportFilters(since=AT + timedelta(seconds=1)), False),
        (ExportFilters(until=AT), False),
        (ExportFilters(until=AT + timedelta(seconds=1)), True),
        (ExportFilters(since=AT, until=AT + timedelta(days=1), script="full_story"), True),
        (ExportFilters(since=datetime(2026, 3, 1, 12, 0)), True),
        (
            ExportFilters(until=datetime(2026, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))),
            False,
        ),
    ],
)
def test_matches_applies_status_script_and_half_open_date_range(
    filters: ExportFilters, expected: bool
) -> None:
    example = make_example(submitted_at=AT, status="ready", script_id="full_story")

    assert matches(example, filters) == expected


def test_iso_utc_converts_to_utc_and_drops_microseconds() -> None:
    moment = datetime(2026, 3, 1, 14, 0, 5, 123456, tzinfo=timezone(timedelta(hours=2)))

    assert iso_utc(moment) == "2026-03-01T12:00:05Z"


def test_iso_utc_reads_utc_and_naive_times_alike() -> None:
    utc = datetime(2026, 3, 1, 12, 0, 5, 999999, tzinfo=UTC)

    assert iso_utc(utc) == iso_utc(utc.replace(tzinfo=None)) == "2026-03-01T12:00:05Z"
    assert iso_utc(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00Z"
