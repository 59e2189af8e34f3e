"""The floor: hands, the progressive stack, speeches and their limits, overrides.

The floor is open whenever the room has no final decision, in every round and between them.
"""

from datetime import datetime, timedelta

from deliberation import balancing
from deliberation._guards import elapsed_ms, facilitator, is_facilitator, reason, subject
from deliberation.commands import (
    EndSpeech,
    ExtendSpeech,
    GiveFloor,
    LiftCap,
    LowerHand,
    NextSpeaker,
    RaiseHand,
    RestoreCap,
)
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import (
    CapLifted,
    CapRestored,
    Event,
    FloorGranted,
    HandLowered,
    HandRaised,
    SpeechCapReached,
    SpeechEnded,
    SpeechExtended,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
)
from deliberation.evolve import replay
from deliberation.ids import ParticipantId
from deliberation.rules import OverrunAction
from deliberation.state import Hand, RoomState, Speech
from deliberation.vocabulary import SpeechEnding, SpeechKind


def _limit_for(state: RoomState, hand: Hand) -> tuple[int, bool]:
    rules = state.rules
    if hand.kind is SpeechKind.POINT_OF_ORDER:
        return rules.point_of_order_limit_ms, False
    limit = rules.reply_limit_ms if hand.kind is SpeechKind.REPLY else rules.speech_limit_ms
    left = balancing.budget_left(state.floor, rules, hand.organisation)
    if left is not None and left < limit:
        return left, True
    return limit, False


def grant(
    state: RoomState,
    hand: Hand,
    rule: str,
    at: datetime,
    by: ParticipantId | None,
    reason_text: str = "",
) -> list[Event]:
    """``floor.granted`` and ``speech.started`` for a waiting hand."""
    limit, budget_limited = _limit_for(state, hand)
    return [
        FloorGranted(
            participant=hand.participant,
            organisation=hand.organisation,
            kind=hand.kind,
            rule=rule,
            share=balancing.share(state.floor, hand.organisation),
            reason=reason_text,
            by=by,
            at=at,
            is_override=rule == "override",
        ),
        SpeechStarted(hand.participant, hand.organisation, hand.kind, limit, budget_limited, at),
    ]


def cap_warning(state: RoomState, at: datetime) -> SpeechCapReached | None:
    """The warning owed to the current speech at ``at``: its organisation reached the cap
    while someone under it waits, and nobody has warned it yet (else ``None``)."""
    speech = state.floor.speech
    if speech is None or speech.cap_reached_ms is not None:
        return None
    contested = balancing.contested_from_ms(state.floor, state.rules)
    cap = balancing.cap_in_force(state.floor, state.rules)
    if contested is None or cap is None or contested > elapsed_ms(speech.started_at, at):
        return None
    reached = speech.started_at + timedelta(milliseconds=contested)
    grace = balancing.grace_left_ms(state.floor, state.rules, speech.organisation)
    return SpeechCapReached(
        speech.participant,
        speech.organisation,
        cap,
        reached,
        reached + timedelta(milliseconds=grace),
        at,
    )


