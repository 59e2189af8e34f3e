"""Asynchronous rooms: deadlines close rounds exactly once, reminders come first, ticks are idempotent."""

from datetime import timedelta

import pytest

from deliberation import (
    INITIAL,
    Mode,
    Outcome,
    Position,
    Reason,
    Rejected,
    RoomRules,
    RoundKind,
    decide,
    next_deadline,
)
from deliberation.commands import (
    AnswerConsent,
    CloseRound,
    OpenRound,
    SetDeadline,
    Tick,
    WithdrawProposal,
)
from deliberation.events import DecisionReached, ReminderDue, RoundClosed, RoundOpened
from deliberation.rules import QuorumRule, RoundDeadline
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    FACILITATOR,
    OWNER,
    T0,
    Room,
    create_room,
    ctx,
    given_room,
    types,
)

DAY = timedelta(days=1)
D1, D2, D3, D4 = T0 + 3 * DAY, T0 + 6 * DAY, T0 + 8 * DAY, T0 + 10 * DAY
PLAN = (
    RoundDeadline(RoundKind.SURFACE_CONFLICT, D1),
    RoundDeadline(RoundKind.WEIGH_PERSPECTIVES, D2),
    RoundDeadline(RoundKind.RECORD_DISSENT, D3),
    RoundDeadline(RoundKind.CONSENT, D4),
)


def async_room(rules: RoomRules | None = None) -> Room:
    return given_room(rules, mode=Mode.ASYNCHRONOUS, deadlines=PLAN)


def tick(room: Room, when: object) -> list[object]:
    return list(room.do(Tick(), None, when))  # type: ignore[arg-type]


def test_an_asynchronous_room_opens_its_first_round_at_once_with_its_deadline() -> None:
    events = decide(INITIAL, create_room(mode=Mode.ASYNCHRONOUS, deadlines=PLAN), ctx(OWNER, T0))
    assert types(events) == ["room.created", "member.admitted", "round.opened"]
    opened = events[-1]
    assert isinstance(opened, RoundOpened)
    assert (opened.round, opened.deadline, opened.by) == (RoundKind.SURFACE_CONFLICT, D1, None)


def test_an_asynchronous_room_needs_a_deadline_for_every_round_in_order() -> None:
    for plan in (
        PLAN[:3],
        (
            RoundDeadline(RoundKind.SURFACE_CONFLICT, D2),
            RoundDeadline(RoundKind.WEIGH_PERSPECTIVES, D1),
            *PLAN[2:],
        ),
        (RoundDeadline(RoundKind.SURFACE_CONFLICT, T0), *PLAN[1:]),
    ):
        with pytest.raises(Rejected) as refused:
            decide(INITIAL, create_room(mode=Mode.ASYNCHRONOUS, deadlines=plan), ctx(OWNER, T0))
        assert refused.value.reason is Reason.INVALID


def test_a_reminder_comes_before_the_deadline_naming_who_has_not_taken_part() -> None:
    room = async_room()
    from deliberation.commands import AddStatement
    from deliberation.ids import StatementId

    room.do(AddStatement(StatementId("s1"), "Pool it."), ALICE, T0 + timedelta(hours=1))
    assert next_deadline(room.state) == D1 - DAY
    [reminder] = tick(room, D1 - DAY)
    assert isinstance(reminder, ReminderDue)
    assert reminder.round is RoundKind.SURFACE_CONFLICT
    assert reminder.closes_at == D1
    assert ALICE not in reminder.waiting_on
    assert set(reminder.waiting_on) == {AMIR, BOB, CAROL, FACILITATOR, OWNER}
    assert tick(room, D1 - DAY) == []
    assert next_deadline(room.state) == D1


def test_the_deadline_closes_the_round_exactly_once_and_opens_the_next() -> None:
    room = async_room()
    tick(room, D1 - DAY)
    events = tick(room, D1)
    assert events == [
        RoundClosed(RoundKind.SURFACE_CONFLICT, 1, True, None, D1),
        RoundOpened(RoundKind.WEIGH_PERSPECTIVES, 2, False, "", D2, None, D1),
    ]
    assert tick(room, D1) == []
    assert tick(room, D1 + timedelta(seconds=1)) == []


