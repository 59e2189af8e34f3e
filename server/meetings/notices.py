"""What a meeting's members are told by email, queued in the transaction that stores the change.

The outbox row and the meeting event commit together or not at all (docs/notifications.md),
so a scheduled meeting is never announced twice, and a rolled-back change is never announced.
A private item's title reaches members' own calendars, as their agenda shows it, but no
private content goes into any message (the notifications' templates hold only titles).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

import deliberation.meetings as core
from server.db.tables import MeetingEvent
from server.meetings import calendar
from server.notifications.kinds import Kind
from server.notifications.meetings import Meeting

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from server.meetings.item_rooms import AfterCommit, ItemRooms
    from server.notifications import Notifications
    from server.rooms.event_store import StoredEvent

NOTIFYING: dict[str, Kind] = {
    "meeting.scheduled": Kind.MEETING_SCHEDULED,
    "meeting.changed": Kind.MEETING_CHANGED,
    "agenda.published": Kind.AGENDA_PUBLISHED,
    "action.added": Kind.ACTION_ASSIGNED,
    "minutes.approved": Kind.MINUTES_APPROVED,
}

# The kinds that carry the meeting's calendar entry, so a calendar follows the meeting.
WITH_CALENDAR = frozenset({Kind.MEETING_SCHEDULED, Kind.MEETING_CHANGED})


class MeetingNotices:
    """The item rooms' hook, then the outbox rows for the events members must hear of."""

    def __init__(self, item_rooms: ItemRooms, notifications: Notifications) -> None:
        self.item_rooms = item_rooms
        self.notifications = notifications

    async def __call__(
        self,
        session: AsyncSession,
        stored: list[StoredEvent],
        before: core.MeetingState,
        after: core.MeetingState,
        touched: set[uuid.UUID],
    ) -> list[AfterCommit]:
        later = await self.item_rooms(session, stored, before, after, touched)
        for event in stored:
            kind = NOTIFYING.get(event.type)
            if kind is not None and after.meeting is not None:
                await self._queue(session, event, kind, after)
        return later

    async def _queue(
        self, session: AsyncSession, event: StoredEvent, kind: Kind, state: core.MeetingState
    ) -> None:
        scheduled = state.meeting
        assert scheduled is not None
        recipients = _recipients(event, kind, scheduled.board)
        if not recipients:
            return
        meeting_id = str(event.room_id)
        sequence = await _changes(session, event.room_id) if kind in WITH_CALENDAR else 0
        ics = None
        if kind in WITH_CALENDAR:
            entry = calendar.from_state(state, sequence=sequence, private_titles=True)
            ics = calendar.meeting_calendar(entry, stamp=event.occurred_at)
        meeting = Meeting(
            id=meeting_id,
            title=scheduled.title,
            start=scheduled.starts_at,
            end=scheduled.ends_at,
            tz=scheduled.timezone,
            location=scheduled.place or scheduled.video_url,
            path=f"/meetings/{meeting_id}",
            sequence=sequence,
            ics=ics,
        )
        payload = event.payload
        await self.notifications.enqueue_for_meeting_event(
            session,
            meeting,
            kind,
            recipients,
            now=event.occurred_at,
            action=str(payload.get("what", "")) if kind is Kind.ACTION_ASSIGNED else "",
            due=_due(payload) if kind is Kind.ACTION_ASSIGNED else None,
            key=f"{meeting_id}:{event.seq}",
        )


def _recipients(event: StoredEvent, kind: Kind, board: core.Board) -> list[uuid.UUID]:
    """An action's owner alone (when a member owns it); everyone on the board otherwise."""
    if kind is Kind.ACTION_ASSIGNED:
        owner = event.payload.get("owner_member")
        people = [owner] if owner else []
    else:
        people = [member.member for member in board.members]
    return [uuid.UUID(str(person)) for person in people if _is_user(person)]


def _is_user(person: Any) -> bool:
    try:
        uuid.UUID(str(person))
    except ValueError:
        return False
    return True


def _due(payload: dict[str, Any]) -> datetime | None:
    due = payload.get("due")
    return datetime.fromisoformat(due.replace("Z", "+00:00")) if isinstance(due, str) else None


async def _changes(session: AsyncSession, meeting_id: uuid.UUID) -> int:
    """The calendar SEQUENCE: how often the meeting was moved (this change included)."""
    count = await session.scalar(
        select(func.count())
        .select_from(MeetingEvent)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.type == "meeting.changed")
    )
    return int(count or 0)
