"""Boards and meetings built over the public API, for the browser tests and screenshots.

A health and wellbeing board: the chair and an officer from the council, the vice-chair and
a member from the NHS trust, a member from a charity. Quorum: three voting members from two
organisations, the chair or the vice-chair, one from the local authority and one from the NHS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.harness import Api, Person

ORDERS: dict[str, Any] = {
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
SEATS = (
    ("chair", "Fay Chair", "County Council", "local_authority"),
    ("vice_chair", "Vic Vice", "Health Trust", "nhs"),
    ("voting_member", "Ben Member", "Charity Alliance", "voluntary"),
    ("nhs_member", "Cleo Member", "Health Trust", "nhs"),
    ("officer", "Olu Officer", "County Council", "local_authority"),
)
VOTERS = ("chair", "vice_chair", "voting_member", "nhs_member")
ROUNDS = ("surface_conflict", "weigh_perspectives", "record_dissent", "consent")


@dataclass
class BoardScene:
    id: str
    people: dict[str, Person] = field(default_factory=dict)


def make_board(api: Api) -> BoardScene:
    people = {key: api.sign_up(name, org) for key, name, org, _ in SEATS}
    chair = people["chair"]
    board = api.call(
        chair,
        "POST",
        "/api/boards",
        {
            "name": "Health and Wellbeing Board",
            "organisation_name": "County Council",
            "sector": "local_authority",
            "board_role": "chair",
            "standing_orders": ORDERS,
        },
    )
    for key, _name, org, sector in SEATS[1:]:
        role = "voting_member" if key == "nhs_member" else key
        invitation = api.call(
            chair,
            "POST",
            f"/api/boards/{board['id']}/invitations",
            {"board_role": role, "organisation_name": org, "sector": sector},
        )
        api.call(people[key], "POST", f"/api/board-invitations/{invitation['token']}/accept", {})
    return BoardScene(board["id"], people)


def schedule(api: Api, board: BoardScene, title: str, days: int) -> str:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    meeting = api.call(
        board.people["chair"],
        "POST",
        f"/api/boards/{board.id}/meetings",
        {
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "timezone": "Europe/London",
            "place": "Council Chamber, County Hall",
            "video_url": "https://meet.example.org/hwb",
        },
    )
    return str(meeting["id"])


def run(api: Api, person: Person, meeting: str, name: str, args: Any = None) -> dict[str, Any]:
    result: dict[str, Any] = api.call(
        person, "POST", f"/api/meetings/{meeting}/commands/{name}", args or {}
    )
    return result


def add(
    api: Api, board: BoardScene, meeting: str, title: str, kind: str, **fields: Any
) -> dict[str, str]:
    ids: dict[str, str] = run(
        api, board.people["chair"], meeting, "add_item", {"title": title, "kind": kind, **fields}
    )["ids"]
    return ids


def present(api: Api, board: BoardScene, meeting: str, keys: tuple[str, ...] = VOTERS) -> None:
    for key in keys:
        run(
            api,
            board.people["officer"],
            meeting,
            "mark_attendance",
            {"member": board.people[key].id, "status": "present_in_room"},
        )


def consent(api: Api, board: BoardScene, room: str) -> None:
    """Run an item's room through its rounds to consent by every voter."""
    chair = board.people["chair"]
    for kind in ROUNDS:
        api.command(chair, room, "open_round", {"round": kind})
        if kind != "consent":
            api.command(chair, room, "close_round")
    for key in VOTERS:
        api.command(board.people[key], room, "answer_consent", {"position": "consent"})
    api.command(chair, room, "close_round")


def meeting_in_progress(api: Api, board: BoardScene) -> tuple[str, dict[str, dict[str, str]]]:
    """A live meeting at its decision item, a member out of it for an interest, and the
    quorum lost when both NHS members left."""
    chair = board.people["chair"]
    meeting = schedule(api, board, "December board meeting", days=1)
    items = {
        "apologies": add(api, board, meeting, "Apologies", "apologies", planned_minutes=2),
        "fund": add(
            api,
            board,
            meeting,
            "Pooled winter fund",
            "decision",
            planned_minutes=30,
            description="Pool 400,000 pounds for winter discharge support.",
        ),
        "report": add(
            api, board, meeting, "Quarterly performance report", "noting", planned_minutes=5
        ),
        "contract": add(
            api,
            board,
            meeting,
            "Care home contract award",
            "decision",
            planned_minutes=15,
            private=True,
        ),
        "aob": add(
            api, board, meeting, "Any other business", "any_other_business", planned_minutes=5
        ),
    }
    run(api, chair, meeting, "publish_agenda")
    present(api, board, meeting)
    run(api, chair, meeting, "open_meeting")
    run(
        api,
        board.people["voting_member"],
        meeting,
        "declare_interest",
        {
            "member": board.people["voting_member"].id,
            "item": items["fund"]["item"],
            "interest": "Trustee of a care provider bidding for the fund",
        },
    )
    run(api, chair, meeting, "start_item", {"item": items["apologies"]["item"]})
    run(
        api,
        board.people["officer"],
        meeting,
        "add_action",
        {
            "item": items["apologies"]["item"],
            "what": "Send the apologies to the clerk",
            "owner": "Ben Member",
            "owner_member": board.people["voting_member"].id,
        },
    )
    run(api, chair, meeting, "close_item", {"item": items["apologies"]["item"]})
    run(api, chair, meeting, "start_item", {"item": items["fund"]["item"]})
    for key in ("nhs_member", "vice_chair"):
        run(
            api,
            board.people["officer"],
            meeting,
            "record_departure",
            {"member": board.people[key].id},
        )
    return meeting, items


def approved_meeting(api: Api, board: BoardScene) -> tuple[str, str]:
    """A closed meeting whose minutes the next meeting approved: (first, second)."""
    chair = board.people["chair"]
    first = schedule(api, board, "November board meeting", days=-20)
    fund = add(api, board, first, "Shared discharge lounge", "decision", planned_minutes=20)
    secret = add(
        api,
        board,
        first,
        "Staffing restructure",
        "decision",
        planned_minutes=10,
        private=True,
        description="Confidential staffing proposal.",
    )
    present(api, board, first)
    run(api, chair, first, "open_meeting")
    for ids in (fund, secret):
        run(api, chair, first, "start_item", {"item": ids["item"]})
        consent(api, board, ids["room"])
        run(api, chair, first, "close_item", {"item": ids["item"]})
    run(api, chair, first, "close_meeting")
    second = schedule(api, board, "Extraordinary board meeting", days=-10)
    previous = add(api, board, second, "Minutes of the last meeting", "previous_minutes")
    present(api, board, second)
    run(api, chair, second, "open_meeting")
    run(api, chair, second, "start_item", {"item": previous["item"]})
    consent(api, board, previous["room"])
    run(api, chair, second, "close_item", {"item": previous["item"]})
    return first, second
