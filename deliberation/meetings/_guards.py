"""Who may do what in a meeting, and the checks every command starts with."""

from datetime import datetime

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import ParticipantId
from deliberation.meetings.ids import ItemId
from deliberation.meetings.state import Item, Meeting, MeetingState
from deliberation.meetings.vocabulary import CHAIRING_ROLES, MeetingStatus


def meeting(state: MeetingState) -> Meeting:
    if state.meeting is None:
        raise Rejected(Reason.NOT_FOUND, "There is no such meeting.")
    return state.meeting


def is_driver(state: MeetingState, actor: ParticipantId | None) -> bool:
    """The facilitators, the chair and vice-chair, and the system run the meeting."""
    if actor is None:
        return True
    if state.meeting is None:
        return False
    if actor in state.meeting.facilitators:
        return True
    member = state.meeting.board.member(actor)
    return member is not None and member.role in CHAIRING_ROLES


def is_clerk(state: MeetingState, actor: ParticipantId | None) -> bool:
    """Drivers and secretaries keep the register and the actions."""
    return is_driver(state, actor) or (
        state.meeting is not None and actor in state.meeting.secretaries
    )


def is_scribe(state: MeetingState, actor: ParticipantId | None) -> bool:
    """Secretaries and facilitators (and the system) write the narrative of the minutes."""
    if actor is None:
        return True
    if state.meeting is None:
        return False
    return actor in state.meeting.secretaries or actor in state.meeting.facilitators


def driver(state: MeetingState, ctx: Context) -> ParticipantId | None:
    if not is_driver(state, ctx.actor):
        raise Rejected(Reason.FORBIDDEN, "Only the meeting's facilitator or the chair may do this.")
    return ctx.actor


def clerk(state: MeetingState, ctx: Context) -> ParticipantId | None:
    if not is_clerk(state, ctx.actor):
        raise Rejected(
            Reason.FORBIDDEN,
            "Only the meeting's facilitator, the chair or the secretary may do this.",
        )
    return ctx.actor


def scribe(state: MeetingState, ctx: Context) -> ParticipantId | None:
    if not is_scribe(state, ctx.actor):
        raise Rejected(
            Reason.FORBIDDEN, "Only the meeting's secretary or facilitator edits the minutes."
        )
    return ctx.actor


def item(state: MeetingState, item_id: ItemId) -> Item:
    found = state.items.get(item_id)
    if found is None:
        raise Rejected(Reason.NOT_FOUND, f"There is no item {item_id} on this agenda.")
    return found


def running(state: MeetingState) -> None:
    """The meeting is open (not scheduled, adjourned or closed)."""
    if state.status is not MeetingStatus.OPEN:
        raise Rejected(Reason.CONFLICT, f"The meeting is {state.status.value}, not open.")


def text(value: str, limit: int, what: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise Rejected(Reason.INVALID, f"The {what} cannot be empty.")
    if len(cleaned) > limit:
        raise Rejected(Reason.INVALID, f"The {what} is longer than {limit} characters.")
    return cleaned


def optional_text(value: str, limit: int, what: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise Rejected(Reason.INVALID, f"The {what} is longer than {limit} characters.")
    return cleaned


def aware(moment: datetime | None, what: str) -> None:
    if moment is not None and moment.tzinfo is None:
        raise Rejected(Reason.INVALID, f"The {what} must carry a time zone.")
