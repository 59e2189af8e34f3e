"""A health and wellbeing board and its meetings, for the meeting core's tests.

Tests give a history, issue one command, and check the events (or the refusal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from deliberation import Context, ParticipantId, Rejected
from deliberation.ids import OrganisationId
from deliberation.meetings import (
    INITIAL_MEETING,
    AddItem,
    Board,
    BoardId,
    BoardMember,
    BoardRole,
    ItemId,
    ItemKind,
    MeetingCommand,
    MeetingEvent,
    MeetingId,
    MeetingState,
    OpenMeeting,
    QuorumRule,
    RecordArrival,
    ScheduleMeeting,
    SectorQuota,
    StandingOrders,
    decide_meeting,
    meeting_event_type,
    replay_meeting,
)
from deliberation.vocabulary import PublicationPolicy

T0 = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def at(minutes: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes)


CHAIR = ParticipantId("chloe")  # chair, council
VICE = ParticipantId("victor")  # vice-chair, NHS trust
ANNA = ParticipantId("anna")  # voting, council
BEN = ParticipantId("ben")  # voting, NHS trust
CARA = ParticipantId("cara")  # voting, carers' charity
DEV = ParticipantId("dev")  # adviser, council (no vote)
OFFICER = ParticipantId("olu")  # officer in attendance
FACILITATOR = ParticipantId("fran")  # not on the board
SECRETARY = ParticipantId("sam")  # not on the board
SUB = ParticipantId("sub-ben")  # Ben's substitute
STRANGER = ParticipantId("stranger")

COUNCIL = OrganisationId("council")
TRUST = OrganisationId("trust")
CHARITY = OrganisationId("charity")

MEMBERS = (
    BoardMember(CHAIR, "Chloe", COUNCIL, "Borough Council", BoardRole.CHAIR, "local_authority"),
    BoardMember(VICE, "Victor", TRUST, "Hospital Trust", BoardRole.VICE_CHAIR, "nhs"),
    BoardMember(
        ANNA, "Anna", COUNCIL, "Borough Council", BoardRole.VOTING_MEMBER, "local_authority"
    ),
    BoardMember(BEN, "Ben", TRUST, "Hospital Trust", BoardRole.VOTING_MEMBER, "nhs"),
    BoardMember(CARA, "Cara", CHARITY, "Carers' Charity", BoardRole.VOTING_MEMBER, "voluntary"),
    BoardMember(DEV, "Dev", COUNCIL, "Borough Council", BoardRole.ADVISER, "local_authority"),
    BoardMember(OFFICER, "Olu", COUNCIL, "Borough Council", BoardRole.OFFICER, "local_authority"),
)

QUORUM = QuorumRule(
    min_voting_members=3,
    min_organisations=2,
    required_roles=((BoardRole.CHAIR, BoardRole.VICE_CHAIR),),
    required_sectors=(
        SectorQuota("local_authority", 1, "the local authority"),
        SectorQuota("nhs", 1, "the NHS"),
    ),
)

ORDERS = StandingOrders(quorum=QUORUM, publication=PublicationPolicy.NAMES)

BOARD = Board(BoardId("hwb"), "Health and Wellbeing Board", MEMBERS, ORDERS)

MEETING = MeetingId("m-2026-12")
LATER = MeetingId("m-2027-01")
EARLIER = MeetingId("m-2026-11")

APOLOGIES, MINUTES, DECISION, DISCUSSION, NOTING, PRIVATE, AOB = (
    ItemId(name)
    for name in ("apologies", "minutes", "pooled-fund", "winter", "report", "contract", "aob")
)


def ctx(actor: ParticipantId | None, when: datetime = T0) -> Context:
    return Context(actor=actor, at=when)


def schedule(board: Board = BOARD, **changes: object) -> ScheduleMeeting:
    fields: dict[str, object] = {
        "meeting": MEETING,
        "title": "Board meeting, December",
        "board": board,
        "starts_at": at(0),
        "ends_at": at(120),
        "timezone": "Europe/London",
        "place": "Town Hall, Room 2",
        "video_url": "https://meet.example/hwb",
        "facilitators": (FACILITATOR,),
        "secretaries": (SECRETARY,),
    }
    fields.update(changes)
    return ScheduleMeeting(**fields)  # type: ignore[arg-type]


def standard_items() -> list[AddItem]:
    return [
        AddItem(APOLOGIES, "Apologies", ItemKind.APOLOGIES, 2),
        AddItem(
            MINUTES, "Minutes of the last meeting", ItemKind.PREVIOUS_MINUTES, 5, approves=EARLIER
        ),
        AddItem(DECISION, "Pooled winter fund", ItemKind.DECISION, 30),
        AddItem(DISCUSSION, "Winter pressures", ItemKind.DISCUSSION, 20),
        AddItem(NOTING, "Quarterly performance report", ItemKind.NOTING, 5),
        AddItem(PRIVATE, "Care home contract award", ItemKind.DECISION, 15, private=True),
        AddItem(AOB, "Any other business", ItemKind.ANY_OTHER_BUSINESS, 5),
    ]


@dataclass
class Given:
    """A meeting with a history; ``do`` issues a command and folds its events."""

    events: list[MeetingEvent] = field(default_factory=list)
    state: MeetingState = INITIAL_MEETING
    clock: datetime = T0

    def do(
        self,
        command: MeetingCommand,
        actor: ParticipantId | None = FACILITATOR,
        when: datetime | None = None,
    ) -> list[MeetingEvent]:
        moment = when or self.clock
        self.clock = moment
        new = decide_meeting(self.state, command, ctx(actor, moment))
        self.events.extend(new)
        self.state = replay_meeting(new, start=self.state)
        return new

    def all(self, commands: Iterable[MeetingCommand], actor: ParticipantId | None = None) -> None:
        for command in commands:
            self.do(command, actor)


def given_meeting(board: Board = BOARD, *, items: bool = True) -> Given:
    meeting = Given()
    meeting.do(schedule(board), actor=None)
    if items:
        meeting.all(standard_items())
    return meeting


def refused(
    meeting: Given, command: MeetingCommand, actor: ParticipantId | None = FACILITATOR
) -> Rejected:
    """The refusal of ``command``; the meeting is left as it was."""
    before = meeting.state
    try:
        meeting.do(command, actor)
    except Rejected as error:
        assert meeting.state is before
        return error
    raise AssertionError(f"{type(command).__name__} was not refused")


def types(events: Iterable[MeetingEvent]) -> list[str]:
    return [meeting_event_type(e) for e in events]


def open_with(*present: ParticipantId, board: Board = BOARD) -> Given:
    """An open meeting with the standard items and ``present`` arrived in the room."""
    meeting = given_meeting(board)
    meeting.do(OpenMeeting())
    for person in present:
        meeting.do(RecordArrival(person))
    return meeting


QUORATE = (CHAIR, VICE, ANNA, BEN, CARA)
