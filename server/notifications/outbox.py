"""The outbox: rows written with the events that cause them, claimed and marked by senders.

Claiming is a lease, not a lock held across the send: a sender marks a batch of due rows
``claimed_until = now + lease`` in one short transaction (on PostgreSQL the candidate rows
are picked ``FOR UPDATE SKIP LOCKED``, so two processes never claim the same row; on
SQLite the one writer at a time, ``BEGIN IMMEDIATE``, gives the same), commits, and only
then talks to the mail server. Holding a transaction open across an SMTP conversation
would hold a pool connection on PostgreSQL and the whole database's write lock on SQLite.

What can repeat: a sender that dies after the mail server accepted a message and before
its ``sent`` mark committed leaves the row claimed; when the lease runs out another sender
claims it and sends it again, with the same Message-ID (fixed at enqueue). So a crash
repeats at most the one message in flight per mail connection (and a message marked sent
is never sent again), and a receiver can tell the copy by its Message-ID. Nothing is lost:
a row leaves ``pending`` only through a mark.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.notifications.render import message_id
from server.notifications.tables import Notification

NOTIFICATIONS = cast(Table, Notification.__table__)

PENDING, SENT, FAILED, SKIPPED, HELD, DIGESTED = (
    "pending",
    "sent",
    "failed",
    "skipped",
    "held",
    "digested",
)
UNREAD, READ = "unread", "read"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notification to write: one recipient (user, address or webhook) on one channel."""

    channel: str
    kind: str
    payload: dict[str, Any]
    room_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    address: str | None = None
    webhook_id: uuid.UUID | None = None
    locale: str | None = None
    due_at: datetime | None = None  # not before (reminders); None: now
    dedupe_key: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def rows(items: Sequence[Outgoing], now: datetime, sender: str) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "channel": item.channel,
            "kind": item.kind,
            "room_id": item.room_id,
            "user_id": item.user_id,
            "address": item.address,
            "webhook_id": item.webhook_id,
            "locale": item.locale,
            "payload": item.payload,
            "dedupe_key": item.dedupe_key,
            "message_id": message_id(item.id, sender),
            "status": UNREAD if item.channel == "inapp" else PENDING,
            "attempts": 0,
            "next_attempt_at": item.due_at or now,
            "claimed_until": None,
            "claimed_by": None,
            "last_error": None,
            "created_at": now,
            "sent_at": None,
        }
        for item in items
    ]


async def enqueue(
    session: AsyncSession, items: Sequence[Outgoing], now: datetime, sender: str
) -> int:
    """Write ``items`` in the caller's transaction (one INSERT), so they commit or roll back
    with whatever caused them. Items whose ``dedupe_key`` is already queued are left out."""
    if not items:
        return 0
    keys = [item.dedupe_key for item in items if item.dedupe_key]
    if keys:
        connection = await session.connection()
        taken = set(
            (
                await connection.execute(
                    select(NOTIFICATIONS.c.dedupe_key).where(NOTIFICATIONS.c.dedupe_key.in_(keys))
                )
            ).scalars()
        )
        items = [item for item in items if item.dedupe_key not in taken]
        if not items:
            return 0
    connection = await session.connection()
    await connection.execute(insert(NOTIFICATIONS), rows(items, now, sender))
    return len(items)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    channel: str
    kind: str
    room_id: uuid.UUID | None
    user_id: uuid.UUID | None
    address: str | None
    webhook_id: uuid.UUID | None
    locale: str | None
    payload: dict[str, Any]
    message_id: str
    attempts: int
    created_at: datetime


_CLAIMED_COLUMNS = [NOTIFICATIONS.c[f.name] for f in dataclasses.fields(Claimed)]


