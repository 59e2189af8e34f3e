"""The four rounds: order, reopening, who may open and close them, and deadlines."""

from datetime import timedelta

import pytest

from deliberation import Outcome, Position, Reason, Rejected, RoundKind
from deliberation.commands import AnswerConsent, CloseRound, OpenRound, SetDeadline
from deliberation.events import DeadlineSet, RoundClosed, RoundOpened
from tests.builders import ALICE, BOB, CAROL, FACILITATOR, at, given_room, open_up_to


def test_the_first_round_is_surface_conflict() -> None:
    room = given_room()
    assert room.do(OpenRound(RoundKind.SURFACE_CONFLICT), FACILITATOR, at(1)) == [
        RoundOpened(RoundKind.SURFACE_CONFLICT, 1, False, "", None, FACILITATOR, at(1))
    ]


def test_rounds_cannot_be_skipped() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    assert refused.value.reason is Reason.WRONG_ROUND


def test_rounds_follow_in_order() -> None:
    room = given_room()
    open_up_to(room, RoundKind.CONSENT)
    assert room.state.rounds.current is RoundKind.CONSENT
    assert room.state.rounds.number == 4
    assert room.state.consent.number == 1


def test_only_one_round_is_open_at_a_time() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    assert refused.value.reason is Reason.CONFLICT


def test_participants_cannot_open_or_close_rounds() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.SURFACE_CONFLICT), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN
    room.do(OpenRound(RoundKind.SURFACE_CONFLICT))
    with pytest.raises(Rejected) as refused:
        room.do(CloseRound(), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN


def test_closing_when_no_round_is_open_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        given_room().do(CloseRound())
    assert refused.value.reason is Reason.WRONG_ROUND


def test_an_earlier_round_can_be_reopened_with_a_reason_and_the_order_resumes() -> None:
    room = given_room(round=RoundKind.RECORD_DISSENT)
    room.do(CloseRound())
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.SURFACE_CONFLICT))
    assert refused.value.reason is Reason.INVALID
    [opened] = room.do(OpenRound(RoundKind.SURFACE_CONFLICT, "New evidence from Trust B."))
    assert isinstance(opened, RoundOpened)
    assert opened.reopened
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.CONSENT))
    assert room.state.rounds.current is RoundKind.CONSENT


def test_consent_is_rerun_by_amendment_not_by_reopening() -> None:
    room = given_room(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "It strips the charity's carers' fund."), ALICE)
    room.do(AnswerConsent(Position.CONSENT), BOB)
    room.do(AnswerConsent(Position.CONSENT), CAROL)
    room.do(CloseRound())
    assert room.state.decisions[-1].outcome is Outcome.BLOCKED
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.CONSENT, "again"))
    assert refused.value.reason is Reason.WRONG_ROUND


def test_closing_a_round_records_its_number() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    assert room.do(CloseRound(), FACILITATOR, at(9)) == [
        RoundClosed(RoundKind.SURFACE_CONFLICT, 1, False, FACILITATOR, at(9))
    ]


def test_a_live_round_may_carry_a_deadline_in_the_future_only() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(OpenRound(RoundKind.SURFACE_CONFLICT, deadline=at(0)), FACILITATOR, at(0))
    assert refused.value.reason is Reason.INVALID
    [opened] = room.do(OpenRound(RoundKind.SURFACE_CONFLICT, deadline=at(600)))
    assert isinstance(opened, RoundOpened)
    assert opened.deadline == at(600)


def test_the_facilitator_moves_a_deadline_with_a_reason() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    later = at(0) + timedelta(days=2)
    assert room.do(SetDeadline(later, "Half-term week."), FACILITATOR, at(5)) == [
        DeadlineSet(RoundKind.SURFACE_CONFLICT, later, "Half-term week.", FACILITATOR, at(5))
    ]
    with pytest.raises(Rejected) as refused:
        room.do(SetDeadline(later, ""))
    assert refused.value.reason is Reason.INVALID
