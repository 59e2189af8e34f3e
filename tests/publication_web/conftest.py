"""One populated SQLite database for the whole package: three public rooms that each held
a short meeting and published under one policy, a private room that published, and a
public room that never did. Built once through the HTTP API (one app start-up); every
public response the tests look at is fetched then, so the tests themselves are quick."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.api import Person, command, join, open_room, sign_up
from tests.conftest import make_settings

POLICIES = ("names", "organisations", "anonymous")
NAMES = ("Ada Lovelace", "Ben Okri", "Cy Twombly")


@dataclass
class Fetched:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class World:
    database: Path
    url: str
    rooms: dict[str, str]  # policy -> room id
    private_room: str
    unpublished_room: str
    published: dict[str, dict[str, Any]] = field(default_factory=dict)  # room id -> document
    responses: dict[str, Fetched] = field(default_factory=dict)  # path -> response

    def get(self, path: str) -> Fetched:
        return self.responses[path]

    def stored_text(self, room_id: str) -> str:
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute(
                "SELECT room_id, document FROM published_logs WHERE document != ''"
            ).fetchall()
        for stored_id, document in rows:
            as_uuid = uuid.UUID(bytes=stored_id) if isinstance(stored_id, bytes) else stored_id
            if str(uuid.UUID(str(as_uuid))) == room_id:
                return str(document)
        raise KeyError(room_id)


async def meeting(client: Any, clock: Any, room_id: str, people: list[Person]) -> None:
    """A short meeting: all four rounds, a speech, a statement, a perspective, two
    dissents (one withdrawn), consent with a concern and a stand-aside, then closed."""
    ada, ben, cy = people

    async def run(person: Person, name: str, args: dict[str, Any] | None = None) -> None:
        response = await command(client, room_id, person, name, args)
        assert response.status_code == 200, (name, response.text)
        clock.advance(seconds=30)

    await run(ada, "open_round", {"round": "surface_conflict"})
    await run(ben, "raise_hand", {})
    await run(ada, "next_speaker", {})
    clock.advance(seconds=60)
    await run(ben, "end_speech", {})
    await run(ben, "add_statement", {"statement": "s1", "text": "Evening routes matter most."})
    await run(cy, "react", {"statement": "s1", "reaction": "agree"})
    await run(ada, "close_round")
    await run(ada, "open_round", {"round": "weigh_perspectives"})
    await run(
        cy,
        "table_perspective",
        {"perspective": "p1", "kind": "risk", "text": "Drivers are scarce."},
    )
    await run(ada, "close_round")
    await run(ada, "open_round", {"round": "record_dissent"})
    await run(cy, "record_dissent", {"dissent": "d1", "text": "A minibus serves too few."})
    await run(
        ben, "record_dissent", {"dissent": "d2", "text": "Wrong year.", "kind": "minority_view"}
    )
    await run(ben, "withdraw_dissent", {"dissent": "d2"})
    await run(ada, "close_round")
    await run(ada, "open_round", {"round": "consent"})
    await run(ben, "answer_consent", {"position": "concern", "text": "Running costs are unclear."})
    await run(cy, "answer_consent", {"position": "stand_aside", "text": "Not our area."})
    await run(ada, "answer_consent", {"position": "consent"})
    await run(ada, "close_round")


async def _build(database: Path) -> World:
    from litestar.testing import AsyncTestClient

    from server.app import create_app
    from server.clock import ManualClock

    url = f"sqlite+aiosqlite:///{database}"
    clock = ManualClock()
    app = create_app(make_settings(url), clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        people = [await sign_up(client, name) for name in NAMES]
        ada, ben, cy = people

        async def room(policy: str, title: str, **fields: Any) -> str:
            room_id = await open_room(client, ada, title=title, publication=policy, **fields)
            await join(client, room_id, ada, ben, "Food Bank")
            await join(client, room_id, ada, cy, "Youth Club")
            return room_id

        async def publish(room_id: str) -> dict[str, Any]:
            response = await client.post(
                f"/api/rooms/{room_id}/publication", json={}, headers=ada.headers
            )
            assert response.status_code == 200, response.text
            document: dict[str, Any] = response.json()["log"]
            return document

        world = World(
            database=database,
            url=url,
            rooms={},
            private_room=await room("names", "Private budget talk", is_public=False),
            unpublished_room=await room("names", "Not yet published"),
        )
        for policy in POLICIES:
            room_id = await room(policy, f"Community transport ({policy})")
            await meeting(client, clock, room_id, people)
            world.rooms[policy] = room_id
            world.published[room_id] = await publish(room_id)
        await meeting(client, clock, world.private_room, people)
        await publish(world.private_room)

        paths = ["/decisions", "/decisions/feed.atom"]
        for room_id in [*world.rooms.values(), world.private_room, world.unpublished_room]:
            paths += [f"/decisions/{room_id}{tail}" for tail in ("", "/log.json", "/log.md")]
        for path in paths:
            response = await client.get(path)
            world.responses[path] = Fetched(
                response.status_code, response.headers.get("content-type", ""), response.content
            )
    return world


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> World:
    database = tmp_path_factory.mktemp("decisions") / "evenfloor.db"
    shutil.copy(sqlite_template, database)
    return asyncio.run(_build(database))
