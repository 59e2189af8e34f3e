"""The minutes of a meeting as one JSON document (docs/meetings.md § The minutes document).

``minutes(state, items)`` is drawn from the log only: the meeting's fold gives the
attendance, the quorum as it was logged, the declarations, each item's times, notes and
actions; ``items`` gives, for each item with a room, that room's decision as its own fold
says it (``item_decision``). The only words a person wrote into the minutes afterwards are
the narrative (``edit_narrative``: the summary and each item's note); everything else is a
fact and has no command that could change it.

``published_minutes(doc, policy, private_titles)`` is the public copy: the board's
publication policy applied as rooms apply it (``names``; ``organisations``: organisations
and a pseudonym per person; ``anonymous``: pseudonyms only), and each private (Part 2) item
reduced to its number, kind, title where allowed and the commitment to its room's log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from voting import decimal_string

from deliberation.errors import Reason, Rejected
from deliberation.fairness import vote_weights
from deliberation.ids import OrganisationId, ParticipantId
from deliberation.meetings.actions import action_status
from deliberation.meetings.state import Action, Item, Meeting, MeetingState
from deliberation.meetings.vocabulary import Attendance
from deliberation.polls import Poll
from deliberation.state import RoomState
from deliberation.vocabulary import Position, PublicationPolicy

JSON = Any


def moment(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``, as the decision log writes times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: datetime | None) -> str | None:
    """A due date: the UTC date of the moment (the shell passes midnight UTC of the day)."""
    return None if value is None else value.astimezone(UTC).date().isoformat()


# --- a room's decision, as the room's fold says it ------------------------------------------


def item_decision(room: RoomState, log: Mapping[str, Any]) -> dict[str, JSON]:
    """``{"decision", "log"}`` for ``minutes``' ``items``: the room's last decision (its last
    consent decision, else its last closed vote; ``None`` before either) and ``log``, the
    commitment to the room's log (``{"room_id", "seq", "hash"}``, from the shell).

    Votes carry each voter's raw and counted weight after the room's caps (the weighting
    the consent count used); secret ballots appear only in the totals of the room's log.
    """
    commitment = dict(log)
    decision: dict[str, JSON] | None = None
    if room.decisions:
        decision = _consent_decision(room)
    else:
        closed = [p for p in room.polls.values() if p.closed and p.result is not None]
        if closed:
            decision = _vote_decision(room, max(closed, key=lambda p: p.closed_at or p.opened_at))
    if decision is not None:
        decision["log"] = commitment
    return {"decision": decision, "log": commitment}


def _organisation(room: RoomState, organisation: OrganisationId) -> str:
    return room.organisations.get(organisation, organisation)


def _common(room: RoomState) -> dict[str, JSON]:
    quorum = room.meeting_quorum
    return {
        "present": list(quorum.present) if quorum else [],
        "excluded": [
            {"member": x.participant, "reason": x.reason, "discussion": x.discussion}
            for x in sorted(room.exclusions.values(), key=lambda x: x.participant)
        ],
        "dissents": [
            {
                "member": d.participant,
                "organisation": _organisation(room, d.organisation),
                "kind": d.kind.value,
                "text": d.text,
                "withdrawn": d.withdrawn_at is not None,
            }
            for d in room.dissents.values()
        ],
    }


def _consent_decision(room: RoomState) -> dict[str, JSON]:
    answers = list(room.consent.answers.values())
    weights = vote_weights(room)

    def said(position: Position) -> list[dict[str, JSON]]:
        return [
            {
                "member": a.participant,
                "organisation": _organisation(room, a.organisation),
                "text": a.text,
            }
            for a in answers
            if a.position is position
        ]

    votes = []
    for a in answers:
        member = room.members.get(a.participant)
        raw = member.vote_weight if member else Fraction(1)
        votes.append(
            {
                "member": a.participant,
                "organisation": _organisation(room, a.organisation),
                "position": a.position.value,
                "raw": decimal_string(raw),
                "counted": decimal_string(weights.counted.get(a.participant, Fraction(0))),
            }
        )
    return {
        "outcome": room.decisions[-1].outcome.value,
        **_common(room),
        "concerns": said(Position.CONCERN),
        "stand_asides": said(Position.STAND_ASIDE),
        "objections": [
            {
                "member": o.objector,
                "organisation": _organisation(room, o.organisation),
                "text": o.reason,
                "status": o.status.value,
            }
            for o in (*room.consent.earlier, *room.consent.objections.values())
        ],
        "votes": votes,
    }


def _vote_decision(room: RoomState, poll: Poll) -> dict[str, JSON]:
    result = poll.result
    assert result is not None  # only closed votes are passed in
    ratio = {
        o.organisation: (o.counted_weight / o.raw_weight if o.raw_weight else Fraction(0))
        for o in result.organisations
    }
    votes = []
    for ballot in poll.ballots.values():
        if ballot.participant is None:  # secret: counted in the totals, never named
            continue
        raw = ballot.weight + sum(ballot.delegated_weights, Fraction(0))
        votes.append(
            {
                "member": ballot.participant,
                "organisation": _organisation(room, ballot.organisation),
                "position": ballot.choice,
                "raw": decimal_string(raw),
                "counted": decimal_string(raw * ratio.get(ballot.organisation, Fraction(0))),
            }
        )
    outcome = result.outcome or result.winner or "no result"
    return {
        "outcome": outcome,
        **_common(room),
        "concerns": [],
        "stand_asides": [],
        "objections": [],
        "votes": votes,
    }


# --- the minutes ----------------------------------------------------------------------------


def _person(state: MeetingState, person: ParticipantId) -> dict[str, JSON]:
    member = state.member(person)
    if member is not None:
        return {
            "id": member.member,
            "name": member.name,
            "organisation": member.organisation_name,
            "board_role": member.role.value,
        }
    substitute = state.substitutes.get(person)
    if substitute is not None:
        stands_for = state.member(substitute.for_member)
        return {
            "id": substitute.substitute,
            "name": substitute.name,
            "organisation": substitute.organisation_name,
            "board_role": stands_for.role.value if stands_for else None,
        }
    return {"id": person, "name": person, "organisation": "", "board_role": None}


def _attendance(state: MeetingState, meeting: Meeting) -> list[dict[str, JSON]]:
    people = [m.member for m in meeting.board.members] + list(state.substitutes)
    rows = []
    for person in people:
        record = state.attendance.get(person)
        rows.append(
            {
                "member": _person(state, person),
                "status": (record.status if record else Attendance.ABSENT).value,
                "arrived_at": moment(record.arrived_at) if record else None,
                "left_at": moment(record.left_at) if record else None,
                "substitute_for": record.substitute_for if record else None,
            }
        )
    return rows


def _action(action: Action, at: datetime) -> dict[str, JSON]:
    return {
        "id": action.action,
        "what": action.what,
        "owner": action.owner,
        "owner_member": action.owner_member,
        "due": day(action.due),
        "status": action_status(action, at).value,
        "private": action.private,
    }


def _item(
    state: MeetingState, number: int, item: Item, rooms: Mapping[str, Any], at: datetime
) -> dict[str, JSON]:
    found = rooms.get(item.item) or {}
    decision = found.get("decision") if isinstance(found, Mapping) else None
    if isinstance(decision, Mapping):
        decision = dict(decision)
        if "log" not in decision and found.get("log") is not None:
            decision["log"] = dict(found["log"])
    deferred_to = (
        item.deferred_to if item.deferred_to else ("next" if item.deferred_to_next else None)
    )
    return {
        "id": item.item,
        "number": number,
        "title": item.title,
        "kind": item.kind.value,
        "private": item.private,
        "planned_minutes": item.planned_minutes,
        "started_at": moment(item.started_at),
        "ended_at": moment(item.ended_at),
        "note": item.note,
        "noted": item.noted,
        "deferred_to": deferred_to,
        "urgent_reason": item.urgent_reason,
        "decision": decision,
        "actions": [_action(a, at) for a in state.actions.values() if a.item == item.item],
    }


def minutes(state: MeetingState, items: Mapping[str, Any] | None = None) -> dict[str, JSON]:
    """The minutes document (docs/meetings.md), drawn from the meeting's log and ``items``
    (item id -> ``{"decision", "log"}``, e.g. from ``item_decision`` of each item's room).

    Actions are ``overdue`` when open and due before the meeting closed (or, before then,
    before its planned end). Raises ``Rejected`` (``not_found``) for a meeting not scheduled.
    """
    meeting = state.meeting
    if meeting is None:
        raise Rejected(Reason.NOT_FOUND, "There is no such meeting.")
    rooms = items or {}
    at = state.closed_at or meeting.ends_at
    return {
        "meeting": {
            "id": meeting.meeting,
            "title": meeting.title,
            "board": {"id": meeting.board.board, "name": meeting.board.name},
            "starts_at": moment(meeting.starts_at),
            "ends_at": moment(meeting.ends_at),
            "timezone": meeting.timezone,
            "place": meeting.place,
            "video_url": meeting.video_url,
            "mode": meeting.mode.value,
        },
        "status": "approved" if state.approved_at is not None else "draft",
        "approved_at": moment(state.approved_at),
        "approved_in": state.approved_in,
        "attendance": _attendance(state, meeting),
        "quorum": [
            {"at": moment(q.at), "held": q.held, "missing": list(q.missing)}
            for q in state.quorum_log
        ],
        "declarations": [
            {
                "member": d.member,
                "item": d.item,
                "interest": d.interest,
                "excludes": d.excludes.value,
            }
            for d in state.declarations
            if d.active
        ],
        "items": [_item(state, n, item, rooms, at) for n, item in state.numbered()],
        "narrative": {"summary": state.summary},
    }


# --- the published copy ---------------------------------------------------------------------


def _reduced(item: Mapping[str, JSON], private_titles: bool) -> dict[str, JSON]:
    """A private item as the public sees it: that it was taken, and its log's commitment."""
    kept: dict[str, JSON] = {
        "id": item["id"],
        "number": item["number"],
        "kind": item["kind"],
        "private": True,
    }
    if private_titles:
        kept["title"] = item["title"]
    decision = item.get("decision")
    log = decision.get("log") if isinstance(decision, Mapping) else None
    if isinstance(log, Mapping):
        kept["log"] = {"seq": log.get("seq"), "hash": log.get("hash")}
    return kept


class _Aliases:
    """Stable pseudonyms within one document ("Member 1", "Member 2", ...), in the order
    people first appear (the attendance register first), so a reader can follow one
    person through the minutes without learning who they are."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, person: JSON) -> JSON:
        if not isinstance(person, str):
            return person
        if person not in self.names:
            self.names[person] = f"Member {len(self.names) + 1}"
        return self.names[person]


def _pseudonymised(doc: dict[str, JSON], anonymous: bool) -> None:
    alias = _Aliases()

    def org(value: JSON) -> JSON:
        return None if anonymous else value

    for row in doc["attendance"]:
        member = row["member"]
        pseudonym = alias(member["id"])
        row["member"] = {
            "id": pseudonym,
            "name": None,
            "pseudonym": pseudonym,
            "organisation": org(member.get("organisation")),
            "board_role": member.get("board_role"),
        }
    for row in doc["attendance"]:
        row["substitute_for"] = alias(row["substitute_for"])
    for d in doc["declarations"]:
        d["member"] = alias(d["member"])
    for item in doc["items"]:
        for action in item.get("actions", ()):
            if action.get("owner_member"):
                action["owner"] = alias(action["owner_member"])
                action["owner_member"] = alias(action["owner_member"])
        decision = item.get("decision")
        if isinstance(decision, dict):
            _pseudonymise_decision(decision, alias, org)


def _pseudonymise_decision(
    decision: dict[str, JSON], alias: _Aliases, org: Callable[[JSON], JSON]
) -> None:
    decision["present"] = [alias(p) for p in decision.get("present") or ()]
    for group in ("excluded", "dissents", "concerns", "stand_asides", "objections", "votes"):
        for entry in decision.get(group) or ():
            if isinstance(entry, dict):
                for key in ("member", "objector", "participant"):
                    if key in entry:
                        entry[key] = alias(entry[key])
                if "organisation" in entry:
                    entry["organisation"] = org(entry["organisation"])


def _copy(value: JSON) -> JSON:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def published_minutes(
    doc: Mapping[str, JSON], policy: PublicationPolicy, private_titles: bool
) -> dict[str, JSON]:
    """The public copy of ``minutes(...)`` under ``policy`` (the board's standing orders:
    ``publication`` and ``private_titles``). A private item keeps only ``id``, ``number``,
    ``kind``, ``private``, its title when ``private_titles`` and ``log`` (seq and hash);
    declarations on private items and actions agreed on one (carried as matters arising
    too) are left out. ``doc`` is not changed."""
    copied: dict[str, JSON] = _copy(doc)
    private = {i["id"] for i in copied["items"] if i.get("private")}
    copied["items"] = [
        _reduced(i, private_titles)
        if i.get("private")
        else {**i, "actions": [a for a in i.get("actions", ()) if not a.get("private")]}
        for i in copied["items"]
    ]
    copied["declarations"] = [d for d in copied["declarations"] if d.get("item") not in private]
    if policy is not PublicationPolicy.NAMES:
        _pseudonymised(copied, anonymous=policy is PublicationPolicy.ANONYMOUS)
    return copied


def publish(state: MeetingState, items: Mapping[str, Any] | None = None) -> dict[str, JSON]:
    """``published_minutes(minutes(state, items), ...)`` under the board's standing orders."""
    if state.meeting is None:
        raise Rejected(Reason.NOT_FOUND, "There is no such meeting.")
    orders = state.meeting.board.standing_orders
    return published_minutes(minutes(state, items), orders.publication, orders.private_titles)
