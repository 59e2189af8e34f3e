"""Each agenda item's room: opened with the item, kept told of the meeting's quorum and the
item's conflicted members, and heard when the previous minutes' room consents.

Everything here runs inside the meeting command's transaction (``MeetingService.within``),
so an item and its room, or an attendance change and its relay into the rooms, are written
together or not at all. The rooms' events are fanned out after the commit.

Board roles become room roles so that only those who vote can answer consent or vote in
the room: the chair and vice-chair facilitate (and vote), voting members take part,
advisers, officers and observers observe (they read everything; the room records no
answer of theirs). The chair owns the room (the vice-chair, failing a chair).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
import deliberation.meetings as core
from server.db.tables import Board, Meeting, MeetingItemRoom, Membership, Room
from server.meetings.codec import load_event
from server.rooms.codec import command_from_wire
from server.rooms.event_store import StoredEvent
from server.rooms.service import RoomService

log = logging.getLogger(__name__)

ROOM_ROLE = {
    "chair": "facilitator",
    "vice_chair": "facilitator",
    "voting_member": "participant",
    "adviser": "observer",
    "officer": "observer",
    "observer": "observer",
}

# Meeting events after which the items' rooms may need a new quorum or exclusions.
RELAY_TYPES = frozenset(
    {
        "meeting.opened",
        "meeting.adjourned",
        "attendance.marked",
        "member.arrived",
        "member.departed",
        "substitute.named",
        "interest.declared",
        "interest.withdrawn",
        "quorum.lost",
        "quorum.restored",
        "item.started",
        "item.closed",
    }
)
# Every type ``within`` writes for (the rest of a meeting's commands are lone appends).
WITHIN_TYPES = RELAY_TYPES | {"item.added", "item.deferred"}

CLOSED = frozenset({core.ItemStatus.CLOSED, core.ItemStatus.DEFERRED})
CONSENTED = frozenset(
    {deliberation.Outcome.CONSENTED, deliberation.Outcome.CONSENTED_WITH_CONCERNS}
)

AfterCommit = Callable[[], Awaitable[None]]


def _owner(board: core.Board, fallback: str | None) -> core.BoardMember:
    for role in (core.BoardRole.CHAIR, core.BoardRole.VICE_CHAIR):
        for member in board.members:
            if member.role is role:
                return member
    for member in board.members:
        if member.member == fallback:
            return member
    return board.members[0]


def _organisation_uuid(member: core.BoardMember) -> uuid.UUID | None:
    try:
        return uuid.UUID(member.organisation)
    except ValueError:
        return None  # "observers": no organisation


def relayed(state: core.MeetingState, item: core.ItemId) -> tuple[Any, ...]:
    """What the item's room must be told now (``core.item_relay``), compared to skip a no-op."""
    return core.item_relay(state, item)


