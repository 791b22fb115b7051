"""Who may do what: admins from ``ADMIN_USER_IDS``; staff from ``STAFF_USER_IDS``, the ones
an admin added in chat, and every admin. Everyone else is a contributor."""

from __future__ import annotations

from enum import IntEnum

from bot.settings import Settings
from storage.database import Database
from storage.uow import UnitOfWork

REFUSAL = "Sorry, that is only for the copro-bot team."


class Role(IntEnum):
    CONTRIBUTOR = 0
    STAFF = 1
    ADMIN = 2


class Roles:
    """Looks roles up on every call (no cache), so /staff remove takes effect at once on
    every worker."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self._settings = settings
        self._database = database

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._settings.admin_user_ids

    async def role_of(self, user_id: int | None) -> Role:
        if user_id is None:
            return Role.CONTRIBUTOR
        if self.is_admin(user_id):
            return Role.ADMIN
        if user_id in self._settings.staff_user_ids:
            return Role.STAFF
        async with UnitOfWork(self._database, read_only=True) as uow:
            added = await uow.staff.is_member(user_id)
        return Role.STAFF if added else Role.CONTRIBUTOR

    async def is_staff(self, user_id: int | None) -> bool:
        return await self.role_of(user_id) >= Role.STAFF
