"""The demo board `make run` opens: a health and wellbeing board with a meeting next week.

Its last meeting is closed (an annual report noted, an action agreed); the next one has the
standing items (apologies, declarations, the previous minutes, matters arising), two items
for decision, one for noting, a private (Part 2) item and any other business, with one
apology sent and a standing interest on the register. Idempotent: a second run finds the
board by its chair and changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

import deliberation
from server.auth.middleware import CurrentUser
from server.db.tables import Board, BoardMember, StandingInterest
from server.meetings import boards
from server.meetings.api_models import MeetingCreate
from server.meetings.codec import command_from_wire
from server.meetings.http import schedule_meeting
from server.meetings.item_rooms import wired_meetings
from server.rooms.http import organisation_named
from server.rooms.service import RoomService

BOARD_NAME = "Northgate Health and Wellbeing Board"
# name, email, organisation, sector, board role; the first chairs and creates the board.
SEATS = [
    (
        "Cllr Helen Marsh",
        "helen@demo.evenfloor.org",
        "Northgate City Council",
        "local_authority",
        "chair",
    ),
    (
        "Dr Sam Okafor",
        "sam@demo.evenfloor.org",
        "Northgate Integrated Care Board",
        "nhs",
        "vice_chair",
    ),
    (
        "Cllr Raj Patel",
        "raj@demo.evenfloor.org",
        "Northgate City Council",
        "local_authority",
        "voting_member",
    ),
    (
        "Priya Shah",
        "priya@demo.evenfloor.org",
        "Northgate Hospitals NHS Trust",
        "nhs",
        "voting_member",
    ),
    (
        "Tom Reilly",
        "tom@demo.evenfloor.org",
        "Northgate Voluntary Action",
        "voluntary",
        "voting_member",
    ),
    ("Grace Lee", "grace@demo.evenfloor.org", "Carers' Alliance", "voluntary", "voting_member"),
    (
        "Dr Anna Berg",
        "anna@demo.evenfloor.org",
        "Public Health Northgate",
        "local_authority",
        "adviser",
    ),
    ("Mark Evans", "mark@demo.evenfloor.org", "Northgate City Council", "", "officer"),
]
STANDING_ORDERS: dict[str, Any] = {
    "quorum": {
        "min_voting_members": 4,
        "min_organisations": 3,
        "required_roles": [["chair", "vice_chair"]],
        "required_sectors": [
            {"sector": "local_authority", "count": 1, "name": "the local authority"},
            {"sector": "nhs", "count": 1, "name": "the NHS"},
        ],
    },
    "publication": "names",
    "conflicted_leave_discussion": False,
    "private_titles": True,
    "room_rules": {
        "speaking_cap": "2/5",
        "vote_mode": "capped",
        "vote_cap": "2/5",
        "quorum": {"participants": 3, "organisations": 2},
    },
}


async def seed_board(
    sessions: async_sessionmaker[Any],
    rooms: RoomService,
    people: list[CurrentUser],
    now: datetime,
) -> uuid.UUID:
    """The demo board and its two meetings; returns the upcoming meeting's id."""
    chair = people[0]
    async with sessions() as session:
        existing = await session.scalar(
            select(Board.id)
            .join(BoardMember, BoardMember.board_id == Board.id)
            .where(Board.name == BOARD_NAME, BoardMember.user_id == chair.id)
        )
        if existing is not None:
            from server.db.tables import Meeting

            found = await session.scalar(
                select(Meeting.id)
                .where(Meeting.board_id == existing)
                .order_by(Meeting.starts_at.desc())
            )
            assert found is not None
            return uuid.UUID(str(found))

    async def nobody_listens(_id: uuid.UUID, _stored: list[Any]) -> None:
        return None

    meetings = wired_meetings(sessions, rooms, nobody_listens)
    async with sessions() as session, session.begin():
        _name, _email, org, sector, role = SEATS[0]
        board = await boards.create_board(
            session,
            chair,
            name=BOARD_NAME,
            description="The statutory partnership of the council, the NHS and the voluntary "
            "sector for the health and wellbeing of Northgate.",
            organisation_name=org,
            sector=sector,
            board_role=role,
            orders=boards.standing_orders(STANDING_ORDERS),
            is_public=True,
        )
        for person, (_n, _e, org, sector, role) in zip(people[1:], SEATS[1:], strict=True):
            organisation = await organisation_named(session, org)
            await boards.add_member(
                session,
                board.id,
                person.id,
                organisation=organisation,
                sector=sector,
                board_role=role,
            )
        session.add(
            StandingInterest(
                board_id=board.id,
                user_id=people[5].id,
                interest="Trustee of Northgate Carers' Centre.",
                excludes="none",
                declared_at=now - timedelta(days=60),
            )
        )
    by_role = {seat[4]: person for seat, person in zip(SEATS, people, strict=True)}
    officer = by_role["officer"]
    voters = [
        p
        for seat, p in zip(SEATS, people, strict=True)
        if seat[4] in ("chair", "vice_chair", "voting_member")
    ]

    async def say(
        meeting_id: uuid.UUID, who: CurrentUser, name: str, args: dict[str, Any], at: datetime
    ) -> Any:
        ctx = deliberation.Context(actor=who.participant_id, at=at)
        return await meetings.execute(meeting_id, command_from_wire(name, args), ctx)

    # The last meeting: held four weeks ago, closed, an annual report noted, an action agreed.
    last_at = (now - timedelta(days=28)).replace(hour=10, minute=0, second=0, microsecond=0)
    last = await schedule_meeting(
        meetings,
        chair,
        board.id,
        MeetingCreate(
            title="Health and Wellbeing Board",
            starts_at=last_at,
            ends_at=last_at + timedelta(hours=2),
            place="Council Chamber, Northgate Town Hall",
        ),
        last_at - timedelta(days=14),
    )
    report = uuid.uuid4().hex
    await say(
        last.id,
        chair,
        "add_item",
        {"item": report, "title": "Better Care Fund quarterly return", "kind": "noting"},
        last_at,
    )
    await say(last.id, chair, "publish_agenda", {}, last_at)
    for person in voters:
        await say(
            last.id,
            officer,
            "mark_attendance",
            {"member": person.participant_id, "status": "present_in_room"},
            last_at,
        )
    await say(last.id, chair, "open_meeting", {}, last_at)
    await say(last.id, chair, "start_item", {"item": report}, last_at + timedelta(minutes=5))
    await say(last.id, chair, "note_item", {"item": report}, last_at + timedelta(minutes=15))
    await say(
        last.id,
        officer,
        "add_action",
        {
            "action": uuid.uuid4().hex,
            "item": report,
            "what": "Circulate the Better Care Fund spending plan to all partners",
            "owner": by_role["vice_chair"].display_name,
            "owner_member": by_role["vice_chair"].participant_id,
            "due": (last_at + timedelta(days=21)).replace(hour=0),
        },
        last_at + timedelta(minutes=16),
    )
    await say(last.id, chair, "close_item", {"item": report}, last_at + timedelta(minutes=20))
    await say(last.id, chair, "close_meeting", {}, last_at + timedelta(minutes=90))

    # The next meeting: next week, with the standing items and the business of the day.
    next_at = (now + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    upcoming = await schedule_meeting(
        meetings,
        chair,
        board.id,
        MeetingCreate(
            title="Health and Wellbeing Board",
            starts_at=next_at,
            ends_at=next_at + timedelta(hours=2, minutes=30),
            place="Council Chamber, Northgate Town Hall",
            video_url="https://meet.example.org/northgate-hwb",
        ),
        now,
    )
    agenda: list[tuple[str, str, int, dict[str, Any]]] = [
        ("Apologies for absence", "apologies", 2, {}),
        ("Declarations of interest", "declarations", 3, {}),
        ("Minutes of the previous meeting", "previous_minutes", 5, {"approves": str(last.id)}),
        ("Matters arising", "matters_arising", 10, {}),
        (
            "Winter discharge fund",
            "decision",
            25,
            {
                "description": "The board funds a shared discharge lounge at Northgate General "
                "from December to March, staffed jointly by the Trust and the Council, with "
                "carers' organisations consulted on its opening hours."
            },
        ),
        (
            "Joint carers' strategy 2027-2030",
            "decision",
            25,
            {
                "description": "The board adopts the joint carers' strategy and its three "
                "priorities: breaks, income and recognition at hospital discharge."
            },
        ),
        ("Director of Public Health's annual report", "noting", 10, {}),
        (
            "Care home contract award",
            "decision",
            15,
            {
                "private": True,
                "description": "Award of the residential care framework "
                "(commercially confidential: Part 2).",
            },
        ),
        ("Any other business", "any_other_business", 5, {}),
    ]
    from server.meetings.commands import ROOM_KINDS, previous_meeting

    async with sessions() as session:
        earlier = await previous_meeting(session, upcoming)
        _seq, earlier_state = await meetings.state_in(session, earlier.id) if earlier else (0, None)
    for title, kind, minutes, extra in agenda:
        args: dict[str, Any] = {
            "item": uuid.uuid4().hex,
            "title": title,
            "kind": kind,
            "planned_minutes": minutes,
            **extra,
        }
        if kind in ROOM_KINDS:
            args["room"] = str(uuid.uuid4())
        if kind == "matters_arising" and earlier_state is not None:
            import deliberation.meetings as core

            args["arising"] = list(core.matters_arising(earlier_state.actions.values(), now))
        await say(upcoming.id, chair, "add_item", args, now)
    await say(upcoming.id, chair, "publish_agenda", {}, now)
    await say(
        upcoming.id,
        officer,
        "mark_attendance",
        {"member": by_role["voting_member"].participant_id, "status": "apologies"},
        now,
    )
    return upcoming.id
