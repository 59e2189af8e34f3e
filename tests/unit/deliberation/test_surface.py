"""Round surface_conflict: statements, moderation, reactions."""

import pytest

from deliberation import Reaction, Reason, Rejected, RoomRules, RoundKind, view
from deliberation.commands import AcceptStatement, AddStatement, HideStatement, React
from deliberation.events import ReactionRecorded, StatementAdded, StatementHidden
from deliberation.ids import StatementId
from deliberation.vocabulary import StatementStatus
from tests.builders import (
    ALICE,
    BOB,
    CAROL,
    FACILITATOR,
    OLIVE,
    TRUST_A,
    at,
    given_room,
)

S1 = StatementId("s1")
S2 = StatementId("s2")


def test_a_participant_adds_a_short_statement() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    assert room.do(AddStatement(S1, "  Rural practices lose out.  "), ALICE, at(2)) == [
        StatementAdded(
            S1, ALICE, TRUST_A, "Rural practices lose out.", StatementStatus.ACCEPTED, ALICE, at(2)
        )
    ]
    assert room.state.surface.per_organisation == {TRUST_A: 1}


def test_statements_belong_to_the_surface_conflict_round() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(AddStatement(S1, "Too early"), ALICE)
    assert refused.value.reason is Reason.WRONG_ROUND
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    with pytest.raises(Rejected) as refused:
        room.do(AddStatement(S1, "Too late"), ALICE)
    assert refused.value.reason is Reason.WRONG_ROUND


def test_empty_or_overlong_statements_are_refused() -> None:
    room = given_room(RoomRules(statement_max_length=20), round=RoundKind.SURFACE_CONFLICT)
    for text in ("", "   ", "x" * 21):
        with pytest.raises(Rejected) as refused:
            room.do(AddStatement(S1, text), ALICE)
        assert refused.value.reason is Reason.INVALID
    room.do(AddStatement(S1, "x" * 20), ALICE)


def test_a_statement_id_is_used_once() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "One"), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(AddStatement(S1, "Two"), BOB)
    assert refused.value.reason is Reason.CONFLICT


def test_observers_do_not_add_statements() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    with pytest.raises(Rejected) as refused:
        room.do(AddStatement(S1, "Watching"), OLIVE)
    assert refused.value.reason is Reason.FORBIDDEN


def test_reactions_are_recorded_and_the_last_one_counts() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "Pool it."), ALICE)
    assert room.do(React(S1, Reaction.AGREE), BOB, at(3)) == [
        ReactionRecorded(S1, BOB, Reaction.AGREE, BOB, at(3))
    ]
    with pytest.raises(Rejected) as refused:
        room.do(React(S1, Reaction.AGREE), BOB)
    assert refused.value.reason is Reason.CONFLICT
    room.do(React(S1, Reaction.DISAGREE), BOB)
    assert room.state.surface.reactions[S1] == {BOB: Reaction.DISAGREE}


def test_a_facilitator_records_a_reaction_for_someone_in_the_room() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "Pool it."), ALICE)
    [event] = room.do(React(S1, Reaction.PASS), FACILITATOR, at(4), acting_for=CAROL)
    assert event == ReactionRecorded(S1, CAROL, Reaction.PASS, FACILITATOR, at(4))


def test_reacting_to_an_unknown_statement_is_refused() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    with pytest.raises(Rejected) as refused:
        room.do(React(S2, Reaction.AGREE), BOB)
    assert refused.value.reason is Reason.NOT_FOUND


def test_hiding_needs_a_facilitator_and_a_reason_and_stops_reactions() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "Names a patient."), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(HideStatement(S1, "privacy"), BOB)
    assert refused.value.reason is Reason.FORBIDDEN
    with pytest.raises(Rejected) as refused:
        room.do(HideStatement(S1, " "))
    assert refused.value.reason is Reason.INVALID
    assert room.do(HideStatement(S1, "Identifies a patient."), FACILITATOR, at(5)) == [
        StatementHidden(S1, "Identifies a patient.", FACILITATOR, at(5))
    ]
    with pytest.raises(Rejected) as refused:
        room.do(React(S1, Reaction.AGREE), BOB)
    assert refused.value.reason is Reason.NOT_FOUND
    assert room.state.surface.per_organisation == {TRUST_A: 0}


def test_hidden_statements_are_shown_only_to_facilitators() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "Names a patient."), ALICE)
    room.do(AddStatement(S2, "Fine."), BOB)
    room.do(HideStatement(S1, "Identifies a patient."))
    assert [s["statement"] for s in view(room.state, BOB)["statements"]] == [S2]
    assert [s["statement"] for s in view(room.state, None)["statements"]] == [S2]
    shown = view(room.state, FACILITATOR)["statements"]
    assert [s["statement"] for s in shown] == [S1, S2]
    assert shown[0]["hidden_reason"] == "Identifies a patient."


def test_premoderated_statements_wait_for_acceptance() -> None:
    room = given_room(RoomRules(premoderate_statements=True), round=RoundKind.SURFACE_CONFLICT)
    [added] = room.do(AddStatement(S1, "Pool it."), ALICE)
    assert isinstance(added, StatementAdded)
    assert added.status is StatementStatus.PENDING
    assert view(room.state, BOB)["statements"] == []
    assert len(view(room.state, ALICE)["statements"]) == 1
    with pytest.raises(Rejected):
        room.do(React(S1, Reaction.AGREE), BOB)
    room.do(AcceptStatement(S1))
    room.do(React(S1, Reaction.AGREE), BOB)
    with pytest.raises(Rejected) as refused:
        room.do(AcceptStatement(S1))
    assert refused.value.reason is Reason.CONFLICT


def test_counted_reactions_leave_out_hidden_and_pending_statements() -> None:
    from deliberation import counted_reactions

    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(S1, "Pool it."), ALICE)
    room.do(AddStatement(S2, "Names a patient."), BOB)
    room.do(React(S1, Reaction.AGREE), BOB)
    room.do(React(S1, Reaction.DISAGREE), BOB)
    room.do(React(S2, Reaction.AGREE), CAROL)
    room.do(HideStatement(S2, "Identifies a patient."))
    assert counted_reactions(room.state) == {S1: {BOB: Reaction.DISAGREE}}
