"""The board as the meeting sees it: a snapshot taken when the meeting is scheduled.

The meeting's fold never reads the database: ``meeting.scheduled`` carries this snapshot
(members, standing orders, the standing register of interests).
"""

from dataclasses import dataclass

from deliberation.ids import OrganisationId, ParticipantId
from deliberation.meetings.ids import BoardId, ItemId
from deliberation.meetings.rules import StandingOrders
from deliberation.meetings.vocabulary import BoardRole, Excludes


@dataclass(frozen=True, slots=True)
class BoardMember:
    member: ParticipantId
    name: str
    organisation: OrganisationId
    organisation_name: str
    role: BoardRole
    sector: str = ""


@dataclass(frozen=True, slots=True)
class Interest:
    """A declared interest: standing (``item`` is ``None``: on the board's register) or on one
    item. Only an item's declaration excludes anyone, and only from that item."""

    member: ParticipantId
    interest: str
    item: ItemId | None = None
    excludes: Excludes = Excludes.NONE


@dataclass(frozen=True, slots=True)
class Board:
    board: BoardId
    name: str
    members: tuple[BoardMember, ...]
    standing_orders: StandingOrders = StandingOrders()
    interests: tuple[Interest, ...] = ()

    def member(self, member: ParticipantId) -> BoardMember | None:
        for m in self.members:
            if m.member == member:
                return m
        return None
