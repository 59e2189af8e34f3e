"""What a meeting refuses, and that a refusal writes nothing: unknown meeting or item,
wrong role, a reorder racing another (docs/meetings.md § Bad input)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from server.db.tables import MeetingEvent
from tests.server.meetings_support import add_item, make_board, meeting_command, ok, schedule, view


async def count_events(db: Any) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(MeetingEvent)) or 0)


async def test_an_unknown_meeting_item_or_command_is_404_with_a_message(
    client: Any, db: Any
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    chair = board["chair"]
    before = await count_events(db)
    nowhere = await meeting_command(client, str(uuid.uuid4()), chair, "start_item", {"item": "x"})
    assert nowhere.status_code == 404
    assert nowhere.json()["message"] == "No such meeting."
    unknown_item = await meeting_command(client, meeting_id, chair, "start_item", {"item": "nope"})
    assert unknown_item.status_code == 404, unknown_item.text
    assert "nope" in unknown_item.json()["message"]
    unknown = await client.post(
        f"/api/meetings/{meeting_id}/commands/seize_power", json={}, headers=chair.headers
    )
    assert unknown.status_code in (404, 405), unknown.text
    approve = await meeting_command(
        client, meeting_id, chair, "approve_minutes", {"approved_in": meeting_id, "item": "x"}
    )
    assert approve.status_code in (404, 405)  # the server relays approvals; nobody sends one
    assert (await client.get(f"/api/meetings/{uuid.uuid4()}/view", headers=chair.headers)).json()[
        "message"
    ] == "No such meeting."
    assert await count_events(db) == before


async def test_a_member_without_the_role_gets_403_with_the_reason(client: Any, db: Any) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    item = await add_item(client, meeting_id, board["chair"], "Annual report", "noting")
    before = await count_events(db)
    for who, name, args in (
        ("adviser", "start_item", {"item": item["item"]}),
        ("voting_member", "publish_agenda", {}),
        ("voting_member", "mark_attendance", {"member": board["chair"].id, "status": "absent"}),
        ("adviser", "declare_interest", {"member": board["chair"].id, "interest": "Not mine."}),
    ):
        refused = await meeting_command(client, meeting_id, board[who], name, args)
        assert refused.status_code == 403, (who, name, refused.text)
        assert refused.json()["code"] == "forbidden"
        assert refused.json()["message"]
    # Board management is the secretariat's.
    invite = await client.post(
        f"/api/boards/{board.id}/invitations", json={}, headers=board["voting_member"].headers
    )
    assert invite.status_code == 403, invite.text
    meeting = await client.post(
        f"/api/boards/{board.id}/meetings",
        json={
            "title": "Mine",
            "starts_at": "2027-03-01T10:00:00Z",
            "ends_at": "2027-03-01T11:00:00Z",
        },
        headers=board["adviser"].headers,
    )
    assert meeting.status_code == 403, meeting.text
    assert await count_events(db) == before


async def test_of_two_racing_reorders_one_lands_and_the_other_is_a_409(
    client: Any, db: Any
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    chair = board["chair"]
    items = [
        (await add_item(client, meeting_id, chair, title, "noting"))["item"]
        for title in ("First", "Second", "Third")
    ]
    version = (await view(client, meeting_id, chair))["agenda_version"]
    before = await count_events(db)
    orders = [items[::-1], [items[1], items[0], items[2]]]
    answers = await asyncio.gather(
        *(
            meeting_command(
                client,
                meeting_id,
                who,
                "reorder_items",
                {"order": order, "expected_version": version},
            )
            for who, order in zip((chair, board["vice_chair"]), orders, strict=True)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    lost = next(a for a in answers if a.status_code == 409).json()
    assert lost["code"] == "conflict"
    assert lost["message"]
    won = orders[[a.status_code for a in answers].index(200)]
    assert (await view(client, meeting_id, chair))["order"] == won
    assert await count_events(db) == before + 1


async def test_a_refused_close_writes_nothing_and_a_replayed_key_appends_nothing(
    client: Any, db: Any
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    chair = board["chair"]
    item = await add_item(client, meeting_id, chair, "Fund", "decision")
    await ok(client, meeting_id, chair, "publish_agenda")
    await ok(client, meeting_id, chair, "open_meeting")
    await ok(client, meeting_id, chair, "start_item", {"item": item["item"]})
    before = await count_events(db)
    refused = await meeting_command(client, meeting_id, chair, "close_item", {"item": item["item"]})
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_quorum"
    message = refused.json()["message"]
    assert "3 more voting members" in message
    assert "the chair or the vice-chair" in message
    assert await count_events(db) == before
    args = {"member": chair.id, "status": "present_in_room"}
    first = await meeting_command(
        client, meeting_id, board["officer"], "mark_attendance", args, key="k1"
    )
    again = await meeting_command(
        client, meeting_id, board["officer"], "mark_attendance", args, key="k1"
    )
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["seqs"] == first.json()["seqs"]
    assert await count_events(db) == before + len(first.json()["seqs"])


async def test_a_refusal_after_the_append_rolls_the_whole_command_back(
    client: Any, db: Any
) -> None:
    """A deferral to another board's meeting is appended, then refused while carrying the
    item over (in the same transaction): the meeting's event, the other meeting's item and
    its room are all rolled back, and the shell's caches with them."""
    from sqlalchemy import func as sql_func

    from server.db.tables import Room

    board = await make_board(client)
    chair = board["chair"]
    meeting_id = await schedule(client, board)
    item = await add_item(client, meeting_id, chair, "Fund", "decision")
    other = await client.post(
        "/api/boards",
        json={"name": "Another board", "organisation_name": "City Council"},
        headers=chair.headers,
    )
    elsewhere = await client.post(
        f"/api/boards/{other.json()['id']}/meetings",
        json={
            "title": "Theirs",
            "starts_at": "2027-02-01T10:00:00Z",
            "ends_at": "2027-02-01T11:00:00Z",
        },
        headers=chair.headers,
    )
    async with db() as session:
        rooms_before = await session.scalar(select(sql_func.count()).select_from(Room))
    before = await count_events(db)
    refused = await meeting_command(
        client,
        meeting_id,
        chair,
        "defer_item",
        {"item": item["item"], "reason": "Not ready.", "to": elsewhere.json()["id"]},
    )
    assert refused.status_code == 404, refused.text
    assert "No later meeting of this board" in refused.json()["message"]
    assert await count_events(db) == before
    async with db() as session:
        assert await session.scalar(select(sql_func.count()).select_from(Room)) == rooms_before
    seen = await view(client, meeting_id, chair)
    assert seen["items"][item["item"]]["status"] == "pending"
    # The meeting still takes commands from where it was (its cache was dropped too).
    await ok(
        client, meeting_id, chair, "defer_item", {"item": item["item"], "reason": "Not ready."}
    )
    assert (await view(client, meeting_id, chair))["items"][item["item"]]["status"] == "deferred"
