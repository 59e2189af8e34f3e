"""Round consent: answers, objections, integration, the supermajority test, the decision."""

from fractions import Fraction

import pytest

from deliberation import (
    ObjectionRule,
    Outcome,
    Position,
    Reason,
    Rejected,
    RoomRules,
    RoundKind,
    VoteMode,
)
from deliberation.commands import (
    AmendProposal,
    AnswerConsent,
    CloseRound,
    JudgeObjection,
    RecordDissent,
    SettleObjection,
    WithdrawDissent,
    WithdrawProposal,
)
from deliberation.events import ConsentAnswered, DecisionReached, ObjectionSettled
from deliberation.ids import DissentId
from deliberation.rules import QuorumRule
from deliberation.vocabulary import ObjectionStatus
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    FACILITATOR,
    TRUST_A,
    TRUST_B,
    Room,
    at,
    given_room,
    open_up_to,
    types,
)

SUPERMAJORITY = RoomRules(objection_rule=ObjectionRule.SUPERMAJORITY_OF_ORGANISATIONS)


def decision_of(events: list[object]) -> DecisionReached:
    [decision] = [e for e in events if isinstance(e, DecisionReached)]
    return decision


def everyone_consents(room: Room, *, but: tuple[str, ...] = ()) -> None:
    for who in (ALICE, AMIR, BOB, CAROL):
        if who not in but:
            room.do(AnswerConsent(Position.CONSENT), who)


def test_an_answer_is_recorded_with_the_consent_round() -> None:
    room = given_room(round=RoundKind.CONSENT)
    assert room.do(AnswerConsent(Position.CONSENT), ALICE, at(3)) == [
        ConsentAnswered(ALICE, TRUST_A, Position.CONSENT, "", 1, ALICE, at(3))
    ]


def test_answers_belong_to_the_consent_round() -> None:
    room = given_room(round=RoundKind.RECORD_DISSENT)
    with pytest.raises(Rejected) as refused:
        room.do(AnswerConsent(Position.CONSENT), ALICE)
    assert refused.value.reason is Reason.WRONG_ROUND


def test_concerns_stand_asides_and_objections_need_words() -> None:
    room = given_room(round=RoundKind.CONSENT)
    for position in (Position.CONCERN, Position.STAND_ASIDE, Position.OBJECT):
        with pytest.raises(Rejected) as refused:
            room.do(AnswerConsent(position, "  "), ALICE)
        assert refused.value.reason is Reason.INVALID


def test_the_same_answer_twice_is_refused() -> None:
    room = given_room(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(AnswerConsent(Position.CONSENT), ALICE)
    assert refused.value.reason is Reason.CONFLICT


def test_all_consent_is_consented() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room)
    decision = decision_of(room.do(CloseRound(), FACILITATOR, at(50)))
    assert decision.outcome is Outcome.CONSENTED
    assert decision.quorum_met
    assert room.state.decided


def test_a_concern_makes_it_consented_with_concerns_and_travels_with_the_decision() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room, but=(BOB,))
    room.do(AnswerConsent(Position.CONCERN, "Review in six months."), BOB)
    decision = decision_of(room.do(CloseRound()))
    assert decision.outcome is Outcome.CONSENTED_WITH_CONCERNS
    [concern] = [a for a in decision.answers if a.position is Position.CONCERN]
    assert (concern.participant, concern.text) == (BOB, "Review in six months.")


def test_a_stand_aside_does_not_block() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.STAND_ASIDE, "Conflict of interest."), CAROL)
    assert decision_of(room.do(CloseRound())).outcome is Outcome.CONSENTED


def test_an_objection_blocks() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    decision = decision_of(room.do(CloseRound()))
    assert decision.outcome is Outcome.BLOCKED
    assert [(o.objector, o.status) for o in decision.objections] == [(CAROL, ObjectionStatus.OPEN)]
    assert not room.state.decided


def test_changing_an_objection_to_consent_withdraws_it() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    room.do(AnswerConsent(Position.CONSENT), CAROL)
    decision = decision_of(room.do(CloseRound()))
    assert decision.outcome is Outcome.CONSENTED
    assert [o.status for o in decision.objections] == [ObjectionStatus.WITHDRAWN]


