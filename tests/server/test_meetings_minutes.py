"""Minutes from the log, approved by the next meeting's consent item, published as a signed
meeting record that verifies, with a private item's content nowhere in the public copy."""

from __future__ import annotations

from typing import Any

from server.publication.meeting_record import verify_record
from tests.server.meetings_support import (
    add_item,
    consent_in_room,
    make_board,
    meeting_command,
    ok,
    schedule,
    view,
)

VOTERS = ("chair", "vice_chair", "Lou Member", "Nia Member", "Val Member")
SECRET = "The preferred bidder's price is 4.2 million."


async def open_with_quorum(client: Any, meeting_id: str, board: Any) -> None:
    await ok(client, meeting_id, board["chair"], "publish_agenda")
    for who in VOTERS:
        await ok(
            client,
            meeting_id,
            board["officer"],
            "mark_attendance",
            {"member": board[who].id, "status": "present_in_room"},
        )
    await ok(client, meeting_id, board["chair"], "open_meeting")


async def take(client: Any, meeting_id: str, board: Any, ids: dict[str, str], **kw: Any) -> None:
    chair = board["chair"]
    await ok(client, meeting_id, chair, "start_item", {"item": ids["item"]})
    await consent_in_room(client, ids["room"], chair, [board[v] for v in VOTERS], **kw)
    await ok(client, meeting_id, chair, "close_item", {"item": ids["item"]})


async def first_meeting(client: Any, board: Any) -> tuple[str, dict[str, str], dict[str, str]]:
    chair, officer = board["chair"], board["officer"]
    meeting_id = await schedule(client, board, "January meeting", day=10)
    fund = await add_item(client, meeting_id, chair, "Winter discharge fund", "decision")
    contract = await add_item(
        client,
        meeting_id,
        chair,
        "Care contract award",
        "decision",
        private=True,
        description=SECRET,
    )
    await open_with_quorum(client, meeting_id, board)
    await take(client, meeting_id, board, fund, positions={"Val Member": "concern"})
    await ok(
        client,
        meeting_id,
        officer,
        "add_action",
        {
            "item": fund["item"],
            "what": "Sign the lounge lease",
            "owner": "Oli Officer",
            "due": "2027-01-20T00:00:00Z",
        },
    )
    await take(client, meeting_id, board, contract)
    await ok(
        client,
        meeting_id,
        officer,
        "edit_narrative",
        {"part": "note", "item": contract["item"], "text": SECRET},
    )
    await ok(client, meeting_id, chair, "close_meeting")
    return meeting_id, fund, contract


async def test_the_next_meeting_approves_the_minutes_and_the_record_verifies(client: Any) -> None:
    board = await make_board(client)
    chair = board["chair"]
    first, fund, contract = await first_meeting(client, board)
    # Not approved yet: no public minutes, no record.
    assert (await client.get(f"/api/meetings/{first}/minutes")).status_code == 404
    refused = await client.post(f"/api/meetings/{first}/publication", headers=chair.headers)
    assert refused.status_code == 409, refused.text
    second = await schedule(client, board, "February meeting", day=14)
    previous = await add_item(
        client, second, chair, "Minutes of the last meeting", "previous_minutes"
    )
    arising = await add_item(client, second, chair, "Matters arising", "matters_arising")
    seen = await view(client, second, chair)
    assert seen["items"][previous["item"]]["approves"] == first
    carried = [a["what"] for a in seen["actions"].values()]
    assert carried == ["Sign the lounge lease"], arising
    await open_with_quorum(client, second, board)
    await take(client, second, board, previous)
    minutes = (await client.get(f"/api/meetings/{first}/minutes", headers=chair.headers)).json()[
        "minutes"
    ]
    assert minutes["status"] == "approved"
    assert minutes["approved_in"] == second
    published = await client.post(f"/api/meetings/{first}/publication", headers=chair.headers)
    assert published.status_code == 200, published.text
    record = published.json()["record"]
    result = verify_record(record)
    assert result.ok, result
    assert result.links == 1
    assert result.private == 1
    # The public reads the published copy: the fund's decision with its concern; of the
    # contract, that it was taken in private and nothing more.
    public = await client.get(f"/api/meetings/{first}/minutes")
    assert public.status_code == 200, public.text
    text = public.text
    assert SECRET not in text
    assert SECRET not in str(record)
    items = {i["id"]: i for i in public.json()["minutes"]["items"]}
    assert items[fund["item"]]["decision"]["outcome"] == "consented_with_concerns"
    assert set(items[contract["item"]]) <= {"id", "number", "kind", "private", "title", "log"}
    again = await client.get(f"/api/meetings/{first}/record")
    assert again.status_code == 200
    assert again.json()["hash"] == record["hash"]


async def test_editing_a_fact_in_the_minutes_is_refused_and_writes_nothing(client: Any) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    before = await view(client, meeting_id, board["chair"])
    for part in ("attendance", "decision", "title"):
        refused = await meeting_command(
            client,
            meeting_id,
            board["officer"],
            "edit_narrative",
            {"part": part, "text": "Edited."},
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "forbidden"
    after = await view(client, meeting_id, board["chair"])
    assert after == before
    await ok(client, meeting_id, board["officer"], "edit_narrative", {"text": "A short meeting."})
    assert (await view(client, meeting_id, board["chair"]))["summary"] == "A short meeting."
