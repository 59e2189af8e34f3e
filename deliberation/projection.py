"""view(state, viewer): the JSON-safe picture of a room for one viewer. The only visibility gate.

Values are ``str``, ``int``, ``bool``, ``None``, lists and dicts only: fractions are written
``"3/10"``, moments in ISO 8601. Hidden statements and their reasons are shown to
facilitators only; pending ones to their author and facilitators. Consent answers follow the
publication policy: ``names`` shows who answered what; ``organisations`` shows each answer's
organisation but not the person; ``anonymous`` shows only counts. Facilitators and the
answerer themself always see their own.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from enum import Enum
from fractions import Fraction
from typing import Any

from deliberation import balancing, exclusions, polls
from deliberation._guards import is_facilitator
from deliberation.events import (
    ConsentAnswered,
    DecisionReached,
    Event,
    ObjectionJudged,
    ReactionRecorded,
    StatementAccepted,
    StatementAdded,
    StatementHidden,
)
from deliberation.fairness import fairness
from deliberation.ids import ParticipantId
from deliberation.perspectives import missing_organisations
from deliberation.rounds import next_new_round
from deliberation.state import RoomState, Speech, Statement
from deliberation.timing import next_deadline
from deliberation.vocabulary import (
    ROUND_ORDER,
    PublicationPolicy,
    Reaction,
    RoundKind,
    StatementStatus,
)

JSON = Any

ASKS: Mapping[RoundKind, str] = {
    RoundKind.SURFACE_CONFLICT: (
        "Write short statements about the proposal and react to others': agree, disagree, pass."
    ),
    RoundKind.WEIGH_PERSPECTIVES: (
        "Table your organisation's perspective (benefit, risk, concern, affected group) and "
        "spread your points over the perspectives that matter most."
    ),
    RoundKind.RECORD_DISSENT: "Record any formal dissent or minority view, with your reasons.",
    RoundKind.CONSENT: (
        "Can you live with the proposal? Consent, consent with a concern, stand aside, or object."
    ),
}


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def to_json(value: object) -> JSON:
    """Core values to JSON-safe values (dataclasses become dicts)."""
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.get(type(value))
        if names is None:
            names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = [to_json(v) for v in value]
        return items if isinstance(value, tuple | list) else sorted(items)
    raise TypeError(f"not JSON-safe: {type(value).__name__}")


def _name(state: RoomState, participant: ParticipantId | None) -> str | None:
    if participant is None:
        return None
    member = state.members.get(participant)
    return member.display_name if member else None


def _room(state: RoomState) -> JSON:
    room = state.room
    if room is None:
        return None
    return {
        "room": room.room,
        "title": room.title,
        "mode": room.mode.value,
        "publication": room.publication.value,
        "owner": room.owner,
        "created_at": room.created_at.isoformat(),
        "decided": state.decided,
    }


def _members(state: RoomState) -> JSON:
    return [
        {
            "participant": m.participant,
            "display_name": m.display_name,
            "organisation": m.organisation,
            "organisation_name": state.organisations.get(m.organisation, ""),
            "role": m.role.value,
            "vote_weight": to_json(m.vote_weight),
            "active": m.active,
            "present": m.present,
        }
        for m in state.members.values()
    ]


def _round(state: RoomState) -> JSON:
    r = state.rounds
    upcoming = next_new_round(state)
    return {
        "current": r.current.value if r.current else None,
        "open": r.is_open,
        "number": r.number,
        "asks": ASKS[r.current] if r.current and r.is_open else None,
        "opened_at": to_json(r.opened_at),
        "deadline": to_json(r.deadline),
        "next": upcoming.value if upcoming else None,
        "reopenable": [
            k.value
            for k in ROUND_ORDER[: r.furthest + 1]
            if k is not RoundKind.CONSENT and k in state.rules.rounds
        ],
    }


def _floor(state: RoomState) -> JSON:
    f = state.floor
    rules = state.rules
    waiting_orgs = {h.organisation for h in f.waiting}
    shares = []
    for organisation, name in sorted(state.organisations.items()):
        share = balancing.share(f, organisation)
        shares.append(
            {
                "organisation": organisation,
                "name": name,
                "speaking_ms": f.floor_ms.get(organisation, 0),
                "share": to_json(share),
                "cap": to_json(balancing.cap_in_force(f, rules)),
                "at_or_over_cap": balancing.at_or_over_cap(f, rules, organisation),
                "cap_lifted": organisation in f.cap_lifted,
                "budget_ms": rules.budget_for(organisation),
                "budget_left_ms": balancing.budget_left(f, rules, organisation),
                "waiting": organisation in waiting_orgs,
            }
        )
    speech = f.speech
    current = None
    if speech is not None:
        current = {
            "participant": speech.participant,
            "display_name": _name(state, speech.participant),
            "organisation": speech.organisation,
            "kind": speech.kind.value,
            "started_at": speech.started_at.isoformat(),
            "limit_ms": speech.limit_ms,
            "ends_at": (speech.started_at + timedelta(milliseconds=speech.limit_ms)).isoformat(),
            "overran": speech.overran,
            "cap_warning": _cap_warning(speech),
        }
    choice = balancing.choose(f, rules)
    paused = None
    if f.paused is not None:
        paused = {
            "participant": f.paused.participant,
            "display_name": _name(state, f.paused.participant),
            "organisation": f.paused.organisation,
            "kind": f.paused.kind.value,
            "elapsed_ms": f.paused_elapsed_ms,
            "limit_ms": f.paused.limit_ms,
        }
    return {
        "queue": [
            {
                "participant": h.participant,
                "display_name": _name(state, h.participant),
                "organisation": h.organisation,
                "kind": h.kind.value,
                "raised_at": h.raised_at.isoformat(),
                "reply_to": h.reply_to,
            }
            for h in f.waiting
        ],
        "next": (
            {
                "participant": choice.hand.participant,
                "kind": choice.hand.kind.value,
                "rule": choice.rule,
            }
            if choice
            else None
        ),
        "speech": current,
        "paused": paused,
        "total_speaking_ms": f.total_ms,
        "shares": shares,
        "speaking_cap": to_json(rules.speaking_cap),
        "cap_in_force": to_json(balancing.cap_in_force(f, rules)),
        "organisations_asked": len(f.asked),
    }


def _cap_warning(speech: Speech) -> JSON | None:
    """The speaker's organisation reached the cap while someone under it waits: when the
    grace ends (the pages show it to the speaker and the facilitator)."""
    if speech.cap_reached_ms is None or speech.cap_grace_end_ms is None:
        return None
    start = speech.started_at
    return {
        "reached_at": (start + timedelta(milliseconds=speech.cap_reached_ms)).isoformat(),
        "grace_ends_at": (start + timedelta(milliseconds=speech.cap_grace_end_ms)).isoformat(),
        "flagged": speech.cap_flagged,
    }


def _statements(state: RoomState, viewer: ParticipantId | None, moderator: bool) -> JSON:
    rows = []
    for s in state.surface.statements.values():
        if s.status is StatementStatus.HIDDEN and not moderator:
            continue
        if s.status is StatementStatus.PENDING and not (moderator or viewer == s.participant):
            continue
        counts = Counter(state.surface.reactions.get(s.statement, {}).values())
        row: dict[str, JSON] = {
            "statement": s.statement,
            "participant": s.participant,
            "organisation": s.organisation,
            "text": s.text,
            "status": s.status.value,
            "added_at": s.added_at.isoformat(),
            **{k.value: counts[k] for k in Reaction},
        }
        if moderator:
            row["hidden_reason"] = s.hidden_reason
        rows.append(row)
    return rows


def _my_reactions(state: RoomState, viewer: ParticipantId | None) -> JSON:
    if viewer is None:
        return {}
    return {
        statement: by_participant[viewer].value
        for statement, by_participant in state.surface.reactions.items()
        if viewer in by_participant
    }


def _perspectives(state: RoomState) -> JSON:
    points = state.weighing.points
    ordered = sorted(
        state.weighing.perspectives.values(),
        key=lambda p: (-points.get(p.perspective, 0), p.tabled_at, p.perspective),
    )
    return [
        {
            "perspective": p.perspective,
            "kind": p.kind.value,
            "text": p.text,
            "organisation": p.organisation,
            "participant": p.participant,
            "points": points.get(p.perspective, 0),
        }
        for p in ordered
    ]


def _consent(state: RoomState, viewer: ParticipantId | None, moderator: bool) -> JSON:
    consent = state.consent
    policy = state.room.publication if state.room else PublicationPolicy.NAMES
    answers = []
    for a in consent.answers.values():
        if moderator or a.participant == viewer or policy is PublicationPolicy.NAMES:
            answers.append(to_json(a))
        elif policy is PublicationPolicy.ORGANISATIONS:
            answers.append(
                {"organisation": a.organisation, "position": a.position.value, "text": a.text}
            )
    counts: dict[str, int] = {}
    for a in consent.answers.values():
        counts[a.position.value] = counts.get(a.position.value, 0) + 1
    mine = consent.answers.get(viewer) if viewer else None
    return {
        "number": consent.number,
        "answers": answers,
        "counts": counts,
        "mine": to_json(mine),
        "objections": [to_json(o) for o in (*consent.earlier, *consent.objections.values())],
    }


def view(state: RoomState, viewer: ParticipantId | None) -> dict[str, JSON]:
    """What ``viewer`` may see of the room (``None``: the public or the projector)."""
    moderator = viewer is not None and is_facilitator(state, viewer)
    me = state.members.get(viewer) if viewer else None
    latest = state.decisions[-1] if state.decisions else None
    deadline = next_deadline(state)
    return {
        "viewer": {
            "participant": viewer,
            "role": me.role.value if me else None,
            "facilitator": moderator,
        },
        "room": _room(state),
        "proposal": {"text": state.proposal.text, "version": state.proposal.version},
        "rules": to_json(state.rules),
        "members": _members(state),
        "round": _round(state),
        "floor": _floor(state),
        "statements": _statements(state, viewer, moderator),
        "my_reactions": _my_reactions(state, viewer),
        "perspectives": _perspectives(state),
        "my_allocation": to_json(state.weighing.allocations.get(viewer, ())) if viewer else [],
        "points_budget": state.rules.points_budget,
        "missing_organisations": list(missing_organisations(state)),
        "dissents": [to_json(d) for d in state.dissents.values()],
        "consent": _consent(state, viewer, moderator),
        "decisions": [to_json(d) for d in state.decisions],
        "outcome": latest.outcome.value if latest else None,
        "fairness": to_json(fairness(state)),
        "next_deadline": to_json(deadline),
        "votes": polls.view_votes(state, viewer),
        **exclusions.view_exclusions(state),
    }


def _strip(payload: dict[str, JSON], *keys: str) -> dict[str, JSON]:
    return {k: v for k, v in payload.items() if k not in keys}


def _private_to(
    payload: dict[str, JSON], policy: PublicationPolicy, *, organisation: bool
) -> dict[str, JSON]:
    """Remove who acted under the policy: ``organisations`` keeps the organisation only."""
    if policy is PublicationPolicy.NAMES:
        return payload
    hidden: tuple[str, ...] = ("participant", "by", "objector")
    if policy is PublicationPolicy.ANONYMOUS and organisation:
        hidden = (*hidden, "organisation")
    return _strip(payload, *hidden)


def event_view(state: RoomState, event: Event, viewer: ParticipantId | None) -> JSON:
    """The event as ``viewer`` may see it (JSON-safe), or ``None`` if they may not see it.

    ``state`` is the room after the event. The shell relays events through this gate, the
    same gate ``view`` applies to the whole room: pending statements go to their author and
    facilitators only; a hidden statement's reason to facilitators only; consent answers,
    objection judgments and reactions follow the publication policy for everyone but the
    person themself and facilitators.
    """
    payload: dict[str, JSON] = to_json(event)
    if isinstance(event, polls.BallotCast):  # before the moderator's view: ballots stay sealed
        return polls.ballot_event_view(event, payload, viewer)
    moderator = viewer is not None and is_facilitator(state, viewer)
    own = viewer is not None and viewer == getattr(event, "participant", None)
    if moderator or own:
        return payload
    policy = state.room.publication if state.room else PublicationPolicy.NAMES
    if isinstance(event, StatementAdded):
        return payload if event.status is not StatementStatus.PENDING else None
    if isinstance(event, StatementHidden):
        return _strip(payload, "reason")
    if isinstance(event, StatementAccepted):
        statement = state.surface.statements.get(event.statement)
        payload["statement_record"] = _statement_json(statement) if statement else None
        return payload
    if isinstance(event, ConsentAnswered | ObjectionJudged):
        if policy is PublicationPolicy.ANONYMOUS:
            return {"consent_round": state.consent.number, "at": payload["at"]}
        return _private_to(payload, policy, organisation=False)
    if isinstance(event, ReactionRecorded):
        return _private_to(payload, policy, organisation=True)
    if isinstance(event, DecisionReached):
        answers = payload["answers"]
        payload["answers"] = [_private_to(a, policy, organisation=True) for a in answers]
        return payload
    return payload


def _statement_json(statement: Statement) -> dict[str, JSON]:
    return {
        "statement": statement.statement,
        "participant": statement.participant,
        "organisation": statement.organisation,
        "text": statement.text,
        "status": statement.status.value,
        "added_at": statement.added_at.isoformat(),
    }
