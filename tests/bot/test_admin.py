"""The /export menu: what its buttons carry and which examples a choice means."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.admin import FORMATS, PERIODS, STATUSES, ExportChoice, export_filters, menu, parse_choice
from storage.exports import EXPORT_FORMATS, ExportFilters

NOW = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)  # still 31 December in New York


def every_menu() -> list[ExportChoice]:
    choices = [ExportChoice()]
    choices += [ExportChoice(fmt=fmt) for fmt in FORMATS]
    choices += [ExportChoice(fmt=fmt, status=status) for fmt in FORMATS for status in STATUSES]
    return choices


def test_every_button_fits_telegrams_64_bytes_and_reads_back_as_its_choice() -> None:
    for choice in every_menu():
        _, keyboard = menu(choice)
        for row in keyboard.inline_keyboard:
            for button in row:
                data = str(button.callback_data)
                assert len(data.encode("utf-8")) <= 64
                parsed = parse_choice(data)
                assert parsed is not None, data


def test_the_menu_offers_every_export_format() -> None:
    assert set(FORMATS) == set(EXPORT_FORMATS)


def test_the_last_step_carries_the_whole_choice() -> None:
    assert parse_choice("ex|p|xlsx|ready,published|30d") == ExportChoice(
        fmt="xlsx", status="ready,published", period="30d"
    )
    assert parse_choice("ex|x") == ExportChoice(cancelled=True)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "ex",
        "ex|",
        "ex|f",
        "ex|f|pdf",
        "ex|s|csv|done",
        "ex|p|csv|all|forever",
        "ex|p|csv|all",
        "ex|f|csv|extra",
        "xx|f|csv",
        "ex|x|1",
    ],
)
def test_data_no_export_button_carries_is_not_a_choice(data: str) -> None:
    assert parse_choice(data) is None


def test_periods_start_where_the_admin_expects() -> None:
    new_york = ZoneInfo("America/New_York")
    everything = export_filters(ExportChoice("csv", "all", "all"), NOW, new_york)
    recent = export_filters(ExportChoice("csv", "ready", "30d"), NOW, new_york)
    this_year = export_filters(ExportChoice("csv", "ready,published", "year"), NOW, new_york)

    assert everything == ExportFilters()
    assert recent == ExportFilters(
        status=frozenset({"ready"}), since=datetime(2025, 12, 2, 3, tzinfo=UTC)
    )
    assert this_year.status == frozenset({"ready", "published"})
    assert this_year.since == datetime(2025, 1, 1, tzinfo=new_york)
    assert set(PERIODS) == {"all", "30d", "year"}
