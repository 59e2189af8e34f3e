"""The progressive stack over hand-built floors: who goes next, and the rule that says why."""

from fractions import Fraction

from deliberation import RoomRules, SpeechKind, choose
from deliberation.rules import OrganisationBudget
from deliberation.state import FloorState, Hand
from tests.builders import ALICE, AMIR, BOB, CAROL, CHARITY, T0, TRUST_A, TRUST_B

CAP = RoomRules(speaking_cap=Fraction(3, 10))


def hand(who: str, org: str, kind: SpeechKind = SpeechKind.SPEECH) -> Hand:
    return Hand(who, org, kind, T0)  # type: ignore[arg-type]


def floor(*waiting: Hand, **spoken: int) -> FloorState:
    ms = {TRUST_A: spoken.get("a", 0), TRUST_B: spoken.get("b", 0), CHARITY: spoken.get("c", 0)}
    return FloorState(waiting=waiting, floor_ms=ms, total_ms=sum(ms.values()))


def test_nobody_waiting_means_no_choice() -> None:
    assert choose(floor(), CAP) is None


def test_equal_floor_time_goes_by_the_earliest_hand() -> None:
    choice = choose(floor(hand(BOB, TRUST_B), hand(ALICE, TRUST_A)), CAP)
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (BOB, "first-come")


def test_least_floor_time_goes_first() -> None:
    choice = choose(floor(hand(ALICE, TRUST_A), hand(BOB, TRUST_B), a=10, b=5, c=100), RoomRules())
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (BOB, "least-floor-time-org")


def test_a_reply_from_an_over_cap_organisation_waits_for_a_speech_under_the_cap() -> None:
    state = floor(hand(ALICE, TRUST_A, SpeechKind.REPLY), hand(CAROL, CHARITY), a=80, b=10, c=10)
    choice = choose(state, CAP)
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (CAROL, "cap-waits")
    uncapped = choose(state, RoomRules())
    assert uncapped is not None
    assert (uncapped.hand.participant, uncapped.rule) == (ALICE, "reply-first")


def test_when_everyone_waiting_is_at_the_cap_the_least_floor_time_goes() -> None:
    state = floor(hand(ALICE, TRUST_A), hand(BOB, TRUST_B), a=50, b=40, c=10)
    choice = choose(state, CAP)
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (BOB, "all-at-cap")


def test_a_lifted_cap_is_named_when_it_decides() -> None:
    state = floor(hand(ALICE, TRUST_A, SpeechKind.REPLY), hand(CAROL, CHARITY), a=80, b=10, c=10)
    lifted = FloorState(
        waiting=state.waiting,
        floor_ms=state.floor_ms,
        total_ms=state.total_ms,
        cap_lifted=frozenset({TRUST_A}),
    )
    choice = choose(lifted, CAP)
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (ALICE, "cap-lifted")


def test_spent_budgets_are_passed_over_and_points_of_order_are_not() -> None:
    rules = RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 10),))
    state = floor(hand(ALICE, TRUST_A), hand(AMIR, TRUST_A, SpeechKind.POINT_OF_ORDER), a=10)
    choice = choose(state, rules)
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (AMIR, "point-of-order-first")
    assert choose(floor(hand(ALICE, TRUST_A), a=10), rules) is None


def test_a_reply_to_an_older_speech_waits_like_a_speech() -> None:
    stale = Hand(ALICE, TRUST_A, SpeechKind.REPLY, T0, reply_to=BOB)  # type: ignore[arg-type]
    direct = Hand(AMIR, TRUST_A, SpeechKind.REPLY, T0, reply_to=CAROL)  # type: ignore[arg-type]
    speech = hand(BOB, TRUST_B)
    base = floor(stale, speech, a=10, b=5)
    state = FloorState(
        waiting=base.waiting, floor_ms=base.floor_ms, total_ms=base.total_ms, last_speech_by=CAROL
    )
    choice = choose(state, RoomRules())
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (BOB, "least-floor-time-org")
    with_direct = FloorState(
        waiting=(stale, speech, direct),
        floor_ms=base.floor_ms,
        total_ms=base.total_ms,
        last_speech_by=CAROL,
    )
    choice = choose(with_direct, RoomRules())
    assert choice is not None
    assert (choice.hand.participant, choice.rule) == (AMIR, "reply-first")
