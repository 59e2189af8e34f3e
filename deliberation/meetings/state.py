"""The folded state of one meeting: everything the rules and the minutes need.

Every part is frozen; ``evolve_meeting`` builds new parts and shares the unchanged ones.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from deliberation.ids import OrganisationId, ParticipantId, RoomId
from deliberation.meetings.board import Board, BoardMember
from deliberation.meetings.ids import ActionId, ItemId, MeetingId
from deliberation.meetings.records import ItemHistory
from deliberation.meetings.vocabulary import (
    PRESENT,
    Attendance,
    Excludes,
    ItemKind,
    ItemStatus,
    MeetingMode,
    MeetingStatus,
)


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting: MeetingId
    title: str
    board: Board
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    video_url: str
    mode: MeetingMode
    facilitators: tuple[ParticipantId, ...]
    secretaries: tuple[ParticipantId, ...]
    scheduled_at: datetime


@dataclass(frozen=True, slots=True)
class Item:
    """``deferred_to`` is the later meeting; ``deferred_to_next`` when that is "the next"."""

    item: ItemId
    title: str
    kind: ItemKind
    planned_minutes: int
    private: bool
    description: str
    room: RoomId | None
    approves: MeetingId | None
    history: tuple[ItemHistory, ...]
    urgent_reason: str | None
    added_at: datetime
    status: ItemStatus = ItemStatus.PENDING
    started_at: datetime | None = None
    ended_at: datetime | None = None
    noted: bool = False
    deferred_to: MeetingId | None = None
    deferred_to_next: bool = False
    deferral_reason: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """``arrived_at``: the first arrival; ``left_at``: the last departure, ``None`` while
    present. ``substitute_for``: the member whose vote a named substitute carries."""

    member: ParticipantId
    status: Attendance
    arrived_at: datetime | None = None
    left_at: datetime | None = None
    substitute_for: ParticipantId | None = None

    @property
    def present(self) -> bool:
        return self.status in PRESENT and self.left_at is None


@dataclass(frozen=True, slots=True)
class Substitute:
    substitute: ParticipantId
    name: str
    for_member: ParticipantId
    organisation: OrganisationId
    organisation_name: str
    named_at: datetime


@dataclass(frozen=True, slots=True)
class Declaration:
    member: ParticipantId
    interest: str
    item: ItemId | None
    excludes: Excludes
    declared_at: datetime
    standing: bool = False  # from the board's register, carried in the snapshot
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class Action:
    """``meeting``: where it was agreed; ``carried_from`` the same, for a matter arising
    carried into this meeting. ``private``: agreed on a private item (never published)."""

    action: ActionId
    meeting: MeetingId
    item: ItemId
    what: str
    owner: str
    due: datetime | None
    owner_member: ParticipantId | None
    added_at: datetime
    done: bool = False
    completed_at: datetime | None = None
    note: str = ""
    carried_from: MeetingId | None = None
    private: bool = False
    overdue_when_carried: bool = False


@dataclass(frozen=True, slots=True)
class QuorumRecord:
    """The quorum as the log recorded it at ``at`` (for ``item``, or the meeting)."""

    at: datetime
    held: bool
    missing: tuple[str, ...]
    item: ItemId | None = None


@dataclass(frozen=True, slots=True)
class MeetingState:
    meeting: Meeting | None = None
    status: MeetingStatus = MeetingStatus.SCHEDULED
    items: Mapping[ItemId, Item] = field(default_factory=dict)
    order: tuple[ItemId, ...] = ()
    agenda_version: int = 0
    agenda_published: bool = False
    attendance: Mapping[ParticipantId, AttendanceRecord] = field(default_factory=dict)
    substitutes: Mapping[ParticipantId, Substitute] = field(default_factory=dict)
    declarations: tuple[Declaration, ...] = ()
    # item -> member -> interest, for the active declarations that exclude (kept by the fold,
    # so the quorum after each command does not rescan the declarations)
    conflicts: Mapping[ItemId, Mapping[ParticipantId, str]] = field(default_factory=dict)
    current: ItemId | None = None
    actions: Mapping[ActionId, Action] = field(default_factory=dict)
    quorum_log: tuple[QuorumRecord, ...] = ()
    summary: str = ""
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    approved_at: datetime | None = None
    approved_in: MeetingId | None = None

    def member(self, member: ParticipantId) -> BoardMember | None:
        return self.meeting.board.member(member) if self.meeting else None

    def substitute_for(self, member: ParticipantId) -> Substitute | None:
        for s in self.substitutes.values():
            if s.for_member == member:
                return s
        return None

    def present(self, person: ParticipantId) -> bool:
        record = self.attendance.get(person)
        return record is not None and record.present

    @property
    def quorum_held(self) -> bool:
        """The quorum as last logged (held until the meeting opens and says otherwise)."""
        return self.quorum_log[-1].held if self.quorum_log else True

    @property
    def quorum_missing(self) -> tuple[str, ...]:
        return self.quorum_log[-1].missing if self.quorum_log else ()

    def numbered(self) -> list[tuple[int, Item]]:
        """The agenda in order with each item's number (deferred items keep theirs)."""
        return [(n, self.items[i]) for n, i in enumerate(self.order, start=1)]


INITIAL_MEETING = MeetingState()
