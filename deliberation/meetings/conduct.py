"""Running the meeting: opening, items, actions, the narrative and the approval of minutes."""

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.meetings._guards import (
    aware,
    clerk,
    driver,
    item,
    meeting,
    optional_text,
    running,
    scribe,
    text,
)
from deliberation.meetings.commands import (
    AddAction,
    AdjournMeeting,
    ApproveMinutes,
    CloseItem,
    CloseMeeting,
    CompleteAction,
    EditNarrative,
    NoteItem,
    OpenMeeting,
    StartItem,
)
from deliberation.meetings.events import (
    ActionAdded,
    ActionCompleted,
    ItemClosed,
    ItemNoted,
    ItemStarted,
    MeetingAdjourned,
    MeetingClosed,
    MeetingEvent,
    MeetingOpened,
    MinutesApproved,
    NarrativeEdited,
)
from deliberation.meetings.quorum import quorum
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import (
    DECIDING_KINDS,
    NARRATIVE_PARTS,
    ItemKind,
    ItemStatus,
    MeetingStatus,
)

NARRATIVE_LIMIT = 50_000


def open_meeting(state: MeetingState, command: OpenMeeting, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if state.status is MeetingStatus.OPEN:
        raise Rejected(Reason.CONFLICT, "The meeting is open already.")
    status = quorum(state, state.current)
    reconvened = state.status is MeetingStatus.ADJOURNED
    return [MeetingOpened(reconvened, status.held, status.missing, by, ctx.at)]


def adjourn_meeting(
    state: MeetingState, command: AdjournMeeting, ctx: Context
) -> list[MeetingEvent]:
    by = driver(state, ctx)
    why = text(command.reason, 1000, "reason")
    running(state)
    return [MeetingAdjourned(why, by, ctx.at)]


def close_meeting(state: MeetingState, command: CloseMeeting, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if state.current is not None:
        title = state.items[state.current].title
        raise Rejected(Reason.CONFLICT, f"Item {title!r} is still open: close or defer it first.")
    return [MeetingClosed(by, ctx.at)]


def start_item(state: MeetingState, command: StartItem, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    found = item(state, command.item)
    running(state)
    if state.current is not None:
        raise Rejected(Reason.CONFLICT, "Another item is open: close it first.")
    if found.status in (ItemStatus.CLOSED, ItemStatus.DEFERRED):
        raise Rejected(Reason.CONFLICT, f"The item is {found.status.value}.")
    return [ItemStarted(command.item, by, ctx.at)]


def close_item(state: MeetingState, command: CloseItem, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    found = item(state, command.item)
    running(state)
    if state.current != command.item:
        raise Rejected(Reason.CONFLICT, "This item is not the open item.")
    # The log's latest quorum record is the open item's quorum now (``decide_meeting`` keeps
    # it so after every command that can change it), so no recount is needed here.
    if found.kind in DECIDING_KINDS and not state.quorum_held:
        missing = "; ".join(state.quorum_missing)
        raise Rejected(
            Reason.NO_QUORUM, f"The item cannot close without quorum: missing {missing}."
        )
    return [ItemClosed(command.item, by, ctx.at)]


def note_item(state: MeetingState, command: NoteItem, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    found = item(state, command.item)
    if found.kind is not ItemKind.NOTING:
        raise Rejected(Reason.INVALID, "Only an item for noting is recorded as noted.")
    running(state)
    if found.noted:
        raise Rejected(Reason.CONFLICT, "The item is noted already.")
    if found.status is ItemStatus.DEFERRED:
        raise Rejected(Reason.CONFLICT, "The item is deferred.")
    return [ItemNoted(command.item, by, ctx.at)]


def add_action(state: MeetingState, command: AddAction, ctx: Context) -> list[MeetingEvent]:
    by = clerk(state, ctx)
    item(state, command.item)
    if not command.action.strip():
        raise Rejected(Reason.INVALID, "An action needs an id.")
    if command.action in state.actions:
        raise Rejected(Reason.CONFLICT, f"There is an action {command.action} already.")
    what = text(command.what, 2000, "action")
    owner = text(command.owner, 200, "action's owner")
    aware(command.due, "due date")
    return [
        ActionAdded(
            command.action, command.item, what, owner, command.due, command.owner_member, by, ctx.at
        )
    ]


def complete_action(
    state: MeetingState, command: CompleteAction, ctx: Context
) -> list[MeetingEvent]:
    by = clerk(state, ctx)
    action = state.actions.get(command.action)
    if action is None:
        raise Rejected(Reason.NOT_FOUND, f"There is no action {command.action} here.")
    if action.done:
        raise Rejected(Reason.CONFLICT, "The action is done already.")
    note = optional_text(command.note, 2000, "note")
    return [ActionCompleted(command.action, note, by, ctx.at)]


def edit_narrative(state: MeetingState, command: EditNarrative, ctx: Context) -> list[MeetingEvent]:
    if command.part not in NARRATIVE_PARTS:
        raise Rejected(
            Reason.FORBIDDEN,
            f"{command.part!r} is a fact from the log and cannot be edited: only the summary "
            "and the items' notes are narrative.",
        )
    by = scribe(state, ctx)
    if state.approved_at is not None:
        raise Rejected(Reason.CONFLICT, "These minutes are approved: they are final.")
    words = optional_text(command.text, NARRATIVE_LIMIT, command.part)
    if command.part == "summary":
        if command.item is not None:
            raise Rejected(Reason.INVALID, "The summary is the meeting's, not an item's.")
        previous = state.summary
    else:
        if command.item is None:
            raise Rejected(Reason.INVALID, "A note belongs to an item: name it.")
        previous = item(state, command.item).note
    if words == previous:
        raise Rejected(Reason.CONFLICT, "The text is unchanged.")
    return [NarrativeEdited(command.part, command.item, words, by, ctx.at)]


def approve_minutes(
    state: MeetingState, command: ApproveMinutes, ctx: Context
) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if state.status is not MeetingStatus.CLOSED:
        raise Rejected(Reason.CONFLICT, "Only a closed meeting's minutes can be approved.")
    if state.approved_at is not None:
        raise Rejected(Reason.CONFLICT, "These minutes are approved already.")
    if command.approved_in == meeting(state).meeting:
        raise Rejected(Reason.INVALID, "Minutes are approved by a later meeting.")
    return [MinutesApproved(command.approved_in, command.item, by, ctx.at)]