async def claim(
    session: AsyncSession, now: datetime, *, owner: str, lease_s: float, limit: int
) -> list[Claimed]:
    """Lease up to ``limit`` due rows to ``owner`` (in the caller's transaction, which the
    caller commits before sending) and count the attempt."""
    free = or_(NOTIFICATIONS.c.claimed_until.is_(None), NOTIFICATIONS.c.claimed_until <= now)
    candidates = (
        select(NOTIFICATIONS.c.id)
        .where(NOTIFICATIONS.c.status == PENDING, NOTIFICATIONS.c.next_attempt_at <= now, free)
        .order_by(NOTIFICATIONS.c.next_attempt_at)
        .limit(limit)
    )
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(NOTIFICATIONS)
        .where(NOTIFICATIONS.c.id.in_(candidates.scalar_subquery()), free)
        .values(
            claimed_until=now + timedelta(seconds=lease_s),
            claimed_by=owner,
            attempts=NOTIFICATIONS.c.attempts + 1,
        )
        .returning(*_CLAIMED_COLUMNS)
    )
    claimed = [Claimed(*row) for row in await connection.execute(statement)]
    claimed.sort(key=lambda row: (row.created_at, row.id.hex))
    return claimed


def _mine(notification_id: uuid.UUID, owner: str) -> Any:
    # A mark lands only while the row is still this sender's: a sender that stalled past
    # its lease and lost the row to another must not overwrite the other's outcome.
    return and_(
        NOTIFICATIONS.c.id == notification_id,
        NOTIFICATIONS.c.claimed_by == owner,
        NOTIFICATIONS.c.status == PENDING,
    )


async def mark(
    session: AsyncSession,
    notification_id: uuid.UUID,
    owner: str,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    values: dict[str, Any] = {"status": status, "claimed_until": None, "last_error": error}
    if status == SENT:
        values["sent_at"] = now
    if payload is not None:
        values["payload"] = payload
    connection = await session.connection()
    result = await connection.execute(
        update(NOTIFICATIONS).where(_mine(notification_id, owner)).values(**values)
    )
    return bool(result.rowcount)


_MARK_MANY = (
    update(NOTIFICATIONS)
    .where(
        NOTIFICATIONS.c.id == bindparam("nid"),
        NOTIFICATIONS.c.claimed_by == bindparam("owner"),
        NOTIFICATIONS.c.status == PENDING,
    )
    .values(
        status=bindparam("new_status"),
        claimed_until=None,
        last_error=bindparam("error"),
        sent_at=bindparam("at"),
    )
)


async def mark_many(
    session: AsyncSession,
    owner: str,
    marks: Sequence[tuple[uuid.UUID, str, str | None]],
    now: datetime,
) -> int:
    """Several rows' outcomes ``(id, status, error)`` in one statement (executemany: one
    round trip, so the write lock is held as briefly as possible). Returns how many landed."""
    if not marks:
        return 0
    connection = await session.connection()
    result = await connection.execute(
        _MARK_MANY,
        [
            {
                "nid": nid,
                "owner": owner,
                "new_status": status,
                "error": error,
                "at": now if status == SENT else None,
            }
            for nid, status, error in marks
        ],
    )
    return int(result.rowcount)


async def retry_later(
    session: AsyncSession, notification_id: uuid.UUID, owner: str, at: datetime, error: str
) -> bool:
    connection = await session.connection()
    result = await connection.execute(
        update(NOTIFICATIONS)
        .where(_mine(notification_id, owner))
        .values(next_attempt_at=at, claimed_until=None, claimed_by=None, last_error=error)
    )
    return bool(result.rowcount)


def backoff(attempts: int, base_s: float, max_s: float) -> float:
    """Seconds before the next try after ``attempts`` tries: base, 2 base, 4 base, .. max."""
    return float(min(max_s, base_s * 2 ** max(0, attempts - 1)))


async def counts(session: AsyncSession) -> dict[str, int]:
    connection = await session.connection()
    result = await connection.execute(
        select(NOTIFICATIONS.c.status, func.count()).group_by(NOTIFICATIONS.c.status)
    )
    return {status: int(n) for status, n in result.all()}
