"""The meeting commands the whole-item tests do not reach, over HTTP: each lands, and each
has a refusal with its reason; and the board's own routes (roles, the register)."""

from __future__ import annotations

from typing import Any

from tests.server.meetings_support import add_item, make_board, meeting_command, ok, schedule, view


async def test_change_urgent_items_substitutes_withdrawals_actions_and_adjournment(
    client: Any,
) -> None:
    board = await make_board(client)
    chair, officer = board["chair"], board["officer"]
    meeting_id = await schedule(client, board)
    report = await add_item(client, meeting_id, chair, "Annual report", "noting")
    # change_meeting: needs a reason; moves the meeting.
    refused = await meeting_command(client, meeting_id, chair, "change_meeting", {"reason": ""})
    assert refused.status_code == 422, refused.text
    await ok(
        client,
        meeting_id,
        chair,
        "change_meeting",
        {"reason": "The chamber is booked.", "place": "Committee Room 2"},
    )
    assert (await view(client, meeting_id, chair))["meeting"]["place"] == "Committee Room 2"
    await ok(client, meeting_id, chair, "publish_agenda")
    # After publication, new business is an urgent item with its reason logged.
    late = await meeting_command(
        client, meeting_id, chair, "add_item", {"title": "Late", "kind": "noting"}
    )
    assert late.status_code == 409, late.text
    no_reason = await meeting_command(
        client,
        meeting_id,
        chair,
        "add_urgent_item",
        {"title": "Flood response", "kind": "decision", "reason": ""},
    )
    assert no_reason.status_code == 422, no_reason.text
    urgent = await ok(
        client,
        meeting_id,
        chair,
        "add_urgent_item",
        {"title": "Flood response", "kind": "decision", "reason": "The river rose on Monday."},
    )
    assert set(urgent["ids"]) == {"item", "room"}
    seen = await view(client, meeting_id, chair)
    assert seen["items"][urgent["ids"]["item"]]["urgent_reason"] == "The river rose on Monday."
    # A named substitute carries a member's vote; not for a non-voting adviser.
    sub = {"substitute": "sub-nia", "name": "Sam Deputy", "for_member": board["Nia Member"].id}
    await ok(client, meeting_id, officer, "name_substitute", sub)
    wrong = {"substitute": "sub-ada", "name": "Al Deputy", "for_member": board["adviser"].id}
    refused = await meeting_command(client, meeting_id, officer, "name_substitute", wrong)
    assert refused.status_code == 422, refused.text
    # A declaration can be withdrawn once; a second withdrawal finds nothing.
    lou = board["Lou Member"]
    args = {"member": lou.id, "item": urgent["ids"]["item"], "interest": "I own a riverside shop."}
    await ok(client, meeting_id, lou, "declare_interest", args)
    withdraw = {"member": lou.id, "item": urgent["ids"]["item"]}
    await ok(client, meeting_id, lou, "withdraw_interest", withdraw)
    again = await meeting_command(client, meeting_id, lou, "withdraw_interest", withdraw)
    assert again.status_code == 404, again.text
    # Actions: added, completed once.
    action = await ok(
        client,
        meeting_id,
        officer,
        "add_action",
        {"item": report["item"], "what": "Print the report", "owner": "Oli Officer"},
    )
    done = {"action": action["ids"]["action"], "note": "Printed."}
    await ok(client, meeting_id, officer, "complete_action", done)
    twice = await meeting_command(client, meeting_id, officer, "complete_action", done)
    assert twice.status_code == 409, twice.text
    # Adjourn only an open meeting; reconvene with open_meeting.
    closed = await meeting_command(
        client, meeting_id, chair, "adjourn_meeting", {"reason": "Fire alarm."}
    )
    assert closed.status_code == 409, closed.text
    await ok(client, meeting_id, chair, "open_meeting")
    await ok(client, meeting_id, chair, "adjourn_meeting", {"reason": "Fire alarm."})
    assert (await view(client, meeting_id, chair))["status"] == "adjourned"
    await ok(client, meeting_id, chair, "open_meeting")
    assert (await view(client, meeting_id, chair))["status"] == "open"


