"""The floor: hands, the progressive stack, speeches, limits and overrides, through decide()."""

from fractions import Fraction

import pytest

from deliberation import Reason, Rejected, RoomRules, SpeechKind, next_deadline
from deliberation.commands import (
    EndSpeech,
    ExtendSpeech,
    GiveFloor,
    LiftCap,
    LowerHand,
    NextSpeaker,
    RaiseHand,
    RestoreCap,
    Tick,
)
from deliberation.events import (
    CapLifted,
    FloorGranted,
    HandLowered,
    HandRaised,
    SpeechEnded,
    SpeechExtended,
    SpeechOverran,
    SpeechStarted,
)
from deliberation.rules import OrganisationBudget, OverrunAction
from deliberation.vocabulary import SpeechEnding
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    FACILITATOR,
    OLIVE,
    STRANGER,
    TRUST_A,
    TRUST_B,
    Room,
    at,
    given_room,
    types,
)

CAPPED = RoomRules(speaking_cap=Fraction(3, 10))


def spoke(room: Room, who: str, seconds: float) -> None:
    """``who`` raises a hand, gets the floor by override-free grant and speaks ``seconds``."""
    room.do(RaiseHand(), who)  # type: ignore[arg-type]
    granted = room.do(GiveFloor(who, "test setup"))  # type: ignore[arg-type]
    assert granted
    room.later(seconds)
    room.do(EndSpeech())


def test_a_participant_raises_a_hand() -> None:
    room = given_room()
    assert room.do(RaiseHand(), ALICE, at(5)) == [
        HandRaised(ALICE, TRUST_A, SpeechKind.SPEECH, None, ALICE, at(5))
    ]


def test_a_participant_cannot_queue_twice() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), ALICE)
    assert refused.value.reason is Reason.CONFLICT


def test_observers_and_strangers_cannot_raise_a_hand() -> None:
    room = given_room()
    for who in (OLIVE, STRANGER):
        with pytest.raises(Rejected) as refused:
            room.do(RaiseHand(), who)
        assert refused.value.reason is Reason.FORBIDDEN


def test_a_facilitator_raises_a_hand_for_someone_in_the_room_and_the_event_shows_both() -> None:
    room = given_room()
    [event] = room.do(RaiseHand(), FACILITATOR, at(3), acting_for=CAROL)
    assert isinstance(event, HandRaised)
    assert (event.participant, event.by) == (CAROL, FACILITATOR)


def test_a_participant_cannot_act_for_someone_else() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), ALICE, acting_for=BOB)
    assert refused.value.reason is Reason.FORBIDDEN


def test_lowering_a_hand_leaves_the_queue() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    assert room.do(LowerHand(), ALICE, at(2)) == [
        HandLowered(ALICE, SpeechKind.SPEECH, ALICE, at(2))
    ]
    assert room.state.floor.waiting == ()


def test_only_a_facilitator_lowers_someone_elses_hand() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(LowerHand(participant=ALICE), BOB)
    assert refused.value.reason is Reason.FORBIDDEN
    assert types(room.do(LowerHand(participant=ALICE), FACILITATOR)) == ["hand.lowered"]


def test_lowering_a_hand_that_is_not_raised_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(LowerHand(), ALICE)
    assert refused.value.reason is Reason.NOT_FOUND


def test_next_speaker_with_nobody_waiting_does_nothing() -> None:
    assert given_room().do(NextSpeaker()) == []


def test_only_a_facilitator_moves_the_queue() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(NextSpeaker(), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN


def test_the_floor_goes_to_the_only_person_waiting_with_a_rule_and_a_timer() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE, at(1))
    assert room.do(NextSpeaker(), FACILITATOR, at(2)) == [
        FloorGranted(
            ALICE, TRUST_A, SpeechKind.SPEECH, "only-one-waiting", None, "", FACILITATOR, at(2)
        ),
        SpeechStarted(ALICE, TRUST_A, SpeechKind.SPEECH, 180_000, False, at(2)),
    ]


def test_the_organisation_with_the_least_floor_time_goes_first() -> None:
    room = given_room()
    spoke(room, ALICE, 30)
    room.do(RaiseHand(), AMIR)
    room.do(RaiseHand(), BOB)
    [granted, _] = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (BOB, "least-floor-time-org")


