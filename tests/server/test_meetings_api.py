"""Boards and meetings over HTTP, on SQLite and PostgreSQL: the happy path of each command
and the refusals a board secretary meets (docs/meetings.md)."""

from __future__ import annotations

from typing import Any

from tests.server.meetings_support import add_item, make_board, meeting_command, ok, schedule, view


async def test_a_board_schedules_a_meeting_with_its_members_and_standing_orders(
    client: Any,
) -> None:
    board = await make_board(client)
    response = await client.get(f"/api/boards/{board.id}", headers=board["chair"].headers)
    assert response.status_code == 200, response.text
    roles = sorted(m["board_role"] for m in response.json()["members"])
    assert roles == sorted(
        [
            "chair",
            "vice_chair",
            "voting_member",
            "voting_member",
            "voting_member",
            "adviser",
            "officer",
        ]
    )
    meeting_id = await schedule(client, board)
    seen = await view(client, meeting_id, board["voting_member"])
    assert seen["meeting"]["title"] == "Board meeting"
    assert len(seen["meeting"]["board"]["members"]) == 7
    # Officers keep the register: they are the meeting's secretaries.
    assert seen["meeting"]["secretaries"] == [board["officer"].id]
    assert seen["quorum"]["held"] is False


async def agenda(client: Any, meeting_id: str, board: Any) -> dict[str, dict[str, str]]:
    chair = board["chair"]
    ids = {
        "apologies": await add_item(client, meeting_id, chair, "Apologies", "apologies"),
        "declarations": await add_item(
            client, meeting_id, chair, "Declarations of interest", "declarations"
        ),
        "fund": await add_item(
            client,
            meeting_id,
            chair,
            "Winter discharge fund",
            "decision",
            description="The board funds a discharge lounge from December to March.",
            planned_minutes=20,
        ),
        "report": await add_item(client, meeting_id, chair, "Annual report", "noting"),
        "contract": await add_item(
            client, meeting_id, chair, "Care contract award", "decision", private=True
        ),
        "aob": await add_item(
            client, meeting_id, chair, "Any other business", "any_other_business"
        ),
    }
    return ids


async def present(client: Any, meeting_id: str, board: Any, *roles_or_names: str) -> None:
    for who in roles_or_names:
        await ok(
            client,
            meeting_id,
            board["officer"],
            "mark_attendance",
            {"member": board[who].id, "status": "present_in_room"},
        )


