"""Reads the minutes, the CLI and the pages share: a meeting's minutes document.

``minutes_document`` folds the meeting's stream and each item room's, straight from the
tables (no process caches: the CLI has none), gathers each room's decision summary and
hands both to the core's ``minutes`` (or ``published_minutes``), which decides what the
document says (docs/meetings.md § The minutes document).
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
import deliberation.meetings as core
from server.db.tables import Meeting, MeetingItemRoom, Room
from server.meetings.event_store import MEETING
from server.publication.canonical import decimal_string
from server.rooms.event_store import ROOM, events_since, fold


class NoSuchMeeting(LookupError):
    pass


class NotApproved(LookupError):
    """Published minutes were asked for, but the meeting's minutes are not approved yet."""


async def meeting_state(session: AsyncSession, meeting_id: uuid.UUID) -> core.MeetingState:
    if await session.get(Meeting, meeting_id) is None:
        raise NoSuchMeeting(str(meeting_id))
    stored = await events_since(session, meeting_id, 0, stream=MEETING)
    state: core.MeetingState = fold(core.INITIAL_MEETING, stored, MEETING)
    return state


def _fraction(value: Any) -> Fraction:
    return Fraction(value) if value is not None else Fraction(0)


def decision_summary(room_state: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """A room's decision (the payload of its last ``decision.reached``) as the minutes tell it.

    ``votes``: each answering member's weight raw and as counted after the room's caps
    (caps scale an organisation's weights proportionally, so a member's counted weight is
    their raw weight times their organisation's counted-to-raw ratio).
    """
    fairness = {o["organisation"]: o for o in payload["fairness"].get("organisations", [])}
    answers = payload.get("answers", [])

    def by_position(position: str) -> list[dict[str, Any]]:
        return [
            {"member": a["participant"], "organisation": a["organisation"], "text": a["text"]}
            for a in answers
            if a["position"] == position
        ]

    votes = []
    for answer in answers:
        member = room_state.members.get(answer["participant"])
        raw = member.vote_weight if member is not None else Fraction(1)
        org = fairness.get(answer["organisation"], {})
        org_raw = _fraction(org.get("vote_weight_raw"))
        org_counted = _fraction(org.get("vote_weight_counted"))
        counted = raw * org_counted / org_raw if org_raw else Fraction(0)
        votes.append(
            {
                "member": answer["participant"],
                "organisation": answer["organisation"],
                "position": answer["position"],
                "raw": decimal_string(raw),
                "counted": decimal_string(counted),
            }
        )
    return {
        "outcome": payload["outcome"],
        "present": list(payload.get("present") or []),
        "excluded": _excluded(room_state, payload),
        "dissents": [
            {
                "member": d["participant"],
                "organisation": d["organisation"],
                "kind": d["kind"],
                "text": d["text"],
                "withdrawn": d.get("withdrawn_at") is not None,
            }
            for d in payload.get("dissents", [])
        ],
        "concerns": by_position("concern"),
        "stand_asides": by_position("stand_aside"),
        "objections": [
            {
                "member": o["objector"],
                "organisation": o["organisation"],
                "reason": o["reason"],
                "status": o["status"],
            }
            for o in payload.get("objections", [])
        ],
        "votes": votes,
    }


def _excluded(room_state: Any, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Who was out of the vote: as the decision recorded it, else as the room holds it."""
    recorded = payload.get("excluded")
    if isinstance(recorded, list):
        return [
            {"member": e.get("participant", e.get("member")), "reason": e.get("reason", "")}
            for e in recorded
            if isinstance(e, dict)
        ]
    held = getattr(room_state, "exclusions", None) or {}
    items = held.items() if hasattr(held, "items") else ((e.participant, e) for e in held)
    return [
        {"member": str(member), "reason": str(getattr(e, "reason", ""))}
        for member, e in sorted(items, key=lambda pair: str(pair[0]))
    ]


async def room_summary(session: AsyncSession, room_id: uuid.UUID) -> dict[str, Any] | None:
    """``{"decision", "log"}``: the room's decision summary (``None`` before one) and the
    commitment to its log (head seq and hash), which a private item keeps when published."""
    room = await session.get(Room, room_id)
    if room is None:
        return None
    stored = await events_since(session, room_id, 0, stream=ROOM)
    log = {"room_id": str(room_id), "seq": room.last_seq, "hash": room.head_hash}
    decided = [s for s in stored if s.type == "decision.reached"]
    if not decided:
        return {"decision": None, "log": log}
    state = fold(deliberation.INITIAL, stored, ROOM)
    summary = decision_summary(state, decided[-1].payload)
    summary["log"] = log
    return {"decision": summary, "log": log}


async def minutes_document(
    session: AsyncSession, meeting_id: uuid.UUID, *, published: bool
) -> dict[str, Any]:
    """The minutes of a meeting as JSON (docs/meetings.md): the draft for members, or with
    ``published`` the board's publication policy applied and private items reduced to
    their commitments. Raises ``NoSuchMeeting``, and ``NotApproved`` for published minutes
    of a meeting whose minutes are not approved."""
    state = await meeting_state(session, meeting_id)
    if published and state.approved_at is None:
        raise NotApproved(str(meeting_id))
    rooms = dict(
        (
            await session.execute(
                select(MeetingItemRoom.item_id, MeetingItemRoom.room_id).where(
                    MeetingItemRoom.meeting_id == meeting_id
                )
            )
        ).all()
    )
    items: dict[str, Any] = {}
    for item_id, room_id in rooms.items():
        summary = await room_summary(session, room_id)
        if summary is not None:
            items[item_id] = summary
    if published:
        document: dict[str, Any] = core.published_minutes(state, items)
    else:
        document = core.minutes(state, items)
    return document
