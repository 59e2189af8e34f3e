"""Access gates: the only way a handler obtains a room on someone's behalf.

Not-a-member and no-such-room both answer 404, so a room's existence does not leak.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import IntEnum

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.middleware import CurrentUser
from server.db.tables import Membership, Organisation, Room


class Need(IntEnum):
    READ = 1  # observers and up
    ACT = 2  # participants and up
    FACILITATE = 3  # facilitators and the owner
    OWN = 4


ROLE_LEVEL = {
    "observer": Need.READ,
    "participant": Need.ACT,
    "facilitator": Need.FACILITATE,
    "owner": Need.OWN,
}


@dataclass(frozen=True, slots=True)
class RoomAccess:
    room: Room
    membership: Membership
    organisation_name: str | None

    @property
    def role(self) -> str:
        return self.membership.role


def check_role(role: str | None, need: Need) -> None:
    """Refuse a non-member (404, like an unknown room) or a role below ``need`` (403)."""
    if role is None:
        raise NotFoundException("No such room.")
    if ROLE_LEVEL.get(role, 0) < need:
        raise PermissionDeniedException(f"Your role in this room ({role}) does not allow this.")


@dataclass(frozen=True, slots=True)
class Gate:
    """The same check as ``access_room``, as data: the write path folds it into its read of
    the room's head (``RoomService.attempt``), so a command costs no query of its own for it."""

    user_id: uuid.UUID
    need: Need

    def check(self, role: str | None) -> None:
        check_role(role, self.need)


async def access_room(
    session: AsyncSession, user: CurrentUser | None, room_id: uuid.UUID, need: Need
) -> RoomAccess:
    if user is None:
        raise NotFoundException("No such room.")
    row = (
        await session.execute(
            select(Room, Membership, Organisation.name)
            .join(Membership, Membership.room_id == Room.id)
            .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
            .where(Room.id == room_id, Membership.user_id == user.id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundException("No such room.")
    room, membership, organisation_name = row
    check_role(membership.role, need)
    return RoomAccess(room, membership, organisation_name)
