"""Every command, every role: who may even try (the gate), before the rules of the room."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.db.tables import RoomEvent
from server.rooms.commands import public_commands
from tests.api import command, join, open_room, sign_up


async def test_strangers_get_404_and_observers_403_for_every_command_and_nothing_is_written(
    client: Any, db: Any
) -> None:
    ada, obs, eve = (
        await sign_up(client, "Ada"),
        await sign_up(client, "Obi"),
        await sign_up(client, "Eve"),
    )
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, obs, None, role="observer")
    async with db() as session:
        before = await session.scalar(select(func.count()).select_from(RoomEvent))
    for name in sorted(public_commands()):
        stranger = await command(client, room_id, eve, name, {})
        assert stranger.status_code == 404, (name, stranger.text)
        observer = await command(client, room_id, obs, name, {})
        assert observer.status_code == 403, (name, observer.text)
        # No credentials: the CSRF check (cookie requests) refuses before authentication.
        anonymous = await client.post(f"/api/rooms/{room_id}/commands/{name}", json={})
        assert anonymous.status_code == 403, (name, anonymous.text)
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(RoomEvent)) == before


async def test_the_read_routes_need_membership(client: Any) -> None:
    ada, eve = await sign_up(client, "Ada"), await sign_up(client, "Eve")
    room_id = await open_room(client, ada)
    for path in ("", "/view", "/events", "/fairness", "/opinion", "/publication", "/receipts"):
        assert (
            await client.get(f"/api/rooms/{room_id}{path}", headers=eve.headers)
        ).status_code == 404, path
        assert (await client.get(f"/api/rooms/{room_id}{path}")).status_code == 401, path
    assert (
        await client.post(f"/api/rooms/{room_id}/invitations", json={}, headers=eve.headers)
    ).status_code == 404
    assert (
        await client.post(f"/api/rooms/{room_id}/publication", json={}, headers=eve.headers)
    ).status_code == 404
