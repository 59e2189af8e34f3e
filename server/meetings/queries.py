"""Reads the minutes, the CLI and the pages share: a meeting's minutes document.

``minutes_document`` folds the meeting's stream and each item room's, straight from the
tables (no process caches: the CLI has none), gathers each room's decision summary
(``core.item_decision``) and hands both to the core's ``minutes`` (or ``publish``, under
the board's policy), which decides what the document says (docs/meetings.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
import deliberation.meetings as core
from server.db.tables import Meeting, MeetingItemRoom, Room
from server.meetings.event_store import MEETING
from server.rooms.event_store import ROOM, events_since, fold


class NoSuchMeeting(LookupError):
    pass


class NotApproved(LookupError):
    """Published minutes were asked for, but the meeting's minutes are not approved yet."""


async def meeting_state(session: AsyncSession, meeting_id: uuid.UUID) -> core.MeetingState:
    if await session.get(Meeting, meeting_id) is None:
        raise NoSuchMeeting(str(meeting_id))
    stored = await events_since(session, meeting_id, 0, stream=MEETING)
    state: core.MeetingState = fold(core.INITIAL_MEETING, stored, MEETING)
    return state


async def room_summary(session: AsyncSession, room_id: uuid.UUID) -> dict[str, Any] | None:
    """``{"decision", "log"}`` of one item's room (``core.item_decision`` of its fold), with
    the commitment to its log (head seq and hash), which a private item keeps when published."""
    room = await session.get(Room, room_id)
    if room is None:
        return None
    stored = await events_since(session, room_id, 0, stream=ROOM)
    state = fold(deliberation.INITIAL, stored, ROOM)
    log = {"room_id": str(room_id), "seq": room.last_seq, "hash": room.head_hash}
    summary: dict[str, Any] = core.item_decision(state, log)
    return summary


async def minutes_document(
    session: AsyncSession, meeting_id: uuid.UUID, *, published: bool
) -> dict[str, Any]:
    """The minutes of a meeting as JSON (docs/meetings.md): the draft for members, or with
    ``published`` the board's publication policy applied and private items reduced to
    their commitments. Raises ``NoSuchMeeting``, and ``NotApproved`` for published minutes
    of a meeting whose minutes are not approved."""
    state = await meeting_state(session, meeting_id)
    if published and state.approved_at is None:
        raise NotApproved(str(meeting_id))
    rooms = dict(
        (
            await session.execute(
                select(MeetingItemRoom.item_id, MeetingItemRoom.room_id).where(
                    MeetingItemRoom.meeting_id == meeting_id
                )
            )
        ).all()
    )
    items: dict[str, Any] = {}
    for item_id, room_id in rooms.items():
        summary = await room_summary(session, room_id)
        if summary is not None:
            items[item_id] = summary
    document: dict[str, Any] = (
        core.publish(state, items) if published else core.minutes(state, items)
    )
    return document
