"""Fan-out to a room's sockets: a socket that stalls is closed with 4408 and the others
still get every event; the send timer cancels nothing but the stalled send."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

import deliberation
from server.rooms import fanout
from server.rooms.codec import command_from_wire, dump_event
from server.rooms.event_store import StoredEvent
from server.rooms.fanout import CLOSE_TOO_SLOW, Listener, RoomHub, SendClock, notification

ROOM = uuid.uuid4()
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def a_room() -> tuple[Any, list[StoredEvent]]:
    """A created room's state and its first event, stored."""
    ctx = deliberation.Context(actor=deliberation.ParticipantId("ada"), at=AT)
    create = command_from_wire(
        "create_room",
        {
            "room": "r",
            "title": "T",
            "proposal": "P",
            "owner_name": "Ada",
            "organisation": "o1",
            "organisation_name": "Council",
        },
    )
    events = deliberation.decide(deliberation.INITIAL, create, ctx)
    state, stored = deliberation.INITIAL, []
    for seq, event in enumerate(events, start=1):
        state = deliberation.evolve(state, event)
        kind, payload = dump_event(event)
        stored.append(
            StoredEvent(ROOM, seq, kind, payload, "ada", None, AT, None, "0" * 64, "0" * 64)
        )
    return state, stored


class Socket:
    """A room socket; ``raw`` ones take ASGI messages, as uvicorn's own send does."""

    def __init__(self, stall: bool = False, raw: bool = False) -> None:
        self.stall = stall
        self.frames: list[str] = []
        self.closed_with: int | None = None
        self.listener = Listener(
            send_text=self.send_text,
            close=self.close,
            viewer="ada",
            send_message=self.send_message if raw else None,
        )
        self.listener.live = True

    async def send_text(self, text: str) -> None:
        if self.stall:
            await asyncio.Event().wait()
        self.frames.append(text)

    async def send_message(self, message: dict[str, Any]) -> None:
        assert message["type"] == "websocket.send"
        await self.send_text(message["text"])

    async def close(self, code: int, _reason: str) -> None:
        self.closed_with = code


@pytest.mark.parametrize("raw", [False, True])
async def test_a_stalled_socket_is_closed_and_the_others_get_every_event(
    monkeypatch: pytest.MonkeyPatch, raw: bool
) -> None:
    monkeypatch.setattr(fanout, "SLOW_CLIENT_TIMEOUT_S", 0.05)
    state, stored = a_room()

    async def read_events(_room: uuid.UUID, _after: int) -> list[StoredEvent]:
        return stored

    async def load_state(_room: uuid.UUID, _fresh: bool) -> Any:
        return state

    hub = RoomHub(read_events, load_state)
    sockets = [Socket(raw=raw), Socket(stall=True, raw=raw), Socket(raw=raw)]
    for socket in sockets:
        hub.join(ROOM, socket.listener, 0)
    await hub.advance(ROOM, stored[-1].seq, stored)
    assert sockets[0].frames == sockets[2].frames
    fast = [sockets[0], sockets[2]]
    assert all(len(s.frames) == len(stored) for s in fast)
    assert all(s.listener.sent_seq == stored[-1].seq and s.closed_with is None for s in fast)
    assert sockets[1].closed_with == CLOSE_TOO_SLOW
    assert sockets[1].listener.closed
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    await asyncio.sleep(0.1)  # no stray cancellation is left to land on a later await


async def test_the_send_clock_times_each_send_not_the_whole_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fanout, "SLOW_CLIENT_TIMEOUT_S", 0.1)

    async def slowish(_text: str) -> None:
        await asyncio.sleep(0.04)

    with SendClock() as clock:
        for _ in range(6):  # 0.24 s in all, each well under the limit
            await clock.send(slowish, "x")


async def test_a_cancellation_from_outside_is_not_taken_for_a_slow_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fanout, "SLOW_CLIENT_TIMEOUT_S", 10.0)

    async def stall(_text: str) -> None:
        await asyncio.Event().wait()

    async def run() -> None:
        with SendClock() as clock:
            await clock.send(stall, "x")

    task = asyncio.create_task(run())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_hub_skips_its_own_notifications_and_follows_other_processes() -> None:
    state, stored = a_room()
    reads: list[int] = []

    async def read_events(_room: uuid.UUID, after: int) -> list[StoredEvent]:
        reads.append(after)
        return [s for s in stored if s.seq > after]

    async def load_state(_room: uuid.UUID, _fresh: bool) -> Any:
        return state

    hub = RoomHub(read_events, load_state)
    socket = Socket()
    hub.join(ROOM, socket.listener, 0)
    head = stored[-1].seq
    await hub.on_notification(notification(ROOM, head, hub.origin))
    assert reads == []  # its own: the writer's advance() sends the events
    assert socket.frames == []
    await hub.on_notification(notification(ROOM, head, "another-process"))
    assert reads == [0]
    assert len(socket.frames) == len(stored)
