"""What a board meeting tells an item's room: who is out of the item, and whether it is quorate.

The meeting core decides attendance, quorum and declarations of interest; the shell relays
the outcome into the item's room as two system commands:

- ``set_exclusions``: the members conflicted on this item, each with the declared interest
  and whether they are out of the discussion too. The room refuses their consent answer,
  ballot, delegation, reaction, objection judgment and points (and, when out of the
  discussion, their hand, statement, perspective and dissent) with ``forbidden`` naming
  the interest; one out of the discussion also leaves the floor (a speech of theirs ends,
  their hands are lowered). What they had already given stops counting (the fold drops it), so caps,
  the room's quorum and the fairness report are computed without them.
- ``set_quorum``: the meeting's quorum as the meeting computed it, the sentences naming
  what is missing, and who is present. While it is not held, the room refuses to close a
  consent round or a vote with ``no_quorum`` and the missing sentences (the clock closing
  consent at a deadline then withdraws the proposal, as without the room's own quorum).

Both replace what was set before and emit nothing when nothing changes, so the shell may
relay after every meeting event. ``decision.reached`` carries the present members and the
exclusions. A secret ballot cast before its voter was excluded cannot be told apart from
the others (it carries no voter) and stays counted: declare interests before the vote.

Like ``polls``, this module must not import ``deliberation.state`` at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import ParticipantId

if TYPE_CHECKING:
    from deliberation.state import RoomState


@dataclass(frozen=True, slots=True)
class Exclusion:
    """``reason``: the declared interest; ``discussion``: out of the discussion too."""

    participant: ParticipantId
    reason: str
    discussion: bool = False


@dataclass(frozen=True, slots=True)
class MeetingQuorum:
    """The meeting's quorum as last relayed, and who was present then."""

    held: bool
    missing: tuple[str, ...] = ()
    present: tuple[ParticipantId, ...] = ()


# --- commands and events --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetExclusions:
    """Replace the members excluded from this item (system command, relayed by the shell).

    Who may: the system only. Rejected: ``forbidden``; ``invalid`` (a member twice, an empty
    reason). Allowed after the decision. Emits: ``speech.ended`` (a speech of someone now out
    of the discussion), ``exclusions.set``; nothing when unchanged.
    """

    exclusions: tuple[Exclusion, ...]


@dataclass(frozen=True, slots=True)
class SetQuorum:
    """Relay the meeting's quorum into the room (system command).

    Who may: the system only. Rejected: ``forbidden``; ``invalid`` (held with something
    missing, or not held with nothing said). Allowed after the decision.
    Emits: ``quorum.set``, or nothing when unchanged.
    """

    held: bool
    missing: tuple[str, ...] = ()
    present: tuple[ParticipantId, ...] = ()


@dataclass(frozen=True, slots=True)
class ExclusionsSet:
    exclusions: tuple[Exclusion, ...]
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class QuorumSet:
    held: bool
    missing: tuple[str, ...]
    present: tuple[ParticipantId, ...]
    by: ParticipantId | None
    at: datetime


# --- decide ---------------------------------------------------------------------------------


def _system(ctx: Context) -> None:
    if ctx.actor is not None:
        raise Rejected(Reason.FORBIDDEN, "Only the meeting (the system) sets this.")


def set_exclusions(state: RoomState, command: SetExclusions, ctx: Context) -> list[Any]:
    _system(ctx)
    who = [e.participant for e in command.exclusions]
    if len(set(who)) != len(who):
        raise Rejected(Reason.INVALID, "Each excluded member is listed once.")
    if any(not e.reason.strip() for e in command.exclusions):
        raise Rejected(Reason.INVALID, "An exclusion names the declared interest.")
    ordered = tuple(sorted(command.exclusions, key=lambda e: e.participant))
    if ordered == tuple(sorted(state.exclusions.values(), key=lambda e: e.participant)):
        return []
    from deliberation.floor import end_current, end_paused
    from deliberation.vocabulary import SpeechEnding

    events: list[Any] = []
    for leaving in (e.participant for e in ordered if e.discussion):  # they leave the floor
        speech = state.floor.speech
        if speech is not None and speech.participant == leaving:
            events.extend(end_current(state, ctx.at, SpeechEnding.MEMBER_REMOVED, ctx.actor))
        events.extend(end_paused(state, leaving, ctx.at, ctx.actor))
    return [*events, ExclusionsSet(ordered, ctx.actor, ctx.at)]


def set_quorum(state: RoomState, command: SetQuorum, ctx: Context) -> list[Any]:
    _system(ctx)
    if command.held == bool(command.missing):
        raise Rejected(
            Reason.INVALID, "A quorum is held with nothing missing, or lost with what is missing."
        )
    new = MeetingQuorum(command.held, command.missing, tuple(sorted(command.present)))
    if new == state.meeting_quorum:
        return []
    return [QuorumSet(new.held, new.missing, new.present, ctx.actor, ctx.at)]


@cache
def _scopes() -> Mapping[type[Any], str]:
    """Command -> what an exclusion keeps a member out of: ``vote`` or ``discussion``."""
    from deliberation import commands as c
    from deliberation import polls

    vote = (
        c.AnswerConsent,
        c.React,
        c.JudgeObjection,
        c.AllocatePoints,
        polls.CastBallot,
        polls.DelegateVote,
    )
    discussion = (c.RaiseHand, c.AddStatement, c.TablePerspective, c.RecordDissent)
    return {**dict.fromkeys(vote, "vote"), **dict.fromkeys(discussion, "discussion")}


