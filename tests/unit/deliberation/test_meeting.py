"""A whole hybrid board meeting through the core, read as the story of one decision."""

from fractions import Fraction

from deliberation import (
    DissentKind,
    ObjectionRule,
    Outcome,
    PerspectiveKind,
    Position,
    Reaction,
    RoomRules,
    RoundKind,
    SpeechKind,
    VoteMode,
    event_type,
    is_override,
    view,
)
from deliberation.commands import (
    AddStatement,
    AllocatePoints,
    AmendProposal,
    AnswerConsent,
    CloseRound,
    EndSpeech,
    GiveFloor,
    MarkPresence,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    TablePerspective,
    Tick,
)
from deliberation.events import DecisionReached, FloorGranted
from deliberation.ids import DissentId, PerspectiveId, StatementId
from deliberation.records import Allocation
from deliberation.vocabulary import ObjectionStatus
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    CHARITY,
    FACILITATOR,
    TRUST_A,
    TRUST_B,
    at,
    given_room,
)

RULES = RoomRules(
    speaking_cap=Fraction(2, 5),
    speech_limit_ms=120_000,
    # This meeting's chair lets speakers finish: the cap's clock (test_speaking_time_cap.py)
    # would otherwise cut Alice's opening 90 s while Carol waits.
    cap_grace_ms=600_000,
    vote_mode=VoteMode.CAPPED,
    vote_cap=Fraction(2, 5),
    objection_rule=ObjectionRule.FACILITATOR_INTEGRATES_ONLY,
    proxy_needs_presence=True,
)


def test_a_hybrid_meeting_from_first_statement_to_consent() -> None:
    room = given_room(RULES)
    room.do(MarkPresence(CAROL), FACILITATOR, at(0))  # Carol is in the room, without a device

    # Round 1: surface conflict, with a speaker list running alongside.
    room.do(OpenRound(RoundKind.SURFACE_CONFLICT), FACILITATOR, at(1))
    room.do(AddStatement(StatementId("s1"), "Pooling helps the smallest partners."), ALICE, at(2))
    room.do(
        AddStatement(StatementId("s2"), "Respite care will be squeezed."),
        FACILITATOR,
        at(3),
        acting_for=CAROL,
    )
    room.do(React(StatementId("s1"), Reaction.AGREE), BOB, at(4))
    room.do(React(StatementId("s2"), Reaction.AGREE), FACILITATOR, at(5), acting_for=CAROL)
    room.do(RaiseHand(), ALICE, at(6))
    room.do(NextSpeaker(), FACILITATOR, at(7))
    room.do(RaiseHand(), AMIR, at(8))  # Trust A again
    room.do(RaiseHand(), FACILITATOR, at(9), acting_for=CAROL)
    room.do(EndSpeech(), ALICE, at(97))  # Trust A: 90 s, 100 % of the floor
    granted, _ = room.do(NextSpeaker(), FACILITATOR, at(98))
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (CAROL, "least-floor-time-org")
    room.do(Tick(), None, at(98 + 121))  # Carol's speech reaches its 2-minute limit
    granted, _ = room.do(NextSpeaker(), FACILITATOR, at(220))
    assert isinstance(granted, FloorGranted)
    assert (granted.participant, granted.rule) == (AMIR, "only-one-waiting")
    room.do(EndSpeech(), AMIR, at(250))
    room.do(RaiseHand(SpeechKind.SPEECH), BOB, at(251))
    room.do(GiveFloor(BOB, "Trust B's finance lead must leave."), FACILITATOR, at(252))
    room.do(EndSpeech(), BOB, at(262))
    room.do(CloseRound(), FACILITATOR, at(300))

    # Round 2: weigh perspectives.
    room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES), FACILITATOR, at(301))
    room.do(
        TablePerspective(PerspectiveId("p1"), PerspectiveKind.AFFECTED_GROUP, "Unpaid carers."),
        CAROL,
        at(302),
    )
    room.do(
        TablePerspective(PerspectiveId("p2"), PerspectiveKind.BENEFIT, "Shared staff bank."),
        ALICE,
        at(303),
    )
    assert view(room.state, None)["missing_organisations"] == ["board", TRUST_B]
    room.do(
        AllocatePoints((Allocation(PerspectiveId("p1"), 7), Allocation(PerspectiveId("p2"), 3))),
        BOB,
        at(304),
    )
    room.do(CloseRound(), FACILITATOR, at(305))

    # Round 3: record dissent.
    room.do(OpenRound(RoundKind.RECORD_DISSENT), FACILITATOR, at(306))
    room.do(
        RecordDissent(
            DissentId("d1"), "Carers were consulted too late.", DissentKind.MINORITY_VIEW
        ),
        CAROL,
        at(307),
    )
    room.do(CloseRound(), FACILITATOR, at(308))

    # Round 4: consent; an objection is integrated by amendment, then consent with a concern.
    room.do(OpenRound(RoundKind.CONSENT), FACILITATOR, at(309))
    for who in (ALICE, AMIR, BOB):
        room.do(AnswerConsent(Position.CONSENT), who, at(310))
    room.do(
        AnswerConsent(Position.OBJECT, "Respite care must be ring-fenced."),
        FACILITATOR,
        at(311),
        acting_for=CAROL,
    )
    room.do(
        AmendProposal(
            "Pool the funds; ring-fence respite care.", "Integrates Carol's objection.", (CAROL,)
        ),
        FACILITATOR,
        at(312),
    )
    for who in (ALICE, AMIR):
        room.do(AnswerConsent(Position.CONSENT), who, at(313))
    room.do(AnswerConsent(Position.CONCERN, "Review the ring-fence in a year."), BOB, at(314))
    room.do(AnswerConsent(Position.CONSENT), FACILITATOR, at(315), acting_for=CAROL)
    [_, decision] = room.do(CloseRound(), FACILITATOR, at(316))

    assert isinstance(decision, DecisionReached)
    assert decision.outcome is Outcome.CONSENTED_WITH_CONCERNS
    assert (decision.consent_round, decision.proposal_version) == (2, 2)
    assert [(o.objector, o.status, o.amendment) for o in decision.objections] == [
        (CAROL, ObjectionStatus.INTEGRATED, 2)
    ]
    assert [d.dissent for d in decision.dissents] == [DissentId("d1")]
    carol = next(a for a in decision.answers if a.participant == CAROL)
    assert carol.by == FACILITATOR  # recorded for her by the facilitator
    fairness = {row.organisation: row for row in decision.fairness.organisations}
    assert fairness[TRUST_A].speaking_ms == 120_000
    assert fairness[CHARITY].speaking_ms == 120_000
    assert fairness[TRUST_B].speaking_ms == 10_000
    assert fairness[CHARITY].points_received == 7
    assert [o.kind for o in decision.fairness.overrides] == ["floor.granted"]
    overrides = [event_type(e) for e in room.events if is_override(e)]
    assert overrides == ["floor.granted"]
    assert room.rebuilt() == room.state
