"""Running a person's command: the gate, the wire-to-core translation, and execution.

Shared by the HTTP routes and the WebSocket, so both refuse and accept exactly alike.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
from server.auth.middleware import CurrentUser
from server.db.tables import Membership
from server.rooms.access import Gate, Need, access_room
from server.rooms.codec import ValidationError, command_from_wire
from server.rooms.event_store import StoredEvent
from server.rooms.service import CommandResult, RoomService

# Issued by the server itself, through their own routes (room creation, invitations) or
# its clock; never accepted from a client as a plain command.
SERVER_ONLY = frozenset({"create_room", "admit_member", "tick", "set_exclusions", "set_quorum"})

# Commands that create something carry its id; a client may mint it (a UUID, so a retry
# names the same thing) or leave it out and let the server mint one.
MINTED_IDS = {
    "add_statement": "statement",
    "table_perspective": "perspective",
    "record_dissent": "dissent",
    "open_vote": "poll",
}


def public_commands() -> dict[str, type]:
    return {name: cls for name, cls in deliberation.COMMANDS.items() if name not in SERVER_ONLY}


class UnknownCommand(NotFoundException):
    pass


async def run_command(
    *,
    service: RoomService,
    user: CurrentUser | None,
    room_id: uuid.UUID,
    name: str,
    args: dict[str, Any],
    acting_for: str | None,
    idempotency_key: str | None,
    now: Any,
) -> CommandResult:
    if name not in public_commands():
        if user is not None:  # an unknown room and an unknown command both say "not found"
            async with service.sessions() as session:
                await access_room(session, user, room_id, Need.ACT)
        raise UnknownCommand(f"Unknown command {name!r}.")
    id_field = MINTED_IDS.get(name)
    if id_field and not args.get(id_field):
        args = {**args, id_field: uuid.uuid4().hex}
    if name == "cast_ballot":  # the key of a secret ballot is the server's, never the client's
        args = {k: v for k, v in args.items() if k != "ballot_key"}
    if user is None:
        raise NotFoundException("No such room.")
    try:
        command = command_from_wire(name, args)
    except ValidationError:
        # Strangers and observers hear "no such room" or "not allowed" whatever they sent.
        async with service.sessions() as session:
            await access_room(session, user, room_id, Need.ACT)
        raise
    if name == "cast_ballot":
        voter = acting_for or user.participant_id
        key = service.ballot_key(room_id, command.poll, voter)
        command = dataclasses.replace(command, ballot_key=key)

    ctx = deliberation.Context(
        actor=user.participant_id,
        at=now,
        acting_for=deliberation.ParticipantId(acting_for) if acting_for else None,
    )
    return await service.execute(
        room_id,
        command,
        ctx,
        idempotency_key=idempotency_key,
        within=sync_memberships,
        within_types=SYNCED_TYPES,
        gate=Gate(user.id, Need.ACT),
    )


# The event types ``sync_memberships`` writes for; a command with none of them needs no
# transaction around its append on PostgreSQL (``RoomService.execute``).
SYNCED_TYPES = frozenset({"member.role_changed", "member.removed"})


async def sync_memberships(session: AsyncSession, stored: list[StoredEvent]) -> None:
    """Keep the membership table (what the gates read) in step with the room's events."""
    for event in stored:
        if event.type == "member.role_changed":
            await session.execute(
                update(Membership)
                .where(
                    Membership.room_id == event.room_id,
                    Membership.user_id == uuid.UUID(event.payload["participant"]),
                )
                .values(role=event.payload["role"])
            )
        elif event.type == "member.removed":
            await session.execute(
                delete(Membership).where(
                    Membership.room_id == event.room_id,
                    Membership.user_id == uuid.UUID(event.payload["participant"]),
                )
            )
