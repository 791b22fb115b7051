"""Settings for running several workers: pool size, log format, health thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import SettingsError, load_settings
from storage.database import Database


def test_operations_settings_have_defaults_and_are_parsed() -> None:
    default = load_settings({})
    assert (default.db_pool_size, default.db_max_overflow, default.log_format) == (20, 0, "text")
    assert (default.health_max_outbox_age, default.health_max_backlog) == (
        timedelta(minutes=5),
        1000,
    )
    chosen = load_settings(
        {
            "DB_POOL_SIZE": "4",
            "DB_MAX_OVERFLOW": "0",
            "LOG_FORMAT": "JSON",
            "HEALTH_MAX_OUTBOX_AGE": "90s",
            "HEALTH_MAX_BACKLOG": "50",
        }
    )
    assert (chosen.db_pool_size, chosen.db_max_overflow, chosen.log_format) == (4, 0, "json")
    assert (chosen.health_max_outbox_age, chosen.health_max_backlog) == (
        timedelta(seconds=90),
        50,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_POOL_SIZE", "0"),
        ("DB_POOL_SIZE", "many"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("LOG_FORMAT", "xml"),
        ("HEALTH_MAX_OUTBOX_AGE", "soon"),
        ("HEALTH_MAX_BACKLOG", "0"),
    ],
)
def test_a_bad_operations_setting_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    assert raised.value.name == name


async def test_a_postgresql_pool_takes_the_configured_size() -> None:
    # Creating the engine opens no connection, so no server is needed.
    database = Database.from_url(
        "postgresql://copro@127.0.0.1:5432/copro", pool_size=4, max_overflow=2
    )
    try:
        pool = database.engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow) == (4, 2)  # type: ignore[attr-defined]
    finally:
        await database.dispose()
