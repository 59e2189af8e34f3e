"""The speaking cap's clock through the server, on SQLite and PostgreSQL: the deadline
worker warns the speaker when their organisation reaches the cap while someone under it
waits, the pages show the warning, and after the grace the speech ends by itself."""

from __future__ import annotations

from typing import Any

from tests.api import PASSWORD, command, join, open_room, sign_up
from tests.server.test_deadlines import events_of, wait_for


async def test_the_clock_warns_at_the_cap_and_ends_the_speech_after_the_grace(
    client: Any, clock: Any
) -> None:
    fay, ben, cy = [await sign_up(client, name) for name in ("Fay", "Ben", "Cy")]
    room = await open_room(client, fay, rules={"speaking_cap": "3/10", "cap_grace_ms": 10_000})
    await join(client, room, fay, ben, "Charity Alliance")
    await join(client, room, fay, cy, "Riverside Trust")
    for person, name in ((ben, "raise_hand"), (fay, "next_speaker"), (cy, "raise_hand")):
        response = await command(client, room, person, name)
        assert response.status_code < 300, response.text

    async def has(kind: str) -> bool:
        return any(e["event"] == kind for e in await events_of(client, room, fay))

    # Ben's charity holds the whole floor from the first moment, and Cy waits: warned now.
    await wait_for(lambda: has("speech.cap_reached"))
    view = (await client.get(f"/api/rooms/{room}/view", headers=ben.headers)).json()["view"]
    warning = view["floor"]["speech"]["cap_warning"]
    assert warning["flagged"] is False
    login = await client.post("/api/auth/login", json={"email": ben.email, "password": PASSWORD})
    assert login.status_code == 200
    page = await client.get(f"/rooms/{room}")
    assert "at the speaking cap" in page.text
    assert warning["grace_ends_at"][11:19] in page.text
    assert not await has("speech.ended")

    clock.advance(seconds=11)
    await wait_for(lambda: has("speech.ended"))
    [ended] = [e for e in await events_of(client, room, fay) if e["event"] == "speech.ended"]
    assert ended["data"]["ending"] == "cap_grace_over"
    assert ended["data"]["duration_ms"] == 10_000  # up to the grace's end, not the late tick
