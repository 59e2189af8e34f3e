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
