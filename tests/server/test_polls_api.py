"""Votes in a room over HTTP: open, cast, delegate, close; secret ballots in the table; deadlines."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.db.tables import RoomEvent
from tests.api import Person, command, join, open_room, sign_up
from tests.server.test_deadlines import events_of, wait_for


async def stored_rows(db: Any, room_id: str, kind: str) -> list[Any]:
    import uuid

    async with db() as session:
        query = (
            select(RoomEvent)
            .where(RoomEvent.room_id == uuid.UUID(room_id), RoomEvent.type == kind)
            .order_by(RoomEvent.seq)
        )
        return list((await session.execute(query)).scalars().all())


async def view_of(client: Any, room_id: str, person: Person) -> Any:
    response = await client.get(f"/api/rooms/{room_id}/view", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()["view"]


async def room_with_voters(client: Any) -> tuple[str, Person, Person, Person]:
    """Ada (County Council) facilitates; Ben and Cat are colleagues at the Charity."""
    ada, ben, cat = [await sign_up(client, n) for n in ("Ada", "Ben", "Cat")]
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    await join(client, room_id, ada, cat, "Charity")
    return room_id, ada, ben, cat


async def test_a_secret_ballot_is_stored_without_its_voter_and_a_recast_replaces_it(
    client: Any, db: Any
) -> None:
    room_id, ada, ben, cat = await room_with_voters(client)
    response = await command(
        client,
        room_id,
        ada,
        "open_vote",
        {"question": "Which day?", "method": "approval", "options": ["mon", "tue"], "secret": True},
    )
    assert response.status_code == 200, response.text
    events = await events_of(client, room_id, ada)
    poll = next(e["data"]["poll"] for e in events if e["event"] == "vote.opened")

    # A client's own ballot_key is ignored: the server sets it.
    cast = {"poll": poll, "approve": ["mon"], "ballot_key": "forged"}
    response = await command(client, room_id, ben, "cast_ballot", cast, key="ben-1")
    assert response.status_code == 200, response.text
    response = await command(
        client, room_id, ben, "cast_ballot", {"poll": poll, "approve": ["tue"]}
    )
    assert response.status_code == 200, response.text
    response = await command(
        client, room_id, cat, "cast_ballot", {"poll": poll, "approve": ["tue"]}
    )
    assert response.status_code == 200, response.text

    ballots = await stored_rows(db, room_id, "ballot.cast")
    assert len(ballots) == 3
    for row in ballots:
        assert row.actor_id is None
        assert row.acting_for is None
        assert row.idempotency_key is None
        text = json.dumps(row.payload)
        for person in (ben, cat, ada):
            assert person.id not in text
        assert row.payload["participant"] is None
        assert row.payload["ballot_key"] != "forged"
    assert ballots[0].payload["ballot_key"] == ballots[1].payload["ballot_key"]
    assert ballots[1].payload["ballot_key"] != ballots[2].payload["ballot_key"]
    participated = await stored_rows(db, room_id, "vote.participated")
    assert [row.actor_id for row in participated] == [ben.id, cat.id]

    seen = (await view_of(client, room_id, ada))["votes"][0]
    assert seen["voted"] is None
    assert seen["voted_count"] == 2
    response = await command(client, room_id, ada, "close_vote", {"poll": poll})
    assert response.status_code == 200, response.text
    result = (await view_of(client, room_id, ben))["votes"][0]["result"]
    totals = {t["option"]: t["count"] for t in result["totals"]}
    assert totals == {"mon": 0, "tue": 2}  # Ben's first ballot was replaced
    assert result["winner"] == "tue"


async def test_a_named_vote_with_delegation_and_refusals(client: Any) -> None:
    room_id, ada, ben, cat = await room_with_voters(client)
    args = {"poll": "budget", "question": "Adopt the budget?", "method": "majority"}
    assert (await command(client, room_id, ben, "open_vote", args)).status_code == 403
    assert (await command(client, room_id, ada, "open_vote", args)).status_code == 200
    response = await command(
        client, room_id, cat, "delegate_vote", {"poll": "budget", "delegate": ada.id}
    )
    assert response.status_code == 422  # another organisation
    assert "same organisation" in response.json()["message"]
    response = await command(
        client, room_id, cat, "delegate_vote", {"poll": "budget", "delegate": ben.id}
    )
    assert response.status_code == 200, response.text
    response = await command(
        client, room_id, ben, "cast_ballot", {"poll": "budget", "choice": "maybe"}
    )
    assert response.status_code == 422
    response = await command(
        client, room_id, ben, "cast_ballot", {"poll": "budget", "choice": "yes"}
    )
    assert response.status_code == 200, response.text
    response = await command(
        client, room_id, cat, "cast_ballot", {"poll": "budget", "choice": "no"}
    )
    assert response.status_code == 409  # delegated
    response = await command(
        client, room_id, ada, "cast_ballot", {"poll": "budget", "choice": "no"}
    )
    assert response.status_code == 200, response.text
    mine = (await view_of(client, room_id, ben))["votes"][0]
    assert sorted(v["display_name"] for v in mine["voted"]) == ["Ada", "Ben"]
    assert mine["mine"]["choice"] == "yes"
    assert (
        await command(client, room_id, ada, "close_vote", {"poll": "budget"})
    ).status_code == 200
    result = (await view_of(client, room_id, cat))["votes"][0]["result"]
    assert {t["option"]: t["weight"] for t in result["totals"]}["yes"] == "2/1"
    assert result["winner"] == "yes"
    assert result["outcome"] == "carried"
    again = await command(client, room_id, ada, "cast_ballot", {"poll": "budget", "choice": "no"})
    assert again.status_code == 409


async def test_an_asynchronous_vote_closes_at_its_deadline(client: Any, clock: Any) -> None:
    room_id, ada, ben, _cat = await room_with_voters(client)
    closes_at = (clock.now() + timedelta(hours=24)).isoformat()
    args = {
        "poll": "venue",
        "question": "Where?",
        "method": "ranked",
        "options": ["hall", "library", "online"],
        "closes_at": closes_at,
    }
    assert (await command(client, room_id, ada, "open_vote", args)).status_code == 200
    cast = {"poll": "venue", "ranking": ["library", "hall"]}
    assert (await command(client, room_id, ben, "cast_ballot", cast)).status_code == 200
    clock.advance(hours=25)

    async def closed() -> bool:
        return any(e["event"] == "vote.closed" for e in await events_of(client, room_id, ada))

    await wait_for(closed)
    event = next(e for e in await events_of(client, room_id, ada) if e["event"] == "vote.closed")
    assert event["data"]["by_deadline"] is True
    assert event["actor"] is None
    assert event["data"]["result"]["winner"] == "library"