def test_an_organisation_over_the_cap_waits_while_another_waits() -> None:
    room = given_room(CAPPED)
    spoke(room, BOB, 10)  # trust B has 100 % of the floor
    spoke(room, ALICE, 100)  # trust A now 100/110, trust B 10/110
    room.do(RaiseHand(), AMIR)  # trust A, over the cap, first in line
    room.do(RaiseHand(), BOB)  # trust B, under the cap
    [granted, _] = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (BOB, "least-floor-time-org")


def test_the_cap_makes_the_less_waited_organisation_wait_and_says_so() -> None:
    room = given_room(CAPPED)
    spoke(room, ALICE, 20)  # trust A 100 %
    spoke(room, BOB, 60)  # trust B 75 %, trust A 25 %
    spoke(room, CAROL, 10)  # charity 10/90, trust A 20/90, trust B 60/90
    room.do(RaiseHand(SpeechKind.SPEECH), BOB)  # over the cap
    room.do(RaiseHand(), ALICE)  # under the cap (22 %)
    [granted, _] = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert granted.participant == ALICE


def test_the_floor_is_not_left_idle_when_only_an_over_cap_organisation_waits() -> None:
    room = given_room(CAPPED)
    spoke(room, ALICE, 60)
    room.do(RaiseHand(), AMIR)
    [granted, _] = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (AMIR, "only-one-waiting")
    assert granted.share == Fraction(1)


def test_a_point_of_order_jumps_the_queue() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), BOB)
    granted, started = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert isinstance(started, SpeechStarted)
    assert (granted.participant, granted.rule, started.limit_ms) == (
        BOB,
        "point-of-order-first",
        30_000,
    )


def test_points_of_order_are_timed_apart_from_floor_time() -> None:
    room = given_room()
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), BOB)
    room.do(NextSpeaker())
    room.later(20)
    room.do(EndSpeech(), BOB)
    assert room.state.floor.total_ms == 0
    assert room.state.floor.point_of_order_ms == {TRUST_B: 20_000}


def test_a_reply_answers_the_current_speaker_and_goes_before_speeches() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(), CAROL)
    [raised] = room.do(RaiseHand(SpeechKind.REPLY), BOB)
    assert isinstance(raised, HandRaised)
    assert raised.reply_to == ALICE
    room.later(10)
    room.do(EndSpeech(), ALICE)
    granted, started = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert isinstance(started, SpeechStarted)
    assert (granted.participant, granted.rule, started.limit_ms) == (BOB, "reply-first", 60_000)


def test_a_reply_needs_a_speech_in_progress() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(RaiseHand(SpeechKind.REPLY), BOB)
    assert refused.value.reason is Reason.INVALID


def test_nobody_gets_the_floor_while_someone_holds_it() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(RaiseHand(), BOB)
    room.do(NextSpeaker())
    with pytest.raises(Rejected) as refused:
        room.do(NextSpeaker())
    assert refused.value.reason is Reason.CONFLICT


def test_speaking_time_is_counted_in_milliseconds_per_organisation() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(10))
    [ended] = room.do(EndSpeech(), ALICE, at(72.5))
    assert isinstance(ended, SpeechEnded)
    assert (ended.duration_ms, ended.ending) == (62_500, SpeechEnding.YIELDED)
    assert room.state.floor.floor_ms == {TRUST_A: 62_500}
    assert room.state.floor.total_ms == 62_500


def test_only_the_speaker_or_a_facilitator_ends_a_speech() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    with pytest.raises(Rejected) as refused:
        room.do(EndSpeech(), BOB)
    assert refused.value.reason is Reason.NOT_YOUR_TURN
    [ended] = room.do(EndSpeech(), FACILITATOR)
    assert isinstance(ended, SpeechEnded)
    assert ended.ending is SpeechEnding.ENDED_BY_FACILITATOR


def test_ending_a_speech_when_nobody_speaks_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(EndSpeech())
    assert refused.value.reason is Reason.CONFLICT


