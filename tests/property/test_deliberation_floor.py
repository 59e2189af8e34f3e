"""Laws of the floor under any sequence of commands and clock steps (hypothesis, stateful).

- The queue never gives the floor to an organisation at or over the cap while someone from
  an organisation under the cap (and within its budget) waits, unless a logged override
  (``override``, or a lifted cap) says so.
- So no organisation gets the floor over the cap without a logged reason: every grant made
  at or over the cap names a rule that allows it, and the log proves it.
- Floor time adds up: the organisations' totals are the sum of the ended speeches.
- Rebuilding the state from the events always equals the live state, from any split point.
"""

from datetime import timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deliberation import Rejected, RoomRules, SpeechKind, choose, next_deadline, replay
from deliberation.balancing import at_or_over_cap, budget_left, cap_in_force, is_direct_reply
from deliberation.commands import (
    Command,
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
from deliberation.events import FloorGranted, SpeechEnded
from deliberation.rules import OrganisationBudget, OverrunAction
from deliberation.state import FloorState, Hand
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    CHARITY,
    FACILITATOR,
    T0,
    TRUST_A,
    TRUST_B,
    Room,
    given_room,
)

PEOPLE = (ALICE, AMIR, BOB, CAROL, FACILITATOR)
ORGS = (TRUST_A, TRUST_B, CHARITY)
ALLOWED_OVER_CAP = {
    "point-of-order-first",
    "only-one-waiting",
    "all-at-cap",
    "override",
    "cap-lifted",
}

rules_strategy = st.builds(
    RoomRules,
    speaking_cap=st.sampled_from([None, Fraction(1, 4), Fraction(3, 10), Fraction(1, 2)]),
    speech_limit_ms=st.sampled_from([5_000, 60_000, 180_000]),
    reply_limit_ms=st.sampled_from([3_000, 60_000]),
    overrun=st.sampled_from(list(OverrunAction)),
    organisation_budgets=st.sampled_from([(), (OrganisationBudget(TRUST_A, 90_000),)]),
)


class Floor(RuleBasedStateMachine):
    room: Room

    @initialize(rules=rules_strategy)
    def open_room(self, rules: RoomRules) -> None:
        self.room = given_room(rules)

    def attempt(self, command: Command, actor: object, acting_for: object = None) -> list[object]:
        try:
            return list(self.room.do(command, actor, None, acting_for))  # type: ignore[arg-type]
        except Rejected:
            return []

    @rule(who=st.sampled_from(PEOPLE), kind=st.sampled_from(list(SpeechKind)), proxy=st.booleans())
    def raise_hand(self, who: str, kind: SpeechKind, proxy: bool) -> None:
        if proxy:
            self.attempt(RaiseHand(kind), FACILITATOR, who)
        else:
            self.attempt(RaiseHand(kind), who)

    @rule(who=st.sampled_from(PEOPLE), kind=st.sampled_from(list(SpeechKind)))
    def lower_hand(self, who: str, kind: SpeechKind) -> None:
        self.attempt(LowerHand(kind), who)

    @rule()
    def next_speaker(self) -> None:
        state = self.room.state
        floor, rules = state.floor, state.rules
        events = self.attempt(NextSpeaker(), FACILITATOR)
        if not events:
            return
        [granted] = [e for e in events if isinstance(e, FloorGranted)]
        waiting = floor.waiting
        if any(h.kind is SpeechKind.POINT_OF_ORDER for h in waiting):
            first = next(h for h in waiting if h.kind is SpeechKind.POINT_OF_ORDER)
            assert granted.participant == first.participant
            return
        eligible_under = [
            h
            for h in waiting
            if budget_left(floor, rules, h.organisation) != 0
            and not at_or_over_cap(floor, rules, h.organisation)
        ]
        if at_or_over_cap(floor, rules, granted.organisation) and eligible_under:
            assert granted.rule in {"override", "cap-lifted"}
            assert granted.organisation in floor.cap_lifted
        if eligible_under and granted.organisation not in floor.cap_lifted:
            assert not at_or_over_cap(floor, rules, granted.organisation)
            best = min(floor.floor_ms.get(h.organisation, 0) for h in eligible_under)
            if granted.kind is SpeechKind.SPEECH and not any(
                h.kind is SpeechKind.REPLY for h in eligible_under
            ):
                assert floor.floor_ms.get(granted.organisation, 0) == best

    @rule(who=st.sampled_from(PEOPLE))
    def give_floor(self, who: str) -> None:
        self.attempt(GiveFloor(who, "The chair's discretion."), FACILITATOR)  # type: ignore[arg-type]

    @rule(by_facilitator=st.booleans())
    def end_speech(self, by_facilitator: bool) -> None:
        speech = self.room.state.floor.speech
        if speech is not None:
            self.attempt(EndSpeech(), FACILITATOR if by_facilitator else speech.participant)

    @rule(extra=st.integers(1_000, 60_000))
    def extend(self, extra: int) -> None:
        self.attempt(ExtendSpeech(extra, "Finishing the point."), FACILITATOR)

    @rule(org=st.sampled_from(ORGS), lift=st.booleans())
    def lift_or_restore(self, org: str, lift: bool) -> None:
        command = LiftCap(org, "Presenting.") if lift else RestoreCap(org)  # type: ignore[arg-type]
        self.attempt(command, FACILITATOR)

    @rule(ms=st.integers(0, 200_000))
    def time_passes_and_the_clock_ticks(self, ms: int) -> None:
        self.room.later(ms / 1000)
        due = next_deadline(self.room.state)
        events = self.attempt(Tick(), None)
        if due is not None and due <= self.room.clock:
            assert events, "a due deadline must make progress"
        assert self.attempt(Tick(), None) == [] or due is None

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def floor_time_adds_up(self) -> None:
        floor = self.room.state.floor
        assert floor.total_ms == sum(floor.floor_ms.values())
        ended = [
            e
            for e in self.room.events
            if isinstance(e, SpeechEnded) and e.kind is not SpeechKind.POINT_OF_ORDER
        ]
        assert floor.total_ms == sum(e.duration_ms for e in ended)

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def the_view_of_the_queue_agrees_with_the_rules(self) -> None:
        choice = choose(self.room.state.floor, self.room.state.rules)
        if choice is not None:
            assert choice.hand in self.room.state.floor.waiting

    def teardown(self) -> None:
        if not hasattr(self, "room"):
            return
        events = self.room.events
        assert replay(events) == self.room.state
        middle = len(events) // 2
        assert replay(events[middle:], start=replay(events[:middle])) == self.room.state
        state = replay(events[:0])
        for event in events:
            cap = cap_in_force(state.floor, state.rules)  # the cap in force at the grant
            state = replay([event], start=state)
            if not isinstance(event, FloorGranted) or cap is None or event.share is None:
                continue
            if event.share >= cap:
                assert event.rule in ALLOWED_OVER_CAP, event


