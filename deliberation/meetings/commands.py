"""One frozen dataclass per meeting command. Each docstring is the command's spec.

Who acts comes from ``deliberation.Context``: ``ctx.actor`` (``None`` for the system: the
server relaying a room's decision, a timer). The meeting's roles:

- a **driver** runs the meeting: a facilitator named when it was scheduled, the board's
  chair or vice-chair, or the system;
- a **clerk** keeps the register and the actions: a driver or a secretary;
- a **scribe** writes the narrative: a secretary, a facilitator or the system.

Every command is refused with ``not_found`` before ``schedule_meeting``, and with
``conflict`` once the meeting is closed, except ``edit_narrative`` (until the minutes are
approved) and ``approve_minutes`` (only then).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from deliberation.ids import OrganisationId, ParticipantId, RoomId
from deliberation.meetings.board import Board
from deliberation.meetings.ids import ActionId, ItemId, MeetingId
from deliberation.meetings.records import ArisingAction, ItemHistory
from deliberation.meetings.vocabulary import Attendance, Excludes, ItemKind, MeetingMode

# --- the meeting ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleMeeting:
    """Schedule a meeting of a board, with the board's snapshot.

    Who may: any signed-in person or the system (the shell checks the board role).
    ``facilitators`` and ``secretaries`` name the meeting's roles (board members or not).
    Rejected: ``conflict`` (scheduled already); ``invalid`` (empty title, no zone on a
    time, ends before it starts, an empty time zone, unusable standing orders, a board
    without members or with a member twice).
    Emits: ``meeting.scheduled``.
    """

    meeting: MeetingId
    title: str
    board: Board
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str = ""
    video_url: str = ""
    mode: MeetingMode = MeetingMode.LIVE
    facilitators: tuple[ParticipantId, ...] = ()
    secretaries: tuple[ParticipantId, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeMeeting:
    """Move the meeting or change where it is held. Fields left ``None`` stay as they are.

    Who may: a driver. Rejected: ``invalid`` (no reason, nothing changed, no zone, ends
    before it starts); ``forbidden``; ``conflict`` (closed). Emits: ``meeting.changed``.
    """

    reason: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = None
    place: str | None = None
    video_url: str | None = None


@dataclass(frozen=True, slots=True)
class OpenMeeting:
    """Open the meeting, or reconvene it after an adjournment.

    Who may: a driver. Rejected: ``conflict`` (open already, closed); ``forbidden``.
    Emits: ``meeting.opened`` with the quorum as it stands.
    """


@dataclass(frozen=True, slots=True)
class AdjournMeeting:
    """Adjourn the meeting (quorum lost, time up). ``open_meeting`` reconvenes it.

    Who may: a driver. Rejected: ``invalid`` (no reason); ``conflict`` (not open);
    ``forbidden``. Emits: ``meeting.adjourned``.
    """

    reason: str


@dataclass(frozen=True, slots=True)
class CloseMeeting:
    """Close the meeting. Items not taken stay on the record as not taken.

    Who may: a driver. Rejected: ``conflict`` (an item is still open: close or defer it;
    closed already); ``forbidden``. Emits: ``meeting.closed``.
    """


# --- the agenda -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddItem:
    """Add an item at the end of the agenda, before the agenda is published.

    ``room``: the shell's id for the item's room (decision, discussion, previous minutes).
    ``approves``: for ``previous_minutes``, the meeting whose minutes it approves.
    ``arising``: for ``matters_arising``, the open actions carried over
    (``matters_arising(previous_actions, at)``); they become this meeting's actions.
    ``history``: what happened to the item before (a deferred item brings its own).
    Who may: a driver. Rejected: ``conflict`` (the id exists; the agenda is published: add
    an urgent item with a reason instead); ``invalid`` (empty or long title, negative
    minutes, ``approves`` on another kind, ``arising`` on another kind);
    ``forbidden``. Emits: ``item.added``.
    """

    item: ItemId
    title: str
    kind: ItemKind
    planned_minutes: int = 0
    private: bool = False
    description: str = ""
    room: RoomId | None = None
    approves: MeetingId | None = None
    arising: tuple[ArisingAction, ...] = ()
    history: tuple[ItemHistory, ...] = ()


@dataclass(frozen=True, slots=True)
class AddUrgentItem:
    """Add an urgent item at any time before the meeting closes, with the reason logged.

    ``after``: the item it follows (``None``: at the end).
    Who may: a driver. Rejected: ``invalid`` (no reason; as ``add_item``); ``not_found``
    (``after``); ``conflict`` (the id exists); ``forbidden``. Emits: ``item.added``.
    """

    item: ItemId
    title: str
    kind: ItemKind
    reason: str
    planned_minutes: int = 0
    private: bool = False
    description: str = ""
    room: RoomId | None = None
    after: ItemId | None = None


@dataclass(frozen=True, slots=True)
class ReorderItems:
    """Put the agenda in a new order: every item exactly once.

    ``expected_version`` is the agenda version the order was made from (the view shows it):
    a reorder racing another is refused rather than silently undoing it.
    Who may: a driver. Rejected: ``conflict`` (the agenda changed since
    ``expected_version``); ``invalid`` (not every item exactly once); ``forbidden``.
    Emits: ``agenda.reordered``.
    """

    order: tuple[ItemId, ...]
    expected_version: int


@dataclass(frozen=True, slots=True)
class DeferItem:
    """Defer an item to a later meeting (``to``; ``None``: the next meeting), with a reason.

    The item stays on this agenda marked deferred; the shell adds it to the later meeting
    with ``deferred_item(state, item, new_id, meeting)``, its history carried.
    Who may: a driver. Rejected: ``not_found``; ``conflict`` (closed or deferred already);
    ``invalid`` (no reason, to this meeting); ``forbidden``.
    Emits: ``item.deferred`` (and the quorum change, if it was the open item).
    """

    item: ItemId
    reason: str
    to: MeetingId | None = None


@dataclass(frozen=True, slots=True)
class PublishAgenda:
    """Publish the agenda. Later items are urgent items, each with its reason.

    Who may: a driver. Rejected: ``conflict`` (published already; no items);
    ``forbidden``. Emits: ``agenda.published``.
    """


# --- attendance -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkAttendance:
    """Mark a member's attendance: present in the room or remotely, apologies, absent.

    Marking a member present records their arrival (the first one is kept as
    ``arrived_at``); marking someone present as absent or apologies records their leaving.
    Who may: a clerk; a board member for their own apologies while not present.
    Rejected: ``not_found`` (not a member of the board, nor a named substitute);
    ``conflict`` (marked so already); ``forbidden``.
    Emits: ``attendance.marked``, and ``quorum.lost`` / ``quorum.restored`` when the
    meeting is open and the quorum changes.
    """

    member: ParticipantId
    status: Attendance


@dataclass(frozen=True, slots=True)
class RecordArrival:
    """A member (or named substitute) arrives, in the room or remotely.

    Who may: a clerk. Rejected: ``not_found``; ``conflict`` (present already);
    ``forbidden``. Emits: ``member.arrived`` and any quorum change.
    """

    member: ParticipantId
    remote: bool = False


@dataclass(frozen=True, slots=True)
class RecordDeparture:
    """A member (or named substitute) leaves the meeting.

    Who may: a clerk. Rejected: ``not_found``; ``conflict`` (not present);
    ``forbidden``. Emits: ``member.departed`` and any quorum change (``quorum.lost``).
    """

    member: ParticipantId


@dataclass(frozen=True, slots=True)
class NameSubstitute:
    """Name a substitute who attends with a voting member's vote (logged).

    The substitute counts for the member: their vote, organisation and sector, never for a
    required role (the chair is present in person or not at all).
    Who may: a clerk. Rejected: ``not_found`` (``for_member`` not on the board);
    ``invalid`` (``for_member`` does not vote; empty name; the substitute is on the board);
    ``conflict`` (the member is present, or has a substitute, or the substitute stands for
    someone else); ``forbidden``.
    Emits: ``substitute.named`` (the substitute's attendance: ``status``) and any quorum
    change.
    """

    substitute: ParticipantId
    name: str
    for_member: ParticipantId
    organisation: OrganisationId | None = None
    organisation_name: str = ""
    status: Attendance = Attendance.PRESENT_IN_ROOM


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeclareInterest:
    """Declare an interest: standing (``item`` ``None``) or on one item.

    ``excludes`` defaults to the standing orders' rule for an item (``vote``, or
    ``vote_and_discussion`` when conflicted members leave the discussion) and to ``none``
    for a standing interest.
    Who may: the member themself, or a clerk. Rejected: ``not_found`` (member, item);
    ``invalid`` (empty interest; a standing interest that excludes); ``conflict`` (declared
    already on that item; the item is closed); ``forbidden``.
    Emits: ``interest.declared`` and any quorum change.
    """

    member: ParticipantId
    interest: str
    item: ItemId | None = None
    excludes: Excludes | None = None


@dataclass(frozen=True, slots=True)
class WithdrawInterest:
    """Withdraw a declaration made in this meeting (a mistake; the record keeps both).

    Who may: the member themself, or a clerk. Rejected: ``not_found`` (no such
    declaration); ``conflict`` (the item is closed); ``forbidden``.
    Emits: ``interest.withdrawn`` and any quorum change.
    """

    member: ParticipantId
    item: ItemId | None = None


# --- items ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartItem:
    """Take an item. One item is open at a time.

    Who may: a driver. Rejected: ``conflict`` (the meeting is not open; another item is
    open; the item is closed or deferred); ``not_found``; ``forbidden``.
    Emits: ``item.started`` and any quorum change (the item's conflicted members step out).
    """

    item: ItemId


@dataclass(frozen=True, slots=True)
class CloseItem:
    """Close the open item.

    Who may: a driver. Rejected: ``no_quorum`` (an item for decision, or the previous
    minutes, without the item's quorum: the message names what is missing);
    ``conflict`` (not the open item; the meeting is adjourned); ``not_found``;
    ``forbidden``. Emits: ``item.closed`` and any quorum change.
    """

    item: ItemId


@dataclass(frozen=True, slots=True)
class NoteItem:
    """Record an item for noting as noted.

    Who may: a driver. Rejected: ``invalid`` (not an item for noting); ``conflict`` (noted
    already; deferred; the meeting is not open); ``not_found``; ``forbidden``.
    Emits: ``item.noted``.
    """

    item: ItemId


# --- actions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddAction:
    """Record an action on an item: what, who owns it, by when.

    ``owner``: the owner's name as the minutes show it; ``owner_member``: their id when they
    are on the board (the publication policy then hides them like any member).
    Who may: a clerk. Rejected: ``conflict`` (the id exists); ``not_found`` (item);
    ``invalid`` (empty what or owner; a due date without a zone); ``forbidden``.
    Emits: ``action.added``.
    """

    action: ActionId
    item: ItemId
    what: str
    owner: str
    due: datetime | None = None
    owner_member: ParticipantId | None = None


@dataclass(frozen=True, slots=True)
class CompleteAction:
    """Mark an action done (one of this meeting's, or one carried over as a matter arising).

    Who may: a clerk. Rejected: ``not_found``; ``conflict`` (done already); ``forbidden``.
    Emits: ``action.completed``.
    """

    action: ActionId
    note: str = ""


# --- minutes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditNarrative:
    """Edit the narrative of the minutes: the meeting's ``summary``, or an item's ``note``.

    Everything else in the minutes is a fact from the log and cannot be edited: ``part``
    naming anything else is refused.
    Who may: a scribe. Rejected: ``forbidden`` (a fact; not a scribe); ``not_found`` (item);
    ``invalid`` (a note without its item, a summary with one; too long); ``conflict``
    (the minutes are approved; the text is unchanged). Allowed after the meeting closes.
    Emits: ``narrative.edited``.
    """

    text: str
    part: str = "summary"
    item: ItemId | None = None


@dataclass(frozen=True, slots=True)
class ApproveMinutes:
    """Record that this meeting's minutes were approved, by the consent item of a later one.

    Issued on the meeting whose minutes are approved (the shell relays it when the later
    meeting's ``previous_minutes`` room consents). Who may: the system or a driver.
    Rejected: ``conflict`` (the meeting is not closed; approved already); ``invalid``
    (approved in this same meeting); ``forbidden``.
    Emits: ``minutes.approved``.
    """

    approved_in: MeetingId
    item: ItemId


MeetingCommand: TypeAlias = (
    ScheduleMeeting
    | ChangeMeeting
    | OpenMeeting
    | AdjournMeeting
    | CloseMeeting
    | AddItem
    | AddUrgentItem
    | ReorderItems
    | DeferItem
    | PublishAgenda
    | MarkAttendance
    | RecordArrival
    | RecordDeparture
    | NameSubstitute
    | DeclareInterest
    | WithdrawInterest
    | StartItem
    | CloseItem
    | NoteItem
    | AddAction
    | CompleteAction
    | EditNarrative
    | ApproveMinutes
)

MEETING_COMMANDS: dict[str, type[MeetingCommand]] = {
    "schedule_meeting": ScheduleMeeting,
    "change_meeting": ChangeMeeting,
    "add_item": AddItem,
    "add_urgent_item": AddUrgentItem,
    "reorder_items": ReorderItems,
    "defer_item": DeferItem,
    "publish_agenda": PublishAgenda,
    "open_meeting": OpenMeeting,
    "mark_attendance": MarkAttendance,
    "record_arrival": RecordArrival,
    "record_departure": RecordDeparture,
    "name_substitute": NameSubstitute,
    "declare_interest": DeclareInterest,
    "withdraw_interest": WithdrawInterest,
    "start_item": StartItem,
    "close_item": CloseItem,
    "note_item": NoteItem,
    "add_action": AddAction,
    "complete_action": CompleteAction,
    "edit_narrative": EditNarrative,
    "adjourn_meeting": AdjournMeeting,
    "close_meeting": CloseMeeting,
    "approve_minutes": ApproveMinutes,
}