def test_the_clock_ends_a_speech_at_its_limit_and_counts_only_up_to_the_limit() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    assert next_deadline(room.state) == at(180)
    assert room.do(Tick(), None, at(179)) == []
    [ended] = room.do(Tick(), None, at(183))
    assert isinstance(ended, SpeechEnded)
    assert (ended.duration_ms, ended.ending) == (180_000, SpeechEnding.TIME_LIMIT)
    assert room.do(Tick(), None, at(184)) == []  # a repeated timer does nothing


def test_rooms_that_flag_overruns_flag_once_and_keep_the_speech() -> None:
    room = given_room(RoomRules(overrun=OverrunAction.FLAG))
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    assert room.do(Tick(), None, at(181)) == [SpeechOverran(ALICE, 180_000, at(181))]
    assert room.state.floor.speech is not None
    assert next_deadline(room.state) is None
    assert room.do(Tick(), None, at(200)) == []


def test_only_the_clock_ticks() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(Tick(), FACILITATOR)
    assert refused.value.reason is Reason.FORBIDDEN


def test_an_extension_is_an_override_with_a_reason() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    with pytest.raises(Rejected) as refused:
        room.do(ExtendSpeech(30_000, "  "))
    assert refused.value.reason is Reason.INVALID
    [extended] = room.do(
        ExtendSpeech(30_000, "She is reading the legal advice."), FACILITATOR, at(5)
    )
    assert extended == SpeechExtended(
        ALICE, 30_000, 210_000, "She is reading the legal advice.", FACILITATOR, at(5)
    )
    assert next_deadline(room.state) == at(210)
    assert [o.kind for o in room.state.overrides] == ["speech.extended"]


def test_giving_the_floor_out_of_order_needs_a_reason_and_is_logged() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(RaiseHand(), BOB)
    with pytest.raises(Rejected) as refused:
        room.do(GiveFloor(BOB, ""))
    assert refused.value.reason is Reason.INVALID
    granted, _ = room.do(GiveFloor(BOB, "Bob must leave at noon."))
    assert isinstance(granted, FloorGranted)
    assert (granted.rule, granted.is_override, granted.reason) == (
        "override",
        True,
        "Bob must leave at noon.",
    )
    assert room.state.overrides[-1].participant == BOB


def test_giving_the_floor_to_someone_not_waiting_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(GiveFloor(BOB, "why not"))
    assert refused.value.reason is Reason.NOT_FOUND


def test_lifting_a_cap_is_logged_and_lets_the_organisation_go_as_if_under_it() -> None:
    room = given_room(CAPPED)
    spoke(room, ALICE, 60)
    spoke(room, BOB, 10)
    room.do(RaiseHand(), AMIR)
    room.do(RaiseHand(), CAROL)
    [lifted] = room.do(LiftCap(TRUST_A, "Trust A presents the budget."), FACILITATOR, room.clock)
    assert isinstance(lifted, CapLifted)
    assert lifted.is_override
    room.do(LowerHand(), CAROL)
    room.do(RaiseHand(SpeechKind.SPEECH), CAROL)
    granted, _ = room.do(NextSpeaker())
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (CAROL, "least-floor-time-org")
    room.do(EndSpeech())
    room.do(RestoreCap(TRUST_A))
    assert room.state.floor.cap_lifted == frozenset()


def test_lifting_an_unknown_organisations_cap_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(LiftCap("nobody", "because"))  # type: ignore[arg-type]
    assert refused.value.reason is Reason.NOT_FOUND


def test_a_budget_limits_the_speech_and_the_clock_ends_it_when_spent() -> None:
    room = given_room(RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 100_000),)))
    room.do(RaiseHand(), ALICE)
    _, started = room.do(NextSpeaker(), FACILITATOR, at(0))
    assert isinstance(started, SpeechStarted)
    assert (started.limit_ms, started.budget_limited) == (100_000, True)
    [ended] = room.do(Tick(), None, at(101))
    assert isinstance(ended, SpeechEnded)
    assert ended.ending is SpeechEnding.BUDGET_EXHAUSTED
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), AMIR)
    assert refused.value.reason is Reason.OVER_CAP
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), AMIR)  # procedure is never out of budget


