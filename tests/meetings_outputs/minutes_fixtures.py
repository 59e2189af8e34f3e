"""Hand-made minutes documents (docs/meetings.md, "The minutes document") for the outputs.

A health and wellbeing board's meeting with every kind of item: apologies with a named
substitute, a declared interest that excludes a member from a decision, quorum lost when a
member leaves and restored when she returns, a consent decision with concerns, a
stand-aside and a formal dissent, a weighted vote with a cap, an item for noting, an urgent
item, a deferred item, a private (Part 2) item and actions, one of them overdue.

`draft()` is the members' copy; `approved()` the same after the next meeting approved it;
`published(approved())` what the public may see (the private item reduced to its
commitment). The renderers and the record take these dicts, so these tests need neither
the core nor the database.
"""

from __future__ import annotations

import copy
from typing import Any

MEETING_ID = "7d5d3c1e-0b7a-4a39-9d69-3f1c2b1e0a01"
NEXT_MEETING_ID = "7d5d3c1e-0b7a-4a39-9d69-3f1c2b1e0a02"
BOARD_ID = "b0a4d000-0000-4000-8000-00000000b0a4"

PRIVATE_NOTE = "Bid B (Carewell Ltd) scored highest on quality; award subject to due diligence."
PRIVATE_ACTION = "Notify the unsuccessful bidders of the domiciliary care tender"
PRIVATE_DISSENT = "The contract value exceeds the delegated limit of the board"

ROOM_CARERS = "c0000000-0000-4000-8000-000000000005"
ROOM_HUB = "c0000000-0000-4000-8000-000000000006"
ROOM_MINUTES = "c0000000-0000-4000-8000-000000000003"
ROOM_PRIVATE = "c0000000-0000-4000-8000-000000000008"

MEMBERS = {
    "m-chair": ("Cllr Amina Shah", "Northshire Council", "chair"),
    "m-vice": ("Dr Tom Reid", "Northshire ICB", "vice_chair"),
    "m-priya": ("Priya Nair", "Northshire Council", "voting_member"),
    "m-gareth": ("Gareth Owen", "Northshire NHS Trust", "voting_member"),
    "m-helen": ("Helen Cho", "Healthwatch Northshire", "voting_member"),
    "m-joe": ("Joe Bloggs", "Northshire Voluntary Alliance", "voting_member"),
    "m-ruth": ("Ruth Évans", "Northshire Council", "officer"),
    "m-sam": ("Sam Patel", "Healthwatch Northshire", "voting_member"),
}


def member(member_id: str) -> dict[str, Any]:
    name, organisation, role = MEMBERS[member_id]
    return {"id": member_id, "name": name, "organisation": organisation, "board_role": role}


def _attendance(
    member_id: str,
    status: str,
    arrived: str | None = None,
    left: str | None = None,
    substitute_for: str | None = None,
) -> dict[str, Any]:
    return {
        "member": member(member_id),
        "status": status,
        "arrived_at": arrived,
        "left_at": left,
        "substitute_for": substitute_for,
    }


def _log(room_id: str, seq: int, nibble: str) -> dict[str, Any]:
    return {"room_id": room_id, "seq": seq, "hash": nibble * 64}


