"""The append-only event table: append with optimistic concurrency, read ranges, fold.

Appends succeed only from the head the writer read (``rooms.last_seq``): a conditional
UPDATE of the head is the compare-and-set, and ``UNIQUE(room_id, seq)`` is the backstop.
A writer that loses the race gets ``Conflict`` and retries from the new head. On
PostgreSQL the UPDATE and the INSERT are one statement (a data-modifying CTE), so an
append is one round trip; SQLite runs them as two. Core statements throughout: this is
the hot path of every command, and ORM objects would only be built to be thrown away.

Rooms and meetings are both such streams (``Stream``: a head table, an event table and the
core that folds them); every function here takes the stream and defaults to rooms'.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, func, insert, select, union_all, update
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
    room_id: uuid.UUID  # the stream's id: a meeting's, for a meeting's events
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
    def from_row(cls, row: Any, key: str = "room_id") -> StoredEvent:
        return cls(
            room_id=getattr(row, key),
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


ROOMS = cast(Table, Room.__table__)
EVENTS = cast(Table, RoomEvent.__table__)


@dataclass(frozen=True, eq=False, slots=True)
class Stream:
    """One kind of event-sourced aggregate: where its head and events live, and its core.

    ``heads`` has ``id``, ``last_seq`` and ``head_hash``; ``events`` has ``key`` (the
    aggregate's id) and the columns of ``_EVENT_COLUMNS``. ``name`` keys the id in each
    event's hash (``chain.event_hash``). Compared by identity: there is one per kind.
    """

    name: str
    heads: Table
    events: Table
    key: str
    dump: Callable[[Any], tuple[str, dict[str, Any]]]
    load: Callable[[str, dict[str, Any]], Any]
    evolve: Callable[[Any, Any], Any]
    initial: Any
    is_secret: Callable[[Any], bool]


ROOM = Stream(
    name="room",
    heads=ROOMS,
    events=EVENTS,
    key="room_id",
    dump=dump_event,
    load=load_event,
    evolve=deliberation.evolve,
    initial=deliberation.INITIAL,
    is_secret=deliberation.is_secret,
)
_EVENT_COLUMNS = (
    "seq",
    "type",
    "payload",
    "actor_id",
    "acting_for",
    "occurred_at",
    "idempotency_key",
    "prev_hash",
    "hash",
)

# Beyond this many events (10 parameters each) an append takes the two-statement path on
# PostgreSQL too, far from its 32,767 parameters a statement.
MAX_EVENTS_IN_ONE_STATEMENT = 64


@functools.cache
def _bump(stream: Stream) -> Any:
    """The compare-and-set of the head (SQLite, and the first half of the PostgreSQL
    statement)."""
    heads = stream.heads
    return (
        update(heads)
        .where(heads.c.id == bindparam("room_id"), heads.c.last_seq == bindparam("expected_seq"))
        .values(last_seq=bindparam("new_seq"), head_hash=bindparam("new_hash"))
    )


@functools.lru_cache(maxsize=64)
def _bump_and_insert(stream: Stream, count: int, notify: bool) -> Any:
    """PostgreSQL: the head's compare-and-set and the events' insert in one statement.

        WITH bumped AS (UPDATE rooms SET last_seq=.. WHERE id=.. AND last_seq=.. RETURNING id)
        INSERT INTO room_events (..) SELECT bumped.id, .. FROM bumped [UNION ALL ..]
        RETURNING seq [, pg_notify(:channel, :note)]

    A writer that lost the race updates no row, so it inserts none: it gets no rows back
    (and notifies nobody). PostgreSQL delivers a notification at commit, and only once
    however many rows repeated it.
    """
    events = stream.events
    bumped = _bump(stream).returning(stream.heads.c.id).cte("bumped")
    rows = [
        select(
            bumped.c.id,
            *(bindparam(f"{name}_{n}", type_=events.c[name].type) for name in _EVENT_COLUMNS),
        )
        for n in range(count)
    ]
    source = rows[0] if count == 1 else union_all(*rows)
    returning: list[Any] = [events.c.seq]
    if notify:
        returning.append(
            func.pg_notify(bindparam("channel", type_=String), bindparam("note", type_=String))
        )
    return (
        insert(events)
        .from_select([stream.key, *_EVENT_COLUMNS], source)
        .returning(*returning)
        .add_cte(bumped)
    )


def chain(
    room_id: uuid.UUID,
    events: Sequence[Any],
    *,
    expected_seq: int,
    head_hash: str,
    actor_id: str | None,
    acting_for: str | None,
    at: datetime,
    idempotency_key: str | None,
    stream: Stream = ROOM,
) -> list[StoredEvent]:
    """The rows of ``events`` after ``expected_seq``, each hashed onto the one before.

    An event that declares itself secret (``deliberation.is_secret``: a secret ballot) is
    stored without actor, proxy or idempotency key, so its row does not say who cast it.
    """
    prev = head_hash
    stored: list[StoredEvent] = []
    for offset, event in enumerate(events, start=1):
        event_type, payload = stream.dump(event)
        seq = expected_seq + offset
        secret = stream.is_secret(event)
        actor = None if secret else actor_id
        proxy = None if secret else acting_for
        digest = event_hash(
            room_id=str(room_id),
            seq=seq,
            type=event_type,
            payload=payload,
            actor_id=actor,
            acting_for=proxy,
            occurred_at=at,
            prev_hash=prev,
            stream=stream.name,
        )
        stored.append(
            StoredEvent(
                room_id=room_id,
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
    return stored


async def append(
    session: AsyncSession,
    room_id: uuid.UUID,
    events: Sequence[Any],
    *,
    expected_seq: int,
    head_hash: str,
    actor_id: str | None,
    acting_for: str | None,
    at: datetime,
    idempotency_key: str | None,
    notify: tuple[str, str] | None = None,
    stream: Stream = ROOM,
) -> list[StoredEvent]:
    """Append core events after ``expected_seq`` (whose hash is ``head_hash``); raise
    ``Conflict`` if the head moved. One round trip on PostgreSQL, two elsewhere.

    ``notify`` (PostgreSQL only) is a ``(channel, payload)`` to NOTIFY in the same
    statement; it reaches listeners when, and only if, the transaction commits."""
    if not events:
        return []
    stored = chain(
        room_id,
        events,
        expected_seq=expected_seq,
        head_hash=head_hash,
        actor_id=actor_id,
        acting_for=acting_for,
        at=at,
        idempotency_key=idempotency_key,
        stream=stream,
    )
    bump = {
        "room_id": room_id,
        "expected_seq": expected_seq,
        "new_seq": stored[-1].seq,
        "new_hash": stored[-1].hash,
    }
    connection = await session.connection()
    postgres = connection.dialect.name == "postgresql"
    if notify is not None and not postgres:
        raise ValueError("only PostgreSQL notifies within the append")
    try:
        if postgres and len(stored) <= MAX_EVENTS_IN_ONE_STATEMENT:
            params: dict[str, Any] = dict(bump)
            for n, s in enumerate(stored):
                for name in _EVENT_COLUMNS:
                    params[f"{name}_{n}"] = getattr(s, name)
            if notify is not None:
                params["channel"], params["note"] = notify
            statement = _bump_and_insert(stream, len(stored), notify is not None)
            inserted = (await connection.execute(statement, params)).all()
            if len(inserted) != len(stored):
                raise Conflict(f"{stream.name} {room_id} moved past seq {expected_seq}")
            return stored
        moved = await connection.execute(_bump(stream), bump)
        if moved.rowcount != 1:
            raise Conflict(f"{stream.name} {room_id} moved past seq {expected_seq}")
        await connection.execute(
            insert(stream.events),
            [
                {stream.key: s.room_id, **{name: getattr(s, name) for name in _EVENT_COLUMNS}}
                for s in stored
            ],
        )
        if notify is not None:
            await connection.execute(select(func.pg_notify(*notify)))
    except IntegrityError as error:
        raise Conflict(f"{stream.name} {room_id}: seq taken") from error
    return stored


@functools.cache
def _since(stream: Stream) -> Any:
    events = stream.events
    return (
        select(events)
        .where(events.c[stream.key] == bindparam("room_id"), events.c.seq > bindparam("after_seq"))
        .order_by(events.c.seq)
    )


async def events_since(
    session: AsyncSession,
    room_id: uuid.UUID,
    after_seq: int,
    limit: int | None = None,
    *,
    stream: Stream = ROOM,
) -> list[StoredEvent]:
    since = _since(stream)
    query = since if limit is None else since.limit(limit)
    connection = await session.connection()
    rows = await connection.execute(query, {"room_id": room_id, "after_seq": after_seq})
    return [StoredEvent.from_row(row, stream.key) for row in rows]


def fold(state: Any, events: Sequence[StoredEvent], stream: Stream = ROOM) -> Any:
    for stored in events:
        state = stream.evolve(state, stream.load(stored.type, stored.payload))
    return state


class StateCache:
    """The folded state of recently used rooms, per process.

    Not a snapshot: it is rebuilt from the table at start, and a writer always folds the
    events it has not seen (possibly appended by another process) before deciding, so a
    command's cost does not grow with the room's history.
    """

    def __init__(self, max_rooms: int = 1024, stream: Stream = ROOM) -> None:
        self._states: dict[uuid.UUID, tuple[int, Any]] = {}
        self._max_rooms = max_rooms
        self.stream = stream

    async def load(self, session: AsyncSession, room_id: uuid.UUID, head_seq: int) -> Any:
        initial = self.stream.initial
        seq, state = self._states.get(room_id, (0, initial))
        if seq > head_seq:  # the table is the truth (e.g. a rolled-back write was cached)
            seq, state = 0, initial
        if seq < head_seq:
            missed = await events_since(session, room_id, seq, stream=self.stream)
            state = fold(state, [s for s in missed if s.seq <= head_seq], self.stream)
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
