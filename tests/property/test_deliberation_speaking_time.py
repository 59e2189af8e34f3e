"""The speaking cap bounds time, under any sequence of hands, grants, speeches and clocks.

The shell ticks punctually (at every ``next_deadline`` on the way to the new time, as the
deadline worker does). Then, for every organisation, its floor time past the cap in force
(the room's cap, raised to 1/n of the organisations that asked to speak) is at most one
grace period, plus what the fairness account says it spoke while nobody under the cap
waited, after a flagged grace, or under a lifted cap (an override), plus the excess that
appeared when the cap in force fell:

    spoken - cap x total <= (1 - cap) x (grace + uncontested + flagged + lifted) + cap_fell

And, checked independently of the core's account by sampling the clock every second: in
a room that ends speeches, no organisation speaks at or over the cap while someone under
it waits for longer than one grace in a spell over the cap (flagged time stays zero).
"""

from datetime import timedelta
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deliberation import Rejected, RoomRules, SpeechKind, next_deadline, replay
from deliberation.balancing import at_or_over_cap, budget_left, cap_in_force
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
from deliberation.events import SpeechEnded
from deliberation.records import OverCapTime
from deliberation.rules import OrganisationBudget, OverrunAction
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    CHARITY,
    FACILITATOR,
    TRUST_A,
    TRUST_B,
    Room,
    given_room,
)

PEOPLE = (ALICE, AMIR, BOB, CAROL, FACILITATOR)
ORGS = (TRUST_A, TRUST_B, CHARITY)

rules_strategy = st.builds(
    RoomRules,
    speaking_cap=st.sampled_from([Fraction(1, 5), Fraction(1, 4), Fraction(3, 10), Fraction(1, 2)]),
    speech_limit_ms=st.sampled_from([20_000, 60_000, 180_000]),
    reply_limit_ms=st.sampled_from([10_000, 60_000]),
    overrun=st.sampled_from(list(OverrunAction)),
    cap_grace_ms=st.sampled_from([0, 5_000, 30_000]),
    organisation_budgets=st.sampled_from([(), (OrganisationBudget(TRUST_A, 90_000),)]),
)


def bound_holds(room: Room) -> None:
    state = room.state
    floor, rules = state.floor, state.rules
    cap = cap_in_force(floor, rules)
    assert cap is not None
    speeches = sum(1 for e in room.events if isinstance(e, SpeechEnded))
    for organisation in ORGS:
        spoken = floor.floor_ms.get(organisation, 0)
        excess = spoken - cap * floor.total_ms
        o = floor.over_cap.get(organisation, OverCapTime())
        explained = (1 - cap) * (
            rules.cap_grace_ms + o.uncontested_ms + o.flagged_ms + o.lifted_ms
        ) + o.cap_fell_ms
        # Each speech's crossing is rounded up to a whole ms: allow that much.
        assert excess <= explained + speeches, (organisation, excess, explained, o)
        if rules.overrun is OverrunAction.END:
            assert o.flagged_ms == 0


STEP_MS = 1_000


def contested_now(room: Room) -> str | None:
    """The speaking organisation, if it is at or over the cap in force right now (its
    speech so far counted) while someone from an organisation under it waits."""
    state = room.state
    floor, rules = state.floor, state.rules
    speech = floor.speech
    cap = cap_in_force(floor, rules)
    if speech is None or cap is None or speech.kind is SpeechKind.POINT_OF_ORDER:
        return None
    if speech.organisation in floor.cap_lifted:
        return None
    elapsed = (room.clock - speech.started_at) // timedelta(milliseconds=1)
    total = floor.total_ms + elapsed
    spoken = floor.floor_ms.get(speech.organisation, 0) + elapsed
    if total == 0 or spoken < cap * total:
        return None
    for hand in floor.waiting:
        if hand.organisation == speech.organisation or hand.kind is SpeechKind.POINT_OF_ORDER:
            continue
        if budget_left(floor, rules, hand.organisation) == 0:
            continue
        theirs = floor.floor_ms.get(hand.organisation, 0)
        if hand.organisation in floor.cap_lifted or theirs < cap * total:
            return speech.organisation
    return None


