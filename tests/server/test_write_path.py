"""The command write path's guarantees, on SQLite and PostgreSQL alike: a stale append
loses cleanly, racing writers all land once and in order, a replayed key appends nothing,
and the access gate folded into the head read refuses as ``access_room`` does."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import func, select

import deliberation
from server.db.tables import Room, RoomEvent
from server.rooms import event_store
from server.rooms.access import Gate, Need
from server.rooms.codec import command_from_wire, load_event
from server.rooms.event_store import Conflict, StoredEvent
from server.rooms.service import RoomNotFound, RoomService
from tests.api import command, join, open_room, sign_up

AT = datetime(2026, 1, 1, tzinfo=UTC)


async def nobody_listens(_room: uuid.UUID, _stored: list[StoredEvent]) -> None:
    return None


async def head_of(db: Any, room_id: uuid.UUID) -> tuple[int, str, int]:
    async with db() as session:
        room = await session.get(Room, room_id)
        count = await session.scalar(
            select(func.count()).select_from(RoomEvent).where(RoomEvent.room_id == room_id)
        )
        return room.last_seq, room.head_hash, int(count or 0)


async def history(db: Any, room_id: uuid.UUID) -> list[StoredEvent]:
    async with db() as session:
        return await event_store.events_since(session, room_id, 0)


def assert_chained(events: list[StoredEvent]) -> None:
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


async def a_room(client: Any) -> tuple[Any, uuid.UUID]:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada)
    response = await command(client, room_id, ada, "open_round", {"round": "surface_conflict"})
    assert response.status_code == 200, response.text
    return ada, uuid.UUID(room_id)


async def test_an_append_from_a_stale_head_loses_and_writes_nothing(client: Any, db: Any) -> None:
    _ada, room_id = await a_room(client)
    seq, head_hash, count = await head_of(db, room_id)
    last = (await history(db, room_id))[-1]
    event = load_event(last.type, last.payload)
    with pytest.raises(Conflict):
        async with db() as session, session.begin():
            await event_store.append(
                session,
                room_id,
                [event, event],
                expected_seq=seq - 1,
                head_hash=last.prev_hash,
                actor_id=last.actor_id,
                acting_for=None,
                at=AT,
                idempotency_key=None,
            )
    assert await head_of(db, room_id) == (seq, head_hash, count)


@pytest.mark.parametrize("size", [3, event_store.MAX_EVENTS_IN_ONE_STATEMENT + 1])
async def test_a_multi_event_append_lands_whole_and_moves_the_head(
    client: Any, db: Any, size: int
) -> None:
    _ada, room_id = await a_room(client)
    seq, head_hash, count = await head_of(db, room_id)
    last = (await history(db, room_id))[-1]
    event = load_event(last.type, last.payload)
    async with db() as session, session.begin():
        stored = await event_store.append(
            session,
            room_id,
            [event] * size,
            expected_seq=seq,
            head_hash=head_hash,
            actor_id=last.actor_id,
            acting_for=None,
            at=AT,
            idempotency_key="many",
        )
    assert [s.seq for s in stored] == list(range(seq + 1, seq + size + 1))
    assert await head_of(db, room_id) == (seq + size, stored[-1].hash, count + size)
    events = await history(db, room_id)
    assert events[-size:] == stored
    assert_chained(events)


async def test_racing_writers_in_two_processes_all_land_once_in_order(client: Any, db: Any) -> None:
    ada, room_id = await a_room(client)
    # Two services are two processes: separate caches, racing on the same head.
    services = [RoomService(db, nobody_listens), RoomService(db, nobody_listens)]
    seq, _hash, _count = await head_of(db, room_id)

    async def say(n: int) -> Any:
        ctx = deliberation.Context(actor=deliberation.ParticipantId(ada.id), at=AT)
        add = command_from_wire("add_statement", {"statement": f"s-{n}", "text": f"Point {n}."})
        return await services[n % 2].execute(room_id, add, ctx, idempotency_key=f"k-{n}")

    results = await asyncio.gather(*(say(n) for n in range(12)))
    assert sorted(s for r in results for s in r.seqs) == list(range(seq + 1, seq + 13))
    events = await history(db, room_id)
    assert len(events) == seq + 12
    assert_chained(events)
    # Every writer's state agrees with the table, whichever won each race.
    _seq, state = await services[0].state(room_id)
    assert deliberation.view(state, None) == deliberation.view(
        deliberation.replay([load_event(e.type, e.payload) for e in events]), None
    )


async def test_the_same_key_at_once_appends_one_event_and_replays_it(client: Any, db: Any) -> None:
    ada, room_id = await a_room(client)
    services = [RoomService(db, nobody_listens), RoomService(db, nobody_listens)]
    _seq, _hash, count = await head_of(db, room_id)
    ctx = deliberation.Context(actor=deliberation.ParticipantId(ada.id), at=AT)
    add = command_from_wire("add_statement", {"statement": "once", "text": "Only once."})
    results = await asyncio.gather(
        *(s.execute(room_id, add, ctx, idempotency_key="same") for s in services * 3)
    )
    assert len({r.seqs for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert (await head_of(db, room_id))[2] == count + 1


async def test_the_gate_in_the_head_read_refuses_like_access_room(client: Any, db: Any) -> None:
    ada, ben, cy = (
        await sign_up(client, "Ada"),
        await sign_up(client, "Ben"),
        await sign_up(client, "Cy"),
    )
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, None, role="observer")
    service = RoomService(db, nobody_listens)
    ctx = deliberation.Context(actor=deliberation.ParticipantId(ada.id), at=AT)
    hand = command_from_wire("raise_hand", {})
    room = uuid.UUID(room_id)
    with pytest.raises(NotFoundException):  # not a member
        await service.execute(room, hand, ctx, gate=Gate(uuid.UUID(cy.id), Need.ACT))
    with pytest.raises(NotFoundException):  # no such room, to a signed-in person
        await service.execute(uuid.uuid4(), hand, ctx, gate=Gate(uuid.UUID(ada.id), Need.ACT))
    with pytest.raises(RoomNotFound):  # no such room, to the server itself
        await service.execute(uuid.uuid4(), hand, ctx)
    with pytest.raises(PermissionDeniedException, match="observer"):
        await service.execute(
            room, hand, ctx, idempotency_key="k", gate=Gate(uuid.UUID(ben.id), Need.ACT)
        )
    _seq, _hash, count = await head_of(db, room)
    passed = await service.execute(
        room, hand, ctx, idempotency_key="k", gate=Gate(uuid.UUID(ada.id), Need.ACT)
    )
    assert len(passed.seqs) == 1
    assert not passed.replayed
    assert (await head_of(db, room))[2] == count + 1


@pytest.mark.postgres
@pytest.mark.parametrize("size", [2, event_store.MAX_EVENTS_IN_ONE_STATEMENT + 1])
async def test_an_append_notifies_other_processes_at_commit_and_only_then(
    postgres_url: str, clock: Any, size: int
) -> None:
    import asyncpg
    from litestar.testing import AsyncTestClient
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlalchemy.pool import NullPool

    from server.app import create_app
    from server.broadcast import plain_dsn
    from server.db.engine import create_engine
    from server.rooms.fanout import ROOMS_CHANNEL, notification
    from tests.conftest import make_settings

    app = create_app(make_settings(postgres_url), clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        _ada, room_id = await a_room(client)
    engine = create_engine(postgres_url, poolclass=NullPool)
    db = async_sessionmaker(engine, expire_on_commit=False)
    seq, head_hash, _count = await head_of(db, room_id)
    last = (await history(db, room_id))[-1]
    event = load_event(last.type, last.payload)
    heard: list[str] = []
    listener = await asyncpg.connect(plain_dsn(postgres_url))
    await listener.add_listener(ROOMS_CHANNEL, lambda *note: heard.append(note[-1]))

    async def append(expected: int, prev: str, *, commit: bool) -> None:
        async with db() as session, session.begin():
            await event_store.append(
                session,
                room_id,
                [event] * size,
                expected_seq=expected,
                head_hash=prev,
                actor_id=last.actor_id,
                acting_for=None,
                at=AT,
                idempotency_key=None,
                notify=(ROOMS_CHANNEL, notification(room_id, expected + size)),
            )
            await asyncio.sleep(0.1)
            assert heard == []  # not before the commit
            if not commit:
                await session.rollback()

    try:
        await append(seq, head_hash, commit=False)
        with pytest.raises(Conflict):
            await append(seq - 1, last.prev_hash, commit=True)
        await asyncio.sleep(0.1)
        assert heard == []  # nothing for a rolled-back or losing append
        await append(seq, head_hash, commit=True)
        for _ in range(50):
            if heard:
                break
            await asyncio.sleep(0.02)
        assert heard == [notification(room_id, seq + size)]  # once, for the whole append
    finally:
        await listener.close()
        await engine.dispose()


@pytest.mark.postgres
async def test_on_postgres_a_lone_append_runs_outside_a_transaction(
    postgres_url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litestar.testing import AsyncTestClient
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlalchemy.pool import NullPool

    from server.app import create_app
    from server.db.engine import create_engine
    from tests.conftest import make_settings

    app = create_app(make_settings(postgres_url), clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        ada, room_id = await a_room(client)
    engine = create_engine(postgres_url, poolclass=NullPool)
    db = async_sessionmaker(engine, expire_on_commit=False)
    begun: list[object] = []
    start = AsyncAdapt_asyncpg_connection._start_transaction

    async def counted(self: Any) -> None:
        if self.isolation_level != "autocommit":
            begun.append(self)
        await start(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "_start_transaction", counted)
    service = RoomService(db, nobody_listens)
    ctx = deliberation.Context(actor=deliberation.ParticipantId(ada.id), at=AT)
    seen: list[list[str]] = []

    async def within(session: Any, stored: list[StoredEvent]) -> None:
        assert session.in_transaction()
        seen.append([s.type for s in stored])

    try:
        _seq, _hash, count = await head_of(db, room_id)
        begun.clear()
        raised = await service.execute(
            room_id,
            command_from_wire("raise_hand", {}),
            ctx,
            idempotency_key="up",
            within=within,
            within_types=frozenset({"member.removed"}),
        )
        assert begun == []  # no BEGIN, no COMMIT: the append stands alone
        assert seen == []
        again = await service.execute(
            room_id, command_from_wire("raise_hand", {}), ctx, idempotency_key="up"
        )
        assert again.replayed
        assert again.seqs == raised.seqs
        assert begun == []
        lowered = await service.execute(
            room_id,
            command_from_wire("lower_hand", {}),
            ctx,
            within=within,
            within_types=frozenset({"hand.lowered"}),
        )
        assert len(begun) == 1  # within writes too: one transaction
        assert seen == [["hand.lowered"]]
        assert lowered.seq == raised.seq + 1
        assert (await head_of(db, room_id))[2] == count + 2
        assert_chained(await history(db, room_id))
    finally:
        await engine.dispose()
