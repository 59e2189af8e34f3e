"""Opinion groups pushed to a live room: a burst of reactions costs one recomputation."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.live.client import RoomClient, http_json, room_with_members
from tests.live.server import LiveServer


async def test_a_burst_of_reactions_is_pushed_as_one_opinion_frame(live_server: LiveServer) -> None:
    names = [("Ada", "Council")] + [(f"P{i}", "Trust" if i < 4 else "Charity") for i in range(8)]
    room_id, people = await room_with_members(live_server.url, names)
    clients = [await RoomClient.open(live_server.ws_url, room_id, token) for _pid, token in people]
    await clients[0].command("open_round", {"round": "surface_conflict"})
    for index in range(8):
        ack = await clients[1 + index % 8].command(
            "add_statement", {"statement": f"s{index}", "text": f"Point {index}"}
        )
        assert ack["type"] == "ack", ack

    async def react(client: RoomClient, who: int) -> None:
        for index in range(8):
            # Two camps: the Trust agrees with the even statements, the Charity with the odd.
            agree = (index % 2 == 0) == (who < 4)
            await client.command(
                "react", {"statement": f"s{index}", "reaction": "agree" if agree else "disagree"}
            )

    await asyncio.gather(*(react(client, who) for who, client in enumerate(clients[1:])))
    watcher = clients[0]
    frames: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + 10
    while asyncio.get_running_loop().time() < deadline:
        try:
            frame = await watcher.next_frame(timeout=1.5)
        except TimeoutError:
            if frames:
                break
            continue
        if frame["type"] == "opinion":
            frames.append(frame)
    # 64 reactions arrived within a few seconds; the throttle (one recomputation per 0.3 s
    # at most) folded them into far fewer pushes than reactions.
    assert 1 <= len(frames) <= 64 // 4, len(frames)
    latest = frames[-1]["opinion"]
    assert latest["k"] >= 2
    groups = latest["groups"]
    trust = {groups[pid] for pid, _token in people[1:5]}
    charity = {groups[pid] for pid, _token in people[5:]}
    assert len(trust) == 1
    assert len(charity) == 1
    assert trust != charity
    assert set(latest["organisations"]) == {"Trust", "Charity"}
    over_http = await http_json(
        live_server.url, "GET", f"/api/rooms/{room_id}/opinion", people[0][1]
    )
    assert over_http["groups"] == groups
    for client in clients:
        await client.close()