def test_a_late_timer_closes_the_round_without_a_stale_reminder() -> None:
    room = async_room()
    assert types(tick(room, D1 + timedelta(hours=2))) == ["round.closed", "round.opened"]


def test_the_consent_deadline_reaches_the_decision() -> None:
    room = async_room()
    tick(room, D1)
    tick(room, D2)
    tick(room, D3)
    assert room.state.rounds.current is RoundKind.CONSENT
    for who in (ALICE, BOB, CAROL):
        room.do(AnswerConsent(Position.CONSENT), who, D3 + timedelta(hours=1))
    events = tick(room, D4)
    assert types(events) == ["round.closed", "decision.reached"]
    decision = events[-1]
    assert isinstance(decision, DecisionReached)
    assert decision.outcome is Outcome.CONSENTED
    assert next_deadline(room.state) is None


def test_a_consent_deadline_without_quorum_withdraws_the_proposal_and_says_why() -> None:
    room = async_room(RoomRules(quorum=QuorumRule(participants=3, organisations=2)))
    tick(room, D1)
    tick(room, D2)
    tick(room, D3)
    room.do(AnswerConsent(Position.CONSENT), ALICE, D3 + timedelta(hours=1))
    decision = tick(room, D4)[-1]
    assert isinstance(decision, DecisionReached)
    assert decision.outcome is Outcome.WITHDRAWN
    assert not decision.quorum_met
    assert decision.reason == "The deadline passed without quorum."


def test_moving_the_deadline_moves_the_reminder_too() -> None:
    room = async_room()
    tick(room, D1 - DAY)
    later = D1 + 2 * DAY
    room.do(SetDeadline(later, "Bank holiday."), FACILITATOR, D1 - timedelta(hours=1))
    assert next_deadline(room.state) == later - DAY
    assert tick(room, D1) == []


def test_a_facilitator_may_close_an_asynchronous_round_early_and_the_next_opens() -> None:
    room = async_room()
    events = room.do(CloseRound(), FACILITATOR, D1 - DAY - timedelta(hours=1))
    assert types(events) == ["round.closed", "round.opened"]
    assert room.state.rounds.current is RoundKind.WEIGH_PERSPECTIVES
    assert room.state.rounds.deadline == D2


def test_withdrawing_an_asynchronous_proposal_is_final() -> None:
    room = async_room()
    tick(room, D1)
    tick(room, D2)
    room.do(CloseRound(), FACILITATOR, D2 + DAY)  # record_dissent closes early; consent opens
    room.do(WithdrawProposal("Start again."), FACILITATOR, D2 + DAY)
    assert room.state.decided


def test_open_round_uses_the_planned_deadline_or_refuses_without_one() -> None:
    room = given_room(mode=Mode.ASYNCHRONOUS, deadlines=PLAN)
    room.do(CloseRound(), FACILITATOR, T0 + DAY)  # weigh_perspectives opens at once
    room.do(CloseRound(), FACILITATOR, T0 + DAY)  # record_dissent opens at once
    room.do(CloseRound(), FACILITATOR, T0 + DAY)  # consent opens at once
    room.do(AnswerConsent(Position.OBJECT, "Not yet."), CAROL, T0 + DAY)
    room.do(CloseRound(), FACILITATOR, T0 + DAY)
    assert room.state.decisions[-1].outcome is Outcome.BLOCKED
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES, "Weigh again."), FACILITATOR, D2 + DAY)
    assert refused.value.reason is Reason.INVALID  # the planned deadline passed: name one
    [opened] = room.do(
        OpenRound(RoundKind.WEIGH_PERSPECTIVES, "Weigh again.", D2 + 3 * DAY),
        FACILITATOR,
        D2 + DAY,
    )
    assert isinstance(opened, RoundOpened)
    assert opened.reopened