async def test_the_register_of_interests_and_board_roles(client: Any) -> None:
    board = await make_board(client, {"publication": "organisations"})
    chair, lou, val = board["chair"], board["Lou Member"], board["Val Member"]
    mine = await client.post(
        f"/api/boards/{board.id}/interests",
        json={"interest": "Governor of Northgate College."},
        headers=lou.headers,
    )
    assert mine.status_code == 201, mine.text
    theirs = await client.post(
        f"/api/boards/{board.id}/interests",
        json={"interest": "Owns shares.", "member": val.id},
        headers=lou.headers,
    )
    assert theirs.status_code == 403, theirs.text
    garbled = await client.post(
        f"/api/boards/{board.id}/interests",
        json={"interest": "Owns shares.", "member": "not-an-id"},
        headers=board["officer"].headers,
    )
    assert garbled.status_code == 400, garbled.text
    kept = await client.post(
        f"/api/boards/{board.id}/interests",
        json={"interest": "Trustee of the Carers' Centre.", "member": val.id},
        headers=board["officer"].headers,
    )
    assert kept.status_code == 201, kept.text
    withdrawn = await client.post(
        f"/api/boards/{board.id}/interests/{mine.json()['id']}/withdraw", headers=lou.headers
    )
    assert withdrawn.json()["withdrawn_at"] is not None
    # Members see the whole register, withdrawn entries marked; the public the current
    # entries as the policy allows (organisations, no names).
    members = (await client.get(f"/api/boards/{board.id}/interests", headers=chair.headers)).json()
    assert len(members) == 2
    public = (await client.get(f"/api/boards/{board.id}/interests")).json()
    assert [(e["interest"], e["name"], e["organisation"]) for e in public] == [
        ("Trustee of the Carers' Centre.", None, "Voluntary Action")
    ]
    # A meeting scheduled now carries the current register in its snapshot.
    meeting_id = await schedule(client, board)
    interests = (await view(client, meeting_id, chair))["meeting"]["board"]["interests"]
    assert [(i["member"], i["interest"]) for i in interests] == [
        (val.id, "Trustee of the Carers' Centre.")
    ]
    # Roles change for meetings scheduled from now on, by the secretariat only.
    path = f"/api/boards/{board.id}/members/{lou.id}/role"
    refused = await client.post(path, json={"board_role": "chair"}, headers=lou.headers)
    assert refused.status_code == 403, refused.text
    changed = await client.post(path, json={"board_role": "observer"}, headers=chair.headers)
    assert changed.json()["board_role"] == "observer"
    blocked = await meeting_command(
        client, meeting_id, lou, "declare_interest", {"member": lou.id, "interest": "x"}
    )
    assert blocked.status_code == 403, blocked.text


async def test_bad_board_input_is_a_4xx_with_a_message(client: Any) -> None:
    from tests.api import sign_up

    ada = await sign_up(client, "Ada Secretary")
    bad = await client.post(
        "/api/boards",
        json={
            "name": "Board",
            "organisation_name": "Council",
            "standing_orders": {"quorum": {"min_voting_members": "many"}},
        },
        headers=ada.headers,
    )
    assert bad.status_code == 400, bad.text
    assert "min_voting_members" in bad.json()["message"]
    gone = await client.post(
        "/api/board-invitations/no-such-token/accept", json={}, headers=ada.headers
    )
    assert gone.status_code == 404, gone.text
    assert gone.json()["message"] == "This invitation does not exist or was revoked."
    board = await make_board(client)
    naive = await client.post(
        f"/api/boards/{board.id}/meetings",
        json={"title": "x", "starts_at": "2027-03-01T10:00:00Z", "ends_at": "2027-03-01T09:00:00Z"},
        headers=board["chair"].headers,
    )
    assert naive.status_code == 422, naive.text


async def test_every_meeting_command_and_board_route_is_in_the_openapi_schema(client: Any) -> None:
    from server.meetings.commands import public_meeting_commands

    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200, schema.text
    paths = schema.json()["paths"]
    for name, cls in public_meeting_commands().items():
        operation = paths[f"/api/meetings/{{meeting_id}}/commands/{name}"]["post"]
        assert operation["summary"] == (cls.__doc__ or "").strip().splitlines()[0]
    for path in (
        "/api/boards",
        "/api/boards/{board_id}/meetings",
        "/api/meetings/{meeting_id}/minutes",
    ):
        assert path in paths, path
