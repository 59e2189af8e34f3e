"""The deadline worker: runs the room's ``tick`` when its next deadline has passed.

Deadlines are rows (``room_deadlines``). On PostgreSQL a process claims due rows with
``FOR UPDATE SKIP LOCKED`` and runs the tick inside the same transaction, so two processes
never close the same round twice; the core's ``tick`` also re-checks the clock, so a stale
or repeated tick does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import deliberation
from server.rooms.codec import command_from_wire
from server.rooms.event_store import Conflict
from server.rooms.service import RoomService, due_rooms, schedule

log = logging.getLogger(__name__)


async def run_due(service: RoomService, now: Any) -> int:
    """Tick every room whose deadline passed; return how many rooms advanced."""
    advanced = 0
    async with service.sessions() as session, session.begin():
        room_ids = await due_rooms(session, now)
        published = []
        for room_id in room_ids:
            try:
                async with session.begin_nested():
                    _result, stored = await service.attempt(
                        session,
                        room_id,
                        command_from_wire("tick", {}),
                        deliberation.Context(actor=None, at=now),
                        None,
                    )
            except (deliberation.Rejected, Conflict):
                service.cache.forget(room_id)
                log.warning("tick for room %s did not apply", room_id, exc_info=True)
                continue
            if stored:
                published.append((room_id, stored))
                advanced += 1
            else:
                # Nothing was due after all: wake up at the next real deadline, not every poll.
                _seq, state = await service.state(room_id)
                due = deliberation.next_deadline(state)
                await schedule(session, room_id, due if due is not None and due > now else None)
    for room_id, stored in published:
        await service.publish(room_id, stored)
    return advanced


async def deadline_worker(service: RoomService, clock: Any, interval_s: float) -> None:
    while True:
        try:
            await run_due(service, clock.now())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deadline worker failed; retrying")
        await asyncio.sleep(interval_s)
