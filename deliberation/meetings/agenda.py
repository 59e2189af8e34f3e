"""The meeting itself and its agenda: scheduling, items, order, deferral, publication."""

from datetime import datetime

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import RoomId
from deliberation.meetings._guards import aware, driver, item, meeting, optional_text, text
from deliberation.meetings.commands import (
    AddItem,
    AddUrgentItem,
    ChangeMeeting,
    DeferItem,
    PublishAgenda,
    ReorderItems,
    ScheduleMeeting,
)
from deliberation.meetings.events import (
    AgendaPublished,
    AgendaReordered,
    ItemAdded,
    ItemDeferred,
    MeetingChanged,
    MeetingEvent,
    MeetingScheduled,
)
from deliberation.meetings.ids import ItemId
from deliberation.meetings.records import ArisingAction
from deliberation.meetings.rules import problems
from deliberation.meetings.state import MeetingState
from deliberation.meetings.vocabulary import Excludes, ItemKind, ItemStatus

TITLE_LIMIT = 300
TEXT_LIMIT = 20_000


def schedule_meeting(
    state: MeetingState, command: ScheduleMeeting, ctx: Context
) -> list[MeetingEvent]:
    if state.meeting is not None:
        raise Rejected(Reason.CONFLICT, "This meeting is scheduled already.")
    if not command.meeting.strip() or not command.board.board.strip():
        raise Rejected(Reason.INVALID, "The meeting and its board need ids.")
    title = text(command.title, TITLE_LIMIT, "title")
    _times(command.starts_at, command.ends_at, command.timezone)
    board = command.board
    text(board.name, TITLE_LIMIT, "board's name")
    ids = [m.member for m in board.members]
    if not ids or len(set(ids)) != len(ids):
        raise Rejected(Reason.INVALID, "A board needs its members, each listed once.")
    found = problems(board.standing_orders)
    if found:
        raise Rejected(Reason.INVALID, "; ".join(found) + ".")
    if any(i.item is not None or i.excludes is not Excludes.NONE for i in board.interests):
        raise Rejected(
            Reason.INVALID, "The board's register holds standing interests, which exclude nobody."
        )
    return [
        MeetingScheduled(
            meeting=command.meeting,
            title=title,
            board=board,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            timezone=command.timezone.strip(),
            place=optional_text(command.place, TITLE_LIMIT, "place"),
            video_url=optional_text(command.video_url, 2000, "video link"),
            mode=command.mode,
            facilitators=command.facilitators,
            secretaries=command.secretaries,
            by=ctx.actor,
            at=ctx.at,
        )
    ]


def _times(starts_at: datetime, ends_at: datetime, timezone: str) -> None:
    aware(starts_at, "start")
    aware(ends_at, "end")
    if ends_at < starts_at:
        raise Rejected(Reason.INVALID, "The meeting cannot end before it starts.")
    if not timezone.strip():
        raise Rejected(Reason.INVALID, "The meeting needs its time zone (e.g. Europe/London).")


