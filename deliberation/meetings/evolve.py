"""evolve_meeting(state, event) -> state, and replay_meeting. Total; never validates."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from deliberation.evolve import replace  # compiled per class: folding is the hot path
from deliberation.meetings.events import (
    ActionAdded,
    ActionCompleted,
    AgendaPublished,
    AgendaReordered,
    AttendanceMarked,
    InterestDeclared,
    InterestWithdrawn,
    ItemAdded,
    ItemClosed,
    ItemDeferred,
    ItemNoted,
    ItemStarted,
    MeetingAdjourned,
    MeetingChanged,
    MeetingClosed,
    MeetingEvent,
    MeetingOpened,
    MeetingScheduled,
    MemberArrived,
    MemberDeparted,
    MinutesApproved,
    NarrativeEdited,
    QuorumLost,
    QuorumRestored,
    SubstituteNamed,
)
from deliberation.meetings.ids import ActionId
from deliberation.meetings.records import ItemHistory
from deliberation.meetings.state import (
    INITIAL_MEETING,
    Action,
    AttendanceRecord,
    Declaration,
    Item,
    Meeting,
    MeetingState,
    QuorumRecord,
    Substitute,
)
from deliberation.meetings.vocabulary import (
    PRESENT,
    Attendance,
    Excludes,
    ItemStatus,
    MeetingStatus,
)

K = TypeVar("K")
V = TypeVar("V")


def _put(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    copy = dict(mapping)
    copy[key] = value
    return copy


def _scheduled(s: MeetingState, e: MeetingScheduled) -> MeetingState:
    meeting = Meeting(
        e.meeting,
        e.title,
        e.board,
        e.starts_at,
        e.ends_at,
        e.timezone,
        e.place,
        e.video_url,
        e.mode,
        e.facilitators,
        e.secretaries,
        e.at,
    )
    members = {m.member for m in e.board.members}
    standing = tuple(  # a former member's entry on the register is not this meeting's
        Declaration(i.member, i.interest, i.item, i.excludes, e.at, standing=True)
        for i in e.board.interests
        if i.member in members
    )
    return replace(s, meeting=meeting, declarations=standing)


def _changed(s: MeetingState, e: MeetingChanged) -> MeetingState:
    assert s.meeting is not None
    meeting = replace(
        s.meeting,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        timezone=e.timezone,
        place=e.place,
        video_url=e.video_url,
    )
    return replace(s, meeting=meeting)


def _opened(s: MeetingState, e: MeetingOpened) -> MeetingState:
    record = QuorumRecord(e.at, e.quorum_held, e.missing, s.current)
    return replace(
        s,
        status=MeetingStatus.OPEN,
        opened_at=s.opened_at or e.at,
        quorum_log=(*s.quorum_log, record),
    )


def _adjourned(s: MeetingState, e: MeetingAdjourned) -> MeetingState:
    return replace(s, status=MeetingStatus.ADJOURNED)


def _closed(s: MeetingState, e: MeetingClosed) -> MeetingState:
    return replace(s, status=MeetingStatus.CLOSED, closed_at=e.at)


def _item_added(s: MeetingState, e: ItemAdded) -> MeetingState:
    assert s.meeting is not None
    step = ItemHistory(s.meeting.meeting, e.item, "added", e.urgent_reason or "", e.at)
    item = Item(
        item=e.item,
        title=e.title,
        kind=e.kind,
        planned_minutes=e.planned_minutes,
        private=e.private,
        description=e.description,
        room=e.room,
        approves=e.approves,
        history=(*e.history, step),
        urgent_reason=e.urgent_reason,
        added_at=e.at,
    )
    if e.after is None:
        order = (*s.order, e.item)
    else:
        at = s.order.index(e.after) + 1
        order = (*s.order[:at], e.item, *s.order[at:])
    actions: Mapping[ActionId, Action] = s.actions
    if e.arising:
        carried = {
            a.action: Action(
                action=a.action,
                meeting=a.meeting,
                item=e.item,
                what=a.what,
                owner=a.owner,
                due=a.due,
                owner_member=a.owner_member,
                added_at=e.at,
                carried_from=a.meeting,
                private=a.private,
                overdue_when_carried=a.overdue,
            )
            for a in e.arising
        }
        actions = {**s.actions, **carried}
    return replace(
        s,
        items=_put(s.items, e.item, item),
        order=order,
        agenda_version=e.version,
        actions=actions,
    )


def _reordered(s: MeetingState, e: AgendaReordered) -> MeetingState:
    return replace(s, order=e.order, agenda_version=e.version)


def _deferred(s: MeetingState, e: ItemDeferred) -> MeetingState:
    assert s.meeting is not None
    old = s.items[e.item]
    step = ItemHistory(s.meeting.meeting, e.item, "deferred", e.reason, e.at)
    item = replace(
        old,
        status=ItemStatus.DEFERRED,
        deferred_to=e.to,
        deferred_to_next=e.to is None,
        deferral_reason=e.reason,
        ended_at=e.at if old.started_at is not None else None,
        history=(*old.history, step),
    )
    current = None if s.current == e.item else s.current
    return replace(s, items=_put(s.items, e.item, item), agenda_version=e.version, current=current)


def _published(s: MeetingState, e: AgendaPublished) -> MeetingState:
    return replace(s, agenda_published=True)


def _record(s: MeetingState, member: Any) -> AttendanceRecord:
    record = s.attendance.get(member)
    if record is not None:
        return record
    return AttendanceRecord(member, Attendance.ABSENT)


def _present(record: AttendanceRecord, status: Attendance, at: Any) -> AttendanceRecord:
    return replace(record, status=status, arrived_at=record.arrived_at or at, left_at=None)


def _marked(s: MeetingState, e: AttendanceMarked) -> MeetingState:
    record = _record(s, e.member)
    if e.status in PRESENT:
        record = _present(record, e.status, e.at)
    else:
        left = e.at if record.present else record.left_at
        record = replace(record, status=e.status, left_at=left)
    return replace(s, attendance=_put(s.attendance, e.member, record))


def _arrived(s: MeetingState, e: MemberArrived) -> MeetingState:
    status = Attendance.PRESENT_REMOTE if e.remote else Attendance.PRESENT_IN_ROOM
    record = _present(_record(s, e.member), status, e.at)
    return replace(s, attendance=_put(s.attendance, e.member, record))


def _departed(s: MeetingState, e: MemberDeparted) -> MeetingState:
    record = replace(_record(s, e.member), left_at=e.at)
    return replace(s, attendance=_put(s.attendance, e.member, record))


def _substitute(s: MeetingState, e: SubstituteNamed) -> MeetingState:
    substitute = Substitute(
        e.substitute, e.name, e.for_member, e.organisation, e.organisation_name, e.at
    )
    record = AttendanceRecord(e.substitute, Attendance.ABSENT, substitute_for=e.for_member)
    if e.status in PRESENT:
        record = _present(record, e.status, e.at)
    else:
        record = replace(record, status=e.status)
    return replace(
        s,
        substitutes=_put(s.substitutes, e.substitute, substitute),
        attendance=_put(s.attendance, e.substitute, record),
    )


def _declared(s: MeetingState, e: InterestDeclared) -> MeetingState:
    declaration = Declaration(e.member, e.interest, e.item, e.excludes, e.at)
    conflicts = s.conflicts
    if e.item is not None and e.excludes is not Excludes.NONE:
        conflicts = _put(conflicts, e.item, _put(conflicts.get(e.item, {}), e.member, e.interest))
    return replace(s, declarations=(*s.declarations, declaration), conflicts=conflicts)


def _withdrawn(s: MeetingState, e: InterestWithdrawn) -> MeetingState:
    declarations = tuple(
        replace(d, withdrawn_at=e.at)
        if d.active and not d.standing and d.member == e.member and d.item == e.item
        else d
        for d in s.declarations
    )
    conflicts = s.conflicts
    if e.item is not None and e.member in conflicts.get(e.item, {}):
        left = {m: i for m, i in conflicts[e.item].items() if m != e.member}
        conflicts = _put(conflicts, e.item, left)
    return replace(s, declarations=declarations, conflicts=conflicts)


def _lost(s: MeetingState, e: QuorumLost) -> MeetingState:
    record = QuorumRecord(e.at, False, e.missing, e.item)
    return replace(s, quorum_log=(*s.quorum_log, record))


def _restored(s: MeetingState, e: QuorumRestored) -> MeetingState:
    record = QuorumRecord(e.at, True, (), e.item)
    return replace(s, quorum_log=(*s.quorum_log, record))


def _started(s: MeetingState, e: ItemStarted) -> MeetingState:
    item = replace(s.items[e.item], status=ItemStatus.STARTED, started_at=e.at)
    return replace(s, items=_put(s.items, e.item, item), current=e.item)


def _item_closed(s: MeetingState, e: ItemClosed) -> MeetingState:
    item = replace(s.items[e.item], status=ItemStatus.CLOSED, ended_at=e.at)
    return replace(s, items=_put(s.items, e.item, item), current=None)


def _noted(s: MeetingState, e: ItemNoted) -> MeetingState:
    item = replace(s.items[e.item], noted=True)
    return replace(s, items=_put(s.items, e.item, item))


def _action_added(s: MeetingState, e: ActionAdded) -> MeetingState:
    assert s.meeting is not None
    action = Action(
        e.action,
        s.meeting.meeting,
        e.item,
        e.what,
        e.owner,
        e.due,
        e.owner_member,
        e.at,
        private=s.items[e.item].private,
    )
    return replace(s, actions=_put(s.actions, e.action, action))


def _action_completed(s: MeetingState, e: ActionCompleted) -> MeetingState:
    action = replace(s.actions[e.action], done=True, completed_at=e.at, note=e.note)
    return replace(s, actions=_put(s.actions, e.action, action))


def _narrative(s: MeetingState, e: NarrativeEdited) -> MeetingState:
    if e.item is None:
        return replace(s, summary=e.text)
    item = replace(s.items[e.item], note=e.text)
    return replace(s, items=_put(s.items, e.item, item))


def _approved(s: MeetingState, e: MinutesApproved) -> MeetingState:
    return replace(s, approved_at=e.at, approved_in=e.approved_in)


_EVOLVERS: Mapping[type[Any], Callable[[MeetingState, Any], MeetingState]] = {
    MeetingScheduled: _scheduled,
    MeetingChanged: _changed,
    MeetingOpened: _opened,
    MeetingAdjourned: _adjourned,
    MeetingClosed: _closed,
    ItemAdded: _item_added,
    AgendaReordered: _reordered,
    ItemDeferred: _deferred,
    AgendaPublished: _published,
    AttendanceMarked: _marked,
    MemberArrived: _arrived,
    MemberDeparted: _departed,
    SubstituteNamed: _substitute,
    InterestDeclared: _declared,
    InterestWithdrawn: _withdrawn,
    QuorumLost: _lost,
    QuorumRestored: _restored,
    ItemStarted: _started,
    ItemClosed: _item_closed,
    ItemNoted: _noted,
    ActionAdded: _action_added,
    ActionCompleted: _action_completed,
    NarrativeEdited: _narrative,
    MinutesApproved: _approved,
}


def evolve_meeting(state: MeetingState, event: MeetingEvent) -> MeetingState:
    """The meeting after ``event``. Pure and total for every history the core produces."""
    return _EVOLVERS[type(event)](state, event)


def replay_meeting(
    events: Iterable[MeetingEvent], start: MeetingState = INITIAL_MEETING
) -> MeetingState:
    """Fold ``events`` into a meeting, starting from ``start`` (a snapshot, or the initial)."""
    state = start
    for event in events:
        state = _EVOLVERS[type(event)](state, event)
    return state
