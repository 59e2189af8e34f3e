"""Several server processes on one PostgreSQL, and crashes in the middle of a stream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.live.client import RoomClient, room_with_members
from tests.live.server import LiveServer


@pytest.fixture
def two_servers(postgres_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    first = LiveServer(postgres_url).start()
    second = LiveServer(postgres_url).start()
    yield first, second
    first.stop()
    second.stop()


@pytest.mark.postgres
async def test_a_command_sent_to_one_process_reaches_clients_on_the_other(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    one, two = two_servers
    room_id, people = await room_with_members(one.url, [("Ada", "Council"), ("Ben", "Charity")])
    ada = await RoomClient.open(one.ws_url, room_id, people[0][1])
    ben = await RoomClient.open(two.ws_url, room_id, people[1][1])
    ack = await ada.command("open_round", {"round": "surface_conflict"})
    await ben.wait_for_seq(ack["seq"], timeout=5)
    assert ben.events[-1]["event"] == "round.opened"
    # And the other way round, with both writing concurrently.
    acks = await asyncio.gather(
        ada.command("add_statement", {"statement": "a", "text": "From process one"}),
        ben.command("add_statement", {"statement": "b", "text": "From process two"}),
    )
    assert {a["type"] for a in acks} == {"ack"}
    top = max(a["seq"] for a in acks)
    for client in (ada, ben):
        await client.wait_for_seq(top)
        assert [e["seq"] for e in client.events] == list(range(1, top + 1))
        await client.close()


async def _verify_chain(database_url: str, room_id: str) -> list[Any]:
    from server.db.engine import create_engine
    from server.db.tables import RoomEvent
    from server.rooms.chain import verify_chain

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(RoomEvent.__table__)
                    .where(RoomEvent.room_id == uuid.UUID(room_id))
                    .order_by(RoomEvent.seq)
                )
            ).all()
    finally:
        await engine.dispose()
    verify_chain(room_id, rows)
    return list(rows)


@pytest.fixture(params=["postgres", "sqlite"])
def crash_database_url(request: pytest.FixtureRequest) -> str:
    return str(
        request.getfixturevalue(
            "postgres_url" if request.param == "postgres" else "sqlite_file_url"
        )
    )


async def test_kill_9_mid_stream_loses_no_acked_command_and_doubles_none(
    crash_database_url: str,
) -> None:
    url = crash_database_url
    server = LiveServer(url).start()
    room_id, people = await room_with_members(server.url, [("Ada", "Council")])
    ada = await RoomClient.open(server.ws_url, room_id, people[0][1])
    await ada.command("open_round", {"round": "surface_conflict"})
    acked: dict[str, int] = {}
    sent: list[str] = []

    async def stream() -> None:
        for number in range(400):
            ref = f"cmd-{number}"
            sent.append(ref)
            reply = await ada.command(
                "add_statement", {"statement": ref, "text": f"Statement {number}"}, id=ref
            )
            if reply["type"] == "ack":
                acked[ref] = reply["seq"]

    task = asyncio.create_task(stream())
    while len(acked) < 30:
        await asyncio.sleep(0.01)
    server.kill()
    with pytest.raises(Exception):  # noqa: B017 - the connection dies with the server, whatever the exact error
        await task
    restarted = LiveServer(url, port=server.port).start()
    try:
        rows = await _verify_chain(url, room_id)
        statements = [r.payload.get("statement") for r in rows if r.type == "statement.added"]
        # Every acked command is there, none twice.
        for ref, seq in acked.items():
            assert ref in statements
            assert rows[seq - 1].payload["statement"] == ref
        assert len(statements) == len(set(statements))
        # A client resumes from its last seq and, retrying its unacknowledged command with
        # the same id, gets an ack without a second copy.
        resumed = await RoomClient.open(
            restarted.ws_url, room_id, people[0][1], last_seq=max(acked.values())
        )
        pending = sent[-1]
        retry = await resumed.command(
            "add_statement", {"statement": pending, "text": "retry"}, id=pending
        )
        assert retry["type"] == "ack", retry
        rows = await _verify_chain(url, room_id)
        statements = [r.payload.get("statement") for r in rows if r.type == "statement.added"]
        assert statements.count(pending) == 1
        await resumed.close()
    finally:
        restarted.stop()


@pytest.mark.postgres
async def test_a_deadline_closes_its_round_exactly_once_with_two_processes(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.live.client import http_json, sign_up_live

    one, two = two_servers
    _pid, token = await sign_up_live(one.url, "Ada")
    start = datetime.now(UTC)
    rounds = ["surface_conflict", "weigh_perspectives", "record_dissent", "consent"]
    room = await http_json(
        one.url,
        "POST",
        "/api/rooms",
        token,
        {
            "title": "Async",
            "proposal": "Decide by Friday.",
            "organisation_name": "Council",
            "mode": "asynchronous",
            "deadlines": [
                {"round": r, "closes_at": (start + timedelta(seconds=3 + 60 * i)).isoformat()}
                for i, r in enumerate(rounds)
            ],
        },
    )
    # Both processes poll for due deadlines; the first round's passes in three seconds.
    await asyncio.sleep(5)
    events = await http_json(two.url, "GET", f"/api/rooms/{room['id']}/events", token)
    closed = [e for e in events if e["event"] == "round.closed"]
    assert [e["data"]["round"] for e in closed] == ["surface_conflict"]
    opened = [e["data"]["round"] for e in events if e["event"] == "round.opened"]
    assert opened == ["surface_conflict", "weigh_perspectives"]


@pytest.mark.postgres
async def test_a_process_whose_listen_connection_died_hears_again(
    two_servers: tuple[LiveServer, LiveServer], postgres_url: str
) -> None:
    import asyncpg

    from server.broadcast import plain_dsn

    one, two = two_servers
    room_id, people = await room_with_members(one.url, [("Ada", "Council"), ("Ben", "Charity")])
    ada = await RoomClient.open(one.ws_url, room_id, people[0][1])
    ben = await RoomClient.open(two.ws_url, room_id, people[1][1])
    admin = await asyncpg.connect(plain_dsn(postgres_url))
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    assert killed >= 2
    await asyncio.sleep(4)  # the watchdog looks every two seconds
    ack = await ada.command("open_round", {"round": "surface_conflict"})
    await ben.wait_for_seq(ack["seq"], timeout=5)
    assert ben.events[-1]["event"] == "round.opened"
    await ada.close()
    await ben.close()