def test_hands_raised_before_the_budget_ran_out_wait_until_the_cap_is_lifted() -> None:
    room = given_room(RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 100_000),)))
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(), AMIR, at(1))
    room.do(Tick(), None, at(101))
    with pytest.raises(Rejected) as refused:
        room.do(NextSpeaker(), FACILITATOR, at(102))
    assert refused.value.reason is Reason.OVER_CAP
    room.do(LiftCap(TRUST_A, "Trust A presents the budget."), FACILITATOR, at(103))
    granted, started = room.do(NextSpeaker(), FACILITATOR, at(104))
    assert isinstance(granted, FloorGranted)
    assert isinstance(started, SpeechStarted)
    assert (granted.participant, started.budget_limited) == (AMIR, False)


def test_removing_the_speaker_ends_their_speech_and_lowers_their_hands() -> None:
    from deliberation.commands import RemoveMember

    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), BOB, at(1))
    assert types(room.do(RemoveMember(ALICE, "Left the board."), FACILITATOR, at(5))) == [
        "speech.ended",
        "member.removed",
    ]
    assert types(room.do(RemoveMember(BOB, "Left the board."), FACILITATOR, at(6))) == [
        "member.removed"
    ]
    assert room.state.floor.waiting == ()
    assert room.state.floor.speech is None


def test_a_reply_during_a_reply_answers_the_same_speech() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(SpeechKind.REPLY), BOB)
    room.do(EndSpeech(), ALICE)
    room.do(NextSpeaker())
    [raised] = room.do(RaiseHand(SpeechKind.REPLY), CAROL)
    assert isinstance(raised, HandRaised)
    assert raised.reply_to == ALICE


def test_a_point_of_order_interrupts_a_speech_which_then_resumes_with_its_time_left() -> None:
    from deliberation.events import SpeechPaused, SpeechResumed

    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), BOB, at(50))
    room.do(RaiseHand(), CAROL, at(55))
    paused, granted, started = room.do(NextSpeaker(), FACILITATOR, at(60))
    assert paused == SpeechPaused(ALICE, 60_000, FACILITATOR, at(60))
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (BOB, "point-of-order-first")
    assert isinstance(started, SpeechStarted)
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), ALICE)  # she still holds the floor
    assert refused.value.reason is Reason.CONFLICT
    ended, resumed = room.do(EndSpeech(), BOB, at(80))
    assert isinstance(ended, SpeechEnded)
    assert ended.duration_ms == 20_000
    assert resumed == SpeechResumed(
        ALICE, TRUST_A, SpeechKind.SPEECH, 180_000, 60_000, False, at(80)
    )
    assert next_deadline(room.state) == at(200)  # 120 s left of her 180
    [ended] = room.do(Tick(), None, at(200))
    assert isinstance(ended, SpeechEnded)
    assert ended.duration_ms == 180_000
    assert room.state.floor.floor_ms == {TRUST_A: 180_000}
    assert room.state.floor.point_of_order_ms == {TRUST_B: 20_000}


def test_only_a_point_of_order_interrupts() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.do(RaiseHand(SpeechKind.REPLY), BOB)
    with pytest.raises(Rejected) as refused:
        room.do(NextSpeaker())
    assert refused.value.reason is Reason.CONFLICT


def test_removing_an_interrupted_speaker_counts_the_time_they_had() -> None:
    from deliberation.commands import RemoveMember

    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), BOB, at(10))
    room.do(NextSpeaker(), FACILITATOR, at(30))
    assert types(room.do(RemoveMember(ALICE, "Left."), FACILITATOR, at(35))) == [
        "speech.ended",
        "member.removed",
    ]
    assert room.state.floor.paused is None
    assert room.state.floor.floor_ms == {TRUST_A: 30_000}
    assert types(room.do(EndSpeech(), BOB, at(40))) == ["speech.ended"]
    assert room.rebuilt() == room.state


def test_a_final_decision_ends_every_speech_in_progress() -> None:
    from deliberation import Position, RoundKind
    from deliberation.commands import AnswerConsent, CloseRound

    room = given_room(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), BOB)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), CAROL, at(10))
    room.do(NextSpeaker(), FACILITATOR, at(20))
    events = room.do(CloseRound(), FACILITATOR, at(25))
    assert types(events) == [
        "round.closed",
        "speech.ended",
        "speech.resumed",
        "speech.ended",
        "decision.reached",
    ]
    assert room.state.floor.speech is None
    assert room.state.floor.paused is None
    assert room.state.floor.floor_ms == {TRUST_A: 20_000}