def end_current(
    state: RoomState,
    at: datetime,
    ending: SpeechEnding,
    by: ParticipantId | None,
    *,
    until: datetime | None = None,
) -> list[Event]:
    """``speech.ended`` for the speech in progress (nothing if nobody speaks).

    A speech ended by its time limit or budget counts up to the limit, and one ended when
    its cap grace ran out up to ``until`` (the grace's end), not to a late tick. However
    it ends, a speech the cap should have warned (or, in rooms that end speeches, ended)
    before a late clock got to it is warned first and counts only up to the grace's end:
    the clock's lateness never buys floor time over the cap.
    """
    speech = state.floor.speech
    if speech is None:
        return []
    events: list[Event] = []
    owed = cap_warning(state, at)
    if owed is not None:
        events.append(owed)
        state = replay(events, start=state)
        speech = state.floor.speech
        assert speech is not None
    duration = elapsed_ms(speech.started_at, at)
    if ending in (SpeechEnding.TIME_LIMIT, SpeechEnding.BUDGET_EXHAUSTED):
        duration = min(duration, speech.limit_ms)
    if until is not None:
        duration = min(duration, elapsed_ms(speech.started_at, until))
    cap_end = balancing.cap_due_ms(state.floor, state.rules)
    ends_at_cap = state.rules.overrun is OverrunAction.END and speech.cap_grace_end_ms is not None
    if ends_at_cap and cap_end is not None:
        duration = min(duration, cap_end)
    events.append(
        SpeechEnded(
            participant=speech.participant,
            organisation=speech.organisation,
            kind=speech.kind,
            started_at=speech.started_at,
            duration_ms=duration,
            ending=ending,
            by=by,
            at=at,
        )
    )
    paused = state.floor.paused
    if paused is not None and speech.kind is SpeechKind.POINT_OF_ORDER:
        events.append(
            SpeechResumed(
                participant=paused.participant,
                organisation=paused.organisation,
                kind=paused.kind,
                limit_ms=paused.limit_ms,
                elapsed_ms=state.floor.paused_elapsed_ms,
                budget_limited=paused.budget_limited,
                at=at,
            )
        )
    return events


def end_everything(
    state: RoomState, at: datetime, ending: SpeechEnding, by: ParticipantId | None
) -> list[Event]:
    """End the speech in progress and any speech it interrupted (a final decision)."""
    first = end_current(state, at, ending, by)
    return first + end_current(replay(first, start=state), at, ending, by)


def end_paused(
    state: RoomState, participant: ParticipantId, at: datetime, by: ParticipantId | None
) -> list[Event]:
    """``speech.ended`` for ``participant``'s interrupted speech (they leave the room)."""
    paused = state.floor.paused
    if paused is None or paused.participant != participant:
        return []
    return [
        SpeechEnded(
            participant=paused.participant,
            organisation=paused.organisation,
            kind=paused.kind,
            started_at=paused.started_at,
            duration_ms=state.floor.paused_elapsed_ms,
            ending=SpeechEnding.MEMBER_REMOVED,
            by=by,
            at=at,
        )
    ]


def raise_hand(state: RoomState, command: RaiseHand, ctx: Context) -> list[Event]:
    member = subject(state, ctx)
    who = member.participant
    floor = state.floor
    if any(h.participant == who and h.kind is command.kind for h in floor.waiting):
        raise Rejected(Reason.CONFLICT, "This hand is already raised.")
    speech = floor.speech
    holding = (
        speech.participant if speech else None,
        floor.paused.participant if floor.paused else None,
    )
    if who in holding:
        raise Rejected(Reason.CONFLICT, "You hold the floor already.")
    spent = balancing.budget_left(floor, state.rules, member.organisation) == 0
    if spent and command.kind is not SpeechKind.POINT_OF_ORDER:
        raise Rejected(Reason.OVER_CAP, "Your organisation has used its speaking time budget.")
    reply_to = None
    if command.kind is SpeechKind.REPLY:
        if speech is None or speech.kind is SpeechKind.POINT_OF_ORDER:
            raise Rejected(Reason.INVALID, "A direct reply answers a speech in progress.")
        # A reply during a reply answers the same speech: the debate stays together.
        reply_to = speech.participant if speech.kind is SpeechKind.SPEECH else floor.last_speech_by
    return [HandRaised(who, member.organisation, command.kind, reply_to, ctx.actor, ctx.at)]


def lower_hand(state: RoomState, command: LowerHand, ctx: Context) -> list[Event]:
    target = command.participant or ctx.acting_for or ctx.actor
    if target is None:
        raise Rejected(Reason.INVALID, "Name whose hand to lower.")
    if target != ctx.actor and not is_facilitator(state, ctx.actor):
        raise Rejected(Reason.FORBIDDEN, "Only a facilitator may lower someone else's hand.")
    if not any(h.participant == target and h.kind is command.kind for h in state.floor.waiting):
        raise Rejected(Reason.NOT_FOUND, "That hand is not raised.")
    return [HandLowered(target, command.kind, ctx.actor, ctx.at)]