class SpeakingTime(RuleBasedStateMachine):
    room: Room

    @initialize(rules=rules_strategy)
    def open_room(self, rules: RoomRules) -> None:
        self.room = given_room(rules)
        self.contested: dict[str, int] = {}

    def attempt(self, command: Command, actor: object, acting_for: object = None) -> list[object]:
        try:
            return list(self.room.do(command, actor, None, acting_for))  # type: ignore[arg-type]
        except Rejected:
            return []

    def advance(self, ms: int) -> None:
        """Let ``ms`` pass a second at a time, ticking at every deadline on the way as the
        shell does, and keep our own tally of contested time over the cap."""
        target = self.room.clock + timedelta(milliseconds=ms)
        while self.room.clock < target:
            step = min(target, self.room.clock + timedelta(milliseconds=STEP_MS))
            for _ in range(50):
                due = next_deadline(self.room.state)
                if due is None or due > step:
                    break
                self.room.clock = max(self.room.clock, due)
                assert self.attempt(Tick(), None), "a due deadline must make progress"
            before = self.room.clock
            self.room.clock = step
            organisation = contested_now(self.room)
            if organisation is not None:
                spent = (step - before) // timedelta(milliseconds=1)
                self.contested[organisation] = self.contested.get(organisation, 0) + spent
        self.forgive()

    def forgive(self) -> None:
        """An organisation back under the cap starts a new spell: our tally restarts."""
        state = self.room.state
        speech = state.floor.speech or state.floor.paused
        for organisation in list(self.contested):
            if speech is not None and speech.organisation == organisation:
                continue  # its speech so far is not in the totals yet
            if not at_or_over_cap(state.floor, state.rules, organisation):
                del self.contested[organisation]

    @rule(
        who=st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3),
        kind=st.sampled_from(list(SpeechKind)),
    )
    def raise_hands(self, who: list[str], kind: SpeechKind) -> None:
        for person in who:
            self.attempt(RaiseHand(kind), person)

    @rule(who=st.sampled_from(PEOPLE), kind=st.sampled_from(list(SpeechKind)))
    def lower_hand(self, who: str, kind: SpeechKind) -> None:
        self.attempt(LowerHand(kind), who)

    @rule()
    def next_speaker(self) -> None:
        self.attempt(NextSpeaker(), FACILITATOR)

    @rule(who=st.sampled_from(PEOPLE))
    def give_floor(self, who: str) -> None:
        self.attempt(GiveFloor(who, "The chair's discretion."), FACILITATOR)  # type: ignore[arg-type]

    @rule()
    def end_speech(self) -> None:
        speech = self.room.state.floor.speech
        if speech is not None:
            self.attempt(EndSpeech(), speech.participant)

    @rule(extra=st.integers(1_000, 60_000))
    def extend(self, extra: int) -> None:
        self.attempt(ExtendSpeech(extra, "Finishing the point."), FACILITATOR)

    @rule(org=st.sampled_from(ORGS), lift=st.booleans(), rarely=st.integers(0, 7))
    def lift_or_restore(self, org: str, lift: bool, rarely: int) -> None:
        if rarely:  # an override now and then, so that most speeches meet the cap itself
            return
        command = LiftCap(org, "Presenting.") if lift else RestoreCap(org, "Done.")  # type: ignore[arg-type]
        self.attempt(command, FACILITATOR)

    @rule(ms=st.integers(0, 60_000))
    def time_passes(self, ms: int) -> None:
        self.advance(ms)

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def no_organisation_is_over_the_cap_without_a_reason(self) -> None:
        bound_holds(self.room)

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def nobody_speaks_over_the_cap_past_one_grace_while_others_wait(self) -> None:
        rules = self.room.state.rules
        if rules.overrun is OverrunAction.FLAG:
            return
        for organisation, ms in self.contested.items():
            # The sampling may count one step that the end of the grace cut short.
            assert ms <= rules.cap_grace_ms + STEP_MS, (organisation, ms)

    def teardown(self) -> None:
        if not hasattr(self, "room"):
            return
        assert replay(self.room.events) == self.room.state


SpeakingTime.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSpeakingTime = SpeakingTime.TestCase