def test_amending_integrates_the_objection_and_starts_a_new_consent_round() -> None:
    room = given_room(round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    events = room.do(
        AmendProposal(
            "Pool the funds but ring-fence respite care.", "Meets Carol's objection.", (CAROL,)
        )
    )
    assert types(events) == ["round.closed", "proposal.amended", "round.opened"]
    assert room.state.consent.number == 2
    assert room.state.consent.answers == {}
    assert room.state.proposal.version == 2
    everyone_consents(room)
    decision = decision_of(room.do(CloseRound()))
    assert decision.outcome is Outcome.CONSENTED
    assert decision.proposal_version == 2
    assert [(o.objector, o.status, o.amendment) for o in decision.objections] == [
        (CAROL, ObjectionStatus.INTEGRATED, 2)
    ]


def test_after_a_blocked_decision_an_amendment_returns_to_consent() -> None:
    room = given_room(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    room.do(CloseRound())
    assert room.state.decisions[-1].outcome is Outcome.BLOCKED
    assert types(room.do(AmendProposal("Ring-fence respite.", "Integrates Carol.", (CAROL,)))) == [
        "proposal.amended",
        "round.opened",
    ]
    assert room.state.rounds.current is RoundKind.CONSENT


def test_integrating_an_objection_that_does_not_exist_is_refused() -> None:
    room = given_room(round=RoundKind.CONSENT)
    with pytest.raises(Rejected) as refused:
        room.do(AmendProposal("Ring-fence respite.", "Integrates Carol.", (CAROL,)))
    assert refused.value.reason is Reason.NOT_FOUND


def test_an_amendment_needs_new_text_and_a_reason_and_a_facilitator() -> None:
    room = given_room(round=RoundKind.CONSENT)
    from tests.builders import PROPOSAL

    cases = [
        (AmendProposal(PROPOSAL, "same"), FACILITATOR, Reason.INVALID),
        (AmendProposal("New text", ""), FACILITATOR, Reason.INVALID),
        (AmendProposal("New text", "why"), ALICE, Reason.FORBIDDEN),
    ]
    for command, actor, reason in cases:
        with pytest.raises(Rejected) as refused:
            room.do(command, actor)
        assert refused.value.reason is reason


def test_an_amendment_before_consent_just_changes_the_text() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    assert types(room.do(AmendProposal("Clearer wording.", "Typo."))) == ["proposal.amended"]
    assert room.state.rounds.current is RoundKind.SURFACE_CONFLICT


def test_judging_objections_needs_the_supermajority_rule() -> None:
    room = given_room(round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    with pytest.raises(Rejected) as refused:
        room.do(JudgeObjection(CAROL, paramount=False), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN


def test_an_objector_does_not_judge_their_own_objection() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    with pytest.raises(Rejected) as refused:
        room.do(JudgeObjection(CAROL, paramount=True), CAROL)
    assert refused.value.reason is Reason.FORBIDDEN
    with pytest.raises(Rejected) as refused:
        room.do(JudgeObjection(BOB, paramount=True), ALICE)
    assert refused.value.reason is Reason.NOT_FOUND


def test_a_supermajority_of_organisations_finds_an_objection_not_paramount() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.OBJECT, "I dislike the logo."), CAROL)
    room.do(JudgeObjection(CAROL, paramount=False), ALICE)
    room.do(JudgeObjection(CAROL, paramount=False), AMIR)
    room.do(JudgeObjection(CAROL, paramount=False), BOB)
    room.do(JudgeObjection(CAROL, paramount=False), FACILITATOR)
    [settled] = room.do(SettleObjection(CAROL))
    assert isinstance(settled, ObjectionSettled)
    assert (settled.paramount, settled.not_paramount_share, settled.organisations) == (
        False,
        Fraction(1),
        3,
    )
    decision = decision_of(room.do(CloseRound()))
    assert decision.outcome is Outcome.CONSENTED
    assert [o.status for o in decision.objections] == [ObjectionStatus.RESOLVED]


def test_organisations_count_once_however_many_members_judge() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    room.do(JudgeObjection(CAROL, paramount=False), ALICE)
    room.do(JudgeObjection(CAROL, paramount=False), AMIR)  # trust A: 2 people, 1 organisation
    room.do(JudgeObjection(CAROL, paramount=True), BOB)  # trust B
    [settled] = room.do(SettleObjection(CAROL))
    assert isinstance(settled, ObjectionSettled)
    assert settled.not_paramount_share == Fraction(1, 2)
    assert settled.paramount  # 1/2 < 2/3: upheld, it still blocks
    with pytest.raises(Rejected) as refused:
        room.do(AnswerConsent(Position.OBJECT, "Tested; say it again."), CAROL)
    assert refused.value.reason is Reason.CONFLICT
    assert decision_of(room.do(CloseRound())).outcome is Outcome.BLOCKED


def test_settling_without_judgments_is_refused() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    with pytest.raises(Rejected) as refused:
        room.do(SettleObjection(CAROL))
    assert refused.value.reason is Reason.NO_QUORUM


def test_consent_cannot_close_without_quorum() -> None:
    room = given_room(
        RoomRules(quorum=QuorumRule(participants=3, organisations=3)), round=RoundKind.CONSENT
    )
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    room.do(AnswerConsent(Position.CONSENT), AMIR)
    room.do(AnswerConsent(Position.CONSENT), BOB)
    with pytest.raises(Rejected) as refused:
        room.do(CloseRound())
    assert refused.value.reason is Reason.NO_QUORUM
    room.do(AnswerConsent(Position.CONSENT), CAROL)
    assert decision_of(room.do(CloseRound())).quorum_met


def test_withdrawing_the_proposal_is_a_final_decision() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    with pytest.raises(Rejected) as refused:
        room.do(WithdrawProposal(""))
    assert refused.value.reason is Reason.INVALID
    events = room.do(WithdrawProposal("Superseded by the national scheme."))
    assert types(events) == ["round.closed", "decision.reached"]
    assert decision_of(events).outcome is Outcome.WITHDRAWN
    with pytest.raises(Rejected) as refused:
        room.do(CloseRound())
    assert refused.value.reason is Reason.CONFLICT


def test_the_decision_carries_every_dissent_withdrawn_ones_marked() -> None:
    room = given_room()
    open_up_to(room, RoundKind.RECORD_DISSENT)
    room.do(RecordDissent(DissentId("d1"), "Carers were not consulted."), CAROL, at(10))
    room.do(RecordDissent(DissentId("d2"), "Too fast."), BOB, at(11))
    room.do(WithdrawDissent(DissentId("d2")), BOB, at(12))
    room.do(CloseRound())
    from deliberation.commands import OpenRound

    room.do(OpenRound(RoundKind.CONSENT))
    everyone_consents(room)
    decision = decision_of(room.do(CloseRound()))
    assert [(d.dissent, d.withdrawn_at) for d in decision.dissents] == [
        (DissentId("d1"), None),
        (DissentId("d2"), at(12)),
    ]


def test_the_consent_count_goes_through_the_rooms_weighting() -> None:
    rules = RoomRules(vote_mode=VoteMode.ONE_ORG_ONE_VOTE)
    room = given_room(rules, round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.CONSENT), ALICE)
    room.do(AnswerConsent(Position.CONSENT), AMIR)
    room.do(AnswerConsent(Position.CONCERN, "Costs."), BOB)
    decision = decision_of(room.do(CloseRound()))
    tally = {row.position: row for row in decision.tally}
    assert tally[Position.CONSENT].weight == Fraction(1)  # trust A's two people weigh one
    assert tally[Position.CONSENT].participants == 2
    assert tally[Position.CONCERN].weight == Fraction(1)
    fairness = {row.organisation: row for row in decision.fairness.organisations}
    assert fairness[TRUST_A].vote_weight_raw == Fraction(2)
    assert fairness[TRUST_A].vote_weight_counted == Fraction(1)
    assert fairness[TRUST_B].vote_weight_counted == Fraction(1)
    assert decision.speaking_cap is None


def test_an_objection_found_not_paramount_cannot_be_raised_again_by_a_detour() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    room.do(AnswerConsent(Position.OBJECT, "I dislike the logo."), CAROL)
    for judge in (ALICE, BOB, FACILITATOR):
        room.do(JudgeObjection(CAROL, paramount=False), judge)
    room.do(SettleObjection(CAROL))
    room.do(AnswerConsent(Position.CONSENT), CAROL)
    assert room.state.consent.objections[CAROL].status is ObjectionStatus.RESOLVED
    with pytest.raises(Rejected) as refused:
        room.do(AnswerConsent(Position.OBJECT, "Still the logo."), CAROL)
    assert refused.value.reason is Reason.CONFLICT


def test_an_objector_may_withdraw_an_upheld_objection() -> None:
    room = given_room(SUPERMAJORITY, round=RoundKind.CONSENT)
    everyone_consents(room, but=(CAROL,))
    room.do(AnswerConsent(Position.OBJECT, "Carers lose respite funding."), CAROL)
    room.do(JudgeObjection(CAROL, paramount=True), BOB)
    room.do(SettleObjection(CAROL))
    assert room.state.consent.objections[CAROL].status is ObjectionStatus.UPHELD
    room.do(AnswerConsent(Position.STAND_ASIDE, "I will not block the partnership."), CAROL)
    assert decision_of(room.do(CloseRound())).outcome is Outcome.CONSENTED
