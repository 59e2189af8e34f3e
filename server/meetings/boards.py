"""Boards: creation, membership by invitation, roles, the standing register, and the
snapshot of all that a meeting takes when it is scheduled (``meeting.scheduled``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException, ValidationException
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
import deliberation.meetings as core
from server.auth.middleware import CurrentUser, token_digest
from server.db.tables import (
    Board,
    BoardInvitation,
    BoardMember,
    Organisation,
    StandingInterest,
    User,
)
from server.rooms.http import organisation_named

ORDERS = TypeAdapter(core.StandingOrders)
BOARD_ROLES = tuple(role.value for role in core.BoardRole)


def standing_orders(raw: dict[str, Any]) -> core.StandingOrders:
    """Validate standing orders from the wire (omitted parts take their defaults)."""
    try:
        orders: core.StandingOrders = ORDERS.validate_python(raw)
    except PydanticError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "standing_orders"
        raise ValidationException(f"standing_orders.{where}: {first['msg']}") from None
    return orders


def orders_json(orders: core.StandingOrders) -> dict[str, Any]:
    dumped: dict[str, Any] = ORDERS.dump_python(orders, mode="json")
    return dumped


async def create_board(
    session: AsyncSession,
    user: CurrentUser,
    *,
    name: str,
    description: str,
    organisation_name: str,
    sector: str,
    board_role: str,
    orders: core.StandingOrders,
    is_public: bool,
) -> Board:
    """The board's row and its creator's membership, in the caller's transaction."""
    organisation = await organisation_named(session, organisation_name)
    board = Board(
        name=" ".join(name.split()),
        description=description,
        created_by=user.id,
        standing_orders=orders_json(orders),
        publication=orders.publication.value,
        is_public=is_public,
    )
    session.add(board)
    await session.flush()
    session.add(
        BoardMember(
            board_id=board.id,
            user_id=user.id,
            organisation_id=organisation.id,
            sector=sector,
            board_role=board_role,
        )
    )
    await session.flush()
    return board


async def add_member(
    session: AsyncSession,
    board_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    organisation: Organisation | None,
    sector: str,
    board_role: str,
) -> BoardMember:
    """Make someone a member (or change their seat, if they are one already)."""
    existing = await session.scalar(
        select(BoardMember).where(BoardMember.board_id == board_id, BoardMember.user_id == user_id)
    )
    if existing is not None:
        return existing
    member = BoardMember(
        board_id=board_id,
        user_id=user_id,
        organisation_id=organisation.id if organisation else None,
        sector=sector,
        board_role=board_role,
    )
    session.add(member)
    await session.flush()
    return member


class BoardInvitationGone(NotFoundException):
    pass


async def accept_board_invitation(
    session: AsyncSession,
    user: CurrentUser,
    token: str,
    organisation_name: str | None,
    sector: str | None,
    now: datetime,
) -> uuid.UUID:
    """Use a board invitation: check it, count the use, seat the person (one transaction)."""
    invitation = await session.scalar(
        select(BoardInvitation)
        .where(BoardInvitation.token_hash == token_digest(token))
        .with_for_update()
    )
    if invitation is None or invitation.revoked:
        raise BoardInvitationGone("This invitation does not exist or was revoked.")
    if invitation.expires_at is not None and invitation.expires_at <= now:
        raise BoardInvitationGone("This invitation has expired.")
    if invitation.single_use and invitation.uses > 0:
        raise BoardInvitationGone("This invitation has already been used.")
    board_id = invitation.board_id
    existing = await session.scalar(
        select(BoardMember).where(BoardMember.board_id == board_id, BoardMember.user_id == user.id)
    )
    if existing is not None:
        return board_id  # already a member: using the link again is harmless
    if invitation.organisation_id is not None:
        organisation = await session.get(Organisation, invitation.organisation_id)
    elif organisation_name:
        organisation = await organisation_named(session, organisation_name)
    elif invitation.board_role == "observer":
        organisation = None
    else:
        raise ValidationException("Say which organisation you belong to.")
    invitation.uses += 1
    await add_member(
        session,
        board_id,
        user.id,
        organisation=organisation,
        sector=invitation.sector or (sector or ""),
        board_role=invitation.board_role,
    )
    return board_id


async def members_of(session: AsyncSession, board_id: uuid.UUID) -> list[Any]:
    """(membership, user, organisation name) in the order members joined."""
    rows = await session.execute(
        select(BoardMember, User, Organisation.name)
        .join(User, User.id == BoardMember.user_id)
        .outerjoin(Organisation, Organisation.id == BoardMember.organisation_id)
        .where(BoardMember.board_id == board_id)
        .order_by(BoardMember.created_at, BoardMember.id)
    )
    return list(rows.all())


async def register_of(
    session: AsyncSession, board_id: uuid.UUID, *, current_only: bool = False
) -> list[Any]:
    """(interest, user, organisation name) of the standing register, oldest first."""
    query = (
        select(StandingInterest, User, Organisation.name)
        .join(User, User.id == StandingInterest.user_id)
        .outerjoin(
            BoardMember,
            (BoardMember.board_id == StandingInterest.board_id)
            & (BoardMember.user_id == StandingInterest.user_id),
        )
        .outerjoin(Organisation, Organisation.id == BoardMember.organisation_id)
        .where(StandingInterest.board_id == board_id)
        .order_by(StandingInterest.declared_at, StandingInterest.id)
    )
    if current_only:
        query = query.where(StandingInterest.withdrawn_at.is_(None))
    return list((await session.execute(query)).all())


async def snapshot(session: AsyncSession, board: Board) -> core.Board:
    """The board as a meeting sees it: members, standing orders, standing interests."""
    members = []
    for membership, user, organisation_name in await members_of(session, board.id):
        members.append(
            core.BoardMember(
                member=deliberation.ParticipantId(str(user.id)),
                name=user.display_name,
                organisation=deliberation.OrganisationId(
                    str(membership.organisation_id) if membership.organisation_id else "observers"
                ),
                organisation_name=organisation_name or "Observers",
                role=core.BoardRole(membership.board_role),
                sector=membership.sector,
            )
        )
    interests = [
        core.Interest(
            member=deliberation.ParticipantId(str(interest.user_id)),
            interest=interest.interest,
        )
        for interest, _user, _org in await register_of(session, board.id, current_only=True)
    ]
    return core.Board(
        board=core.BoardId(str(board.id)),
        name=board.name,
        members=tuple(members),
        standing_orders=standing_orders(board.standing_orders),
        interests=tuple(interests),
    )
