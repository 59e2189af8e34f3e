"""The four rounds as a small state machine.

Transitions (``furthest`` is the furthest round ever closed):

=====================  ==========================================================
open_round(k)          no round open, and k is ``furthest + 1`` (the next new round)
                       or an earlier round (a reopening, which needs a reason);
                       ``consent`` is never reopened this way: amend the proposal
close_round            the open round closes; ``consent`` closing reaches the decision;
                       in asynchronous rooms the next round opens at once
deadline passes        the same as close_round, by the clock (``tick``), exactly once
=====================  ==========================================================
"""

from collections.abc import Callable
from datetime import datetime

from deliberation import floor
from deliberation._guards import facilitator, reason
from deliberation.commands import CloseRound, OpenRound, SetDeadline
from deliberation.consent import decision, outcome, quorum_met
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import DeadlineSet, Event, RoundClosed, RoundOpened
from deliberation.evolve import replay
from deliberation.ids import ParticipantId
from deliberation.state import RoomState
from deliberation.vocabulary import FINAL_OUTCOMES, ROUND_ORDER, Mode, RoundKind, SpeechEnding

Step = Callable[[RoomState], list[Event]]


def apply_all(state: RoomState, *steps: Step) -> list[Event]:
    """Run steps in order, each seeing the state the earlier ones' events lead to."""
    events: list[Event] = []
    for step in steps:
        new = step(state)
        state = replay(new, start=state)
        events.extend(new)
    return events


def is_async(state: RoomState) -> bool:
    return state.room is not None and state.room.mode is Mode.ASYNCHRONOUS


def checked_deadline(state: RoomState, deadline: datetime | None, at: datetime) -> datetime | None:
    """A deadline for a round about to open: after ``at``; required in asynchronous rooms."""
    if deadline is None:
        if is_async(state):
            raise Rejected(Reason.INVALID, "Every round of an asynchronous room needs a deadline.")
        return None
    if deadline.tzinfo is None or deadline <= at:
        raise Rejected(Reason.INVALID, "A deadline must be a moment in the future (with a zone).")
    return deadline


def next_new_round(state: RoomState, after: int | None = None) -> RoundKind | None:
    """The first of the room's rounds beyond ``after`` (an index in ``ROUND_ORDER``; by
    default the furthest round closed), or ``None`` when the room has run them all."""
    beyond = state.rounds.furthest if after is None else after
    for kind in state.rules.rounds:
        if ROUND_ORDER.index(kind) > beyond:
            return kind
    return None


def open_round(state: RoomState, command: OpenRound, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    if state.rounds.is_open:
        raise Rejected(Reason.CONFLICT, "Close the open round first.")
    if command.round not in state.rules.rounds:
        raise Rejected(Reason.WRONG_ROUND, f"This room does not run the {command.round} round.")
    wanted = ROUND_ORDER.index(command.round)
    furthest = state.rounds.furthest
    following = next_new_round(state)
    if wanted > furthest and command.round is not following:
        after = following.value if following else "none"
        raise Rejected(Reason.WRONG_ROUND, f"Rounds go in order: {after} comes next.")
    reopened = wanted <= furthest
    why = command.reason.strip()
    if reopened:
        if command.round is RoundKind.CONSENT:
            raise Rejected(
                Reason.WRONG_ROUND, "Consent is rerun by amending the proposal, not by reopening."
            )
        why = reason(command.reason)
    deadline = checked_deadline(
        state, command.deadline or _planned(state, command.round, ctx.at), ctx.at
    )
    number = state.rounds.number + 1
    return [RoundOpened(command.round, number, reopened, why, deadline, by, ctx.at)]


def _planned(state: RoomState, kind: RoundKind, at: datetime) -> datetime | None:
    planned = state.rounds.planned.get(kind)
    return planned if planned is not None and planned > at else None


def opening_events(
    state: RoomState, kind: RoundKind, by: ParticipantId | None, at: datetime
) -> list[Event]:
    """``round.opened`` for the next round of an asynchronous room, with its planned deadline."""
    deadline = _planned(state, kind, at)
    number = state.rounds.number + 1
    return [RoundOpened(kind, number, False, "", deadline, by, at)]


def close_events(
    state: RoomState,
    by: ParticipantId | None,
    at: datetime,
    *,
    by_deadline: bool,
    reach_decision: bool = True,
) -> list[Event]:
    """Close the open round, and what follows: the decision, or the next asynchronous round."""
    current = state.rounds.current
    if current is None or not state.rounds.is_open:
        return []
    closed: list[Event] = [RoundClosed(current, state.rounds.number, by_deadline, by, at)]
    if current is RoundKind.CONSENT:
        return (
            closed + _decision_events(state, closed, by, at, by_deadline)
            if reach_decision
            else closed
        )
    following = next_new_round(state, ROUND_ORDER.index(current))
    if is_async(state) and following is not None:
        after = replay(closed, start=state)
        return [*closed, *opening_events(after, following, by, at)]
    return closed


def _decision_events(
    state: RoomState,
    closed: list[Event],
    by: ParticipantId | None,
    at: datetime,
    by_deadline: bool,
) -> list[Event]:
    """The decision on closing consent; a final one first ends any speech in progress."""
    withdrawn = not quorum_met(state)
    why = ""
    if withdrawn:
        why = "The deadline passed without quorum." if by_deadline else "No quorum."
    final = withdrawn or outcome(state) in FINAL_OUTCOMES
    ended = floor.end_everything(state, at, SpeechEnding.DECISION_REACHED, by) if final else []
    after = replay([*closed, *ended], start=state)
    return [*ended, decision(after, by, at, why, withdrawn=withdrawn)]


def close_round(state: RoomState, command: CloseRound, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    if not state.rounds.is_open:
        raise Rejected(Reason.WRONG_ROUND, "No round is open.")
    if state.rounds.current is RoundKind.CONSENT and not quorum_met(state):
        raise Rejected(
            Reason.NO_QUORUM,
            "Too few people or organisations have answered. Wait, or withdraw the proposal.",
        )
    return close_events(state, by, ctx.at, by_deadline=False)


def set_deadline(state: RoomState, command: SetDeadline, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    current = state.rounds.current
    if current is None or not state.rounds.is_open:
        raise Rejected(Reason.WRONG_ROUND, "No round is open.")
    if command.closes_at.tzinfo is None or command.closes_at <= ctx.at:
        raise Rejected(Reason.INVALID, "A deadline must be a moment in the future (with a zone).")
    return [DeadlineSet(current, command.closes_at, why, by, ctx.at)]
