"""The only write path for room state: lock-free decide, compare-and-set append, publish.

    read head (+ access gate + idempotency key) -> fold what this process has not seen
    -> decide -> append at head+1.. -> commit -> fan out locally -> notify other processes

A rejected command writes nothing. A command retried with the same idempotency key
returns the seqs of its first run and appends nothing.

A command costs two statements in its transaction (when this process has already folded
the room): one SELECT reads the head, the caller's membership and any events already
stored under the idempotency key; one more appends (see ``event_store.append``). Core
statements, not ORM loading: this runs for every command in every room.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import deliberation
from server.db.tables import Membership, Room, RoomDeadline, RoomEvent
from server.rooms import event_store
from server.rooms.access import Gate
from server.rooms.event_store import MAX_EVENTS_IN_ONE_STATEMENT, Conflict, StateCache, StoredEvent

MAX_ATTEMPTS = 20
# A try outside a transaction: its statements commit one by one (PostgreSQL only).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}

Publish = Callable[[uuid.UUID, list[StoredEvent]], Awaitable[None]]
Within = Callable[[AsyncSession, list[StoredEvent]], Awaitable[None]]
Notify = Callable[[uuid.UUID, int], tuple[str, str]]
# Runs in every command's transaction after its append when one of its events is of a type
# in ``on_append_types`` (room, state after the events, stored events): the notification
# outbox writes its rows here, so they commit with the events or not at all.
OnAppend = Callable[[AsyncSession, uuid.UUID, Any, list[StoredEvent]], Awaitable[None]]

ROOMS = cast(Table, Room.__table__)
MEMBERSHIPS = cast(Table, Membership.__table__)
EVENTS = cast(Table, RoomEvent.__table__)
DEADLINES = cast(Table, RoomDeadline.__table__)


def _head_query(gated: bool, keyed: bool) -> Any:
    """The room's head and hash; with ``gated`` the caller's role (NULL if not a member);
    with ``keyed`` one row per event already stored under the idempotency key, in order."""
    role = MEMBERSHIPS.c.role if gated else null()
    earlier = (EVENTS.c.seq, EVENTS.c.actor_id) if keyed else (null(), null())
    joined: Any = ROOMS
    if gated:
        joined = joined.outerjoin(
            MEMBERSHIPS,
            and_(
                MEMBERSHIPS.c.room_id == ROOMS.c.id, MEMBERSHIPS.c.user_id == bindparam("user_id")
            ),
        )
    if keyed:
        joined = joined.outerjoin(
            EVENTS,
            and_(EVENTS.c.room_id == ROOMS.c.id, EVENTS.c.idempotency_key == bindparam("key")),
        )
    query = (
        select(ROOMS.c.last_seq, ROOMS.c.head_hash, role, *earlier)
        .select_from(joined)
        .where(ROOMS.c.id == bindparam("room_id"))
    )
    return query.order_by(EVENTS.c.seq) if keyed else query


HEAD = {
    (gated, keyed): _head_query(gated, keyed) for gated in (False, True) for keyed in (False, True)
}
LAST_SEQ = select(ROOMS.c.last_seq).where(ROOMS.c.id == bindparam("room_id"))


class RoomNotFound(Exception):
    pass


class KeyReused(Exception):
    """The idempotency key was used by someone else, or for a different room action."""


class RoomBusy(Exception):
    """Too many concurrent writers kept winning the race; the client should retry."""


class _NeedsTransaction(Exception):
    """A try outside a transaction found that its command writes more than the append."""


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
        notify: Notify | None = None,
        on_append: OnAppend | None = None,
        on_append_types: frozenset[str] = frozenset(),
    ) -> None:
        self.sessions = sessions
        self.on_append = on_append
        self.on_append_types = on_append_types
        self.publish = publish
        self.cache = cache or StateCache()
        # PostgreSQL: each append NOTIFYs (channel, payload) = notify(room, new head) in its
        # own statement, so ``publish`` need not tell other processes the new seq itself.
        self.notify = notify
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
            connection = await session.connection()
            head = (await connection.execute(LAST_SEQ, {"room_id": room_id})).scalar()
            if head is None:
                raise RoomNotFound(str(room_id))
            return head, await self.cache.load(session, room_id, head)

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
        within_types: frozenset[str] | None = None,
        gate: Gate | None = None,
    ) -> CommandResult:
        """Decide and append ``command``; raises ``deliberation.Rejected`` on refusal.

        ``gate`` (the access check) is checked first, on every try, in the same query that
        reads the room's head; ``within`` runs after the append (for example to keep the
        membership table in step with ``member.*`` events), so both land or neither does.
        ``within_types`` names the event types ``within`` writes for (None: any).

        On PostgreSQL a command whose only write is the append (no event for ``within``,
        no change to the room's deadline row, few enough events for one statement) runs
        outside a transaction: the append is one statement, atomic on its own, and the
        guarantees never rested on the transaction (the compare-and-set of the head makes
        a stale read fail, and the NOTIFY in it goes out only if it commits). That saves
        BEGIN and COMMIT, two of a command's four round trips. Any other command finds out
        before it writes and tries again inside a transaction.
        """

        def alone(events: list[Any]) -> bool:
            if len(events) > MAX_EVENTS_IN_ONE_STATEMENT:
                return False
            if within is None:
                return True
            if within_types is None:
                return False
            return not any(deliberation.event_type(event) in within_types for event in events)

        outside = True
        for _attempt in range(MAX_ATTEMPTS):
            try:
                async with self.sessions() as session:
                    if outside and session.get_bind().dialect.name == "postgresql":
                        await session.connection(execution_options=AUTOCOMMIT)
                        result, stored = await self.attempt(
                            session, room_id, command, ctx, idempotency_key, gate=gate, alone=alone
                        )
                    else:
                        async with session.begin():
                            result, stored = await self.attempt(
                                session, room_id, command, ctx, idempotency_key, gate=gate
                            )
                            if within is not None and stored:
                                await within(session, stored)
            except Conflict:
                self.cache.forget(room_id)
                continue
            except _NeedsTransaction:
                outside = False
                continue
            if stored:
                await self.publish(room_id, stored)
            return result
        raise RoomBusy(str(room_id))

    async def _beside_append(
        self,
        session: AsyncSession,
        room_id: uuid.UUID,
        moved: bool,
        due: datetime | None,
        hooked: bool,
        new_state: Any,
        stored: list[StoredEvent],
    ) -> None:
        """The command's other writes, in its transaction: the deadline row if it moved,
        and the rows ``on_append`` adds (notifications)."""
        if moved:
            await schedule(session, room_id, due)
        if hooked:
            await cast(OnAppend, self.on_append)(session, room_id, new_state, stored)

    def _hooked(self, events: list[Any]) -> bool:
        """Whether ``on_append`` writes for these events (so they need a transaction)."""
        if self.on_append is None:
            return False
        return any(deliberation.event_type(event) in self.on_append_types for event in events)

    async def attempt(
        self,
        session: AsyncSession,
        room_id: uuid.UUID,
        command: Any,
        ctx: deliberation.Context,
        idempotency_key: str | None,
        *,
        gate: Gate | None = None,
        alone: Callable[[list[Any]], bool] | None = None,
    ) -> tuple[CommandResult, list[StoredEvent]]:
        """One try inside the caller's transaction; the caller commits and publishes.

        With ``alone`` the try runs outside any transaction: before writing it raises
        ``_NeedsTransaction`` unless ``alone(events)`` holds and the deadline stays put.

        Reads with Core on the session's connection, which does not autoflush: a caller
        that added ORM objects this must see flushes them first (``create_room`` does)."""
        connection = await session.connection()
        params: dict[str, Any] = {"room_id": room_id}
        if gate is not None:
            params["user_id"] = gate.user_id
        if idempotency_key:
            params["key"] = idempotency_key
        rows = (
            await connection.execute(HEAD[gate is not None, bool(idempotency_key)], params)
        ).all()
        if not rows:
            if gate is not None:  # no such room and not a member look alike
                gate.check(None)
            raise RoomNotFound(str(room_id))
        head, head_hash, role = rows[0][0], rows[0][1], rows[0][2]
        if gate is not None:
            gate.check(role)
        earlier = [(seq, actor) for _, _, _, seq, actor in rows if seq is not None]
        if earlier:
            if earlier[0][1] != ctx.actor:
                raise KeyReused("this idempotency key was already used by someone else")
            seqs = tuple(seq for seq, _actor in earlier)
            return CommandResult(seqs=seqs, head=head, replayed=True), []
        state = await self.cache.load(session, room_id, head)
        events = deliberation.decide(state, command, ctx)
        if not events:
            return CommandResult(seqs=(), head=head), []
        new_state = state
        for event in events:
            new_state = deliberation.evolve(new_state, event)
        due = deliberation.next_deadline(new_state)
        moved = due != deliberation.next_deadline(state)
        hooked = self._hooked(events)
        if alone is not None and (moved or hooked or not alone(events)):
            raise _NeedsTransaction
        stored = await event_store.append(
            session,
            room_id,
            events,
            expected_seq=head,
            head_hash=head_hash,
            actor_id=ctx.actor,
            acting_for=ctx.acting_for,
            at=ctx.at,
            idempotency_key=idempotency_key,
            notify=None if self.notify is None else self.notify(room_id, head + len(events)),
        )
        await self._beside_append(session, room_id, moved, due, hooked, new_state, stored)
        self.cache.remember(room_id, stored[-1].seq, new_state)
        return CommandResult(seqs=tuple(s.seq for s in stored), head=stored[-1].seq), stored


async def schedule(session: AsyncSession, room_id: uuid.UUID, due: datetime | None) -> None:
    connection = await session.connection()
    if due is None:
        await connection.execute(delete(DEADLINES).where(DEADLINES.c.room_id == room_id))
        return
    moved = await connection.execute(
        update(DEADLINES).where(DEADLINES.c.room_id == room_id).values(due_at=due)
    )
    if moved.rowcount == 0:
        await connection.execute(insert(DEADLINES).values(room_id=room_id, due_at=due))


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
