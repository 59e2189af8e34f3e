"""The room WebSocket against a real uvicorn server, with the `websockets` client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.live.client import RoomClient, room_with_members
from tests.live.server import LiveServer


async def test_a_command_is_acked_and_its_event_reaches_every_client(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(
        live_server.url, [("Ada", "Council"), ("Ben", "Charity"), ("Cy", "Trust")]
    )
    clients = [await RoomClient.open(live_server.ws_url, room_id, token) for _pid, token in people]
    facilitator = clients[0]
    ack = await facilitator.command("open_round", {"round": "surface_conflict"})
    assert ack["type"] == "ack", ack
    for client in clients:
        await client.wait_for_seq(ack["seq"])
        assert client.events[-1]["event"] == "round.opened"
        assert client.events[-1]["seq"] == ack["seq"]
    # Every client saw the whole history exactly once, in order.
    for client in clients:
        seqs = [e["seq"] for e in client.events]
        assert seqs == list(range(1, ack["seq"] + 1))
    for client in clients:
        await client.close()


async def test_a_client_resumes_after_a_disconnect_with_no_gap_and_no_duplicate(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(
        live_server.url, [("Ada", "Council"), ("Ben", "Charity")]
    )
    ada = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
    ben = await RoomClient.open(live_server.ws_url, room_id, people[1][1])
    ack = await ada.command("open_round", {"round": "surface_conflict"})
    await ben.wait_for_seq(ack["seq"])
    seen = [e["seq"] for e in ben.events]
    await ben.close()
    # While Ben is away, the room moves on.
    for number in range(5):
        ack = await ada.command(
            "add_statement", {"statement": f"s{number}", "text": f"Point {number}"}
        )
        assert ack["type"] == "ack", ack
    ben_again = await RoomClient.open(live_server.ws_url, room_id, people[1][1], last_seq=seen[-1])
    await ben_again.wait_for_seq(ack["seq"])
    resumed = [e["seq"] for e in ben_again.events]
    assert resumed == list(range(seen[-1] + 1, ack["seq"] + 1))
    # And it stays live afterwards.
    ack = await ada.command("add_statement", {"statement": "late", "text": "After the reconnect"})
    await ben_again.wait_for_seq(ack["seq"])
    assert ben_again.events[-1]["seq"] == ack["seq"]
    assert len({e["seq"] for e in ben_again.events}) == len(ben_again.events)
    await ada.close()
    await ben_again.close()


async def test_malformed_json_and_unknown_types_get_error_frames_and_the_socket_stays_open(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(live_server.url, [("Ada", "Council")])
    ada = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
    await ada.ws.send("{not json")
    frame = await ada.next_reply()
    assert frame["type"] == "error"
    assert frame["code"] == "malformed"
    await ada.send({"type": "dance"})
    frame = await ada.next_reply()
    assert frame["type"] == "error"
    assert frame["code"] == "unknown_type"
    await ada.send({"type": "command", "id": "x"})
    frame = await ada.next_reply()
    assert frame["type"] == "error"
    assert frame["code"] == "invalid"
    await ada.send({"type": "ping"})
    assert (await ada.next_reply())["type"] == "pong"
    await ada.close()


async def test_a_refused_command_gets_an_error_frame_with_its_reason(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(
        live_server.url, [("Ada", "Council"), ("Ben", "Charity")]
    )
    ben = await RoomClient.open(live_server.ws_url, room_id, people[1][1])
    head = ben.head
    reply = await ben.command("open_round", {"round": "surface_conflict"})
    assert reply["type"] == "error"
    assert reply["code"] == "forbidden"
    assert reply["message"]
    reply = await ben.command("add_statement", {"statement": "s", "text": "x"})
    assert reply["code"] == "wrong_round"
    reply = await ben.command("no_such_command")
    assert reply["code"] == "unknown_command"
    await ben.send({"type": "view"})
    view = await ben.next_reply()
    assert view["type"] == "view"
    assert view["seq"] == head
    await ben.close()


async def test_a_replayed_command_id_is_acked_again_without_a_new_event(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(live_server.url, [("Ada", "Council")])
    ada = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
    first = await ada.command("open_round", {"round": "surface_conflict"}, id="cmd-1")
    again = await ada.command("open_round", {"round": "surface_conflict"}, id="cmd-1")
    assert again["type"] == "ack"
    assert again["replayed"] is True
    assert again["seqs"] == first["seqs"]
    await ada.send({"type": "view"})
    while (frame := await ada.next_frame())["type"] != "view":
        pass
    assert frame["seq"] == first["seq"]
    await ada.close()


async def test_an_oversized_frame_closes_with_1009(live_server: LiveServer) -> None:
    room_id, people = await room_with_members(live_server.url, [("Ada", "Council")])
    ada = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
    await ada.ws.send(json.dumps({"type": "ping", "pad": "x" * 70_000}))
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(5):
            await ada.next_frame()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_a_foreign_origin_is_refused_at_the_handshake(live_server: LiveServer) -> None:
    room_id, people = await room_with_members(live_server.url, [("Ada", "Council")])
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            f"{live_server.ws_url}/ws/rooms/{room_id}",
            origin="https://evil.example",  # type: ignore[arg-type]
            additional_headers={"Authorization": f"Bearer {people[0][1]}"},
        )
    assert refused.value.response.status_code == 403
    # Its own origin is fine.
    ok = await connect(
        f"{live_server.ws_url}/ws/rooms/{room_id}",
        origin=live_server.url,  # type: ignore[arg-type]
        additional_headers={"Authorization": f"Bearer {people[0][1]}"},
    )
    await ok.close()


async def _close_code(ws_url: str, path: str, headers: dict[str, str]) -> int:
    async with connect(f"{ws_url}{path}", additional_headers=headers) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code


async def test_unknown_rooms_strangers_and_anonymous_sockets_are_closed_with_documented_codes(
    live_server: LiveServer,
) -> None:
    room_id, _people = await room_with_members(live_server.url, [("Ada", "Council")])
    _other_room, strangers = await room_with_members(live_server.url, [("Eve", "Elsewhere")])
    eve = {"Authorization": f"Bearer {strangers[0][1]}"}
    assert (
        await _close_code(live_server.ws_url, "/ws/rooms/00000000-0000-0000-0000-000000000000", eve)
        == 4404
    )
    assert await _close_code(live_server.ws_url, f"/ws/rooms/{room_id}", eve) == 4404
    assert await _close_code(live_server.ws_url, f"/ws/rooms/{room_id}", {}) == 4401


async def test_events_stream_in_seq_order_to_many_clients_under_concurrent_commands(
    live_server: LiveServer,
) -> None:
    names = [("Ada", "Council")] + [(f"P{i}", f"Org{i % 3}") for i in range(6)]
    room_id, people = await room_with_members(live_server.url, names)
    clients = [await RoomClient.open(live_server.ws_url, room_id, token) for _pid, token in people]
    await clients[0].command("open_round", {"round": "surface_conflict"})

    async def add(client: RoomClient, index: int) -> Any:
        return await client.command(
            "add_statement", {"statement": f"st-{index}", "text": f"Statement {index}"}
        )

    acks = await asyncio.gather(*(add(client, i) for i, client in enumerate(clients[1:])))
    assert all(ack["type"] == "ack" for ack in acks), acks
    top = max(ack["seq"] for ack in acks)
    for client in clients:
        await client.wait_for_seq(top)
        seqs = [e["seq"] for e in client.events]
        assert seqs == list(range(1, top + 1))
        await client.close()


async def test_a_client_gone_before_its_ack_loses_nothing_and_logs_no_error(
    live_server: LiveServer,
) -> None:
    room_id, people = await room_with_members(
        live_server.url, [("Ada", "Council"), ("Ben", "Charity")]
    )
    assert live_server.log_path is not None
    mark = live_server.log_path.stat().st_size
    ben = await RoomClient.open(live_server.ws_url, room_id, people[1][1])
    for number in range(5):
        ada = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
        # The command is on the wire; the connection drops before its ack can be sent.
        await ada.send(
            {
                "type": "command",
                "id": f"gone-{number}",
                "name": "open_round",
                "args": {"round": "surface_conflict"},
            }
            if number == 0
            else {
                "type": "command",
                "id": f"gone-{number}",
                "name": "add_statement",
                "args": {"statement": f"g{number}", "text": f"Said, then gone {number}"},
            }
        )
        ada.ws.transport.abort()
    await asyncio.sleep(1.0)
    # Whatever reached the server before the drop was kept, once, and the others see it.
    again = await RoomClient.open(live_server.ws_url, room_id, people[0][1])
    probe = await again.command("raise_hand", {})
    head = probe.get("seq", again.head)
    await ben.wait_for_seq(head)
    seqs = [e["seq"] for e in ben.events]
    assert seqs == list(range(1, head + 1))
    await again.close()
    await ben.close()
    log = live_server.log_path.read_bytes()[mark:].decode(errors="replace")
    assert "Traceback" not in log, log[-3000:]
