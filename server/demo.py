"""The demo `make run` opens: a small partnership room mid-way through a proposal, and a
health and wellbeing board with a meeting next week (``server.demo_board``).

Seeding is idempotent: a second run finds the demo facilitator and chair and changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

import deliberation
from server.auth.middleware import CurrentUser
from server.auth.passwords import hash_password
from server.clock import SystemClock
from server.db.engine import create_engine
from server.db.tables import Membership, Organisation, Room, User
from server.demo_board import SEATS, seed_board
from server.rooms.api_models import RoomCreate
from server.rooms.codec import command_from_wire
from server.rooms.http import admit, create_room
from server.rooms.service import RoomService
from server.settings import get_settings

DEMO_PASSWORD = "evenfloor-demo"
PEOPLE = [
    ("Fran Facilitator", "fran@demo.evenfloor.org", "Health Board"),
    ("Amir", "amir@demo.evenfloor.org", "Health Board"),
    ("Bea", "bea@demo.evenfloor.org", "Carers' Alliance"),
    ("Chidi", "chidi@demo.evenfloor.org", "City Council"),
    ("Dana", "dana@demo.evenfloor.org", "Tenants' Forum"),
]


async def _user(sessions: async_sessionmaker[Any], name: str, email: str) -> CurrentUser:
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD))
            session.add(user)
            await session.flush()
        return CurrentUser(user.id, user.email, user.display_name)


async def seed(base_url: str | None = None) -> str:
    settings = get_settings()
    port = os.environ.get("PORT", settings.port)
    base_url = base_url or f"http://{settings.host}:{port}"
    engine = create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def nobody_listens(_room: uuid.UUID, _stored: list[Any]) -> None:
        return None

    service = RoomService(sessions, nobody_listens)
    clock = SystemClock()
    try:
        people = [await _user(sessions, name, email) for name, email, _org in PEOPLE]
        facilitator = people[0]
        async with sessions() as session:
            existing = await session.scalar(
                select(Room.id)
                .join(Membership, Membership.room_id == Room.id)
                .where(Membership.user_id == facilitator.id, Membership.role == "owner")
            )
        board_people = [await _user(sessions, name, email) for name, email, *_rest in SEATS]
        meeting_id = await seed_board(sessions, service, board_people, clock.now())
        meeting_line = (
            f"\n{base_url}/meetings/{meeting_id}  (board chair: {SEATS[0][1]} / {DEMO_PASSWORD})"
        )
        if existing is not None:
            return (
                f"{base_url}/rooms/{existing}  (demo login: {PEOPLE[0][1]} / {DEMO_PASSWORD})"
                + meeting_line
            )
        room = await create_room(
            service,
            facilitator,
            RoomCreate(
                title="Winter pressures: shared discharge lounge",
                proposal=(
                    "The partnership funds a shared discharge lounge at the General for "
                    "December to March, staffed jointly by the Health Board and the Council, "
                    "with carers' organisations consulted on opening hours."
                ),
                organisation_name=PEOPLE[0][2],
                rules={
                    "speaking_cap": "2/5",
                    "vote_mode": "capped",
                    "vote_cap": "2/5",
                    "quorum": {"participants": 3, "organisations": 2},
                },
            ),
            clock.now(),
        )
        for person, (_name, _email, org_name) in zip(people[1:], PEOPLE[1:], strict=True):
            async with sessions() as session, session.begin():
                organisation = await session.scalar(
                    select(Organisation).where(Organisation.name == org_name)
                )
                if organisation is None:
                    organisation = Organisation(name=org_name)
                    session.add(organisation)
                    await session.flush()
            await admit(
                service,
                room_id=room.id,
                user=person,
                organisation=organisation,
                role="participant",
                now=clock.now(),
            )

        async def say(person: CurrentUser, name: str, args: dict[str, Any]) -> None:
            ctx = deliberation.Context(actor=person.participant_id, at=clock.now())
            await service.execute(room.id, command_from_wire(name, args), ctx)

        await say(facilitator, "open_round", {"round": "surface_conflict"})
        statements = [
            (people[2], "Carers need evening opening hours, not office hours."),
            (people[3], "The Council cannot staff weekends without agency costs."),
            (people[4], "Tenants discharged late at night need transport home."),
            (people[1], "A lounge frees ward beds by mid-morning."),
        ]
        for index, (person, text) in enumerate(statements):
            await say(person, "add_statement", {"statement": f"demo-{index}", "text": text})
        for person in people[1:]:
            for index in range(len(statements)):
                reaction = ("agree", "disagree", "pass")[(index + len(person.display_name)) % 3]
                with contextlib.suppress(deliberation.Rejected):  # e.g. an author on their own
                    await say(person, "react", {"statement": f"demo-{index}", "reaction": reaction})
        return (
            f"{base_url}/rooms/{room.id}  (demo login: {PEOPLE[0][1]} / {DEMO_PASSWORD})"
            + meeting_line
        )
    finally:
        await engine.dispose()
