"""Laws of deadlines under any schedule of ticks (hypothesis, stateful).

Several server processes may fire the same timer, late or twice, in any order with people's
commands. Whatever the schedule:

- each round opening closes at most once, and a round whose deadline has passed is closed
  by the first tick at or after it;
- a reminder is sent at most once per round opening and deadline, never after it;
- whenever ``next_deadline(state) <= now``, a tick makes progress; a second tick at the same
  moment does nothing;
- the live state equals the replayed events.
"""

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from deliberation import Mode, Position, Rejected, RoundKind, next_deadline, replay
from deliberation.commands import AnswerConsent, CloseRound, RaiseHand, SetDeadline, Tick
from deliberation.events import ReminderDue, RoundClosed, RoundOpened
from deliberation.rules import RoundDeadline
from tests.builders import ALICE, BOB, CAROL, FACILITATOR, T0, Room, given_room

HOUR = timedelta(hours=1)


class Deadlines(RuleBasedStateMachine):
    room: Room

    @initialize(gaps=st.lists(st.integers(2, 72), min_size=4, max_size=4))
    def open_room(self, gaps: list[int]) -> None:
        moments, total = [], 0
        for gap in gaps:
            total += gap
            moments.append(T0 + total * HOUR)
        plan = tuple(RoundDeadline(k, m) for k, m in zip(RoundKind, moments, strict=True))
        self.room = given_room(mode=Mode.ASYNCHRONOUS, deadlines=plan)

    def attempt(self, command: object, actor: object, acting_for: object = None) -> list[object]:
        try:
            return list(self.room.do(command, actor, None, acting_for))  # type: ignore[arg-type]
        except Rejected:
            return []

    @rule(hours=st.integers(0, 30), repeats=st.integers(1, 3))
    def the_clock_fires(self, hours: int, repeats: int) -> None:
        self.room.later(hours * 3600)
        now = self.room.clock
        due = next_deadline(self.room.state)
        first = self.attempt(Tick(), None)
        if due is not None and due <= now:
            assert first, "a due deadline must make progress"
        for _ in range(repeats - 1):
            assert self.attempt(Tick(), None) == [] or next_deadline(self.room.state) is not None

    @rule(hours=st.integers(-5, 5))
    def a_late_or_early_timer(self, hours: int) -> None:
        """A timer from another process, stamped a little off; the tick re-checks."""
        self.attempt(Tick(), None)
        self.room.later(max(0, hours) * 3600)

    @rule(who=st.sampled_from([ALICE, BOB, CAROL]), position=st.sampled_from(list(Position)))
    def someone_answers(self, who: str, position: Position) -> None:
        self.attempt(AnswerConsent(position, "" if position is Position.CONSENT else "Why."), who)

    @rule(who=st.sampled_from([ALICE, BOB, CAROL]))
    def someone_raises_a_hand(self, who: str) -> None:
        self.attempt(RaiseHand(), who)

    @rule()
    def the_facilitator_closes_early(self) -> None:
        self.attempt(CloseRound(), FACILITATOR)

    @rule(hours=st.integers(1, 48))
    def the_facilitator_moves_the_deadline(self, hours: int) -> None:
        self.attempt(SetDeadline(self.room.clock + hours * HOUR, "Holiday."), FACILITATOR)

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def each_opening_closes_once_and_reminds_once(self) -> None:
        events = self.room.events
        closed = Counter(e.number for e in events if isinstance(e, RoundClosed))
        reminded = Counter((e.number, e.closes_at) for e in events if isinstance(e, ReminderDue))
        opened = {e.number for e in events if isinstance(e, RoundOpened)}
        assert all(n == 1 for n in closed.values())
        assert all(n == 1 for n in reminded.values())
        assert set(closed) <= opened
        for e in events:
            if isinstance(e, ReminderDue):
                assert e.at < e.closes_at

    @precondition(lambda self: hasattr(self, "room"))
    @invariant()
    def nothing_overdue_stays_open(self) -> None:
        rounds = self.room.state.rounds
        if rounds.is_open and rounds.deadline is not None and self.room.events:
            last = self.room.events[-1]
            if isinstance(last, RoundOpened | RoundClosed):
                assert rounds.deadline > last.at

    def teardown(self) -> None:
        if hasattr(self, "room"):
            assert replay(self.room.events) == self.room.state


Deadlines.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDeadlines = Deadlines.TestCase
