"""Meeting notifications, for the boards-and-meetings feature to call.

The meetings code holds its own tables; it hands this module plain data (``Meeting``) and
the accounts to tell, inside the transaction that stores its own change, through
``Notifications.enqueue_for_meeting_event(session, meeting, event, recipients)``. A
scheduled or changed meeting carries an .ics (the caller's bytes, or one built here from
the meeting's times); ``sequence`` must grow with each change so calendars update the
event instead of adding a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.notifications.ics import event_ics
from server.notifications.kinds import MEETING_KINDS, Kind
from server.notifications.outbox import Outgoing


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str  # stable: the .ics UID and part of each notification's dedupe key
    title: str
    start: datetime | None = None  # aware
    end: datetime | None = None
    tz: str = "UTC"  # IANA zone the times are shown in
    location: str = ""
    path: str = ""  # the meeting's page, e.g. "/boards/b/meetings/m"
    room_id: uuid.UUID | None = None  # the room it belongs to, if any (failures, webhooks)
    sequence: int = 0
    ics: bytes | None = None


class NotAMeetingKind(ValueError):
    pass


def meeting_items(
    meeting: Meeting,
    event: Kind | str,
    recipients: Sequence[uuid.UUID],
    *,
    now: datetime,
    action: str = "",
    due: datetime | None = None,
    key: str = "",
    webhooks: Sequence[uuid.UUID] = (),
    organizer: str = "",
) -> list[Outgoing]:
    """The rows for one meeting event: an email and an in-app item per recipient, and a
    POST per webhook. ``key`` tells apart repeated events of one kind (the action's id for
    ``action_assigned``); the same (meeting, event, sequence, key, recipient) enqueues once."""
    kind = Kind(event)
    if kind not in MEETING_KINDS:
        raise NotAMeetingKind(f"{event!r} is not a meeting notification kind")
    payload: dict[str, Any] = {
        "title": meeting.title,
        "meeting": meeting.id,
        "start": meeting.start.isoformat() if meeting.start else None,
        "end": meeting.end.isoformat() if meeting.end else None,
        "tz": meeting.tz,
        "location": meeting.location,
        "path": meeting.path,
        "action": action,
        "due": due.isoformat() if due else None,
    }
    attachments: list[dict[str, str]] = []
    if kind in (Kind.MEETING_SCHEDULED, Kind.MEETING_CHANGED):
        ics = meeting.ics
        if ics is None and meeting.start is not None and meeting.end is not None:
            ics = event_ics(
                uid=meeting.id,
                title=meeting.title,
                start=meeting.start,
                end=meeting.end,
                stamp=now,
                sequence=meeting.sequence,
                location=meeting.location,
                organizer=organizer,
            )
        if ics is not None:
            attachments.append(
                {
                    "filename": "meeting.ics",
                    "content_type": "text/calendar; method=REQUEST; charset=utf-8",
                    "hex": ics.hex(),
                }
            )
    prefix = f"meeting:{meeting.id}:{kind}:{meeting.sequence}:{key}"
    items = []
    for user_id in recipients:
        items.append(
            Outgoing(
                "email",
                kind,
                {**payload, "attachments": attachments},
                room_id=meeting.room_id,
                user_id=user_id,
                dedupe_key=f"{prefix}:{user_id.hex}"[:200],
            )
        )
        items.append(
            Outgoing(
                "inapp",
                kind,
                payload,
                room_id=meeting.room_id,
                user_id=user_id,
                dedupe_key=f"{prefix}:{user_id.hex}:inapp"[:200],
            )
        )
    hook_payload = {
        "kind": str(kind),
        "room": str(meeting.room_id) if meeting.room_id else None,
        "data": payload,
    }
    items.extend(
        Outgoing(
            "webhook",
            kind,
            hook_payload,
            room_id=meeting.room_id,
            webhook_id=webhook_id,
            dedupe_key=f"{prefix}:hook:{webhook_id.hex}"[:200],
        )
        for webhook_id in webhooks
    )
    return items
