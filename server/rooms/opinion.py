"""Live opinion groups: recomputed as reactions arrive, throttled, pushed to the room.

Each process keeps an incremental ``deliberation.opinion.OpinionEngine`` per room that has
sockets here, fed by the ``reaction.recorded`` and moderation events that pass through the
fan-out. A burst of reactions schedules one recomputation, at most every
``THROTTLE_S``; its result goes to the room's sockets as an ``opinion`` frame (not a
stored event: it is derived from stored events and recomputed at will) and is what
``GET /api/rooms/{id}/opinion`` and the pages show. Recomputation runs in a worker thread so
the event loop keeps fanning out while numpy and scikit-learn work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from deliberation.opinion import OpinionEngine, organisations_across_groups, to_json
from server.rooms.event_store import StoredEvent

log = logging.getLogger(__name__)

THROTTLE_S = 0.3
VOTE = {"agree": 1, "disagree": -1, "pass": 0}
RELEVANT = frozenset(
    {"reaction.recorded", "statement.hidden", "statement.accepted", "statement.added"}
)


@dataclass
class _RoomOpinion:
    engine: OpinionEngine = field(default_factory=OpinionEngine)
    latest: dict[str, Any] | None = None
    seq: int = 0
    dirty: bool = False
    task: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def feed(engine: OpinionEngine, event_type: str, payload: dict[str, Any]) -> bool:
    """Apply one stored event to the engine; say whether it changed the votes."""
    if event_type == "reaction.recorded":
        engine.add_vote(
            str(payload["participant"]), str(payload["statement"]), VOTE[str(payload["reaction"])]
        )
        return True
    if event_type == "statement.hidden":
        engine.moderate_out(str(payload["statement"]))
        return True
    if event_type == "statement.accepted":
        engine.moderate_in(str(payload["statement"]))
        return True
    return False


def seed_engine(state: Any) -> OpinionEngine:
    """An engine holding every reaction the room's state knows, moderation applied."""
    engine = OpinionEngine()
    surface = state.surface
    for statement, reactions in surface.reactions.items():
        for participant, reaction in reactions.items():
            engine.add_vote(str(participant), str(statement), VOTE[str(reaction)])
    for statement, record in surface.statements.items():
        if str(getattr(record, "status", "accepted")) != "accepted":
            engine.moderate_out(str(statement))
    return engine


def picture(engine: OpinionEngine, state: Any) -> dict[str, Any]:
    result = engine.recompute()
    data = to_json(result)
    organisation_of = {
        str(pid): state.organisations.get(member.organisation, str(member.organisation))
        for pid, member in state.members.items()
    }
    data["organisations"] = {
        org: {str(g): n for g, n in spread.items()}
        for org, spread in organisations_across_groups(result.groups, organisation_of).items()
    }
    return data


class OpinionService:
    def __init__(
        self,
        load_state: Callable[[uuid.UUID], Awaitable[tuple[int, Any]]],
        broadcast: Callable[[uuid.UUID, str], Awaitable[None]],
    ) -> None:
        self._rooms: dict[uuid.UUID, _RoomOpinion] = {}
        self._load_state = load_state
        self._broadcast = broadcast

    async def current(self, room_id: uuid.UUID) -> dict[str, Any]:
        """The latest groups, computing them now if this process has none yet."""
        room = await self._room(room_id)
        async with room.lock:
            if room.latest is None or room.dirty:
                await self._recompute(room_id, room)
        assert room.latest is not None
        return {"seq": room.seq, **room.latest}

    async def on_events(self, room_id: uuid.UUID, events: Sequence[StoredEvent]) -> None:
        relevant = [e for e in events if e.type in RELEVANT]
        if not relevant:
            return
        room = self._rooms.get(room_id) or await self._room(room_id)  # seeded from the state
        for stored in relevant:
            if stored.seq > room.seq and feed(room.engine, stored.type, stored.payload):
                room.dirty = True
            room.seq = max(room.seq, stored.seq)
        if room.dirty and (room.task is None or room.task.done()):
            room.task = asyncio.create_task(self._throttled(room_id, room))

    async def _room(self, room_id: uuid.UUID) -> _RoomOpinion:
        room = self._rooms.get(room_id)
        if room is None:
            seq, state = await self._load_state(room_id)
            room = self._rooms.setdefault(
                room_id, _RoomOpinion(engine=seed_engine(state), seq=seq, dirty=True)
            )
        return room

    async def _throttled(self, room_id: uuid.UUID, room: _RoomOpinion) -> None:
        await asyncio.sleep(THROTTLE_S)  # everything arriving meanwhile joins this recomputation
        try:
            async with room.lock:
                await self._recompute(room_id, room)
            assert room.latest is not None
            frame = json.dumps(
                {"type": "opinion", "seq": room.seq, "opinion": room.latest}, separators=(",", ":")
            )
            await self._broadcast(room_id, frame)
        except Exception:
            log.exception("opinion groups for room %s could not be recomputed", room_id)

    async def _recompute(self, room_id: uuid.UUID, room: _RoomOpinion) -> None:
        _seq, state = await self._load_state(room_id)
        room.dirty = False
        room.latest = await asyncio.to_thread(picture, room.engine, state)

    def forget(self, room_id: uuid.UUID) -> None:
        self._rooms.pop(room_id, None)
