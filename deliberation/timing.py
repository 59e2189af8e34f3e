"""The clock's side of the rules: when the shell must wake up, and what the tick applies.

``next_deadline(state)`` is pure; the shell owns the timer (a row it claims with a lock, so
several processes never double-apply) and sends ``tick`` with ``ctx.at`` = now. ``tick``
re-checks every deadline against ``ctx.at``, so a stale or repeated timer does nothing, and
whenever ``next_deadline(state) <= at`` the tick emits at least one event, so the timer
always makes progress.
"""

from datetime import datetime, timedelta

from deliberation import balancing, floor, polls, rounds
from deliberation.commands import Tick
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import (
    Event,
    ReminderDue,
    SpeechCapFlagged,
    SpeechOverran,
)
from deliberation.evolve import replay
from deliberation.ids import ParticipantId
from deliberation.rules import OverrunAction
from deliberation.state import RoomState
from deliberation.vocabulary import TAKING_PART_ROLES, RoundKind, SpeechEnding


def _speech_due(state: RoomState) -> datetime | None:
    speech = state.floor.speech
    if speech is None:
        return None
    flags = state.rules.overrun is OverrunAction.FLAG and not speech.budget_limited
    if flags and speech.overran:
        return None
    return speech.started_at + timedelta(milliseconds=speech.limit_ms)


def _cap_due(state: RoomState) -> datetime | None:
    due = balancing.cap_due_ms(state.floor, state.rules)
    speech = state.floor.speech
    if due is None or speech is None:
        return None
    return speech.started_at + timedelta(milliseconds=due)


def _reminder_due(state: RoomState) -> datetime | None:
    r = state.rounds
    if not r.is_open or r.deadline is None or r.reminded or state.rules.reminder_before_ms == 0:
        return None
    moment = r.deadline - timedelta(milliseconds=state.rules.reminder_before_ms)
    if r.deadline_set_at is not None and moment <= r.deadline_set_at:
        return None  # the deadline was set closer than the reminder period: no reminder
    return moment


def _round_due(state: RoomState) -> datetime | None:
    return state.rounds.deadline if state.rounds.is_open else None


def next_deadline(state: RoomState) -> datetime | None:
    """The earliest moment at which ``tick`` has something to do (``None``: nothing pending)."""
    candidates = (_speech_due(state), _cap_due(state), _reminder_due(state), _round_due(state))
    moments = [m for m in (*candidates, polls.next_due(state)) if m]
    return min(moments) if moments else None


def _cap_step(state: RoomState, at: datetime) -> list[Event]:
    """Warn when the cap is reached with someone under it waiting; after the grace, end the
    speech (counted up to the grace's end) or flag it. The speech's own limit, when it comes
    first, is left to ``_speech_step``."""
    due = _cap_due(state)
    speech = state.floor.speech
    if due is None or speech is None or due > at:
        return []
    limit = _speech_due(state)
    if limit is not None and limit <= due:
        return []
    if speech.cap_reached_ms is None:
        warning = floor.cap_warning(state, at)
        assert warning is not None  # the cap is due: it is contested
        return [warning, *_cap_step(replay([warning], start=state), at)]
    if state.rules.overrun is OverrunAction.FLAG:
        return [SpeechCapFlagged(speech.participant, speech.organisation, at)]
    return floor.end_current(state, at, SpeechEnding.CAP_GRACE_OVER, None, until=due)


def _speech_step(state: RoomState, at: datetime) -> list[Event]:
    due = _speech_due(state)
    speech = state.floor.speech
    if due is None or speech is None or due > at:
        return []
    if speech.budget_limited:
        return floor.end_current(state, at, SpeechEnding.BUDGET_EXHAUSTED, None)
    if state.rules.overrun is OverrunAction.FLAG:
        return [SpeechOverran(speech.participant, speech.limit_ms, at)]
    return floor.end_current(state, at, SpeechEnding.TIME_LIMIT, None)


def waiting_on(state: RoomState) -> tuple[ParticipantId, ...]:
    """Members taking part who have not yet contributed to the open round."""
    kind = state.rounds.current
    done: set[ParticipantId] = set()
    if kind is RoundKind.SURFACE_CONFLICT:
        done.update(s.participant for s in state.surface.statements.values())
        for reactions in state.surface.reactions.values():
            done.update(reactions)
    elif kind is RoundKind.WEIGH_PERSPECTIVES:
        done.update(state.weighing.allocations)
        done.update(p.participant for p in state.weighing.perspectives.values())
    elif kind is RoundKind.RECORD_DISSENT:
        return ()  # dissent is never expected of anyone
    else:
        done.update(state.consent.answers)
    return tuple(
        sorted(
            m.participant
            for m in state.members.values()
            if m.active and m.role in TAKING_PART_ROLES and m.participant not in done
        )
    )


def _reminder_step(state: RoomState, at: datetime) -> list[Event]:
    due = _reminder_due(state)
    closes_at = state.rounds.deadline
    kind = state.rounds.current
    if due is None or due > at or closes_at is None or closes_at <= at or kind is None:
        return []
    return [ReminderDue(kind, state.rounds.number, closes_at, waiting_on(state), at)]


def _round_step(state: RoomState, at: datetime) -> list[Event]:
    due = _round_due(state)
    if due is None or due > at:
        return []
    return rounds.close_events(state, None, at, by_deadline=True)


def tick(state: RoomState, command: Tick, ctx: Context) -> list[Event]:
    if ctx.actor is not None:
        raise Rejected(Reason.FORBIDDEN, "Only the server's clock ticks.")
    at = ctx.at
    return rounds.apply_all(
        state,
        lambda s: _cap_step(s, at),
        lambda s: _speech_step(s, at),
        # Again: a flagged time limit (or a limit that came first) may leave the cap due now,
        # and a repeated tick must find nothing left to do.
        lambda s: _cap_step(s, at),
        lambda s: _reminder_step(s, at),
        lambda s: _round_step(s, at),
        lambda s: polls.close_due(s, at),
    )
