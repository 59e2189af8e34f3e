"""The append-only event table: append with optimistic concurrency, read ranges, fold.

Appends succeed only from the head the writer read (``rooms.last_seq``): a conditional
UPDATE of the head is the compare-and-set, and ``UNIQUE(room_id, seq)`` is the backstop.
A writer that loses the race gets ``Conflict`` and retries from the new head.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
from server.db.tables import Room, RoomEvent
from server.rooms.chain import event_hash
from server.rooms.codec import dump_event, load_event


class Conflict(Exception):
    """Another writer appended to the room first."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    room_id: uuid.UUID
    seq: int
    type: str
    payload: dict[str, Any]
    actor_id: str | None
    acting_for: str | None
    occurred_at: datetime
    idempotency_key: str | None
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Any) -> StoredEvent:
        return cls(
            room_id=row.room_id,
            seq=row.seq,
            type=row.type,
            payload=row.payload,
            actor_id=row.actor_id,
            acting_for=row.acting_for,
            occurred_at=row.occurred_at,
            idempotency_key=row.idempotency_key,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )

    def to_wire(self) -> dict[str, Any]:
        from server.rooms.chain import format_time

        return {
            "type": "event",
            "seq": self.seq,
            "event": self.type,
            "data": self.payload,
            "actor": self.actor_id,
            "acting_for": self.acting_for,
            "at": format_time(self.occurred_at),
        }


async def append(
    session: AsyncSession,
    room: Room,
    events: Sequence[Any],
    *,
    expected_seq: int,
    actor_id: str | None,
    acting_for: str | None,
    at: datetime,
    idempotency_key: str | None,
) -> list[StoredEvent]:
    """Append core events after ``expected_seq``; raise ``Conflict`` if the head moved.

    An event that declares itself secret (``deliberation.is_secret``: a secret ballot) is
    stored without actor, proxy or idempotency key, so its row does not say who cast it.
    """
    if not events:
        return []
    new_head = expected_seq + len(events)
    prev = room.head_hash
    stored: list[StoredEvent] = []
    for offset, event in enumerate(events, start=1):
        event_type, payload = dump_event(event)
        seq = expected_seq + offset
        secret = deliberation.is_secret(event)
        actor = None if secret else actor_id
        proxy = None if secret else acting_for
        digest = event_hash(
            room_id=str(room.id),
            seq=seq,
            type=event_type,
            payload=payload,
            actor_id=actor,
            acting_for=proxy,
            occurred_at=at,
            prev_hash=prev,
        )
        stored.append(
            StoredEvent(
                room_id=room.id,
                seq=seq,
                type=event_type,
                payload=payload,
                actor_id=actor,
                acting_for=proxy,
                occurred_at=at,
                idempotency_key=None if secret else idempotency_key,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    moved = await session.execute(
        update(Room)
        .where(Room.id == room.id, Room.last_seq == expected_seq)
        .values(last_seq=new_head, head_hash=prev)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"room {room.id} moved past seq {expected_seq}")
    try:
        await session.execute(
            insert(RoomEvent),
            [
                {
                    "room_id": s.room_id,
                    "seq": s.seq,
                    "type": s.type,
                    "payload": s.payload,
                    "actor_id": s.actor_id,
                    "acting_for": s.acting_for,
                    "occurred_at": s.occurred_at,
                    "idempotency_key": s.idempotency_key,
                    "prev_hash": s.prev_hash,
                    "hash": s.hash,
                }
                for s in stored
            ],
        )
    except IntegrityError as error:
        raise Conflict(f"room {room.id}: seq taken") from error
    return stored


async def events_since(
    session: AsyncSession, room_id: uuid.UUID, after_seq: int, limit: int | None = None
) -> list[StoredEvent]:
    query = (
        select(RoomEvent)
        .where(RoomEvent.room_id == room_id, RoomEvent.seq > after_seq)
        .order_by(RoomEvent.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = (await session.execute(query)).scalars().all()
    return [StoredEvent.from_row(row) for row in rows]


async def events_for_key(
    session: AsyncSession, room_id: uuid.UUID, idempotency_key: str
) -> list[StoredEvent]:
    rows = (
        (
            await session.execute(
                select(RoomEvent)
                .where(RoomEvent.room_id == room_id, RoomEvent.idempotency_key == idempotency_key)
                .order_by(RoomEvent.seq)
            )
        )
        .scalars()
        .all()
    )
    return [StoredEvent.from_row(row) for row in rows]


def fold(state: Any, events: Sequence[StoredEvent]) -> Any:
    for stored in events:
        state = deliberation.evolve(state, load_event(stored.type, stored.payload))
    return state


class StateCache:
    """The folded state of recently used rooms, per process.

    Not a snapshot: it is rebuilt from the table at start, and a writer always folds the
    events it has not seen (possibly appended by another process) before deciding, so a
    command's cost does not grow with the room's history.
    """

    def __init__(self, max_rooms: int = 1024) -> None:
        self._states: dict[uuid.UUID, tuple[int, Any]] = {}
        self._max_rooms = max_rooms

    async def load(self, session: AsyncSession, room_id: uuid.UUID, head_seq: int) -> Any:
        seq, state = self._states.get(room_id, (0, deliberation.INITIAL))
        if seq > head_seq:  # the table is the truth (e.g. a rolled-back write was cached)
            seq, state = 0, deliberation.INITIAL
        if seq < head_seq:
            missed = await events_since(session, room_id, seq)
            state = fold(state, [stored for stored in missed if stored.seq <= head_seq])
            seq = head_seq
        self.remember(room_id, seq, state)
        return state

    def remember(self, room_id: uuid.UUID, seq: int, state: Any) -> None:
        if room_id not in self._states and len(self._states) >= self._max_rooms:
            self._states.pop(next(iter(self._states)))
        self._states[room_id] = (seq, state)

    def peek(self, room_id: uuid.UUID) -> Any | None:
        """The cached state, possibly behind another process's latest writes."""
        cached = self._states.get(room_id)
        return cached[1] if cached is not None else None

    def forget(self, room_id: uuid.UUID) -> None:
        self._states.pop(room_id, None)
