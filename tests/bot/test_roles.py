"""Roles on the per-message path: a polled batch's lookup answers "not staff" without a
transaction per message, while staff (from the settings, added in chat, or removed since
the lookup) are always told apart as the database says now."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from bot.roles import Roles, staff_known
from bot.settings import load_settings
from storage.database import Database
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CONTRIBUTOR, ADDED, REMOVED, UNSEEN, FROM_SETTINGS, ADMIN = 1, 2, 3, 4, 800, 900


async def test_a_batch_lookup_spares_contributors_a_query_and_never_grants_staff_powers(
    database: Database,
) -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN-roles-0123456789",
            "DATABASE_URL": "sqlite:///unused.db",
            "STAFF_USER_IDS": str(FROM_SETTINGS),
            "ADMIN_USER_IDS": str(ADMIN),
        }
    )
    async with UnitOfWork(database) as uow:
        for user_id in (ADDED, UNSEEN):
            await uow.staff.add(user_id, "Sam", ADMIN, NOW)
        await uow.commit()
    roles = Roles(settings, database)
    queries: list[str] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if "staff_members" in statement:
            queries.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        # The batch's lookup saw ADDED and REMOVED as staff; REMOVED was removed since.
        with staff_known({CONTRIBUTOR, ADDED, REMOVED, FROM_SETTINGS, ADMIN}, {ADDED, REMOVED}):
            assert not await roles.may_be_staff(CONTRIBUTOR)
            assert queries == []  # answered from the batch's lookup
            assert await roles.may_be_staff(FROM_SETTINGS)
            assert await roles.may_be_staff(ADMIN)
            assert await roles.may_be_staff(ADDED)
            assert not await roles.may_be_staff(REMOVED)
            assert await roles.may_be_staff(UNSEEN)  # not in the batch: looked up
        looked_up = len(queries)
        assert not await roles.may_be_staff(CONTRIBUTOR)  # outside a batch: looked up
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    assert looked_up == 3 and len(queries) == 4
