"""decide_meeting(state, command, ctx) -> events: the meeting's single entry point.

After a command that can change who counts (attendance, substitutes, declarations, the open
item), the quorum is recomputed on the state its events lead to; when the meeting is open and the quorum changed from what the log last said, ``quorum.lost`` or
``quorum.restored`` follow, so the log itself says when the meeting could decide.
"""

from collections.abc import Callable, Mapping
from typing import Any

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.meetings import agenda, conduct, register
from deliberation.meetings.commands import (
    AddAction,
    AddItem,
    AddUrgentItem,
    AdjournMeeting,
    ApproveMinutes,
    ChangeMeeting,
    CloseItem,
    CloseMeeting,
    CompleteAction,
    DeclareInterest,
    DeferItem,
    EditNarrative,
    MarkAttendance,
    MeetingCommand,
    NameSubstitute,
    NoteItem,
    OpenMeeting,
    PublishAgenda,
    RecordArrival,
    RecordDeparture,
    ReorderItems,
    ScheduleMeeting,
    StartItem,
    WithdrawInterest,
)
from deliberation.meetings.events import MeetingEvent, QuorumLost, QuorumRestored
from deliberation.meetings.evolve import replay_meeting
from deliberation.meetings.ids import ItemId
from deliberation.meetings.quorum import quorum
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import MeetingStatus

_DECIDERS: Mapping[type[Any], Callable[[MeetingState, Any, Context], list[MeetingEvent]]] = {
    ScheduleMeeting: agenda.schedule_meeting,
    ChangeMeeting: agenda.change_meeting,
    AddItem: agenda.add_item,
    AddUrgentItem: agenda.add_urgent_item,
    ReorderItems: agenda.reorder_items,
    DeferItem: agenda.defer_item,
    PublishAgenda: agenda.publish_agenda,
    OpenMeeting: conduct.open_meeting,
    AdjournMeeting: conduct.adjourn_meeting,
    CloseMeeting: conduct.close_meeting,
    MarkAttendance: register.mark_attendance,
    RecordArrival: register.record_arrival,
    RecordDeparture: register.record_departure,
    NameSubstitute: register.name_substitute,
    DeclareInterest: register.declare_interest,
    WithdrawInterest: register.withdraw_interest,
    StartItem: conduct.start_item,
    CloseItem: conduct.close_item,
    NoteItem: conduct.note_item,
    AddAction: conduct.add_action,
    CompleteAction: conduct.complete_action,
    EditNarrative: conduct.edit_narrative,
    ApproveMinutes: conduct.approve_minutes,
}

_AFTER_CLOSE = frozenset({EditNarrative, ApproveMinutes})

_MOVE_QUORUM = frozenset(
    {
        MarkAttendance,
        RecordArrival,
        RecordDeparture,
        NameSubstitute,
        DeclareInterest,
        WithdrawInterest,
        StartItem,
        CloseItem,
        DeferItem,
    }
)
"""The commands that can change who counts (the others skip the recount: agenda commands
cost what room commands cost)."""


def quorum_change(state: MeetingState, ctx: Context) -> list[MeetingEvent]:
    """``quorum.lost`` / ``quorum.restored`` if the open meeting's quorum differs from the log."""
    if state.status is not MeetingStatus.OPEN:
        return []
    status = quorum(state, state.current)
    if status.held:
        return [] if state.quorum_held else [QuorumRestored(state.current, ctx.at)]
    if not state.quorum_held and status.missing == state.quorum_missing:
        return []
    return [QuorumLost(state.current, status.missing, ctx.at)]


def decide_meeting(
    state: MeetingState, command: MeetingCommand, ctx: Context
) -> list[MeetingEvent]:
    """The events this command produces, or ``Rejected`` with the reason it may not happen."""
    if ctx.at.tzinfo is None:
        raise Rejected(Reason.INVALID, "Time must carry a zone.")
    kind = type(command)
    if state.meeting is None and kind is not ScheduleMeeting:
        raise Rejected(Reason.NOT_FOUND, "There is no such meeting.")
    if state.status is MeetingStatus.CLOSED and kind not in _AFTER_CLOSE:
        raise Rejected(Reason.CONFLICT, "This meeting is closed.")
    events = _DECIDERS[kind](state, command, ctx)
    if kind not in _MOVE_QUORUM:
        return events
    if isinstance(command, StartItem | CloseItem | DeferItem) and not _has_conflicts(
        state, command.item
    ):
        return events  # the item's quorum is the meeting's, which did not move
    return events + quorum_change(replay_meeting(events, start=state), ctx)


def _has_conflicts(state: MeetingState, item: ItemId) -> bool:
    return bool(state.conflicts.get(item))
