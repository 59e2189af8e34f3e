"""One frozen dataclass per meeting event, past tense. Events are facts: never edited.

Every event carries ``at``; events caused by a person carry ``by`` (``None``: the system).
``quorum.lost`` and ``quorum.restored`` are never commanded: the commands that change who
counts (attendance, substitutes, declarations, the open item) emit them as a consequence,
so the log says when the meeting could and could not decide, and why.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from deliberation.ids import OrganisationId, ParticipantId, RoomId
from deliberation.meetings.board import Board
from deliberation.meetings.ids import ActionId, ItemId, MeetingId
from deliberation.meetings.records import ArisingAction, ItemHistory
from deliberation.meetings.vocabulary import Attendance, Excludes, ItemKind, MeetingMode


@dataclass(frozen=True, slots=True)
class MeetingScheduled:
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
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MeetingChanged:
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    video_url: str
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MeetingOpened:
    """``reconvened``: after an adjournment. ``quorum_held`` and ``missing``: as it stood."""

    reconvened: bool
    quorum_held: bool
    missing: tuple[str, ...]
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MeetingAdjourned:
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MeetingClosed:
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemAdded:
    """``urgent_reason`` is set for an urgent item; ``after`` places it (``None``: the end)."""

    item: ItemId
    title: str
    kind: ItemKind
    planned_minutes: int
    private: bool
    description: str
    room: RoomId | None
    approves: MeetingId | None
    arising: tuple[ArisingAction, ...]
    history: tuple[ItemHistory, ...]
    urgent_reason: str | None
    after: ItemId | None
    version: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class AgendaReordered:
    order: tuple[ItemId, ...]
    version: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemDeferred:
    """``to``: the later meeting (``None``: the next one)."""

    item: ItemId
    to: MeetingId | None
    reason: str
    version: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class AgendaPublished:
    order: tuple[ItemId, ...]
    version: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class AttendanceMarked:
    member: ParticipantId
    status: Attendance
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberArrived:
    member: ParticipantId
    remote: bool
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberDeparted:
    member: ParticipantId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SubstituteNamed:
    substitute: ParticipantId
    name: str
    for_member: ParticipantId
    organisation: OrganisationId
    organisation_name: str
    status: Attendance
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class InterestDeclared:
    member: ParticipantId
    interest: str
    item: ItemId | None
    excludes: Excludes
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class InterestWithdrawn:
    member: ParticipantId
    item: ItemId | None
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class QuorumLost:
    """``item``: the open item whose quorum it is (``None``: the meeting's)."""

    item: ItemId | None
    missing: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class QuorumRestored:
    item: ItemId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemStarted:
    item: ItemId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemClosed:
    item: ItemId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ItemNoted:
    item: ItemId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionAdded:
    action: ActionId
    item: ItemId
    what: str
    owner: str
    due: datetime | None
    owner_member: ParticipantId | None
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionCompleted:
    action: ActionId
    note: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class NarrativeEdited:
    part: str
    item: ItemId | None
    text: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MinutesApproved:
    approved_in: MeetingId
    item: ItemId
    by: ParticipantId | None
    at: datetime


MeetingEvent: TypeAlias = (
    MeetingScheduled
    | MeetingChanged
    | MeetingOpened
    | MeetingAdjourned
    | MeetingClosed
    | ItemAdded
    | AgendaReordered
    | ItemDeferred
    | AgendaPublished
    | AttendanceMarked
    | MemberArrived
    | MemberDeparted
    | SubstituteNamed
    | InterestDeclared
    | InterestWithdrawn
    | QuorumLost
    | QuorumRestored
    | ItemStarted
    | ItemClosed
    | ItemNoted
    | ActionAdded
    | ActionCompleted
    | NarrativeEdited
    | MinutesApproved
)

MEETING_EVENTS: dict[str, type[MeetingEvent]] = {
    "meeting.scheduled": MeetingScheduled,
    "meeting.changed": MeetingChanged,
    "meeting.opened": MeetingOpened,
    "meeting.adjourned": MeetingAdjourned,
    "meeting.closed": MeetingClosed,
    "item.added": ItemAdded,
    "agenda.reordered": AgendaReordered,
    "item.deferred": ItemDeferred,
    "agenda.published": AgendaPublished,
    "attendance.marked": AttendanceMarked,
    "member.arrived": MemberArrived,
    "member.departed": MemberDeparted,
    "substitute.named": SubstituteNamed,
    "interest.declared": InterestDeclared,
    "interest.withdrawn": InterestWithdrawn,
    "quorum.lost": QuorumLost,
    "quorum.restored": QuorumRestored,
    "item.started": ItemStarted,
    "item.closed": ItemClosed,
    "item.noted": ItemNoted,
    "action.added": ActionAdded,
    "action.completed": ActionCompleted,
    "narrative.edited": NarrativeEdited,
    "minutes.approved": MinutesApproved,
}

_TYPES: dict[type[MeetingEvent], str] = {cls: name for name, cls in MEETING_EVENTS.items()}


def meeting_event_type(event: MeetingEvent) -> str:
    """The dotted type name of a meeting event (the inverse of ``MEETING_EVENTS``)."""
    return _TYPES[type(event)]
