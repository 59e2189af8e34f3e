"""Laws of a whole room under any sequence of commands (hypothesis, stateful).

- Rebuilding the state from the events always equals the live state (from any split point).
- A decision always carries every dissent ever recorded, withdrawn ones marked withdrawn,
  and every objection of its consent round.
- Only final decisions end the room; after one, deliberation commands are refused.
- The view is JSON-safe for every viewer.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from deliberation import (
    DissentKind,
    ObjectionRule,
    PerspectiveKind,
    Position,
    Reaction,
    Rejected,
    RoomRules,
    RoundKind,
    replay,
    view,
)
from deliberation.commands import AddStatement as AddStatementCommand
from deliberation.commands import (
    AllocatePoints,
    AmendProposal,
    AnswerConsent,
    CloseRound,
    Command,
    HideStatement,
    JudgeObjection,
    OpenRound,
    React,
    RecordDissent,
    SettleObjection,
    TablePerspective,
    WithdrawDissent,
    WithdrawProposal,
)
from deliberation.events import DecisionReached, DissentRecorded, DissentWithdrawn
from deliberation.ids import DissentId, PerspectiveId, StatementId
from deliberation.records import Allocation
from deliberation.rules import QuorumRule
from tests.builders import ALICE, AMIR, BOB, CAROL, FACILITATOR, OLIVE, Room, given_room

PEOPLE = (ALICE, AMIR, BOB, CAROL, FACILITATOR, OLIVE)
IDS = ("1", "2", "3")


class Deliberation(RuleBasedStateMachine):
    room: Room

    @initialize(
        rule=st.sampled_from(list(ObjectionRule)),
        quorum=st.sampled_from([QuorumRule(), QuorumRule(3, 2)]),
        start=st.sampled_from([None, *RoundKind]),
        dissents=st.lists(st.tuples(st.sampled_from(PEOPLE[:4]), st.booleans()), max_size=3),
    )
    def open_room(
        self,
        rule: ObjectionRule,
        quorum: QuorumRule,
        start: RoundKind | None,
        dissents: list[tuple[str, bool]],
    ) -> None:
        rules = RoomRules(objection_rule=rule, quorum=quorum)
        if start is not RoundKind.CONSENT:
            self.room = given_room(rules, round=start)
            return
        self.room = given_room(rules, round=RoundKind.RECORD_DISSENT)
        for n, (who, withdrawn) in enumerate(dissents):
            self.attempt(RecordDissent(DissentId(f"seed-{n}"), "Minority view."), who)
            if withdrawn:
                self.attempt(WithdrawDissent(DissentId(f"seed-{n}")), who)
        self.attempt(CloseRound(), FACILITATOR)
        self.attempt(OpenRound(RoundKind.CONSENT), FACILITATOR)

    def attempt(self, command: Command, actor: object, acting_for: object = None) -> list[object]:
        self.room.later(7)
        before = self.room.state
        try:
            events = list(self.room.do(command, actor, None, acting_for))  # type: ignore[arg-type]
        except Rejected:
            assert self.room.state is before
            return []
        for event in events:
            if isinstance(event, DecisionReached):
                self.check_decision(event)
                hypothesis_event(f"decision {event.outcome.value}")
        return events

    def check_decision(self, decision: DecisionReached) -> None:
        recorded = [e.dissent for e in self.room.events if isinstance(e, DissentRecorded)]
        withdrawn = {e.dissent for e in self.room.events if isinstance(e, DissentWithdrawn)}
        assert [d.dissent for d in decision.dissents] == recorded
        assert {d.dissent for d in decision.dissents if d.withdrawn_at} == withdrawn
        current = self.room.state.consent.objections
        carried = {(o.objector, o.consent_round) for o in decision.objections}
        assert {(o.objector, o.consent_round) for o in current.values()} <= carried

    @rule(kind=st.sampled_from(list(RoundKind)), why=st.sampled_from(["", "Missing voices."]))
    def open_round(self, kind: RoundKind, why: str) -> None:
        self.attempt(OpenRound(kind, why), FACILITATOR)

    @rule()
    def advance(self) -> None:
        """Close the open round, or open the next one in order."""
        rounds = self.room.state.rounds
        if rounds.is_open:
            self.attempt(CloseRound(), FACILITATOR)
        elif rounds.furthest + 1 < len(RoundKind):
            self.attempt(OpenRound(list(RoundKind)[rounds.furthest + 1]), FACILITATOR)

    @rule()
    def close_round(self) -> None:
        self.attempt(CloseRound(), FACILITATOR)

    @rule(who=st.sampled_from(PEOPLE), sid=st.sampled_from(IDS))
    def add_statement(self, who: str, sid: str) -> None:
        self.attempt(AddStatementCommand(StatementId(sid), f"Statement {sid}"), who)

    @rule(sid=st.sampled_from(IDS))
    def hide(self, sid: str) -> None:
        self.attempt(HideStatement(StatementId(sid), "Off topic."), FACILITATOR)

    @rule(who=st.sampled_from(PEOPLE), sid=st.sampled_from(IDS), r=st.sampled_from(list(Reaction)))
    def react(self, who: str, sid: str, r: Reaction) -> None:
        self.attempt(React(StatementId(sid), r), who)

    @rule(
        who=st.sampled_from(PEOPLE),
        pid=st.sampled_from(IDS),
        k=st.sampled_from(list(PerspectiveKind)),
    )
    def table(self, who: str, pid: str, k: PerspectiveKind) -> None:
        self.attempt(TablePerspective(PerspectiveId(pid), k, "A view."), who)

    @rule(who=st.sampled_from(PEOPLE), pid=st.sampled_from(IDS), points=st.integers(0, 12))
    def allocate(self, who: str, pid: str, points: int) -> None:
        self.attempt(AllocatePoints((Allocation(PerspectiveId(pid), points),)), who)

    @rule(
        who=st.sampled_from(PEOPLE), did=st.sampled_from(IDS), k=st.sampled_from(list(DissentKind))
    )
    def dissent(self, who: str, did: str, k: DissentKind) -> None:
        self.attempt(RecordDissent(DissentId(did), "Not like this.", k), who)

    @rule(who=st.sampled_from(PEOPLE), did=st.sampled_from(IDS))
    def withdraw_dissent(self, who: str, did: str) -> None:
        self.attempt(WithdrawDissent(DissentId(did)), who)

    @rule(
        who=st.sampled_from(PEOPLE), position=st.sampled_from(list(Position)), proxy=st.booleans()
    )
    def answer(self, who: str, position: Position, proxy: bool) -> None:
        text = "" if position is Position.CONSENT else "Because."
        if proxy:
            self.attempt(AnswerConsent(position, text), FACILITATOR, who)
        else:
            self.attempt(AnswerConsent(position, text), who)

    @rule(judge=st.sampled_from(PEOPLE), objector=st.sampled_from(PEOPLE), paramount=st.booleans())
    def judge(self, judge: str, objector: str, paramount: bool) -> None:
        self.attempt(JudgeObjection(objector, paramount), judge)  # type: ignore[arg-type]

    @rule(objector=st.sampled_from(PEOPLE))
    def settle(self, objector: str) -> None:
        self.attempt(SettleObjection(objector), FACILITATOR)  # type: ignore[arg-type]

    @rule(n=st.integers(0, 3), integrate=st.booleans())
    def amend(self, n: int, integrate: bool) -> None:
        objectors = tuple(self.room.state.consent.objections) if integrate else ()
        self.attempt(
            AmendProposal(f"Amended proposal {n}", "Meets objections.", objectors), FACILITATOR
        )

    @precondition(lambda self: self.room.state.consent.number >= 2)
    @rule()
    def withdraw(self) -> None:
        self.attempt(WithdrawProposal("Superseded."), FACILITATOR)

    def teardown(self) -> None:
        if not hasattr(self, "room"):
            return
        events = self.room.events
        state = self.room.state
        assert replay(events) == state
        for cut in range(0, len(events) + 1, max(1, len(events) // 4)):
            assert replay(events[cut:], start=replay(events[:cut])) == state
        for viewer in (None, ALICE, FACILITATOR):
            json.dumps(view(state, viewer))
        if state.decided:
            self.room.later(1)
            with pytest.raises(Rejected) as refused:
                self.room.do(OpenRound(RoundKind.SURFACE_CONFLICT, "again"))
            assert refused.value.reason.value == "conflict"


Deliberation.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDeliberation = Deliberation.TestCase


def any_command() -> st.SearchStrategy[Command]:
    """Every command class with arbitrary field values (naive times, odd ids, huge numbers)."""
    from deliberation import COMMANDS

    return st.one_of(*(st.from_type(cls) for cls in COMMANDS.values()))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from([None, *RoundKind]),
    commands=st.lists(
        st.tuples(
            any_command(), st.sampled_from([*PEOPLE, None]), st.sampled_from([None, *PEOPLE])
        ),
        max_size=6,
    ),
)
def test_decide_refuses_only_with_rejected_and_evolve_applies_what_it_emits(
    start: RoundKind | None, commands: list[tuple[Command, str | None, str | None]]
) -> None:
    room = given_room(round=start)
    for command, actor, acting_for in commands:
        room.later(1)
        try:
            room.do(command, actor, None, acting_for)  # type: ignore[arg-type]
        except Rejected:
            continue
    assert replay(room.events) == room.state