def draft() -> dict[str, Any]:
    """The minutes of the 14 January 2027 meeting, before approval."""
    return {
        "meeting": {
            "id": MEETING_ID,
            "title": "Health and Wellbeing Board, 14 January 2027",
            "board": {"id": BOARD_ID, "name": "Northshire Health and Wellbeing Board"},
            "starts_at": "2027-01-14T10:00:00Z",
            "ends_at": "2027-01-14T12:30:00Z",
            "timezone": "Europe/London",
            "place": "Council Chamber, County Hall",
            "video_url": "https://meet.example.org/hwb-2027-01",
            "mode": "live",
        },
        "status": "draft",
        "approved_at": None,
        "approved_in": None,
        "attendance": [
            _attendance("m-chair", "present_in_room", "2027-01-14T09:55:00Z"),
            _attendance("m-vice", "present_remote", "2027-01-14T10:00:00Z"),
            _attendance("m-priya", "present_in_room", "2027-01-14T10:00:00Z"),
            _attendance("m-gareth", "present_in_room", "2027-01-14T10:00:00Z"),
            _attendance("m-helen", "apologies"),
            _attendance("m-joe", "present_in_room", "2027-01-14T10:20:00Z", "2027-01-14T11:30:00Z"),
            _attendance("m-ruth", "present_in_room", "2027-01-14T10:00:00Z"),
            _attendance(
                "m-sam", "present_remote", "2027-01-14T10:00:00Z", substitute_for="m-helen"
            ),
        ],
        "quorum": [
            {"at": "2027-01-14T10:00:00Z", "held": True, "missing": []},
            {
                "at": "2027-01-14T11:30:00Z",
                "held": False,
                "missing": ["1 more voting member", "a member from the voluntary sector"],
            },
            {"at": "2027-01-14T11:42:00Z", "held": True, "missing": []},
        ],
        "declarations": [
            {
                "member": "m-gareth",
                "item": "item-5",
                "interest": "His employer provides respite care under the strategy",
                "excludes": "vote",
            },
            {
                "member": "m-priya",
                "item": None,
                "interest": "Trustee of Northshire Carers' Centre",
                "excludes": "none",
            },
        ],
        "items": [
            _plain_item(
                "item-1",
                1,
                "Apologies for absence",
                "apologies",
                note="Apologies from Helen Cho; Sam Patel substitutes.",
            ),
            _plain_item("item-2", 2, "Declarations of interest", "declarations"),
            {
                **_plain_item(
                    "item-3", 3, "Minutes of the meeting of 12 November 2026", "previous_minutes"
                ),
                "decision": {
                    "outcome": "consented",
                    "present": ["m-chair", "m-vice", "m-priya", "m-gareth", "m-sam"],
                    "excluded": [],
                    "dissents": [],
                    "concerns": [],
                    "stand_asides": [],
                    "objections": [],
                    "votes": [],
                    "log": _log(ROOM_MINUTES, 9, "3"),
                },
            },
            {
                **_plain_item("item-4", 4, "Matters arising", "matters_arising"),
                "actions": [
                    {
                        "id": "a-old-1",
                        "what": "Circulate the revised carers' survey",
                        "owner": "m-ruth",
                        "due": "2026-12-15",
                        "status": "overdue",
                    },
                    {
                        "id": "a-old-2",
                        "what": "Report on winter vaccination uptake",
                        "owner": "m-vice",
                        "due": "2027-01-10",
                        "status": "done",
                    },
                ],
            },
            {
                **_plain_item(
                    "item-5",
                    5,
                    "Joint carers' strategy 2027-2030",
                    "decision",
                    note="The strategy was introduced by Priya Nair.\nMembers asked for an annual review.",
                ),
                "decision": {
                    "outcome": "consented_with_concerns",
                    "present": ["m-chair", "m-vice", "m-priya", "m-gareth", "m-joe", "m-sam"],
                    "excluded": [
                        {
                            "member": "m-gareth",
                            "reason": "Declared interest: his employer provides respite care",
                        }
                    ],
                    "dissents": [
                        {
                            "member": "m-joe",
                            "kind": "formal_dissent",
                            "text": "Young carers get too little of the budget <b>bold</b>",
                        }
                    ],
                    "concerns": [
                        {"member": "m-vice", "text": "The respite budget is not yet agreed"}
                    ],
                    "stand_asides": [
                        {"member": "m-sam", "text": "Healthwatch will consult its members first"}
                    ],
                    "objections": [],
                    "votes": [],
                    "log": _log(ROOM_CARERS, 41, "5"),
                },
                "actions": [
                    {
                        "id": "a-1",
                        "what": "Publish the strategy with an easy-read summary",
                        "owner": "m-priya",
                        "due": "2027-02-28",
                        "status": "open",
                    }
                ],
            },
            {
                **_plain_item(
                    "item-6",
                    6,
                    "Community mental health hub funding",
                    "decision",
                    urgent_reason="The grant offer expires on 31 January",
                ),
                "decision": {
                    "outcome": "passed",
                    "present": ["m-chair", "m-vice", "m-priya", "m-gareth", "m-sam"],
                    "excluded": [],
                    "dissents": [],
                    "concerns": [],
                    "stand_asides": [],
                    "objections": [
                        {
                            "member": "m-priya",
                            "text": "The hub should be in the north of the county",
                            "status": "not paramount",
                        }
                    ],
                    "votes": [
                        {
                            "member": "m-chair",
                            "organisation": "Northshire Council",
                            "raw": "1",
                            "counted": "0.5",
                        },
                        {
                            "member": "m-priya",
                            "organisation": "Northshire Council",
                            "raw": "1",
                            "counted": "0.5",
                        },
                        {
                            "member": "m-vice",
                            "organisation": "Northshire ICB",
                            "raw": "1",
                            "counted": "1",
                        },
                        {
                            "member": "m-gareth",
                            "organisation": "Northshire NHS Trust",
                            "raw": "1",
                            "counted": "1",
                        },
                        {
                            "member": "m-sam",
                            "organisation": "Healthwatch Northshire",
                            "raw": "1",
                            "counted": "1",
                        },
                    ],
                    "log": _log(ROOM_HUB, 63, "6"),
                },
            },
            {
                **_plain_item("item-7", 7, "Quarterly performance report", "noting"),
                "noted": True,
            },
            {
                **_plain_item(
                    "item-8", 8, "Contract award: domiciliary care", "decision", note=PRIVATE_NOTE
                ),
                "private": True,
                "decision": {
                    "outcome": "consented",
                    "present": ["m-chair", "m-vice", "m-priya", "m-sam"],
                    "excluded": [],
                    "dissents": [
                        {"member": "m-vice", "kind": "minority_view", "text": PRIVATE_DISSENT}
                    ],
                    "concerns": [],
                    "stand_asides": [],
                    "objections": [],
                    "votes": [],
                    "log": _log(ROOM_PRIVATE, 17, "8"),
                },
                "actions": [
                    {
                        "id": "a-2",
                        "what": PRIVATE_ACTION,
                        "owner": "m-ruth",
                        "due": "2027-01-21",
                        "status": "open",
                    }
                ],
            },
            {
                **_plain_item("item-9", 9, "Review of the pharmacy needs assessment", "discussion"),
                "deferred_to": NEXT_MEETING_ID,
                "started_at": None,
                "ended_at": None,
            },
            _plain_item("item-10", 10, "Any other business", "any_other_business", note="None."),
        ],
        "narrative": {
            "summary": "The board agreed the carers' strategy and funded the mental health hub."
        },
    }


