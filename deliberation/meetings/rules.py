"""A board's standing orders: quorum, publication, what a conflicted member leaves.

Frozen and JSON-friendly like the room's ``RoomRules`` (which they carry as the default rules
of every item's room), so the board's snapshot rides in ``meeting.scheduled``.
"""

from dataclasses import dataclass

from deliberation.meetings.vocabulary import BoardRole
from deliberation.rules import RoomRules
from deliberation.rules import problems as room_problems
from deliberation.vocabulary import PublicationPolicy


@dataclass(frozen=True, slots=True)
class SectorQuota:
    """At least ``count`` counted members from ``sector``.

    ``name`` is how a sentence says the sector ("the NHS", "the local authority"); the
    sector id when empty.
    """

    sector: str
    count: int = 1
    name: str = ""

    @property
    def phrase(self) -> str:
        return self.name or self.sector


@dataclass(frozen=True, slots=True)
class QuorumRule:
    """The quorum of the standing orders, for the meeting and each item.

    ``required_roles``: each entry is a set of alternatives, one of which must be present in
    person: ``((BoardRole.CHAIR, BoardRole.VICE_CHAIR),)`` reads "the chair or the vice-chair".
    ``required_sectors``: e.g. one member from the local authority and one from the NHS.
    """

    min_voting_members: int = 1
    min_organisations: int = 1
    required_roles: tuple[tuple[BoardRole, ...], ...] = ()
    required_sectors: tuple[SectorQuota, ...] = ()


@dataclass(frozen=True, slots=True)
class StandingOrders:
    """``conflicted_leave_discussion``: a member declaring an interest on an item is out of
    its discussion too, unless the declaration says otherwise.
    ``private_titles``: a private (Part 2) item's title is published.
    ``room_rules``: the caps and limits every item's room starts with.
    """

    quorum: QuorumRule = QuorumRule()
    publication: PublicationPolicy = PublicationPolicy.NAMES
    conflicted_leave_discussion: bool = False
    private_titles: bool = True
    room_rules: RoomRules = RoomRules()


def problems(orders: StandingOrders) -> list[str]:
    """Why these standing orders cannot be used (empty when they can)."""
    found: list[str] = []
    quorum = orders.quorum
    if quorum.min_voting_members < 0 or quorum.min_organisations < 0:
        found.append("quorum figures cannot be negative")
    if any(not alternatives for alternatives in quorum.required_roles):
        found.append("each required role needs at least one role")
    sectors = [s.sector for s in quorum.required_sectors]
    if any(not s.strip() for s in sectors) or len(set(sectors)) != len(sectors):
        found.append("required sectors need an id each, once")
    if any(s.count < 1 for s in quorum.required_sectors):
        found.append("a required sector needs a count of at least 1")
    found.extend(f"room rules: {problem}" for problem in room_problems(orders.room_rules))
    return found
