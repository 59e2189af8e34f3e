"""A room client over the real WebSocket protocol, as scripts and the simulator use it."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.api import PASSWORD


class RoomClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self.last_seq = 0

    @classmethod
    async def open(
        cls, ws_url: str, room_id: str, token: str, last_seq: int = 0, **kw: Any
    ) -> RoomClient:
        ws = await connect(
            f"{ws_url}/ws/rooms/{room_id}",
            additional_headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})},
            **kw,
        )
        client = cls(ws)
        client.last_seq = last_seq
        await client.send({"type": "hello", "last_seq": last_seq})
        welcome = await client.next_frame()
        assert welcome["type"] == "welcome", welcome
        client.head = welcome["seq"]
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def next_frame(self, timeout: float = 5.0) -> dict[str, Any]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if frame.get("type") == "event":
            self.events.append(frame)
            self.last_seq = frame["seq"]
        return frame

    async def next_reply(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next frame that is not a room event (an ack, error, view, pong...)."""
        while (frame := await self.next_frame(timeout))["type"] == "event":
            pass
        return frame

    async def wait_for_seq(self, seq: int, timeout: float = 5.0) -> None:
        while self.last_seq < seq:
            await self.next_frame(timeout)

    async def command(
        self, name: str, args: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        ref = extra.pop("id", None) or uuid.uuid4().hex
        await self.send({"type": "command", "id": ref, "name": name, "args": args or {}, **extra})
        while True:
            frame = await self.next_frame()
            if frame.get("type") in ("ack", "error") and frame.get("id") == ref:
                return frame

    async def close(self) -> None:
        await self.ws.close()


async def sign_up_live(base_url: str, name: str) -> tuple[str, str]:
    """Register over HTTP; return (participant id, bearer token)."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org"
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/auth/register", json={"email": email, "display_name": name, "password": PASSWORD}
        )
        response.raise_for_status()
        user_id = response.json()["id"]
        response = await http.post("/api/auth/token", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        return user_id, response.json()["token"]


async def http_json(
    base_url: str, method: str, path: str, token: str, body: Any = None, **kw: Any
) -> Any:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}, **kw
        )
        response.raise_for_status()
        return response.json()


async def room_with_members(
    base_url: str, names: list[tuple[str, str]]
) -> tuple[str, list[tuple[str, str]]]:
    """The first person opens a room; the others join with their organisations."""
    people = [await sign_up_live(base_url, name) for name, _org in names]
    owner_token = people[0][1]
    room = await http_json(
        base_url,
        "POST",
        "/api/rooms",
        owner_token,
        {
            "title": "Live room",
            "proposal": "Share the minibus.",
            "organisation_name": names[0][1],
        },
    )
    for (_name, org), (_pid, token) in zip(names[1:], people[1:], strict=True):
        invitation = await http_json(
            base_url,
            "POST",
            f"/api/rooms/{room['id']}/invitations",
            owner_token,
            {"role": "participant"},
        )
        await http_json(
            base_url,
            "POST",
            f"/api/invitations/{invitation['token']}/accept",
            token,
            {"organisation_name": org},
        )
    return room["id"], people
