"""Builders for core tests: people, moments, and rooms with a history.

Tests give a history, issue one command, and check the events (or the refusal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from deliberation import INITIAL, Context, ParticipantId, RoomState, decide, replay
from deliberation.commands import AdmitMember, Command, CreateRoom, OpenRound
from deliberation.events import Event
from deliberation.ids import OrganisationId, RoomId
from deliberation.rules import RoomRules, RoundDeadline
from deliberation.vocabulary import Mode, PublicationPolicy, Role, RoundKind

T0 = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def at(seconds: float = 0) -> datetime:
    return T0 + timedelta(seconds=seconds)


T1, T2, T3, T4, T5, T6, T7, T8, T9 = (at(i) for i in range(1, 10))

OWNER = ParticipantId("owner")
FACILITATOR = ParticipantId("fran")
ALICE = ParticipantId("alice")
AMIR = ParticipantId("amir")  # same organisation as Alice
BOB = ParticipantId("bob")
CAROL = ParticipantId("carol")
OLIVE = ParticipantId("olive")  # an observer
STRANGER = ParticipantId("stranger")

BOARD = OrganisationId("board")
TRUST_A = OrganisationId("trust-a")
TRUST_B = OrganisationId("trust-b")
CHARITY = OrganisationId("charity")

ORG_NAMES = {
    BOARD: "Integrated Care Board",
    TRUST_A: "Trust A",
    TRUST_B: "Trust B",
    CHARITY: "Carers' Charity",
}

MEMBERS: tuple[tuple[ParticipantId, str, OrganisationId, Role], ...] = (
    (FACILITATOR, "Fran", BOARD, Role.FACILITATOR),
    (ALICE, "Alice", TRUST_A, Role.PARTICIPANT),
    (AMIR, "Amir", TRUST_A, Role.PARTICIPANT),
    (BOB, "Bob", TRUST_B, Role.PARTICIPANT),
    (CAROL, "Carol", CHARITY, Role.PARTICIPANT),
    (OLIVE, "Olive", CHARITY, Role.OBSERVER),
)

PROPOSAL = "Pool the winter-pressure funds across the four partners."


def ctx(
    actor: ParticipantId | None, when: datetime = T0, acting_for: ParticipantId | None = None
) -> Context:
    return Context(actor=actor, at=when, acting_for=acting_for)


def create_room(
    rules: RoomRules | None = None,
    mode: Mode = Mode.LIVE,
    deadlines: tuple[RoundDeadline, ...] = (),
    publication: PublicationPolicy = PublicationPolicy.NAMES,
) -> CreateRoom:
    return CreateRoom(
        room=RoomId("room-1"),
        title="Winter pressures",
        proposal=PROPOSAL,
        owner_name="Owen",
        organisation=BOARD,
        organisation_name=ORG_NAMES[BOARD],
        rules=rules or RoomRules(),
        mode=mode,
        publication=publication,
        deadlines=deadlines,
    )


def admit(
    who: ParticipantId,
    name: str,
    organisation: OrganisationId,
    role: Role = Role.PARTICIPANT,
    weight: int = 1,
) -> AdmitMember:
    return AdmitMember(
        who, name, organisation, ORG_NAMES.get(organisation, organisation), role, Fraction(weight)
    )


@dataclass
class Room:
    """A room under test: its events so far and its folded state."""

    events: list[Event] = field(default_factory=list)
    state: RoomState = INITIAL
    clock: datetime = T0

    def do(
        self,
        command: Command,
        actor: ParticipantId | None = FACILITATOR,
        when: datetime | None = None,
        acting_for: ParticipantId | None = None,
    ) -> list[Event]:
        """Decide and apply; the clock moves to ``when`` (or stays)."""
        if when is not None:
            self.clock = when
        new = decide(self.state, command, ctx(actor, self.clock, acting_for))
        self.events.extend(new)
        self.state = replay(new, start=self.state)
        return new

    def later(self, seconds: float) -> datetime:
        self.clock = self.clock + timedelta(seconds=seconds)
        return self.clock

    def rebuilt(self) -> RoomState:
        return replay(self.events)


def given_room(
    rules: RoomRules | None = None,
    *,
    mode: Mode = Mode.LIVE,
    deadlines: tuple[RoundDeadline, ...] = (),
    publication: PublicationPolicy = PublicationPolicy.NAMES,
    members: Iterable[tuple[ParticipantId, str, OrganisationId, Role]] = MEMBERS,
    round: RoundKind | None = None,
) -> Room:
    """A room with the usual members admitted, optionally advanced to ``round`` (open)."""
    room = Room()
    room.do(create_room(rules, mode, deadlines, publication), OWNER)
    for who, name, organisation, role in members:
        room.do(admit(who, name, organisation, role), None)
    if round is not None:
        open_up_to(room, round)
    return room


def open_up_to(room: Room, target: RoundKind) -> None:
    """Open and close rounds in order until ``target`` is open (live rooms)."""
    from deliberation.commands import CloseRound

    for kind in RoundKind:
        room.do(OpenRound(kind))
        if kind is target:
            return
        room.do(CloseRound())


def types(events: Iterable[Event]) -> list[str]:
    from deliberation import event_type

    return [event_type(e) for e in events]
