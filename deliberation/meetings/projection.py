"""view_meeting(state, viewer): the JSON-safe picture of a meeting for one viewer, and the gate
for relaying its events. The console, the member's page and the projector read it.

*Insiders* (board members, named substitutes, the meeting's facilitators and secretaries)
see everything, private items included. Everyone else (the public, the projector: viewer
``None``) sees a private item only as taken (its number, kind, status and times, its
title where the standing orders allow it) and nothing of its notes, actions or
declarations; people appear by name only under the ``names`` publication policy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deliberation.ids import ParticipantId
from deliberation.meetings._guards import is_clerk, is_driver, is_scribe
from deliberation.meetings.actions import action_status
from deliberation.meetings.events import (
    ActionAdded,
    ActionCompleted,
    InterestDeclared,
    InterestWithdrawn,
    ItemAdded,
    MeetingEvent,
    MeetingScheduled,
    NarrativeEdited,
    meeting_event_type,
)
from deliberation.meetings.minutes import day, moment
from deliberation.meetings.quorum import conflicted, quorum
from deliberation.meetings.state import Item, MeetingState
from deliberation.meetings.vocabulary import ItemStatus
from deliberation.projection import to_json
from deliberation.vocabulary import PublicationPolicy

JSON = Any


def is_insider(state: MeetingState, viewer: ParticipantId | None) -> bool:
    if viewer is None or state.meeting is None:
        return False
    meeting = state.meeting
    return (
        meeting.board.member(viewer) is not None
        or viewer in state.substitutes
        or viewer in meeting.facilitators
        or viewer in meeting.secretaries
    )


def _minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


def _item(state: MeetingState, number: int, item: Item, insider: bool) -> dict[str, JSON]:
    assert state.meeting is not None
    orders = state.meeting.board.standing_orders
    hidden = item.private and not insider
    status = quorum(state, item.item)
    row: dict[str, JSON] = {
        "number": number,
        "id": item.item,
        "kind": item.kind.value,
        "private": item.private,
        "title": None if hidden and not orders.private_titles else item.title,
        "status": item.status.value,
        "current": state.current == item.item,
        "planned_minutes": item.planned_minutes,
        "started_at": moment(item.started_at),
        "ended_at": moment(item.ended_at),
        "actual_minutes": _minutes_between(item.started_at, item.ended_at),
        "quorum": {"held": status.held, "missing": list(status.missing)},
        "deferred_to": item.deferred_to or ("next" if item.deferred_to_next else None),
    }
    if hidden:
        return row
    row.update(
        {
            "description": item.description,
            "room": item.room,
            "approves": item.approves,
            "noted": item.noted,
            "urgent_reason": item.urgent_reason,
            "note": item.note,
            "history": [to_json(h) for h in item.history],
        }
    )
    return row


def _who(state: MeetingState, person: ParticipantId, named: bool) -> JSON:
    if not named:
        return None
    member = state.member(person)
    if member is not None:
        return member.name
    substitute = state.substitutes.get(person)
    return substitute.name if substitute else person


def _attendance(state: MeetingState, named: bool) -> list[dict[str, JSON]]:
    assert state.meeting is not None
    rows = []
    people = [m.member for m in state.meeting.board.members] + list(state.substitutes)
    for person in people:
        record = state.attendance.get(person)
        member = state.member(person)
        rows.append(
            {
                "member": person if named else None,
                "name": _who(state, person, named),
                "board_role": member.role.value if member else None,
                "status": record.status.value if record else "absent",
                "present": bool(record and record.present),
                "arrived_at": moment(record.arrived_at) if record else None,
                "left_at": moment(record.left_at) if record else None,
                "substitute_for": (record.substitute_for if named else None) if record else None,
            }
        )
    return rows


def view_meeting(state: MeetingState, viewer: ParticipantId | None) -> dict[str, JSON]:
    """What ``viewer`` may see of the meeting (``None``: the public or the projector)."""
    meeting = state.meeting
    if meeting is None:
        return {"meeting": None}
    insider = is_insider(state, viewer)
    orders = meeting.board.standing_orders
    named = insider or orders.publication is PublicationPolicy.NAMES
    private = {i for i, item in state.items.items() if item.private}
    visible = {i for i in state.items if insider or i not in private}
    now = quorum(state, state.current)
    current = state.current
    out = conflicted(state, current)
    numbered = state.numbered()
    taken = [i for _, i in numbered if i.status is not ItemStatus.DEFERRED]
    reference = state.closed_at or meeting.ends_at
    return {
        "viewer": {
            "participant": viewer,
            "insider": insider,
            "driver": viewer is not None and is_driver(state, viewer),
            "clerk": viewer is not None and is_clerk(state, viewer),
            "scribe": viewer is not None and is_scribe(state, viewer),
        },
        "meeting": {
            "id": meeting.meeting,
            "title": meeting.title,
            "board": {"id": meeting.board.board, "name": meeting.board.name},
            "starts_at": moment(meeting.starts_at),
            "ends_at": moment(meeting.ends_at),
            "timezone": meeting.timezone,
            "place": meeting.place,
            "video_url": meeting.video_url if insider else None,
            "mode": meeting.mode.value,
            "status": state.status.value,
            "opened_at": moment(state.opened_at),
            "closed_at": moment(state.closed_at),
            "approved_at": moment(state.approved_at),
            "approved_in": state.approved_in,
        },
        "agenda": {
            "version": state.agenda_version,
            "published": state.agenda_published,
            "planned_minutes": sum(i.planned_minutes for i in taken),
            "actual_minutes": sum(_minutes_between(i.started_at, i.ended_at) or 0 for i in taken),
            "items": [_item(state, n, i, insider) for n, i in numbered],
        },
        "current": None
        if current is None
        else {
            "item": current,
            "quorum": {"held": now.held, "missing": list(now.missing)},
            "excluded": [
                {"member": p if named else None, "name": _who(state, p, named), "interest": why}
                for p, why in sorted(out.items())
            ]
            if insider or current not in private
            else [],
        },
        "quorum": _quorum_json(state),
        "attendance": _attendance(state, named),
        "declarations": [
            {
                "member": d.member if named else None,
                "name": _who(state, d.member, named),
                "item": d.item,
                "interest": d.interest,
                "excludes": d.excludes.value,
                "standing": d.standing,
            }
            for d in state.declarations
            if d.active and (d.item is None or d.item in visible)
        ],
        "actions": [
            {
                "id": a.action,
                "item": a.item,
                "what": a.what,
                "owner": a.owner if named or a.owner_member is None else None,
                "due": day(a.due),
                "status": action_status(a, reference).value,
            }
            for a in state.actions.values()
            if insider or not (a.private or a.item in private)
        ],
        "summary": state.summary,
    }


def _quorum_json(state: MeetingState) -> dict[str, JSON]:
    status = quorum(state)
    return {"held": status.held, "missing": list(status.missing)}


def meeting_event_view(
    state: MeetingState, event: MeetingEvent, viewer: ParticipantId | None
) -> dict[str, JSON] | None:
    """The event as ``viewer`` may see it (JSON-safe, with its ``type``), or ``None``.

    ``state`` is the meeting after the event. Outsiders see a private item's addition
    reduced like the agenda shows it, and nothing of its notes, actions or declarations.
    """
    payload: dict[str, JSON] = to_json(event)
    payload["type"] = meeting_event_type(event)
    if is_insider(state, viewer):
        return payload
    private = {i for i, item in state.items.items() if item.private}
    if isinstance(event, ItemAdded) and event.private:
        assert state.meeting is not None
        titled = state.meeting.board.standing_orders.private_titles
        return {
            "type": payload["type"],
            "item": event.item,
            "kind": event.kind.value,
            "private": True,
            "title": event.title if titled else None,
            "planned_minutes": event.planned_minutes,
            "at": payload["at"],
        }
    about_item = NarrativeEdited | ActionAdded | InterestDeclared | InterestWithdrawn
    if isinstance(event, about_item) and event.item in private:
        return None
    if isinstance(event, ActionCompleted):
        action = state.actions.get(event.action)
        if action is not None and (action.private or action.item in private):
            return None
    if isinstance(event, ItemAdded) and event.arising:
        payload["arising"] = [a for a in payload["arising"] if not a.get("private")]
    assert state.meeting is not None
    if state.meeting.board.standing_orders.publication is not PublicationPolicy.NAMES:
        payload = {k: v for k, v in payload.items() if k not in _WHO}
    if isinstance(event, MeetingScheduled):
        payload["board"] = {"board": event.board.board, "name": event.board.name}
        payload["video_url"] = None
    return payload


_WHO = frozenset({"member", "by", "substitute", "for_member", "owner", "owner_member", "name"})