def next_speaker(state: RoomState, command: NextSpeaker, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    speech = state.floor.speech
    if speech is not None:
        return _interrupt(state, speech, ctx.at, by)
    if not state.floor.waiting:
        return []
    choice = balancing.choose(state.floor, state.rules)
    if choice is None:
        raise Rejected(
            Reason.OVER_CAP, "Everyone waiting belongs to an organisation out of budget."
        )
    return grant(state, choice.hand, choice.rule, ctx.at, by)


def _interrupt(
    state: RoomState, speech: Speech, at: datetime, by: ParticipantId | None
) -> list[Event]:
    """A waiting point of order interrupts a speech; anything else waits for it to end."""
    point = next((h for h in state.floor.waiting if h.kind is SpeechKind.POINT_OF_ORDER), None)
    if point is None or speech.kind is SpeechKind.POINT_OF_ORDER:
        raise Rejected(Reason.CONFLICT, "Someone holds the floor: end that speech first.")
    elapsed = elapsed_ms(speech.started_at, at)
    paused: list[Event] = [SpeechPaused(speech.participant, elapsed, by, at)]
    return paused + grant(replay(paused, start=state), point, "point-of-order-first", at, by)


def give_floor(state: RoomState, command: GiveFloor, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    if state.floor.speech is not None:
        raise Rejected(Reason.CONFLICT, "Someone holds the floor: end that speech first.")
    for hand in state.floor.waiting:
        if hand.participant == command.participant and hand.kind is command.kind:
            spent = balancing.budget_left(state.floor, state.rules, hand.organisation) == 0
            if spent and hand.kind is not SpeechKind.POINT_OF_ORDER:
                raise Rejected(
                    Reason.OVER_CAP, "That organisation's budget is spent: lift its cap first."
                )
            return grant(state, hand, "override", ctx.at, by, why)
    raise Rejected(Reason.NOT_FOUND, "That person is not waiting for the floor.")


def end_speech(state: RoomState, command: EndSpeech, ctx: Context) -> list[Event]:
    speech = state.floor.speech
    if speech is None:
        raise Rejected(Reason.CONFLICT, "Nobody holds the floor.")
    if ctx.acting_for is None and ctx.actor == speech.participant:
        return end_current(state, ctx.at, SpeechEnding.YIELDED, ctx.actor)
    if is_facilitator(state, ctx.actor):
        for_speaker = ctx.acting_for == speech.participant
        ending = SpeechEnding.YIELDED if for_speaker else SpeechEnding.ENDED_BY_FACILITATOR
        return end_current(state, ctx.at, ending, ctx.actor)
    raise Rejected(Reason.NOT_YOUR_TURN, "Only the speaker or a facilitator may end a speech.")


def extend_speech(state: RoomState, command: ExtendSpeech, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    speech = state.floor.speech
    if speech is None:
        raise Rejected(Reason.CONFLICT, "Nobody holds the floor.")
    if command.extra_ms <= 0:
        raise Rejected(Reason.INVALID, "An extension must add some time.")
    limit = speech.limit_ms + command.extra_ms
    return [SpeechExtended(speech.participant, command.extra_ms, limit, why, by, ctx.at)]


def lift_cap(state: RoomState, command: LiftCap, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    why = reason(command.reason)
    if command.organisation not in state.organisations:
        raise Rejected(Reason.NOT_FOUND, "No such organisation in this room.")
    if command.organisation in state.floor.cap_lifted:
        raise Rejected(Reason.CONFLICT, "The cap is already lifted for this organisation.")
    return [CapLifted(command.organisation, why, by, ctx.at)]


def restore_cap(state: RoomState, command: RestoreCap, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    if command.organisation not in state.floor.cap_lifted:
        raise Rejected(Reason.CONFLICT, "The cap is not lifted for this organisation.")
    return [CapRestored(command.organisation, command.reason.strip(), by, ctx.at)]
