"""Round weigh_perspectives: perspectives, points, and missing organisations."""

import pytest

from deliberation import PerspectiveKind, Reason, Rejected, RoomRules, RoundKind, view
from deliberation.commands import AllocatePoints, TablePerspective
from deliberation.events import PerspectiveTabled, PointsAllocated
from deliberation.ids import PerspectiveId
from deliberation.records import Allocation
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

P1 = PerspectiveId("p1")
P2 = PerspectiveId("p2")


def weighing() -> object:
    return given_room(round=RoundKind.WEIGH_PERSPECTIVES)


def test_a_perspective_is_tabled_on_behalf_of_the_authors_organisation() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    assert room.do(
        TablePerspective(P1, PerspectiveKind.RISK, "Winter beds close."), BOB, at(1)
    ) == [
        PerspectiveTabled(P1, PerspectiveKind.RISK, "Winter beds close.", TRUST_B, BOB, BOB, at(1))
    ]


def test_perspectives_belong_to_their_round() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    with pytest.raises(Rejected) as refused:
        room.do(TablePerspective(P1, PerspectiveKind.RISK, "x"), BOB)
    assert refused.value.reason is Reason.WRONG_ROUND


def test_a_perspective_needs_text() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    with pytest.raises(Rejected) as refused:
        room.do(TablePerspective(P1, PerspectiveKind.RISK, ""), BOB)
    assert refused.value.reason is Reason.INVALID


def test_organisations_without_a_perspective_are_listed_as_missing() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    assert view(room.state, None)["missing_organisations"] == sorted(
        [BOARD, CHARITY, TRUST_A, TRUST_B]
    )
    room.do(TablePerspective(P1, PerspectiveKind.BENEFIT, "Shared staff."), ALICE)
    room.do(TablePerspective(P2, PerspectiveKind.AFFECTED_GROUP, "Unpaid carers."), CAROL)
    assert view(room.state, None)["missing_organisations"] == [BOARD, TRUST_B]


def test_points_are_distributed_within_the_budget_and_replace_earlier_ones() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    room.do(TablePerspective(P1, PerspectiveKind.BENEFIT, "Shared staff."), ALICE)
    room.do(TablePerspective(P2, PerspectiveKind.RISK, "Beds close."), BOB)
    mine = (Allocation(P1, 3), Allocation(P2, 7))
    assert room.do(AllocatePoints(mine), CAROL, at(5)) == [
        PointsAllocated(CAROL, mine, CAROL, at(5))
    ]
    room.do(AllocatePoints((Allocation(P1, 4),)), AMIR)
    room.do(AllocatePoints((Allocation(P1, 10),)), CAROL)
    assert room.state.weighing.points == {P1: 14, P2: 0}
    listed = view(room.state, CAROL)["perspectives"]
    assert [(p["perspective"], p["points"]) for p in listed] == [(P1, 14), (P2, 0)]


def test_more_points_than_the_budget_are_refused() -> None:
    room = given_room(RoomRules(points_budget=5), round=RoundKind.WEIGH_PERSPECTIVES)
    room.do(TablePerspective(P1, PerspectiveKind.BENEFIT, "Shared staff."), ALICE)
    with pytest.raises(Rejected) as refused:
        room.do(AllocatePoints((Allocation(P1, 6),)), BOB)
    assert refused.value.reason is Reason.OVER_BUDGET


def test_bad_allocations_are_refused() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    room.do(TablePerspective(P1, PerspectiveKind.BENEFIT, "Shared staff."), ALICE)
    cases = [
        ((Allocation(P2, 1),), Reason.NOT_FOUND),
        ((Allocation(P1, -1),), Reason.INVALID),
        ((Allocation(P1, 1), Allocation(P1, 1)), Reason.INVALID),
    ]
    for allocations, reason in cases:
        with pytest.raises(Rejected) as refused:
            room.do(AllocatePoints(allocations), BOB)
        assert refused.value.reason is reason


def test_a_facilitator_allocates_for_someone_in_the_room() -> None:
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    room.do(TablePerspective(P1, PerspectiveKind.BENEFIT, "Shared staff."), ALICE)
    [event] = room.do(AllocatePoints((Allocation(P1, 2),)), FACILITATOR, acting_for=BOB)
    assert isinstance(event, PointsAllocated)
    assert (event.participant, event.by) == (BOB, FACILITATOR)
    assert room.state.weighing.per_organisation == {TRUST_A: 1}
