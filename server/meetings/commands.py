"""Running a person's meeting command: the gate, the wire-to-core translation, execution.

Shared by the HTTP routes and the meeting socket, so both refuse and accept alike. The
server fills what only it may know: the ids it mints, an item's room, which meeting the
previous minutes are, and the open actions a matters-arising item carries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import select

import deliberation
import deliberation.meetings as core
from server.auth.middleware import CurrentUser
from server.db.tables import Meeting
from server.meetings.access import MeetingGate, access_meeting
from server.meetings.codec import ValidationError, command_from_wire
from server.meetings.service import MeetingService
from server.rooms.access import Need
from server.rooms.service import CommandResult

# Issued by the server itself: scheduling through the board's route, approvals relayed
# when a later meeting's previous-minutes room consents.
SERVER_ONLY = frozenset({"schedule_meeting", "approve_minutes"})

MINTED_IDS = {"add_item": "item", "add_urgent_item": "item", "add_action": "action"}
ROOM_KINDS = frozenset({"decision", "discussion", "previous_minutes"})


def public_meeting_commands() -> dict[str, type]:
    return {n: c for n, c in core.MEETING_COMMANDS.items() if n not in SERVER_ONLY}


class UnknownMeetingCommand(NotFoundException):
    pass


@dataclass(frozen=True, slots=True)
class MeetingCommandResult:
    result: CommandResult
    ids: dict[str, str] = field(default_factory=dict)


async def previous_meeting(session: Any, meeting: Meeting) -> Meeting | None:
    """The board's meeting just before this one (by start), if any."""
    found: Meeting | None = await session.scalar(
        select(Meeting)
        .where(
            Meeting.board_id == meeting.board_id,
            Meeting.id != meeting.id,
            Meeting.starts_at <= meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.created_at.desc())
        .limit(1)
    )
    return found


async def _server_fields(
    service: MeetingService, meeting_id: uuid.UUID, name: str, args: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], dict[str, str]]:
    ids: dict[str, str] = {}
    id_field = MINTED_IDS.get(name)
    if id_field:
        if not args.get(id_field):
            args = {**args, id_field: uuid.uuid4().hex}
        ids[id_field] = str(args[id_field])
    if name not in ("add_item", "add_urgent_item"):
        return args, ids
    args = {k: v for k, v in args.items() if k not in ("room", "arising", "history")}
    kind = args.get("kind")
    if kind in ROOM_KINDS:
        args["room"] = ids["room"] = str(uuid.uuid4())
    if kind not in ("previous_minutes", "matters_arising") or name != "add_item":
        return args, ids
    async with service.sessions() as session:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            return args, ids  # the write path says "no such meeting"
        if kind == "previous_minutes":
            approves = args.get("approves")
            if approves:
                other = await session.get(Meeting, _uuid(approves, "approves"))
                if other is None or other.board_id != meeting.board_id:
                    raise NotFoundException("No earlier meeting of this board has that id.")
            else:
                earlier = await previous_meeting(session, meeting)
                if earlier is None:
                    raise NotFoundException("This board has no earlier meeting to approve.")
                args["approves"] = str(earlier.id)
        else:
            earlier = await previous_meeting(session, meeting)
            if earlier is not None:
                _seq, state = await service.state_in(session, earlier.id)
                args["arising"] = list(core.matters_arising(state.actions.values(), now))
    return args, ids


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundException(f"No meeting has the id given as {what}.") from None


async def run_meeting_command(
    *,
    service: MeetingService,
    user: CurrentUser | None,
    meeting_id: uuid.UUID,
    name: str,
    args: dict[str, Any],
    acting_for: str | None,
    idempotency_key: str | None,
    now: datetime,
) -> MeetingCommandResult:
    if user is None:
        raise NotFoundException("No such meeting.")
    if name not in public_meeting_commands():
        async with service.sessions() as session:  # an unknown meeting says so first
            await access_meeting(session, user, meeting_id, Need.ACT)
        raise UnknownMeetingCommand(f"Unknown meeting command {name!r}.")
    try:
        args, ids = await _server_fields(service, meeting_id, name, args, now)
        command = command_from_wire(name, args)
    except (ValidationError, NotFoundException):
        # Strangers and observers hear "no such meeting" or "not allowed" whatever they sent.
        async with service.sessions() as session:
            await access_meeting(session, user, meeting_id, Need.ACT)
        raise
    ctx = deliberation.Context(
        actor=user.participant_id,
        at=now,
        acting_for=deliberation.ParticipantId(acting_for) if acting_for else None,
    )
    result = await service.execute(
        meeting_id,
        command,
        ctx,
        idempotency_key=idempotency_key,
        gate=MeetingGate(user.id, Need.ACT),
    )
    if result.replayed:
        ids = {}
    return MeetingCommandResult(result, ids)
