"""A board's members are told of a meeting by the outbox, in the meeting command's own
transaction: the scheduled meeting with its calendar entry, the agenda, an action's owner."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from server.notifications.outbox import NOTIFICATIONS
from tests.server.meetings_support import SEATS, add_item, make_board, ok, schedule


async def queued(db: Any) -> list[Any]:
    async with db() as session:
        rows = await session.execute(
            select(
                NOTIFICATIONS.c.kind,
                NOTIFICATIONS.c.channel,
                NOTIFICATIONS.c.user_id,
                NOTIFICATIONS.c.payload,
            )
        )
        return list(rows.all())


def emails(rows: list[Any], kind: str) -> list[Any]:
    return [row for row in rows if row.kind == kind and row.channel == "email"]


async def test_scheduling_tells_every_member_with_the_meeting_in_their_calendar(
    client: Any, db: Any
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board, title="January board")
    rows = emails(await queued(db), "meeting_scheduled")
    members = {str(board[name].id) for name, *_ in SEATS}
    assert {str(row.user_id) for row in rows} == members
    assert len(rows) == len(members)
    attached = rows[0].payload["attachments"]
    ics = next(a for a in attached if a["filename"].endswith(".ics"))
    calendar = Calendar.from_ical(bytes.fromhex(ics["hex"]))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == "January board"
    assert meeting_id in str(event["UID"])


async def test_the_agenda_goes_to_everyone_and_an_action_to_its_owner_only(
    client: Any, db: Any
) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    ids = await add_item(client, meeting_id, board["chair"], "Annual report", "noting")
    await ok(client, meeting_id, board["chair"], "publish_agenda")
    assert len(emails(await queued(db), "agenda_published")) == len(SEATS)
    owner = board["Lou Member"]
    await ok(
        client,
        meeting_id,
        board["chair"],
        "add_action",
        {
            "item": ids["item"],
            "what": "Circulate the report",
            "owner": "Lou Member",
            "owner_member": owner.id,
            "due": "2027-01-31T17:00:00Z",
        },
    )
    actions = emails(await queued(db), "action_assigned")
    assert [str(row.user_id) for row in actions] == [str(owner.id)]
    assert actions[0].payload["action"] == "Circulate the report"


async def test_a_refused_meeting_command_queues_nothing(client: Any, db: Any) -> None:
    board = await make_board(client)
    meeting_id = await schedule(client, board)
    before = len(await queued(db))
    response = await client.post(
        f"/api/meetings/{meeting_id}/commands/publish_agenda",
        json={},
        headers=board["Val Member"].headers,
    )
    assert response.status_code == 403, response.text
    assert len(await queued(db)) == before