def _reaches_decision(state: RoomState, command: object) -> bool:
    from deliberation.commands import CloseRound
    from deliberation.polls import CloseVote
    from deliberation.vocabulary import RoundKind

    if isinstance(command, CloseVote):
        return True
    consent = state.rounds.is_open and state.rounds.current is RoundKind.CONSENT
    return isinstance(command, CloseRound) and consent


def check(state: RoomState, command: object, ctx: Context) -> None:
    """Refuse what an exclusion or the meeting's missing quorum forbids (before ``decide``)."""
    if state.exclusions:
        scope = _scopes().get(type(command))
        who = ctx.acting_for or ctx.actor
        excluded = state.exclusions.get(who) if who is not None and scope else None
        if excluded is not None and (scope == "vote" or excluded.discussion):
            member = state.members.get(excluded.participant)
            name = member.display_name if member else excluded.participant
            what = "vote and consent" if scope == "vote" else "discussion"
            raise Rejected(
                Reason.FORBIDDEN,
                f"{name} is excluded from this item's {what}: {excluded.reason}.",
            )
        to = getattr(command, "delegate", None)  # a delegation to someone excluded
        delegate = state.exclusions.get(ParticipantId(to)) if isinstance(to, str) else None
        if delegate is not None:
            colleague = state.members.get(delegate.participant)
            shown = colleague.display_name if colleague else delegate.participant
            raise Rejected(
                Reason.FORBIDDEN,
                f"The vote cannot go to {shown}, excluded from this item's vote: "
                f"{delegate.reason}.",
            )
    quorum = state.meeting_quorum
    if quorum is None or quorum.held or not _reaches_decision(state, command):
        return
    from deliberation._guards import is_facilitator

    if is_facilitator(state, ctx.actor):  # anyone else is refused for their role first
        raise Rejected(
            Reason.NO_QUORUM,
            "The meeting is not quorate: missing " + "; ".join(quorum.missing) + ".",
        )


def quorum_held(state: RoomState) -> bool:
    """The meeting's quorum, as relayed (a room outside a meeting has none to wait for)."""
    return state.meeting_quorum is None or state.meeting_quorum.held


# --- evolve ---------------------------------------------------------------------------------


def _drop_contributions(state: RoomState, out: frozenset[ParticipantId]) -> RoomState:
    """What the excluded gave towards the vote stops counting."""
    consent = state.consent
    consent = replace(
        consent,
        answers={p: a for p, a in consent.answers.items() if p not in out},
        objections={p: o for p, o in consent.objections.items() if p not in out},
        judgments={
            objector: {p: j for p, j in judged.items() if p not in out}
            for objector, judged in consent.judgments.items()
            if objector not in out
        },
    )
    surface = replace(
        state.surface,
        reactions={
            s: {p: r for p, r in by.items() if p not in out}
            for s, by in state.surface.reactions.items()
        },
    )
    points = dict(state.weighing.points)
    for participant in out:
        for old in state.weighing.allocations.get(participant, ()):
            points[old.perspective] -= old.points
    weighing = replace(
        state.weighing,
        allocations={p: a for p, a in state.weighing.allocations.items() if p not in out},
        points=points,
    )
    polls = {
        poll_id: poll
        if poll.closed or poll.secret
        else replace(
            poll,
            ballots={k: b for k, b in poll.ballots.items() if b.participant not in out},
            participated=poll.participated - out,
            delegations={p: d for p, d in poll.delegations.items() if p not in out},
        )
        for poll_id, poll in state.polls.items()
    }
    return replace(state, consent=consent, surface=surface, weighing=weighing, polls=polls)


def _exclusions_set(state: RoomState, e: ExclusionsSet) -> RoomState:
    added = frozenset(x.participant for x in e.exclusions) - set(state.exclusions)
    if added:
        state = _drop_contributions(state, added)
    silent = {x.participant for x in e.exclusions if x.discussion}
    if any(h.participant in silent for h in state.floor.waiting):
        waiting = tuple(h for h in state.floor.waiting if h.participant not in silent)
        state = replace(state, floor=replace(state.floor, waiting=waiting))
    return replace(state, exclusions={x.participant: x for x in e.exclusions})


def _quorum_set(state: RoomState, e: QuorumSet) -> RoomState:
    return replace(state, meeting_quorum=MeetingQuorum(e.held, e.missing, e.present))


COMMANDS: dict[str, type[Any]] = {"set_exclusions": SetExclusions, "set_quorum": SetQuorum}

EVENTS: dict[str, type[Any]] = {"exclusions.set": ExclusionsSet, "quorum.set": QuorumSet}

DECIDERS: dict[type[Any], Callable[[RoomState, Any, Context], list[Any]]] = {
    SetExclusions: set_exclusions,
    SetQuorum: set_quorum,
}

EVOLVERS: dict[type[Any], Callable[[RoomState, Any], RoomState]] = {
    ExclusionsSet: _exclusions_set,
    QuorumSet: _quorum_set,
}


def view_exclusions(state: RoomState) -> dict[str, Any]:
    """Shown to everyone: who is out of this item and why, and the meeting's quorum."""
    quorum = state.meeting_quorum
    return {
        "exclusions": [
            {
                "participant": x.participant,
                "display_name": state.members[x.participant].display_name
                if x.participant in state.members
                else x.participant,
                "reason": x.reason,
                "discussion": x.discussion,
            }
            for x in sorted(state.exclusions.values(), key=lambda x: x.participant)
        ],
        "meeting_quorum": None
        if quorum is None
        else {
            "held": quorum.held,
            "missing": list(quorum.missing),
            "present": list(quorum.present),
        },
    }
