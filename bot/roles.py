"""Who may do what: admins from ``ADMIN_USER_IDS``; staff from ``STAFF_USER_IDS``, the ones
an admin added in chat, and every admin. Everyone else is a contributor.

Most messages come from contributors, and one check runs on each of them (is this a staff
member's prompted edit?). The intake reads which senders of a batch (polled, or one webhook
update) are staff along with its redelivery check (:func:`staff_known`), so that check needs
no transaction of its own. Only a "not staff" from that read, taken moments before, is
trusted: anyone it names as staff is looked up again, so a removal counts at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum

from bot.settings import Settings
from storage.database import Database
from storage.uow import UnitOfWork

REFUSAL = "Sorry, that is only for the copro-bot team."


_KNOWN: ContextVar[tuple[frozenset[int], frozenset[int]] | None] = ContextVar(
    "staff_known", default=None
)


@contextmanager
def staff_known(looked_up: Iterable[int], added: Iterable[int]) -> Iterator[None]:
    """Inside the block (and the tasks it starts), the users ``looked_up`` are known to be
    staff added in chat if among ``added``, and not otherwise (see
    :meth:`Roles.may_be_staff`)."""
    token = _KNOWN.set((frozenset(looked_up), frozenset(added)))
    try:
        yield
    finally:
        _KNOWN.reset(token)


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

    async def may_be_staff(self, user_id: int | None) -> bool:
        """:meth:`is_staff` for checks made on every message: someone the batch's lookup
        (:func:`staff_known`) found not to be staff is answered without a transaction."""
        known = _KNOWN.get()
        if (
            user_id is not None
            and known is not None
            and user_id in known[0]
            and user_id not in known[1]
            and user_id not in self._settings.staff_user_ids
            and not self.is_admin(user_id)
        ):
            return False
        return await self.is_staff(user_id)
