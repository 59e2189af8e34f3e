"""The in-app list: each member's notifications, their unread count, and its live push.

In-app items are outbox rows of channel ``inapp`` written with the event (status
``unread`` until the member reads them). After a room's events reach this process's
sockets, ``push_unread`` sends every member connected to that room a ``notifications``
frame with their unread count (docs/protocol.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.notifications.outbox import NOTIFICATIONS, READ, UNREAD

_INAPP = NOTIFICATIONS.c.channel == "inapp"


async def unread_counts(session: AsyncSession, users: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not users:
        return {}
    rows = await session.execute(
        select(NOTIFICATIONS.c.user_id, func.count())
        .where(_INAPP, NOTIFICATIONS.c.status == UNREAD, NOTIFICATIONS.c.user_id.in_(users))
        .group_by(NOTIFICATIONS.c.user_id)
    )
    counts = {user: 0 for user in users}
    counts.update({user: int(n) for user, n in rows.all()})
    return counts


async def items(session: AsyncSession, user: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            NOTIFICATIONS.c.id,
            NOTIFICATIONS.c.kind,
            NOTIFICATIONS.c.room_id,
            NOTIFICATIONS.c.payload,
            NOTIFICATIONS.c.status,
            NOTIFICATIONS.c.created_at,
        )
        .where(_INAPP, NOTIFICATIONS.c.user_id == user)
        .order_by(NOTIFICATIONS.c.created_at.desc(), NOTIFICATIONS.c.id)
        .limit(limit)
    )
    return [
        {
            "id": str(nid),
            "kind": kind,
            "room": str(room) if room else None,
            "title": payload.get("title", ""),
            "path": payload.get("path", ""),
            "data": {k: v for k, v in payload.items() if k not in ("attachments",)},
            "read": status == READ,
            "created_at": created.isoformat(),
        }
        for nid, kind, room, payload, status, created in rows.all()
    ]


async def mark_read(
    session: AsyncSession, user: uuid.UUID, ids: Sequence[uuid.UUID] | None
) -> None:
    """Mark the member's items read: those in ``ids`` (others' ids are ignored), or all."""
    where = [_INAPP, NOTIFICATIONS.c.user_id == user, NOTIFICATIONS.c.status == UNREAD]
    if ids is not None:
        where.append(NOTIFICATIONS.c.id.in_(list(ids)))
    await session.execute(update(NOTIFICATIONS).where(*where).values(status=READ))


def frame(unread: int) -> str:
    return json.dumps({"type": "notifications", "unread": unread}, separators=(",", ":"))