class ItemRooms:
    def __init__(self, rooms: RoomService) -> None:
        self.rooms = rooms
        # Set by the app: the meeting service, for relaying approvals to earlier meetings.
        self.meetings: Any = None

    async def __call__(
        self,
        session: AsyncSession,
        stored: list[StoredEvent],
        before: core.MeetingState,
        after: core.MeetingState,
        touched: set[uuid.UUID],
    ) -> list[AfterCommit]:
        meeting_id = stored[0].room_id
        written: dict[uuid.UUID, list[StoredEvent]] = {}
        try:
            later = await self._within(session, meeting_id, stored, before, after, written, touched)
        finally:
            touched.update(written)  # so a rolled-back transaction's room states are dropped
        for room_id, events in written.items():
            later.append(_publisher(self.rooms, room_id, events))
        return later

    async def _within(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        stored: list[StoredEvent],
        before: core.MeetingState,
        after: core.MeetingState,
        written: dict[uuid.UUID, list[StoredEvent]],
        touched: set[uuid.UUID],
    ) -> list[AfterCommit]:
        fresh: set[str] = set()
        for s in stored:
            if s.type == "item.added" and s.payload.get("room"):
                event = load_event(s.type, s.payload)
                await self.open_room(session, meeting_id, after, event, s, written)
                fresh.add(event.item)
        if fresh or any(s.type in RELAY_TYPES for s in stored):
            await self.relay(session, meeting_id, before, after, fresh, stored[-1], written)
        later: list[AfterCommit] = []
        for s in stored:
            step = None
            if s.type == "item.closed":
                step = await self.approve_if_consented(session, meeting_id, after, s, touched)
            elif s.type == "item.deferred" and s.payload.get("to"):
                step = await self.carry_deferred(session, meeting_id, after, s, touched)
            if step is not None:
                later.append(step)
        return later

    async def _run(
        self,
        session: AsyncSession,
        room_id: uuid.UUID,
        name: str,
        args: dict[str, Any],
        ctx: deliberation.Context,
        written: dict[uuid.UUID, list[StoredEvent]],
    ) -> None:
        written.setdefault(room_id, [])
        _result, stored = await self.rooms.attempt(
            session, room_id, command_from_wire(name, args), ctx, None
        )
        written[room_id].extend(stored)

    async def open_room(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        state: core.MeetingState,
        event: Any,
        stored: StoredEvent,
        written: dict[uuid.UUID, list[StoredEvent]],
    ) -> None:
        """Create the item's room with the board's members, all in this transaction."""
        assert state.meeting is not None
        board = state.meeting.board
        room_id = uuid.UUID(event.room)
        owner = _owner(board, stored.actor_id)
        directory = await session.get(Board, uuid.UUID(board.board))
        orders = board.standing_orders
        room = Room(
            id=room_id,
            title=f"{state.meeting.title}: {event.title}"[:200],
            owner_id=uuid.UUID(owner.member),
            mode="live",
            policy=orders.publication.value,
            is_public=bool(directory and directory.is_public) and not event.private,
            last_seq=0,
        )
        session.add(room)
        await session.flush()
        session.add(
            Membership(
                room_id=room_id,
                user_id=uuid.UUID(owner.member),
                organisation_id=_organisation_uuid(owner),
                role="owner",
            )
        )
        session.add(MeetingItemRoom(meeting_id=meeting_id, item_id=event.item, room_id=room_id))
        await session.flush()
        rules = deliberation_rules(orders)
        await self._run(
            session,
            room_id,
            "create_room",
            {
                "room": str(room_id),
                "title": room.title,
                "proposal": event.description or event.title,
                "owner_name": owner.name,
                "organisation": owner.organisation,
                "organisation_name": owner.organisation_name,
                "rules": rules,
                "mode": "live",
                "publication": orders.publication.value,
                "deadlines": [],
            },
            deliberation.Context(actor=owner.member, at=stored.occurred_at),
            written,
        )
        system = deliberation.Context(actor=None, at=stored.occurred_at)
        for member in board.members:
            if member.member == owner.member:
                continue
            role = ROOM_ROLE[member.role.value]
            session.add(
                Membership(
                    room_id=room_id,
                    user_id=uuid.UUID(member.member),
                    organisation_id=_organisation_uuid(member),
                    role=role,
                )
            )
            await self._run(
                session,
                room_id,
                "admit_member",
                {
                    "participant": member.member,
                    "display_name": member.name,
                    "organisation": member.organisation,
                    "organisation_name": member.organisation_name,
                    "role": role,
                },
                system,
                written,
            )
        await session.flush()

    async def relay(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        before: core.MeetingState,
        after: core.MeetingState,
        fresh: set[str],
        last: StoredEvent,
        written: dict[uuid.UUID, list[StoredEvent]],
    ) -> None:
        """Tell each open item's room its quorum and exclusions, where they changed."""
        system = deliberation.Context(actor=None, at=last.occurred_at)
        for item_id in after.order:
            item = after.items[item_id]
            if item.room is None or item.status in CLOSED:
                continue
            now = relayed(after, item_id)
            if item_id not in fresh and item_id in before.items and relayed(before, item_id) == now:
                continue
            room_id = uuid.UUID(item.room)
            written.setdefault(room_id, [])
            for command in now:
                _result, stored = await self.rooms.attempt(session, room_id, command, system, None)
                written[room_id].extend(stored)

    async def approve_if_consented(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        state: core.MeetingState,
        s: StoredEvent,
        touched: set[uuid.UUID],
    ) -> AfterCommit | None:
        """The previous minutes' item closed with its room's consent: the earlier meeting's
        minutes are approved (``approve_minutes`` on that meeting, by the system)."""
        item = state.items.get(s.payload["item"])
        if item is None or item.kind is not core.ItemKind.PREVIOUS_MINUTES:
            return None
        if item.approves is None or item.room is None or self.meetings is None:
            return None
        room_state = await room_state_in(self.rooms, session, uuid.UUID(item.room))
        if not room_state.decisions or room_state.decisions[-1].outcome not in CONSENTED:
            return None
        earlier_id = uuid.UUID(item.approves)
        _seq, earlier = await self.meetings.state_in(session, earlier_id)
        if earlier.approved_at is not None:
            return None
        command = core.ApproveMinutes(approved_in=core.MeetingId(str(meeting_id)), item=item.item)
        return await self._on_other_meeting(session, earlier_id, command, s, touched)

    async def carry_deferred(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        state: core.MeetingState,
        s: StoredEvent,
        touched: set[uuid.UUID],
    ) -> AfterCommit | None:
        """An item deferred to a named later meeting goes onto its agenda now, its history
        carried (and its own new room there, if its kind has one)."""
        if self.meetings is None:
            return None
        later_id = uuid.UUID(s.payload["to"])
        later = await session.get(Meeting, later_id)
        here = await session.get(Meeting, meeting_id)
        if later is None or here is None or later.board_id != here.board_id:
            raise deliberation.Rejected(
                deliberation.Reason.NOT_FOUND, "No later meeting of this board has that id."
            )
        item = state.items[s.payload["item"]]
        room = core_room_id() if item.room is not None else None
        command = core.deferred_item(state, item.item, core.ItemId(uuid.uuid4().hex), room)
        return await self._on_other_meeting(session, later_id, command, s, touched)

    async def _on_other_meeting(
        self,
        session: AsyncSession,
        other: uuid.UUID,
        command: Any,
        s: StoredEvent,
        touched: set[uuid.UUID],
    ) -> AfterCommit:
        """Run a system command on another meeting in this transaction (and its own
        ``within``: a carried item opens its room there)."""
        service = self.meetings
        touched.add(other)
        done = await service.attempt(
            session, other, command, deliberation.Context(actor=None, at=s.occurred_at), None
        )
        later = (
            await self(session, done.stored, done.before, done.after, touched)
            if done.stored
            else []
        )

        async def publish() -> None:
            if done.stored:
                await service.publish(other, done.stored)
            for step in later:
                await step()

        return publish