def _plain_item(
    item_id: str,
    number: int,
    title: str,
    kind: str,
    *,
    note: str = "",
    urgent_reason: str | None = None,
) -> dict[str, Any]:
    start = 12 * (number - 1)  # 10:00, 10:12, 10:24, ...
    started = f"2027-01-14T{10 + start // 60:02d}:{start % 60:02d}:00Z"
    ended = f"2027-01-14T{10 + (start + 11) // 60:02d}:{(start + 11) % 60:02d}:00Z"
    return {
        "id": item_id,
        "number": number,
        "title": title,
        "kind": kind,
        "private": False,
        "planned_minutes": 10,
        "started_at": started,
        "ended_at": ended,
        "note": note,
        "noted": False,
        "deferred_to": None,
        "urgent_reason": urgent_reason,
        "decision": None,
        "actions": [],
    }


def approved() -> dict[str, Any]:
    """The same minutes, approved at the next meeting."""
    minutes = draft()
    minutes["status"] = "approved"
    minutes["approved_at"] = "2027-03-11T10:25:00Z"
    minutes["approved_in"] = NEXT_MEETING_ID
    return minutes


def published(minutes: dict[str, Any], *, private_titles: bool = True) -> dict[str, Any]:
    """The public copy (policy `names`): each private item reduced to its commitment."""
    result = copy.deepcopy(minutes)
    reduced = []
    for item in result["items"]:
        if item["private"]:
            kept = {
                "id": item["id"],
                "number": item["number"],
                "kind": item["kind"],
                "private": True,
            }
            if private_titles:
                kept["title"] = item["title"]
            log = (item.get("decision") or {}).get("log")
            if log is not None:
                kept["log"] = {"seq": log["seq"], "hash": log["hash"]}
            reduced.append(kept)
        else:
            reduced.append(item)
    result["items"] = reduced
    result["declarations"] = [
        d
        for d in result["declarations"]
        if d["item"] not in {i["id"] for i in reduced if i["private"]}
    ]
    return result
