"""A room that is an item of a board meeting: conflicted members and the meeting's quorum."""

from fractions import Fraction

import pytest

from deliberation import Position, Reaction, Reason, Rejected, RoomRules, RoundKind, VoteMode, view
from deliberation.commands import (
    AddStatement,
    AllocatePoints,
    AnswerConsent,
    CloseRound,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    TablePerspective,
    WithdrawProposal,
)
from deliberation.events import DecisionReached
from deliberation.exclusions import Exclusion, SetExclusions, SetQuorum
from deliberation.fairness import vote_weights
from deliberation.ids import DissentId, PerspectiveId, StatementId
from deliberation.polls import CastBallot, CloseVote, OpenVote, PollId, VoteMethod
from deliberation.records import Allocation
from deliberation.vocabulary import Outcome, PerspectiveKind
from tests.builders import ALICE, AMIR, BOB, CAROL, Room, types
from tests.builders import given_room as room_at

INTEREST = "Director of Carewell Ltd, a bidder"
OUT_OF_VOTE = Exclusion(BOB, INTEREST)
OUT_OF_ALL = Exclusion(BOB, INTEREST, discussion=True)


def excluded(exclusion: Exclusion = OUT_OF_VOTE, round: RoundKind | None = None) -> Room:
    room = room_at(round=round)
    room.do(SetExclusions((exclusion,)), None)
    return room


def test_only_the_system_sets_exclusions_and_quorum() -> None:
    room = room_at()
    for command in (SetExclusions((OUT_OF_VOTE,)), SetQuorum(True)):
        with pytest.raises(Rejected) as refused:
            room.do(command)
        assert refused.value.reason is Reason.FORBIDDEN
        assert "system" in refused.value.message


def test_exclusions_are_checked_and_emit_nothing_when_unchanged() -> None:
    room = room_at()
    with pytest.raises(Rejected) as twice:
        room.do(SetExclusions((OUT_OF_VOTE, OUT_OF_ALL)), None)
    assert twice.value.reason is Reason.INVALID
    with pytest.raises(Rejected) as no_reason:
        room.do(SetExclusions((Exclusion(BOB, "  "),)), None)
    assert no_reason.value.reason is Reason.INVALID
    assert types(room.do(SetExclusions((OUT_OF_VOTE,)), None)) == ["exclusions.set"]
    assert room.do(SetExclusions((OUT_OF_VOTE,)), None) == []
    assert types(room.do(SetExclusions(()), None)) == ["exclusions.set"]
    assert room.state.exclusions == {}


def test_an_excluded_member_cannot_answer_consent_and_the_refusal_names_the_interest() -> None:
    room = excluded(round=RoundKind.CONSENT)
    with pytest.raises(Rejected) as refused:
        room.do(AnswerConsent(Position.CONSENT), BOB)
    assert refused.value.reason is Reason.FORBIDDEN
    assert INTEREST in refused.value.message
    assert "Bob" in refused.value.message
    # nor can a facilitator answer for them
    with pytest.raises(Rejected):
        room.do(AnswerConsent(Position.CONSENT), acting_for=BOB)
    room.do(AnswerConsent(Position.CONSENT), ALICE)  # others answer as before


def test_an_excluded_member_cannot_react_cast_a_ballot_or_give_points() -> None:
    room = excluded(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(StatementId("s1"), "Pool it all."), ALICE)
    with pytest.raises(Rejected) as react:
        room.do(React(StatementId("s1"), Reaction.AGREE), BOB)
    assert react.value.reason is Reason.FORBIDDEN
    room.do(OpenVote(PollId("v"), "Award?", VoteMethod.MAJORITY))
    with pytest.raises(Rejected) as ballot:
        room.do(CastBallot(PollId("v"), choice="yes"), BOB)
    assert ballot.value.reason is Reason.FORBIDDEN
    assert INTEREST in ballot.value.message
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    room.do(TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "Cost"), ALICE)
    with pytest.raises(Rejected) as points:
        room.do(AllocatePoints((Allocation(PerspectiveId("p"), 3),)), BOB)
    assert points.value.reason is Reason.FORBIDDEN


