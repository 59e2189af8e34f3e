"""Access gates for boards and meetings: the only way a handler obtains one for someone.

A meeting belongs to its board: its members are the board's. Not-a-member and no-such-board
(or meeting) both answer 404, so existence does not leak; a member whose board role is too
low gets 403. The meeting core checks the finer roles again (who drives, who clerks).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.middleware import CurrentUser
from server.db.tables import Board, BoardMember, Meeting, Organisation
from server.rooms.access import Need

# What each board role may do through the shell's gates: observers read; advisers and
# voting members take part (declare, speak in the items' rooms); the chair, the vice-chair
# and officers (the secretariat) manage the board: invite, schedule, keep the register.
BOARD_ROLE_LEVEL = {
    "observer": Need.READ,
    "adviser": Need.ACT,
    "voting_member": Need.ACT,
    "officer": Need.FACILITATE,
    "vice_chair": Need.FACILITATE,
    "chair": Need.FACILITATE,
}


def check_board_role(role: str | None, need: Need, what: str = "board") -> None:
    if role is None:
        raise NotFoundException(f"No such {what}.")
    if BOARD_ROLE_LEVEL.get(role, 0) < need:
        raise PermissionDeniedException(f"Your role on this board ({role}) does not allow this.")


@dataclass(frozen=True, slots=True)
class MeetingGate:
    """``access_meeting`` as data, checked in the write path's read of the meeting's head."""

    user_id: uuid.UUID
    need: Need

    def check(self, role: str | None) -> None:
        check_board_role(role, self.need, "meeting")


@dataclass(frozen=True, slots=True)
class BoardAccess:
    board: Board
    membership: BoardMember
    organisation_name: str | None

    @property
    def role(self) -> str:
        return self.membership.board_role


async def board_membership(
    session: AsyncSession, user: CurrentUser | None, board_id: uuid.UUID
) -> BoardAccess | None:
    if user is None:
        return None
    row = (
        await session.execute(
            select(Board, BoardMember, Organisation.name)
            .join(BoardMember, BoardMember.board_id == Board.id)
            .outerjoin(Organisation, Organisation.id == BoardMember.organisation_id)
            .where(Board.id == board_id, BoardMember.user_id == user.id)
        )
    ).one_or_none()
    if row is None:
        return None
    board, membership, organisation_name = row
    return BoardAccess(board, membership, organisation_name)


async def access_board(
    session: AsyncSession, user: CurrentUser | None, board_id: uuid.UUID, need: Need
) -> BoardAccess:
    found = await board_membership(session, user, board_id)
    check_board_role(found.role if found else None, need)
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class MeetingAccess:
    meeting: Meeting
    board: BoardAccess

    @property
    def role(self) -> str:
        return self.board.role


async def access_meeting(
    session: AsyncSession, user: CurrentUser | None, meeting_id: uuid.UUID, need: Need
) -> MeetingAccess:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundException("No such meeting.")
    found = await board_membership(session, user, meeting.board_id)
    check_board_role(found.role if found else None, need, "meeting")
    assert found is not None
    return MeetingAccess(meeting, found)