def core_room_id() -> deliberation.RoomId:
    return deliberation.RoomId(str(uuid.uuid4()))


async def room_state_in(rooms: RoomService, session: AsyncSession, room_id: uuid.UUID) -> Any:
    """The room's state as this transaction sees it (its own writes included)."""
    from server.rooms.service import LAST_SEQ, RoomNotFound

    connection = await session.connection()
    head = (await connection.execute(LAST_SEQ, {"room_id": room_id})).scalar()
    if head is None:
        raise RoomNotFound(str(room_id))
    return await rooms.cache.load(session, room_id, head)


def deliberation_rules(orders: core.StandingOrders) -> dict[str, Any]:
    from server.meetings.codec import to_json

    rules: dict[str, Any] = to_json(orders.room_rules)
    return rules


def _publisher(rooms: RoomService, room_id: uuid.UUID, events: list[StoredEvent]) -> AfterCommit:
    async def publish() -> None:
        if events:
            await rooms.publish(room_id, events)

    return publish


async def item_room_ids(session: AsyncSession, meeting_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(MeetingItemRoom.item_id, MeetingItemRoom.room_id).where(
            MeetingItemRoom.meeting_id == meeting_id
        )
    )
    return {item: room for item, room in rows.all()}


async def meeting_of_room(session: AsyncSession, room_id: uuid.UUID) -> Meeting | None:
    return await session.scalar(
        select(Meeting)
        .join(MeetingItemRoom, MeetingItemRoom.meeting_id == Meeting.id)
        .where(MeetingItemRoom.room_id == room_id)
    )


def wired_meetings(
    sessions: Any,
    rooms: RoomService,
    publish: Any,
    *,
    notify: Any = None,
    notifications: Any = None,
) -> Any:
    """A meeting service whose commands open and tell their items' rooms (``ItemRooms``)
    in their own transaction, and queue what members must be told (``MeetingNotices``,
    given the app's notifications): how the app, the demo and tests build one."""
    from server.meetings.notices import NOTIFYING, MeetingNotices
    from server.meetings.service import MeetingService

    item_rooms = ItemRooms(rooms)
    within: Any = item_rooms
    within_types = WITHIN_TYPES
    if notifications is not None:
        within = MeetingNotices(item_rooms, notifications)
        within_types = WITHIN_TYPES | NOTIFYING.keys()
    service = MeetingService(
        sessions,
        publish,
        within=within,
        within_types=frozenset(within_types),
        notify=notify,
        forget_room=rooms.cache.forget,
    )
    item_rooms.meetings = service
    return service