Floor.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestFloor = Floor.TestCase


def test_a_timer_for_the_past_is_harmless() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.later(1)
    assert room.do(Tick(), None, room.clock - timedelta(seconds=1)) == []


hands = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.sampled_from(list(SpeechKind)), st.sampled_from(PEOPLE)),
    min_size=1,
    max_size=8,
    unique_by=lambda h: (h[0], h[1]),
)


@settings(max_examples=400, deadline=None)
@given(
    spoken=st.fixed_dictionaries({org: st.integers(0, 300_000) for org in ORGS}),
    waiting=hands,
    cap=st.sampled_from([None, Fraction(1, 4), Fraction(3, 10), Fraction(1, 2)]),
    lifted=st.frozensets(st.sampled_from(ORGS), max_size=1),
    budget=st.sampled_from([None, 50_000, 150_000]),
    last=st.sampled_from([None, *PEOPLE]),
)
def test_the_progressive_stack_never_prefers_an_organisation_over_the_cap(
    spoken: dict[str, int],
    waiting: list[tuple[str, SpeechKind, str]],
    cap: Fraction | None,
    lifted: frozenset[str],
    budget: int | None,
    last: str | None,
) -> None:
    organisation_of = {
        ALICE: TRUST_A,
        AMIR: TRUST_A,
        BOB: TRUST_B,
        CAROL: CHARITY,
        FACILITATOR: CHARITY,
    }
    rules = RoomRules(
        speaking_cap=cap,
        organisation_budgets=(OrganisationBudget(TRUST_A, budget),) if budget else (),
    )
    floor = FloorState(
        waiting=tuple(
            Hand(p, organisation_of[p], k, T0, r if k is SpeechKind.REPLY else None)  # type: ignore[arg-type]
            for p, k, r in waiting
        ),
        floor_ms={o: ms for o, ms in spoken.items() if ms},  # type: ignore[misc]
        total_ms=sum(spoken.values()),
        cap_lifted=lifted,  # type: ignore[arg-type]
        last_speech_by=last,  # type: ignore[arg-type]
    )
    choice = choose(floor, rules)
    points = [h for h in floor.waiting if h.kind is SpeechKind.POINT_OF_ORDER]
    if points:
        assert choice is not None
        assert choice.hand == points[0]
        return
    eligible = [h for h in floor.waiting if budget_left(floor, rules, h.organisation) != 0]
    if not eligible:
        assert choice is None
        return
    assert choice is not None
    chosen = choice.hand
    assert chosen in eligible
    under = [
        h
        for h in eligible
        if h.organisation in floor.cap_lifted or not at_or_over_cap(floor, rules, h.organisation)
    ]
    if under:
        assert chosen in under
        over = at_or_over_cap(floor, rules, chosen.organisation)
        if over and any(not at_or_over_cap(floor, rules, h.organisation) for h in eligible):
            assert choice.rule == "cap-lifted"
        replies = [h for h in under if is_direct_reply(floor, h)]
        pool = replies or under
        assert chosen in pool
        assert floor.floor_ms.get(chosen.organisation, 0) == min(
            floor.floor_ms.get(h.organisation, 0) for h in pool
        )
    else:
        assert choice.rule in {"only-one-waiting", "all-at-cap"}
