"""Helpers for the meetings tests: a board with a realistic membership, driven through the
public HTTP API (bearer tokens), as a script would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.api import Person, sign_up

STANDING_ORDERS: dict[str, Any] = {
    "quorum": {
        "min_voting_members": 3,
        "min_organisations": 2,
        "required_roles": [["chair", "vice_chair"]],
        "required_sectors": [
            {"sector": "local_authority", "count": 1, "name": "the local authority"},
            {"sector": "nhs", "count": 1, "name": "the NHS"},
        ],
    },
    "publication": "names",
    "private_titles": True,
}

# name, organisation, sector, board role (the first creates the board)
SEATS = [
    ("Cara Chair", "City Council", "local_authority", "chair"),
    ("Vic Vice", "Northgate NHS Trust", "nhs", "vice_chair"),
    ("Lou Member", "City Council", "local_authority", "voting_member"),
    ("Nia Member", "Northgate NHS Trust", "nhs", "voting_member"),
    ("Val Member", "Voluntary Action", "voluntary", "voting_member"),
    ("Ada Adviser", "Public Health", "local_authority", "adviser"),
    ("Oli Officer", "City Council", "", "officer"),
]


@dataclass
class BoardFixture:
    id: str
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, role_or_name: str) -> Person:
        return self.people[role_or_name]


async def make_board(client: Any, orders: dict[str, Any] | None = None) -> BoardFixture:
    people = {name: await sign_up(client, name) for name, *_ in SEATS}
    chair_name, org, sector, role = SEATS[0]
    response = await client.post(
        "/api/boards",
        json={
            "name": "Health and Wellbeing Board",
            "organisation_name": org,
            "sector": sector,
            "board_role": role,
            "standing_orders": orders if orders is not None else STANDING_ORDERS,
        },
        headers=people[chair_name].headers,
    )
    assert response.status_code == 201, response.text
    board = BoardFixture(response.json()["id"], people)
    for name, org, sector, role in SEATS[1:]:
        invitation = await client.post(
            f"/api/boards/{board.id}/invitations",
            json={"board_role": role, "organisation_name": org, "sector": sector},
            headers=people[chair_name].headers,
        )
        assert invitation.status_code == 201, invitation.text
        accepted = await client.post(
            f"/api/board-invitations/{invitation.json()['token']}/accept",
            json={},
            headers=people[name].headers,
        )
        assert accepted.status_code == 200, accepted.text
    for name, *_rest, role in SEATS:
        people[role] = people[name]
    return board


async def schedule(
    client: Any, board: BoardFixture, title: str = "Board meeting", day: int = 10
) -> str:
    response = await client.post(
        f"/api/boards/{board.id}/meetings",
        json={
            "title": title,
            "starts_at": f"2027-01-{day:02d}T10:00:00Z",
            "ends_at": f"2027-01-{day:02d}T12:00:00Z",
            "timezone": "Europe/London",
            "place": "Council Chamber",
        },
        headers=board["chair"].headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def meeting_command(
    client: Any,
    meeting_id: str,
    person: Person,
    name: str,
    args: dict[str, Any] | None = None,
    **kw: Any,
) -> Any:
    headers = dict(person.headers)
    if "key" in kw:
        headers["Idempotency-Key"] = kw.pop("key")
    return await client.post(
        f"/api/meetings/{meeting_id}/commands/{name}", json=args or {}, headers=headers, **kw
    )


async def ok(
    client: Any, meeting_id: str, person: Person, name: str, args: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await meeting_command(client, meeting_id, person, name, args)
    assert response.status_code == 200, (name, response.text)
    body: dict[str, Any] = response.json()
    return body


async def view(client: Any, meeting_id: str, person: Person) -> dict[str, Any]:
    response = await client.get(f"/api/meetings/{meeting_id}/view", headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["view"]
    return body


async def add_item(
    client: Any, meeting_id: str, person: Person, title: str, kind: str, **fields: Any
) -> dict[str, str]:
    body = await ok(
        client, meeting_id, person, "add_item", {"title": title, "kind": kind, **fields}
    )
    ids: dict[str, str] = body["ids"]
    return ids


ROUNDS = ("surface_conflict", "weigh_perspectives", "record_dissent", "consent")


async def consent_in_room(
    client: Any,
    room: str,
    chair: Person,
    voters: list[Person],
    positions: dict[str, str] | None = None,
) -> None:
    """Run an item's room through its rounds to a consent decision."""
    from tests.api import command

    for kind in ROUNDS:
        response = await command(client, room, chair, "open_round", {"round": kind})
        assert response.status_code == 200, response.text
        if kind != "consent":
            closed = await command(client, room, chair, "close_round")
            assert closed.status_code == 200, closed.text
    for voter in voters:
        position = (positions or {}).get(voter.name, "consent")
        args: dict[str, Any] = {"position": position}
        if position != "consent":
            args["text"] = f"{voter.name} says why."
        answered = await command(client, room, voter, "answer_consent", args)
        assert answered.status_code == 200, (voter.name, answered.text)
    closed = await command(client, room, chair, "close_round")
    assert closed.status_code == 200, closed.text
