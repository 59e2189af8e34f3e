"""The only write path for meeting state: the rooms' write path over a meeting's stream.

    read head (+ board-role gate + idempotency key) -> fold what this process has not seen
    -> decide_meeting -> append at head+1.. -> [item rooms: create, relay] -> commit
    -> fan out locally -> notify other processes

A rejected command writes nothing; a lost race (``Conflict``) retries from the new head, so
a reorder racing another is decided again on the agenda it raced, and the core refuses it
(``conflict``: the agenda changed) with nothing written. ``within`` (the item rooms: see
``server.meetings.item_rooms``) runs in the same transaction as the append, so an item and
its room, or an attendance change and its relay into the rooms, land together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, null, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import deliberation
import deliberation.meetings as core
from server.db.tables import BoardMember
from server.meetings.access import MeetingGate
from server.meetings.event_store import MEETING, MEETING_EVENTS, MEETINGS
from server.rooms import event_store
from server.rooms.event_store import MAX_EVENTS_IN_ONE_STATEMENT, Conflict, StateCache, StoredEvent
from server.rooms.service import AUTOCOMMIT, MAX_ATTEMPTS, CommandResult, KeyReused

MEMBERS = cast(Table, BoardMember.__table__)

Publish = Callable[[uuid.UUID, list[StoredEvent]], Awaitable[None]]
Notify = Callable[[uuid.UUID, int], tuple[str, str]]
# Runs after the append, in its transaction, with the events and the states before and
# after them, adding to ``touched`` each room it wrote to; returns what to do once the
# transaction committed (fan out the rooms' events).
AfterCommit = Callable[[], Awaitable[None]]
Within = Callable[
    [AsyncSession, list[StoredEvent], Any, Any, set[uuid.UUID]], Awaitable[list[AfterCommit]]
]


def _head_query(gated: bool, keyed: bool) -> Any:
    role = MEMBERS.c.board_role if gated else null()
    earlier = (MEETING_EVENTS.c.seq, MEETING_EVENTS.c.actor_id) if keyed else (null(), null())
    joined: Any = MEETINGS
    if gated:
        joined = joined.outerjoin(
            MEMBERS,
            and_(
                MEMBERS.c.board_id == MEETINGS.c.board_id,
                MEMBERS.c.user_id == bindparam("user_id"),
            ),
        )
    if keyed:
        joined = joined.outerjoin(
            MEETING_EVENTS,
            and_(
                MEETING_EVENTS.c.meeting_id == MEETINGS.c.id,
                MEETING_EVENTS.c.idempotency_key == bindparam("key"),
            ),
        )
    query = (
        select(MEETINGS.c.last_seq, MEETINGS.c.head_hash, role, *earlier)
        .select_from(joined)
        .where(MEETINGS.c.id == bindparam("meeting_id"))
    )
    return query.order_by(MEETING_EVENTS.c.seq) if keyed else query


HEAD = {
    (gated, keyed): _head_query(gated, keyed) for gated in (False, True) for keyed in (False, True)
}
LAST_SEQ = select(MEETINGS.c.last_seq).where(MEETINGS.c.id == bindparam("meeting_id"))


class MeetingNotFound(Exception):
    pass


class MeetingBusy(Exception):
    """Too many concurrent writers kept winning the race; the client should retry."""


class _NeedsTransaction(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Attempt:
    result: CommandResult
    stored: list[StoredEvent]
    before: Any
    after: Any


class MeetingService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publish: Publish,
        *,
        within: Within | None = None,
        within_types: frozenset[str] = frozenset(),
        notify: Notify | None = None,
        forget_room: Callable[[uuid.UUID], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.publish = publish
        self.cache = StateCache(stream=MEETING)
        # The item rooms' hook, and the event types it writes for: a command with none of
        # them is a lone append (on PostgreSQL outside a transaction, as rooms' commands).
        self.within = within
        self.within_types = within_types
        self.notify = notify
        # Rooms cache the states their appends leave; a rolled-back relay must drop them.
        self.forget_room = forget_room

    async def state(self, meeting_id: uuid.UUID) -> tuple[int, Any]:
        async with self.sessions() as session:
            return await self.state_in(session, meeting_id)

    async def state_in(self, session: AsyncSession, meeting_id: uuid.UUID) -> tuple[int, Any]:
        connection = await session.connection()
        head = (await connection.execute(LAST_SEQ, {"meeting_id": meeting_id})).scalar()
        if head is None:
            raise MeetingNotFound(str(meeting_id))
        return head, await self.cache.load(session, meeting_id, head)

    async def execute(
        self,
        meeting_id: uuid.UUID,
        command: Any,
        ctx: deliberation.Context,
        *,
        idempotency_key: str | None = None,
        gate: MeetingGate | None = None,
    ) -> CommandResult:
        """Decide and append ``command``; raises ``deliberation.Rejected`` on refusal."""
        outside = True
        for _attempt in range(MAX_ATTEMPTS):
            later: list[AfterCommit] = []
            touched: set[uuid.UUID] = set()
            try:
                async with self.sessions() as session:
                    if outside and session.get_bind().dialect.name == "postgresql":
                        await session.connection(execution_options=AUTOCOMMIT)
                        done = await self.attempt(
                            session, meeting_id, command, ctx, idempotency_key, gate, alone=True
                        )
                    else:
                        async with session.begin():
                            done = await self.attempt(
                                session, meeting_id, command, ctx, idempotency_key, gate
                            )
                            if self.within is not None and done.stored:
                                later = await self.within(
                                    session, done.stored, done.before, done.after, touched
                                )
            except Conflict:
                self.forget(meeting_id, touched)
                continue
            except _NeedsTransaction:
                outside = False
                continue
            except BaseException:
                self.forget(meeting_id, touched)
                raise
            if done.stored:
                await self.publish(meeting_id, done.stored)
            for step in later:
                await step()
            return done.result
        raise MeetingBusy(str(meeting_id))

    def forget(self, meeting_id: uuid.UUID, rooms: set[uuid.UUID]) -> None:
        """Drop the states a rolled-back transaction left in this process's caches."""
        self.cache.forget(meeting_id)
        for other in rooms:  # rooms, and other meetings written in the same transaction
            self.cache.forget(other)
            if self.forget_room is not None:
                self.forget_room(other)

    def _alone(self, stored_types: list[str], count: int) -> bool:
        if count > MAX_EVENTS_IN_ONE_STATEMENT:
            return False
        return self.within is None or not any(t in self.within_types for t in stored_types)

    async def attempt(
        self,
        session: AsyncSession,
        meeting_id: uuid.UUID,
        command: Any,
        ctx: deliberation.Context,
        idempotency_key: str | None,
        gate: MeetingGate | None = None,
        *,
        alone: bool = False,
    ) -> Attempt:
        """One try inside the caller's transaction (or, with ``alone``, outside any, which
        raises ``_NeedsTransaction`` before writing if the command needs more than the
        append); the caller commits and publishes."""
        connection = await session.connection()
        params: dict[str, Any] = {"meeting_id": meeting_id}
        if gate is not None:
            params["user_id"] = gate.user_id
        if idempotency_key:
            params["key"] = idempotency_key
        rows = (
            await connection.execute(HEAD[gate is not None, bool(idempotency_key)], params)
        ).all()
        if not rows:
            if gate is not None:
                gate.check(None)
            raise MeetingNotFound(str(meeting_id))
        head, head_hash, role = rows[0][0], rows[0][1], rows[0][2]
        if gate is not None:
            gate.check(role)
        earlier = [(seq, actor) for _, _, _, seq, actor in rows if seq is not None]
        state = await self.cache.load(session, meeting_id, head)
        if earlier:
            if earlier[0][1] != ctx.actor:
                raise KeyReused("this idempotency key was already used by someone else")
            seqs = tuple(seq for seq, _actor in earlier)
            return Attempt(CommandResult(seqs=seqs, head=head, replayed=True), [], state, state)
        events = core.decide_meeting(state, command, ctx)
        if not events:
            return Attempt(CommandResult(seqs=(), head=head), [], state, state)
        if alone and not self._alone([core.meeting_event_type(e) for e in events], len(events)):
            raise _NeedsTransaction
        new_state = state
        for event in events:
            new_state = core.evolve_meeting(new_state, event)
        stored = await event_store.append(
            session,
            meeting_id,
            events,
            expected_seq=head,
            head_hash=head_hash,
            actor_id=ctx.actor,
            acting_for=ctx.acting_for,
            at=ctx.at,
            idempotency_key=idempotency_key,
            notify=None if self.notify is None else self.notify(meeting_id, head + len(events)),
            stream=MEETING,
        )
        self.cache.remember(meeting_id, stored[-1].seq, new_state)
        result = CommandResult(seqs=tuple(s.seq for s in stored), head=stored[-1].seq)
        return Attempt(result, stored, state, new_state)
