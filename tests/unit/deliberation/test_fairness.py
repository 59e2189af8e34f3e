"""The fairness report: per organisation floor time and share, contributions, vote weight, overrides."""

from fractions import Fraction

from deliberation import PerspectiveKind, RoomRules, RoundKind, VoteMode, fairness
from deliberation.commands import (
    AddStatement,
    AllocatePoints,
    CloseRound,
    EndSpeech,
    ExtendSpeech,
    GiveFloor,
    HideStatement,
    LiftCap,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    TablePerspective,
)
from deliberation.ids import PerspectiveId, StatementId
from deliberation.records import Allocation, OrganisationFairness
from deliberation.rules import OrganisationBudget
from tests.builders import (
    ALICE,
    AMIR,
    BOARD,
    BOB,
    CAROL,
    CHARITY,
    FACILITATOR,
    TRUST_A,
    TRUST_B,
    at,
    given_room,
)


def rows(report: object) -> dict[str, OrganisationFairness]:
    return {row.organisation: row for row in report.organisations}  # type: ignore[attr-defined]


def test_speaking_time_and_share_per_organisation() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(EndSpeech(), ALICE, at(30))
    room.do(RaiseHand(), BOB)
    room.do(NextSpeaker(), FACILITATOR, at(31))
    room.do(EndSpeech(), BOB, at(41))
    report = fairness(room.state)
    assert report.total_speaking_ms == 40_000
    by_org = rows(report)
    assert (by_org[TRUST_A].speaking_ms, by_org[TRUST_A].speaking_share) == (30_000, Fraction(3, 4))
    assert (by_org[TRUST_B].speaking_ms, by_org[TRUST_B].speaking_share) == (10_000, Fraction(1, 4))
    assert (by_org[CHARITY].speaking_ms, by_org[CHARITY].speaking_share) == (0, Fraction(0))
    assert by_org[TRUST_A].turns == 1
    assert by_org[TRUST_A].members == 2


def test_statements_perspectives_and_points_received_per_organisation() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(StatementId("s1"), "One"), ALICE)
    room.do(AddStatement(StatementId("s2"), "Two"), AMIR)
    room.do(AddStatement(StatementId("s3"), "Three"), BOB)
    room.do(HideStatement(StatementId("s3"), "Off topic."))
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    room.do(TablePerspective(PerspectiveId("p1"), PerspectiveKind.RISK, "Beds."), CAROL)
    room.do(TablePerspective(PerspectiveId("p2"), PerspectiveKind.BENEFIT, "Staff."), ALICE)
    room.do(
        AllocatePoints((Allocation(PerspectiveId("p1"), 6), Allocation(PerspectiveId("p2"), 4))),
        BOB,
    )
    room.do(AllocatePoints((Allocation(PerspectiveId("p1"), 10),)), AMIR)
    by_org = rows(fairness(room.state))
    assert (by_org[TRUST_A].statements, by_org[TRUST_B].statements) == (2, 0)
    assert (by_org[CHARITY].perspectives, by_org[TRUST_A].perspectives) == (1, 1)
    assert (by_org[CHARITY].points_received, by_org[TRUST_A].points_received) == (16, 4)


def test_vote_weight_raw_and_counted_under_the_cap() -> None:
    rules = RoomRules(vote_mode=VoteMode.CAPPED, vote_cap=Fraction(1, 3))
    room = given_room(rules)
    report = fairness(room.state)
    by_org = rows(report)
    # Everyone taking part: board 2 (owner, facilitator), trust A 2, trust B 1, charity 1.
    assert by_org[BOARD].vote_weight_raw == Fraction(2)
    assert by_org[TRUST_A].vote_weight_raw == Fraction(2)
    total = sum((row.vote_weight_counted for row in by_org.values()), Fraction(0))
    for row in by_org.values():
        assert row.vote_weight_counted <= row.vote_weight_raw
        assert row.vote_weight_counted / total <= Fraction(1, 3)
    assert report.vote_cap_applied == Fraction(1, 3)
    assert report.vote_explanation


def test_every_override_is_listed_in_order() -> None:
    room = given_room(RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 60_000),)))
    room.do(RaiseHand(), ALICE)
    room.do(RaiseHand(), BOB)
    room.do(GiveFloor(BOB, "Must leave early."), FACILITATOR, at(1))
    room.do(ExtendSpeech(20_000, "Reading the advice."), FACILITATOR, at(2))
    room.do(LiftCap(TRUST_A, "Presents the budget."), FACILITATOR, at(3))
    report = fairness(room.state)
    assert [(o.kind, o.reason) for o in report.overrides] == [
        ("floor.granted", "Must leave early."),
        ("speech.extended", "Reading the advice."),
        ("cap.lifted", "Presents the budget."),
    ]
    assert rows(report)[TRUST_A].budget_ms == 60_000