def test_out_of_the_vote_only_still_speaks_and_writes() -> None:
    room = excluded(OUT_OF_VOTE, round=RoundKind.SURFACE_CONFLICT)
    assert types(room.do(RaiseHand(), BOB)) == ["hand.raised"]
    assert types(room.do(AddStatement(StatementId("b"), "Declared."), BOB)) == ["statement.added"]


def test_out_of_the_discussion_too_cannot_raise_a_hand_write_or_dissent() -> None:
    room = excluded(OUT_OF_ALL, round=RoundKind.SURFACE_CONFLICT)
    for command in (RaiseHand(), AddStatement(StatementId("b"), "Hello")):
        with pytest.raises(Rejected) as refused:
            room.do(command, BOB)
        assert refused.value.reason is Reason.FORBIDDEN
        assert "discussion" in refused.value.message
        assert INTEREST in refused.value.message
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    with pytest.raises(Rejected):
        room.do(TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "Cost"), BOB)
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.RECORD_DISSENT))
    with pytest.raises(Rejected):
        room.do(RecordDissent(DissentId("d"), "No"), BOB)


def test_an_answer_given_before_the_exclusion_stops_counting() -> None:
    room = room_at(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Too risky"), BOB)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    room.do(SetExclusions((OUT_OF_VOTE,)), None)
    assert BOB not in room.state.consent.answers
    assert BOB not in room.state.consent.objections  # the objection no longer blocks
    decision = room.do(CloseRound())[-1]
    assert isinstance(decision, DecisionReached)
    assert decision.outcome is Outcome.CONSENTED
    assert [a.participant for a in decision.answers] == [ALICE]
    assert decision.excluded == (OUT_OF_VOTE,)


def test_caps_are_computed_without_the_excluded() -> None:
    rules = RoomRules(vote_mode=VoteMode.CAPPED, vote_cap=Fraction(1, 2))
    room = room_at(rules)
    before = vote_weights(room.state)
    assert BOB in before.counted
    room.do(SetExclusions((OUT_OF_VOTE,)), None)
    after = vote_weights(room.state)
    assert BOB not in after.counted
    assert set(after.counted) == set(before.counted) - {BOB}


def test_a_named_ballot_cast_before_the_exclusion_is_dropped() -> None:
    room = room_at()
    room.do(OpenVote(PollId("v"), "Award?", VoteMethod.MAJORITY))
    room.do(CastBallot(PollId("v"), choice="yes"), BOB)
    room.do(CastBallot(PollId("v"), choice="no"), ALICE)
    room.do(SetExclusions((OUT_OF_VOTE,)), None)
    closed = room.do(CloseVote(PollId("v")))[-1]
    totals = {t.option: t.count for t in closed.result.totals}  # type: ignore[union-attr]
    assert totals["yes"] == 0
    assert totals["no"] == 1


def test_view_shows_the_exclusions_and_the_meeting_quorum_to_everyone() -> None:
    room = excluded()
    room.do(SetQuorum(False, ("1 more voting member",), (ALICE, BOB)), None)
    public = view(room.state, None)
    assert public["exclusions"] == [
        {"participant": BOB, "display_name": "Bob", "reason": INTEREST, "discussion": False}
    ]
    assert public["meeting_quorum"] == {
        "held": False,
        "missing": ["1 more voting member"],
        "present": [ALICE, BOB],
    }
    assert view(room_at().state, CAROL)["meeting_quorum"] is None


def test_set_quorum_is_consistent_and_emits_nothing_when_unchanged() -> None:
    room = room_at()
    with pytest.raises(Rejected) as bad:
        room.do(SetQuorum(True, ("the chair",)), None)
    assert bad.value.reason is Reason.INVALID
    with pytest.raises(Rejected):
        room.do(SetQuorum(False), None)
    assert types(room.do(SetQuorum(True, (), (ALICE,)), None)) == ["quorum.set"]
    assert room.do(SetQuorum(True, (), (ALICE,)), None) == []


def test_without_the_meeting_quorum_consent_and_votes_do_not_close() -> None:
    room = room_at(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    room.do(OpenVote(PollId("v"), "Award?", VoteMethod.MAJORITY))
    room.do(SetQuorum(False, ("the chair or the vice-chair", "a member from the NHS")), None)
    for command in (CloseRound(), CloseVote(PollId("v"))):
        with pytest.raises(Rejected) as refused:
            room.do(command)
        assert refused.value.reason is Reason.NO_QUORUM
        assert "the chair or the vice-chair; a member from the NHS" in refused.value.message
    room.do(SetQuorum(True, (), (ALICE, AMIR, CAROL)), None)
    decision = room.do(CloseRound())[-1]
    assert isinstance(decision, DecisionReached)
    assert decision.present == (ALICE, AMIR, CAROL)
    assert decision.quorum_met


def test_withdrawing_stays_possible_without_the_meeting_quorum() -> None:
    room = room_at(round=RoundKind.CONSENT)
    room.do(SetQuorum(False, ("1 more voting member",)), None)
    decision = room.do(WithdrawProposal("Adjourned without quorum"))[-1]
    assert isinstance(decision, DecisionReached)
    assert decision.outcome is Outcome.WITHDRAWN


def test_relays_are_accepted_after_the_decision() -> None:
    room = room_at(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    room.do(CloseRound())
    assert room.state.decided
    assert types(room.do(SetQuorum(False, ("1 more voting member",)), None)) == ["quorum.set"]
    assert types(room.do(SetExclusions((OUT_OF_VOTE,)), None)) == ["exclusions.set"]


def test_a_vote_cannot_be_delegated_to_an_excluded_colleague() -> None:
    from deliberation.polls import DelegateVote

    room = room_at()
    room.do(OpenVote(PollId("v"), "Award?", VoteMethod.MAJORITY))
    room.do(SetExclusions((Exclusion(AMIR, INTEREST),)), None)
    with pytest.raises(Rejected) as refused:
        room.do(DelegateVote(PollId("v"), AMIR), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN
    assert INTEREST in refused.value.message


def test_a_room_snapshot_with_exclusions_and_quorum_survives_the_json_round_trip() -> None:
    from pydantic import TypeAdapter

    from deliberation import RoomState, replay

    room = excluded(OUT_OF_ALL, round=RoundKind.CONSENT)
    room.do(SetQuorum(False, ("the chair",), (ALICE,)), None)
    adapter: TypeAdapter[RoomState] = TypeAdapter(RoomState)
    snapshot = adapter.validate_python(adapter.dump_python(room.state, mode="json"))
    assert snapshot == room.state
    assert replay(room.events) == room.state
    for event in room.events[-2:]:
        event_adapter: TypeAdapter[object] = TypeAdapter(type(event))
        assert event_adapter.validate_python(event_adapter.dump_python(event, mode="json")) == event


def test_a_decision_stored_before_meetings_existed_still_loads() -> None:
    from pydantic import TypeAdapter

    room = room_at(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    decision = room.do(CloseRound())[-1]
    adapter: TypeAdapter[DecisionReached] = TypeAdapter(DecisionReached)
    stored = adapter.dump_python(decision, mode="json")  # type: ignore[arg-type]
    del stored["present"], stored["excluded"]
    assert adapter.validate_python(stored) == decision


def test_a_non_facilitator_is_refused_for_their_role_before_the_quorum() -> None:
    room = room_at(round=RoundKind.CONSENT)
    room.do(SetQuorum(False, ("1 more voting member",)), None)
    with pytest.raises(Rejected) as refused:
        room.do(CloseRound(), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN


def test_out_of_the_discussion_also_leaves_the_floor() -> None:
    from deliberation.commands import NextSpeaker

    room = room_at(round=RoundKind.SURFACE_CONFLICT)
    room.do(RaiseHand(), BOB)
    room.do(NextSpeaker())
    assert room.state.floor.speech is not None
    events = room.do(SetExclusions((OUT_OF_ALL,)), None, room.later(30))
    assert types(events) == ["speech.ended", "exclusions.set"]
    assert room.state.floor.speech is None
    assert all(h.participant != BOB for h in room.state.floor.waiting)


def test_waiting_hands_of_someone_out_of_the_discussion_are_lowered() -> None:
    room = room_at(round=RoundKind.SURFACE_CONFLICT)
    room.do(RaiseHand(), BOB)
    room.do(RaiseHand(), ALICE)
    room.do(SetExclusions((OUT_OF_ALL,)), None)
    assert [h.participant for h in room.state.floor.waiting] == [ALICE]
    room.do(SetExclusions((OUT_OF_VOTE,)), None)  # out of the vote only: keeps the floor rules
    assert [h.participant for h in room.state.floor.waiting] == [ALICE]
