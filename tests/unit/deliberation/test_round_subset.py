"""A room that runs some of the four rounds: a board's consent-only item, or a discussion."""

import pytest

from deliberation import Mode, Position, Reason, Rejected, RoomRules, RoundKind, view
from deliberation.commands import AnswerConsent, ChangeRules, CloseRound, OpenRound, Tick
from deliberation.rules import RoundDeadline
from tests.builders import ALICE, at, given_room, types

CONSENT_ONLY = RoomRules(rounds=(RoundKind.CONSENT,))
DISCUSSION = RoomRules(rounds=(RoundKind.SURFACE_CONFLICT, RoundKind.WEIGH_PERSPECTIVES))


def test_a_consent_only_room_opens_consent_first_and_decides() -> None:
    room = given_room(CONSENT_ONLY)
    assert view(room.state, None)["round"]["next"] == "consent"
    with pytest.raises(Rejected) as other:
        room.do(OpenRound(RoundKind.SURFACE_CONFLICT))
    assert other.value.reason is Reason.WRONG_ROUND
    assert "does not run the surface_conflict round" in other.value.message
    room.do(OpenRound(RoundKind.CONSENT))
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    assert types(room.do(CloseRound()))[-1] == "decision.reached"
    assert room.state.decided


def test_a_discussion_room_runs_its_rounds_in_order_and_no_more() -> None:
    room = given_room(DISCUSSION)
    with pytest.raises(Rejected) as skipped:
        room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    assert "surface_conflict comes next" in skipped.value.message
    room.do(OpenRound(RoundKind.SURFACE_CONFLICT))
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    room.do(CloseRound())
    assert view(room.state, None)["round"]["next"] is None
    with pytest.raises(Rejected) as consent:
        room.do(OpenRound(RoundKind.CONSENT))
    assert consent.value.reason is Reason.WRONG_ROUND
    assert types(room.do(OpenRound(RoundKind.SURFACE_CONFLICT, "One more look"))) == [
        "round.opened"
    ]


def test_rounds_must_be_in_order_once_each_and_not_empty() -> None:
    for rounds in ((), (RoundKind.CONSENT, RoundKind.SURFACE_CONFLICT), (RoundKind.CONSENT,) * 2):
        with pytest.raises(Rejected) as bad:
            given_room(RoomRules(rounds=rounds))
        assert bad.value.reason is Reason.INVALID
        assert "rounds must list" in bad.value.message


def test_the_rounds_cannot_change_after_creation() -> None:
    room = given_room(CONSENT_ONLY)
    with pytest.raises(Rejected) as same:
        room.do(ChangeRules(RoomRules(), "A form that knows nothing of rounds"))
    assert same.value.reason is Reason.CONFLICT  # nothing else changed: the rounds stay
    room.do(ChangeRules(RoomRules(points_budget=5), "Fewer points"))
    assert room.state.rules.rounds == (RoundKind.CONSENT,)
    assert room.state.rules.points_budget == 5


def test_an_asynchronous_subset_needs_deadlines_for_its_rounds_only_and_runs_them() -> None:
    deadlines = (
        RoundDeadline(RoundKind.SURFACE_CONFLICT, at(100)),
        RoundDeadline(RoundKind.WEIGH_PERSPECTIVES, at(200)),
    )
    room = given_room(DISCUSSION, mode=Mode.ASYNCHRONOUS, deadlines=deadlines)
    assert room.state.rounds.current is RoundKind.SURFACE_CONFLICT
    assert types(room.do(Tick(), None, at(100))) == ["round.closed", "round.opened"]
    assert room.state.rounds.current is RoundKind.WEIGH_PERSPECTIVES
    assert types(room.do(Tick(), None, at(200))) == ["round.closed"]  # nothing follows
    assert not room.state.rounds.is_open
    consent_only = given_room(
        CONSENT_ONLY,
        mode=Mode.ASYNCHRONOUS,
        deadlines=(RoundDeadline(RoundKind.CONSENT, at(50)),),
    )
    assert consent_only.state.rounds.current is RoundKind.CONSENT
