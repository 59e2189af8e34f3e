"""Asynchronous rooms: rounds close by themselves when their deadline passes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from tests.api import join, open_room, sign_up


def deadlines(clock: Any, hours: list[int]) -> list[dict[str, str]]:
    rounds = ["surface_conflict", "weigh_perspectives", "record_dissent", "consent"]
    return [
        {"round": name, "closes_at": (clock.now() + timedelta(hours=h)).isoformat()}
        for name, h in zip(rounds, hours, strict=True)
    ]


async def events_of(client: Any, room_id: str, person: Any) -> list[dict[str, Any]]:
    return list((await client.get(f"/api/rooms/{room_id}/events", headers=person.headers)).json())


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > end:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_a_round_closes_by_itself_at_its_deadline_and_the_next_opens(
    client: Any, clock: Any
) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(
        client, ada, mode="asynchronous", deadlines=deadlines(clock, [24, 48, 72, 96])
    )
    await join(client, room_id, ada, ben, "Charity")
    events = await events_of(client, room_id, ada)
    assert [e["data"]["round"] for e in events if e["event"] == "round.opened"] == [
        "surface_conflict"
    ]
    clock.advance(hours=25)

    async def closed() -> bool:
        return any(e["event"] == "round.closed" for e in await events_of(client, room_id, ada))

    await wait_for(closed)
    events = await events_of(client, room_id, ada)
    assert [e["data"]["round"] for e in events if e["event"] == "round.closed"] == [
        "surface_conflict"
    ]
    assert [e["data"]["round"] for e in events if e["event"] == "round.opened"] == [
        "surface_conflict",
        "weigh_perspectives",
    ]
    # The worker keeps polling: nothing more happens until the next deadline.
    count = len(events)
    await asyncio.sleep(0.5)
    assert len(await events_of(client, room_id, ada)) == count


async def test_a_reminder_is_an_event_before_the_deadline(client: Any, clock: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(
        client, ada, mode="asynchronous", deadlines=deadlines(clock, [48, 72, 96, 120])
    )
    await join(client, room_id, ada, ben, "Charity")
    clock.advance(hours=25)  # the default reminder is a day before the deadline

    async def reminded() -> bool:
        return any(e["event"] == "reminder.due" for e in await events_of(client, room_id, ada))

    await wait_for(reminded)
    assert not any(e["event"] == "round.closed" for e in await events_of(client, room_id, ada))
