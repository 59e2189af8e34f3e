"""Live fan-out of a room's events to the sockets connected to this process.

One loop per room sends each event's frame, encoded once, to every socket in order of
``seq``. Other processes learn that a room advanced through Litestar Channels (a message
of a few bytes: room id and seq; on PostgreSQL the append statement sends it itself, so it
goes out at commit); they read the events from the table themselves, so a lost
notification delays a client but never loses an event (its next message or reconnect
catches up from the table).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.rooms.event_store import StoredEvent
from server.rooms.redaction import Renderer

log = logging.getLogger(__name__)

ROOMS_CHANNEL = "evenfloor_rooms"
# A socket whose send does not complete in this time is closed; it resumes on reconnect.
SLOW_CLIENT_TIMEOUT_S = 2.0
CLOSE_TOO_SLOW = 4408

ReadEvents = Callable[[uuid.UUID, int], Awaitable[Sequence[StoredEvent]]]
# The server's own ASGI ``send`` of a socket, taking {"type": "websocket.send", "text": ..}.
SendMessage = Callable[[dict[str, Any]], Awaitable[None]]
# (room, fresh): fresh=True reads the table (events written by another process), False
# may answer from this process's cache (it has just written the events itself).
LoadState = Callable[[uuid.UUID, bool], Awaitable[Any]]


@dataclass(eq=False)
class Listener:
    """One socket in one room, and the last seq it was sent."""

    send_text: Callable[[str], Awaitable[None]]
    close: Callable[[int, str], Awaitable[None]]
    # The server's raw ASGI send, when there is one (``server.asgi``): a frame then goes
    # out as one message dict built once per kind of viewer, with no wrapper coroutine.
    send_message: SendMessage | None = None
    viewer: str | None = None  # the participant on the other end: what they may see
    sent_seq: int = 0
    live: bool = False  # False while it catches up from the table after hello
    closed: bool = False


class SendClock:
    """Times one task's run of sends with a single loop timer.

    ``asyncio.timeout`` around each send arms and disarms a loop timer per delivery, which
    under uvloop cost about half as much as the send itself (py-spy, 100 sockets). This
    arms one timer per run; when it fires it re-arms for the send then in progress, and
    only if that send is already ``SLOW_CLIENT_TIMEOUT_S`` old does it cancel the task, as
    ``asyncio.timeout`` would. ``_expired`` tells a cancellation of its own from anyone else's.
    """

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._cancelling = task.cancelling()
        self._started: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._expired = False

    def __enter__(self) -> SendClock:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def send(self, send: Callable[[Any], Awaitable[None]], item: Any) -> None:
        """``await send(item)``; ``TimeoutError`` if it took the timeout or more."""
        self.start()
        try:
            await send(item)
        except asyncio.CancelledError:
            if not self.timed_out():
                raise
            raise TimeoutError from None
        finally:
            self._started = None

    def start(self) -> None:
        """A send begins now (``send`` for a caller that awaits the send itself)."""
        self._started = started = self._loop.time()
        if self._timer is None:
            self._timer = self._loop.call_at(started + SLOW_CLIENT_TIMEOUT_S, self._check)

    def stop(self) -> None:
        self._started = None

    def timed_out(self) -> bool:
        """Whether a ``CancelledError`` out of the send was this clock's alone: False means
        re-raise it (not ours, or cancelled from outside as well, which must win)."""
        if not self._expired:
            return False
        self._expired = False
        return self._task.uncancel() <= self._cancelling

    def _check(self) -> None:
        self._timer = None
        if self._started is None:
            return  # between sends: the next one re-arms
        due = self._started + SLOW_CLIENT_TIMEOUT_S
        if self._loop.time() < due:
            self._timer = self._loop.call_at(due, self._check)
            return
        self._expired = True
        self._task.cancel()


@dataclass
class _Room:
    head: int = 0
    listeners: set[Listener] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class RoomHub:
    """The sockets of every room (or, with a meeting's ``renderer``, every meeting) that
    have a client connected to this process."""

    def __init__(
        self, read_events: ReadEvents, load_state: LoadState, renderer: Any = Renderer
    ) -> None:
        self._rooms: dict[uuid.UUID, _Room] = {}
        self._read_events = read_events
        self._load_state = load_state
        # (state, stored) -> frames per viewer: ``Renderer`` gates a room's events by viewer.
        self._renderer = renderer
        # Tells this process's notifications (``notification``) from other processes'.
        self.origin = uuid.uuid4().hex
        # Called with each batch of new events of a room that has sockets here (after they
        # were sent), e.g. to recompute the room's opinion groups.
        self.observers: list[Callable[[uuid.UUID, Sequence[StoredEvent]], Awaitable[None]]] = []

    def listener_count(self, room_id: uuid.UUID | None = None) -> int:
        if room_id is not None:
            room = self._rooms.get(room_id)
            return len(room.listeners) if room else 0
        return sum(len(room.listeners) for room in self._rooms.values())

    def join(self, room_id: uuid.UUID, listener: Listener, head_seq: int) -> None:
        """Add a socket; ``head_seq`` is the room's head as read from the table just before."""
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = _Room(head=head_seq)
        room.listeners.add(listener)

    def leave(self, room_id: uuid.UUID, listener: Listener) -> None:
        room = self._rooms.get(room_id)
        if room is None:
            return
        room.listeners.discard(listener)
        if not room.listeners:
            del self._rooms[room_id]

    async def catch_up(self, room_id: uuid.UUID, listener: Listener) -> None:
        """Send a (re)joining socket what it missed, then make it live without a gap."""
        while True:
            missed = await self._read_events(room_id, listener.sent_seq)
            if missed:
                state = await self._load_state(room_id, True)
                with SendClock() as clock:
                    for stored in missed:
                        renderer = self._renderer(state, stored)
                        await self._send(clock, listener, stored.seq, renderer)
            room = self._rooms.get(room_id)
            if room is None:
                return
            async with room.lock:
                # From here on advance(), which holds the same lock, sends it each event
                # whose seq follows the last one it had, so nothing is skipped or doubled.
                if not missed or listener.sent_seq >= room.head:
                    listener.live = True
                    return

    async def advance(
        self, room_id: uuid.UUID, seq: int, events: Sequence[StoredEvent] = ()
    ) -> None:
        """The room reached ``seq``: send every listener the events it has not had."""
        room = self._rooms.get(room_id)
        if room is None:
            return
        async with room.lock:
            if seq <= room.head:
                return
            fresh = [stored for stored in events if stored.seq > room.head]
            from_table = not fresh or fresh[0].seq != room.head + 1 or fresh[-1].seq < seq
            if from_table:
                fresh = list(await self._read_events(room_id, room.head))
            sent: list[StoredEvent] = []
            state = await self._load_state(room_id, from_table) if fresh else None
            with SendClock() as clock:
                for stored in fresh:
                    if stored.seq != room.head + 1:
                        break
                    renderer = self._renderer(state, stored)
                    previous = stored.seq - 1
                    for listener in list(room.listeners):
                        if listener.live and listener.sent_seq == previous:
                            await self._send(clock, listener, stored.seq, renderer)
                    room.head = stored.seq
                    sent.append(stored)
        for observer in self.observers:
            try:
                await observer(room_id, sent)
            except Exception:
                log.exception("room observer failed")

    async def broadcast(self, room_id: uuid.UUID, frame: str) -> None:
        """Send a derived, unsequenced frame (such as opinion groups) to the room's live sockets."""
        room = self._rooms.get(room_id)
        if room is None:
            return
        message = {"type": "websocket.send", "text": frame}
        with SendClock() as clock:
            for listener in list(room.listeners):
                if listener.live and not listener.closed:
                    try:
                        if listener.send_message is not None:
                            await clock.send(listener.send_message, message)
                        else:
                            await clock.send(listener.send_text, frame)
                    except Exception:
                        continue

    def viewers(self, room_id: uuid.UUID) -> set[str]:
        """The participants with a live socket on this room in this process."""
        room = self._rooms.get(room_id)
        if room is None:
            return set()
        return {each.viewer for each in room.listeners if each.live and each.viewer is not None}

    async def send_each(self, room_id: uuid.UUID, frames: dict[str, str]) -> None:
        """Send each live socket the unsequenced frame meant for its viewer, if any (such as
        their unread notification count)."""
        room = self._rooms.get(room_id)
        if room is None:
            return
        with SendClock() as clock:
            for listener in list(room.listeners):
                frame = frames.get(listener.viewer or "")
                if frame is None or not listener.live or listener.closed:
                    continue
                try:
                    await clock.send(listener.send_text, frame)
                except Exception:
                    continue

    async def _send(
        self, clock: SendClock, listener: Listener, seq: int, renderer: Renderer
    ) -> None:
        """Send ``listener`` its frame of one event, timed by ``clock``. The hot path of a
        fan-out: one coroutine between the loop over sockets and the server's send."""
        if listener.closed:
            return
        clock.start()
        try:
            try:
                if listener.send_message is not None:
                    await listener.send_message(renderer.message_for(listener.viewer))
                else:
                    await listener.send_text(renderer.for_viewer(listener.viewer))
            finally:
                clock.stop()  # before the close below, which the clock must not time
        except asyncio.CancelledError:
            if not clock.timed_out():
                raise
            listener.closed = True
            with contextlib.suppress(Exception):
                await listener.close(CLOSE_TOO_SLOW, "too slow: reconnect and resume")
            return
        except Exception:  # the socket went away; its handler cleans up
            listener.closed = True
            return
        listener.sent_seq = seq

    async def on_notification(self, message: bytes | str) -> None:
        """A room advanced in some process (this one included)."""
        try:
            note: Any = json.loads(message)
            room_id, seq = uuid.UUID(note["room"]), int(note["seq"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored malformed room notification %r", message)
            return
        if note.get("from") == self.origin:
            return  # this process wrote those events and sends them itself (``advance``)
        await self.advance(room_id, seq)


def notification(room_id: uuid.UUID, seq: int, origin: str | None = None) -> str:
    """``origin`` names the hub (the process) that wrote the events, so it can skip its own
    notice: on PostgreSQL the notice arrives at commit, before the writer's own fan-out."""
    note: dict[str, Any] = {"room": str(room_id), "seq": seq}
    if origin is not None:
        note["from"] = origin
    return json.dumps(note)
