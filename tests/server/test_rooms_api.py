"""Rooms over HTTP: creation, invitations, roles, commands, idempotency, refusals."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import func, select

from server.db.tables import RoomEvent
from tests.api import command, join, open_room, sign_up


async def count_events(db: Any) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(RoomEvent)) or 0)


async def test_creating_a_room_makes_the_owner_a_member_and_starts_its_history(client: Any) -> None:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada)
    room = (await client.get(f"/api/rooms/{room_id}", headers=ada.headers)).json()
    assert room["role"] == "owner"
    assert room["organisation"] == "County Council"
    events = (await client.get(f"/api/rooms/{room_id}/events", headers=ada.headers)).json()
    assert [e["event"] for e in events][:2] == ["room.created", "member.admitted"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["prev"] == "0" * 64
    assert all(later["prev"] == earlier["hash"] for earlier, later in itertools.pairwise(events))


async def test_invalid_rules_create_nothing(client: Any, db: Any) -> None:
    ada = await sign_up(client, "Ada")
    response = await client.post(
        "/api/rooms",
        json={
            "title": "T",
            "proposal": "P",
            "organisation_name": "Org",
            "rules": {"speaking_cap": "3/2"},
        },
        headers=ada.headers,
    )
    assert response.status_code in (409, 422)
    assert (await client.get("/api/rooms", headers=ada.headers)).json() == []
    assert await count_events(db) == 0


async def test_an_invitation_admits_a_member_of_an_organisation_once(client: Any) -> None:
    ada, ben, cy = (
        await sign_up(client, "Ada"),
        await sign_up(client, "Ben"),
        await sign_up(client, "Cy"),
    )
    room_id = await open_room(client, ada)
    invitation = (
        await client.post(
            f"/api/rooms/{room_id}/invitations", json={"role": "participant"}, headers=ada.headers
        )
    ).json()
    accepted = await client.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"organisation_name": "Charity"},
        headers=ben.headers,
    )
    assert accepted.status_code == 200
    assert accepted.json()["organisation"] == "Charity"
    again = await client.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"organisation_name": "Other"},
        headers=cy.headers,
    )
    assert again.status_code == 404
    assert "already been used" in again.json()["message"]
    assert (await client.get(f"/api/rooms/{room_id}", headers=cy.headers)).status_code == 404


async def test_an_expired_invitation_is_refused(client: Any, clock: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    invitation = (
        await client.post(
            f"/api/rooms/{room_id}/invitations",
            json={"role": "participant", "expires_in_hours": 1, "single_use": False},
            headers=ada.headers,
        )
    ).json()
    clock.advance(hours=2)
    response = await client.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"organisation_name": "Charity"},
        headers=ben.headers,
    )
    assert response.status_code == 404
    assert "expired" in response.json()["message"]


async def test_a_room_is_invisible_to_non_members(client: Any) -> None:
    ada, eve = await sign_up(client, "Ada"), await sign_up(client, "Eve")
    room_id = await open_room(client, ada)
    for path in ("", "/events", "/view"):
        assert (
            await client.get(f"/api/rooms/{room_id}{path}", headers=eve.headers)
        ).status_code == 404
    response = await command(client, room_id, eve, "raise_hand")
    assert response.status_code == 404


async def test_an_unknown_room_is_404_not_500(client: Any) -> None:
    ada = await sign_up(client, "Ada")
    response = await client.get(
        "/api/rooms/00000000-0000-0000-0000-000000000000", headers=ada.headers
    )
    assert response.status_code == 404


async def test_observers_read_but_cannot_act(client: Any, db: Any) -> None:
    ada, obs = await sign_up(client, "Ada"), await sign_up(client, "Obi")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, obs, None, role="observer")
    assert (await client.get(f"/api/rooms/{room_id}/view", headers=obs.headers)).status_code == 200
    before = await count_events(db)
    response = await command(client, room_id, obs, "raise_hand")
    assert response.status_code == 403
    assert await count_events(db) == before


async def test_participants_cannot_invite(client: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    response = await client.post(f"/api/rooms/{room_id}/invitations", json={}, headers=ben.headers)
    assert response.status_code == 403


async def test_a_refused_command_writes_nothing_and_says_why(client: Any, db: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    before = await count_events(db)
    # A participant may not open rounds.
    response = await command(client, room_id, ben, "open_round", {"round": "surface_conflict"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    # No round is open yet: a statement belongs to surface_conflict.
    response = await command(
        client, room_id, ben, "add_statement", {"statement": "s1", "text": "Too costly"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_round"
    assert await count_events(db) == before


async def test_bad_arguments_and_unknown_commands_are_4xx(client: Any) -> None:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada)
    response = await command(client, room_id, ada, "open_round", {"round": "party"})
    assert response.status_code == 422
    assert "round" in response.json()["message"]
    response = await client.post(
        f"/api/rooms/{room_id}/commands/fly_away", json={}, headers=ada.headers
    )
    assert response.status_code in (404, 405)
    response = await command(client, room_id, ada, "create_room", {})
    assert response.status_code in (404, 405)


async def test_a_retried_command_with_the_same_key_appends_nothing(client: Any, db: Any) -> None:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada)
    first = await command(
        client, room_id, ada, "open_round", {"round": "surface_conflict"}, key="k-1"
    )
    assert first.status_code == 200, first.text
    after_first = await count_events(db)
    again = await command(
        client, room_id, ada, "open_round", {"round": "surface_conflict"}, key="k-1"
    )
    assert again.status_code == 200
    assert again.json()["seqs"] == first.json()["seqs"]
    assert again.json()["replayed"] is True
    assert await count_events(db) == after_first


async def test_someone_elses_idempotency_key_is_refused(client: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    await command(client, room_id, ada, "open_round", {"round": "surface_conflict"}, key="shared")
    response = await command(client, room_id, ben, "raise_hand", {}, key="shared")
    assert response.status_code == 409


async def test_a_facilitator_acts_for_someone_in_the_room(client: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    await command(client, room_id, ada, "open_round", {"round": "surface_conflict"})
    response = await command(client, room_id, ada, "raise_hand", {}, params={"acting_for": ben.id})
    assert response.status_code == 200, response.text
    events = (await client.get(f"/api/rooms/{room_id}/events", headers=ada.headers)).json()
    raised = events[-1]
    assert raised["event"] == "hand.raised"
    assert raised["actor"] == ada.id
    assert raised["acting_for"] == ben.id


async def test_every_command_is_in_the_openapi_schema(client: Any) -> None:
    import deliberation
    from server.rooms.commands import public_commands

    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for name in public_commands():
        assert f"/api/rooms/{{room_id}}/commands/{name}" in paths, name
    assert "create_room" in deliberation.COMMANDS
    assert "/api/rooms/{room_id}/commands/create_room" not in paths


async def test_the_fairness_report_counts_each_organisations_statements(client: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada, rules={"speaking_cap": "1/2"})
    await join(client, room_id, ada, ben, "Charity")
    await command(client, room_id, ada, "open_round", {"round": "surface_conflict"})
    for text in ("One", "Two"):
        assert (
            await command(client, room_id, ben, "add_statement", {"text": text})
        ).status_code == 200
    report = (await client.get(f"/api/rooms/{room_id}/fairness", headers=ben.headers)).json()[
        "fairness"
    ]
    by_name = {entry["name"]: entry for entry in report["organisations"]}
    assert by_name["Charity"]["statements"] == 2
    assert by_name["County Council"]["statements"] == 0
    assert report["speaking_cap"] in ("1/2", "0.5")