async def test_an_item_for_decision_gets_a_room_with_the_board_admitted_by_role(
    client: Any,
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    ids = await agenda(client, meeting_id, board)
    assert set(ids["fund"]) == {"item", "room"}
    assert set(ids["report"]) == {"item"}
    room = ids["fund"]["room"]
    seen = await client.get(f"/api/rooms/{room}/view", headers=board["voting_member"].headers)
    assert seen.status_code == 200, seen.text
    members = seen.json()["view"]["members"]
    roles = {m["display_name"]: m["role"] for m in members}
    assert roles["Cara Chair"] == "owner"
    assert roles["Vic Vice"] == "facilitator"
    assert roles["Lou Member"] == "participant"
    assert roles["Ada Adviser"] == "observer"
    assert roles["Oli Officer"] == "observer"
    # The agenda lists it with its room; a stranger sees neither meeting nor room.
    agenda_now = (await view(client, meeting_id, board["chair"]))["agenda"]
    assert [a["kind"] for a in agenda_now] == [
        "apologies",
        "declarations",
        "decision",
        "noting",
        "decision",
        "any_other_business",
    ]
    assert agenda_now[2]["room"] == room


async def test_a_whole_item_conflict_quorum_lost_and_restored_then_closed_with_its_decision(
    client: Any,
) -> None:
    from tests.api import command

    board = await make_board(client)
    meeting_id = await schedule(client, board)
    ids = await agenda(client, meeting_id, board)
    chair, lou = board["chair"], board["Lou Member"]
    fund, room = ids["fund"]["item"], ids["fund"]["room"]
    await ok(client, meeting_id, chair, "publish_agenda")
    await present(
        client, meeting_id, board, "chair", "vice_chair", "Lou Member", "Nia Member", "Val Member"
    )
    await ok(client, meeting_id, chair, "open_meeting")
    assert (await view(client, meeting_id, chair))["quorum"] == {"held": True, "missing": []}
    # Lou declares an interest in the fund: out of its vote.
    await ok(
        client,
        meeting_id,
        lou,
        "declare_interest",
        {"member": lou.id, "item": fund, "interest": "My partner runs the lounge's provider."},
    )
    await ok(client, meeting_id, chair, "start_item", {"item": fund})
    room_view = (await client.get(f"/api/rooms/{room}/view", headers=chair.headers)).json()["view"]
    assert lou.id in str(room_view.get("exclusions"))
    for kind in ("surface_conflict", "weigh_perspectives", "record_dissent", "consent"):
        response = await command(client, room, chair, "open_round", {"round": kind})
        assert response.status_code == 200, response.text
        if kind != "consent":
            assert (await command(client, room, chair, "close_round")).status_code == 200
    refused = await command(client, room, lou, "answer_consent", {"position": "consent"})
    assert refused.status_code == 403, refused.text
    assert "partner runs the lounge" in refused.json()["message"]
    for who in ("chair", "vice_chair", "Nia Member", "Val Member"):
        answered = await command(
            client, room, board[who], "answer_consent", {"position": "consent"}
        )
        assert answered.status_code == 200, (who, answered.text)
    # The NHS members leave: quorum is lost, and neither the room nor the item can close.
    for who in ("vice_chair", "Nia Member"):
        await ok(
            client, meeting_id, board["officer"], "record_departure", {"member": board[who].id}
        )
    now = await view(client, meeting_id, chair)
    assert now["quorum"]["held"] is False
    assert "a member from the NHS" in now["quorum"]["missing"]
    closing = await command(client, room, chair, "close_round")
    assert closing.status_code == 409, closing.text
    assert closing.json()["code"] == "no_quorum"
    assert "the NHS" in closing.json()["message"]
    refused = await meeting_command(client, meeting_id, chair, "close_item", {"item": fund})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "no_quorum"
    assert "a member from the NHS" in refused.json()["message"]
    # Nia comes back: quorum restored; the room decides and the item closes.
    await ok(
        client, meeting_id, board["officer"], "record_arrival", {"member": board["Nia Member"].id}
    )
    assert (await view(client, meeting_id, chair))["quorum"]["held"] is True
    closing = await command(client, room, chair, "close_round")
    assert closing.status_code == 200, closing.text
    await ok(
        client,
        meeting_id,
        board["officer"],
        "add_action",
        {
            "item": fund,
            "what": "Sign the lounge contract",
            "owner": "Oli Officer",
            "due": "2027-02-01T00:00:00Z",
        },
    )
    await ok(client, meeting_id, chair, "close_item", {"item": fund})
    minutes = (
        await client.get(f"/api/meetings/{meeting_id}/minutes", headers=chair.headers)
    ).json()["minutes"]
    item = next(i for i in minutes["items"] if i["id"] == fund)
    assert item["decision"]["outcome"] == "consented"
    assert [e["member"] for e in item["decision"]["excluded"]] == [lou.id]
    assert lou.id not in [v["member"] for v in item["decision"]["votes"]]
    assert item["actions"][0]["what"] == "Sign the lounge contract"
    assert minutes["status"] == "draft"


async def test_a_deferred_item_goes_to_the_later_meeting_with_its_history_and_a_new_room(
    client: Any,
) -> None:
    board = await make_board(client)
    chair = board["chair"]
    first = await schedule(client, board, "January", day=10)
    named = await schedule(client, board, "March", day=28)
    fund = await add_item(client, first, chair, "Winter fund", "decision")
    report = await add_item(client, first, chair, "Annual report", "noting")
    await ok(
        client, first, chair, "defer_item", {"item": fund["item"], "reason": "Awaiting costs."}
    )
    await ok(
        client,
        first,
        chair,
        "defer_item",
        {"item": report["item"], "reason": "Not printed yet.", "to": named},
    )
    # Deferred to a named meeting: it is on that agenda at once.
    march = await view(client, named, chair)
    assert [a["title"] for a in march["agenda"]] == ["Annual report"]
    # Deferred to "the next meeting": it joins the next one scheduled, with a room of its own.
    second = await schedule(client, board, "February", day=14)
    february = await view(client, second, chair)
    [carried] = february["agenda"]
    assert carried["title"] == "Winter fund"
    assert carried["kind"] == "decision"
    assert carried["room"]
    assert carried["room"] != fund["room"]
    history = february["items"][carried["id"]]["history"]
    deferred = [step for step in history if step["what"] == "deferred"]
    assert [(d["meeting"], d["reason"]) for d in deferred] == [(first, "Awaiting costs.")]
    room = await client.get(f"/api/rooms/{carried['room']}/view", headers=chair.headers)
    assert room.status_code == 200, room.text
    # A reason is required; a deferral to a meeting of another board is refused.
    refused = await meeting_command(
        client, first, chair, "defer_item", {"item": fund["item"], "reason": ""}
    )
    assert refused.status_code in (409, 422), refused.text
