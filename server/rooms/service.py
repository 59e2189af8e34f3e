"""The only write path for room state: lock-free decide, compare-and-set append, publish.

    read head -> fold what this process has not seen -> decide -> append at head+1..
    -> commit -> fan out locally -> notify other processes

A rejected command writes nothing. A command retried with the same idempotency key
returns the seqs of its first run and appends nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import deliberation
from server.db.tables import Room, RoomDeadline
from server.rooms import event_store
from server.rooms.event_store import Conflict, StateCache, StoredEvent

MAX_ATTEMPTS = 20

Publish = Callable[[uuid.UUID, list[StoredEvent]], Awaitable[None]]
Within = Callable[[AsyncSession, list[StoredEvent]], Awaitable[None]]
Gate = Callable[[AsyncSession], Awaitable[None]]


class RoomNotFound(Exception):
    pass


class KeyReused(Exception):
    """The idempotency key was used by someone else, or for a different room action."""


class RoomBusy(Exception):
    """Too many concurrent writers kept winning the race; the client should retry."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    seqs: tuple[int, ...]
    head: int
    replayed: bool = False

    @property
    def seq(self) -> int:
        """The seq of the command's last event (or the head, for a no-op)."""
        return self.seqs[-1] if self.seqs else self.head


class RoomService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publish: Publish,
        cache: StateCache | None = None,
        *,
        ballot_secret: bytes | None = None,
    ) -> None:
        self.sessions = sessions
        self.publish = publish
        self.cache = cache or StateCache()
        # Keys secret ballots (see ``ballot_key``); without one, keys last as long as the process.
        self.ballot_secret = ballot_secret or secrets.token_bytes(32)

    def ballot_key(self, room_id: uuid.UUID, poll: str, participant: str) -> str:
        """The opaque key of a participant's secret ballot in one vote: the same person gets
        the same key (a later ballot replaces the earlier one), and nobody without the
        server's secret can tell whose it is."""
        message = f"{room_id}\x1f{poll}\x1f{participant}".encode()
        return hmac.new(self.ballot_secret, message, hashlib.sha256).hexdigest()

    async def state(self, room_id: uuid.UUID) -> tuple[int, Any]:
        async with self.sessions() as session:
            room = await session.get(Room, room_id)
            if room is None:
                raise RoomNotFound(str(room_id))
            return room.last_seq, await self.cache.load(session, room_id, room.last_seq)

    async def current(self, room_id: uuid.UUID) -> Any:
        """The room's latest state this process knows, reading the table only if needed."""
        cached = self.cache.peek(room_id)
        if cached is not None:
            return cached
        return (await self.state(room_id))[1]

    async def execute(
        self,
        room_id: uuid.UUID,
        command: Any,
        ctx: deliberation.Context,
        *,
        idempotency_key: str | None = None,
        within: Within | None = None,
        gate: Gate | None = None,
    ) -> CommandResult:
        """Decide and append ``command``; raises ``deliberation.Rejected`` on refusal.

        ``gate`` runs first in the same transaction (the access check: one round trip fewer
        than a transaction of its own); ``within`` runs after the append (for example to
        keep the membership table in step with ``member.*`` events), so both land or
        neither does.
        """
        for _attempt in range(MAX_ATTEMPTS):
            try:
                async with self.sessions() as session, session.begin():
                    if gate is not None:
                        await gate(session)
                    result, stored = await self.attempt(
                        session, room_id, command, ctx, idempotency_key
                    )
                    if within is not None and stored:
                        await within(session, stored)
            except Conflict:
                self.cache.forget(room_id)
                continue
            if stored:
                await self.publish(room_id, stored)
            return result
        raise RoomBusy(str(room_id))

    async def attempt(
        self,
        session: AsyncSession,
        room_id: uuid.UUID,
        command: Any,
        ctx: deliberation.Context,
        idempotency_key: str | None,
    ) -> tuple[CommandResult, list[StoredEvent]]:
        """One try inside the caller's transaction; the caller commits and publishes."""
        room = await session.get(Room, room_id, populate_existing=True)
        if room is None:
            raise RoomNotFound(str(room_id))
        if idempotency_key:
            earlier = await event_store.events_for_key(session, room_id, idempotency_key)
            if earlier:
                if earlier[0].actor_id != ctx.actor:
                    raise KeyReused("this idempotency key was already used by someone else")
                seqs = tuple(stored.seq for stored in earlier)
                return CommandResult(seqs=seqs, head=room.last_seq, replayed=True), []
        head = room.last_seq
        state = await self.cache.load(session, room_id, head)
        events = deliberation.decide(state, command, ctx)
        if not events:
            return CommandResult(seqs=(), head=head), []
        stored = await event_store.append(
            session,
            room,
            events,
            expected_seq=head,
            actor_id=ctx.actor,
            acting_for=ctx.acting_for,
            at=ctx.at,
            idempotency_key=idempotency_key,
        )
        new_state = state
        for event in events:
            new_state = deliberation.evolve(new_state, event)
        due = deliberation.next_deadline(new_state)
        if due != deliberation.next_deadline(state):
            await schedule(session, room_id, due)
        self.cache.remember(room_id, stored[-1].seq, new_state)
        return CommandResult(seqs=tuple(s.seq for s in stored), head=stored[-1].seq), stored


async def schedule(session: AsyncSession, room_id: uuid.UUID, due: datetime | None) -> None:
    existing = await session.get(RoomDeadline, room_id)
    if due is None:
        if existing is not None:
            await session.execute(delete(RoomDeadline).where(RoomDeadline.room_id == room_id))
        return
    if existing is None:
        session.add(RoomDeadline(room_id=room_id, due_at=due))
    else:
        existing.due_at = due
    await session.flush()


async def due_rooms(session: AsyncSession, now: datetime, *, limit: int = 20) -> list[uuid.UUID]:
    """Claim rooms whose deadline passed. On PostgreSQL the rows stay locked (SKIP LOCKED)
    until the caller's transaction ends, so two processes never run the same tick."""
    query = (
        select(RoomDeadline.room_id)
        .where(RoomDeadline.due_at <= now)
        .order_by(RoomDeadline.due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars().all())