def change_meeting(state: MeetingState, command: ChangeMeeting, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    why = text(command.reason, 1000, "reason")
    old = meeting(state)
    starts_at = command.starts_at or old.starts_at
    ends_at = command.ends_at or old.ends_at
    timezone = old.timezone if command.timezone is None else command.timezone
    _times(starts_at, ends_at, timezone)
    place = old.place if command.place is None else optional_text(command.place, 300, "place")
    video = (
        old.video_url
        if command.video_url is None
        else optional_text(command.video_url, 2000, "video link")
    )
    new = (starts_at, ends_at, timezone.strip(), place, video)
    if new == (old.starts_at, old.ends_at, old.timezone, old.place, old.video_url):
        raise Rejected(Reason.INVALID, "Nothing would change.")
    return [MeetingChanged(*new, reason=why, by=by, at=ctx.at)]


def _item_fields(state: MeetingState, item_id: ItemId, title: str, minutes: int) -> str:
    if not item_id.strip():
        raise Rejected(Reason.INVALID, "An item needs an id.")
    if item_id in state.items:
        raise Rejected(Reason.CONFLICT, f"There is an item {item_id} already.")
    if minutes < 0:
        raise Rejected(Reason.INVALID, "Planned minutes cannot be negative.")
    return text(title, TITLE_LIMIT, "item's title")


def add_item(state: MeetingState, command: AddItem, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if state.agenda_published:
        raise Rejected(
            Reason.CONFLICT, "The agenda is published: add an urgent item, with its reason."
        )
    title = _item_fields(state, command.item, command.title, command.planned_minutes)
    if command.approves is not None and command.kind is not ItemKind.PREVIOUS_MINUTES:
        raise Rejected(Reason.INVALID, "Only the previous minutes item approves minutes.")
    if command.arising and command.kind is not ItemKind.MATTERS_ARISING:
        raise Rejected(Reason.INVALID, "Only matters arising carries actions over.")
    _check_arising(state, command.arising)
    return [
        ItemAdded(
            item=command.item,
            title=title,
            kind=command.kind,
            planned_minutes=command.planned_minutes,
            private=command.private,
            description=optional_text(command.description, TEXT_LIMIT, "description"),
            room=command.room,
            approves=command.approves,
            arising=command.arising,
            history=command.history,
            urgent_reason=None,
            after=None,
            version=state.agenda_version + 1,
            by=by,
            at=ctx.at,
        )
    ]


def _check_arising(state: MeetingState, arising: tuple[ArisingAction, ...]) -> None:
    ids = [a.action for a in arising]
    if len(set(ids)) != len(ids) or any(a in state.actions for a in ids):
        raise Rejected(Reason.CONFLICT, "An action carried over is on this meeting already.")


def add_urgent_item(
    state: MeetingState, command: AddUrgentItem, ctx: Context
) -> list[MeetingEvent]:
    by = driver(state, ctx)
    why = text(command.reason, 1000, "reason for urgency")
    title = _item_fields(state, command.item, command.title, command.planned_minutes)
    if command.kind in (ItemKind.PREVIOUS_MINUTES, ItemKind.MATTERS_ARISING):
        raise Rejected(Reason.INVALID, f"An item of kind {command.kind.value} is never urgent.")
    if command.after is not None:
        item(state, command.after)
    return [
        ItemAdded(
            item=command.item,
            title=title,
            kind=command.kind,
            planned_minutes=command.planned_minutes,
            private=command.private,
            description=optional_text(command.description, TEXT_LIMIT, "description"),
            room=command.room,
            approves=None,
            arising=(),
            history=(),
            urgent_reason=why,
            after=command.after,
            version=state.agenda_version + 1,
            by=by,
            at=ctx.at,
        )
    ]


def reorder_items(state: MeetingState, command: ReorderItems, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if command.expected_version != state.agenda_version:
        raise Rejected(
            Reason.CONFLICT,
            f"The agenda changed (version {state.agenda_version}, not "
            f"{command.expected_version}): reload it and reorder again.",
        )
    if sorted(command.order) != sorted(state.order):
        raise Rejected(Reason.INVALID, "A new order lists every item of the agenda exactly once.")
    if command.order == state.order:
        raise Rejected(Reason.CONFLICT, "That is the order already.")
    return [AgendaReordered(command.order, state.agenda_version + 1, by, ctx.at)]


def defer_item(state: MeetingState, command: DeferItem, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    why = text(command.reason, 1000, "reason")
    found = item(state, command.item)
    if found.status in (ItemStatus.CLOSED, ItemStatus.DEFERRED):
        raise Rejected(Reason.CONFLICT, f"The item is {found.status.value} already.")
    if command.to is not None and command.to == meeting(state).meeting:
        raise Rejected(Reason.INVALID, "An item is deferred to a later meeting, not this one.")
    version = state.agenda_version + 1
    return [ItemDeferred(command.item, command.to, why, version, by, ctx.at)]


def publish_agenda(state: MeetingState, command: PublishAgenda, ctx: Context) -> list[MeetingEvent]:
    by = driver(state, ctx)
    if state.agenda_published:
        raise Rejected(Reason.CONFLICT, "The agenda is published already.")
    if not state.order:
        raise Rejected(Reason.CONFLICT, "The agenda has no items yet.")
    return [AgendaPublished(state.order, state.agenda_version, by, ctx.at)]


def deferred_item(
    state: MeetingState, item_id: ItemId, new_id: ItemId, room: RoomId | None = None
) -> AddItem:
    """The ``add_item`` that puts a deferred item on a later meeting, its history carried."""
    found = item(state, item_id)
    if found.status is not ItemStatus.DEFERRED:
        raise Rejected(Reason.CONFLICT, "The item is not deferred.")
    return AddItem(
        item=new_id,
        title=found.title,
        kind=found.kind,
        planned_minutes=found.planned_minutes,
        private=found.private,
        description=found.description,
        room=room,
        history=found.history,
    )
