"""Edges of the floor, the fold and the JSON writer that the main stories do not reach."""

from datetime import timedelta
from fractions import Fraction

import pytest

from deliberation import Reaction, Reason, Rejected, RoomRules, RoundKind, SpeechKind, to_json
from deliberation.commands import (
    AcceptStatement,
    AddStatement,
    GiveFloor,
    HideStatement,
    NextSpeaker,
    RaiseHand,
    React,
    Tick,
)
from deliberation.events import ReminderDue
from deliberation.ids import StatementId
from deliberation.rules import OrganisationBudget, RoundDeadline
from deliberation.vocabulary import Mode
from tests.builders import ALICE, AMIR, BOB, FACILITATOR, T0, TRUST_A, at, given_room


def test_giving_the_floor_past_a_spent_budget_is_refused_until_the_cap_is_lifted() -> None:
    room = given_room(RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 1_000),)))
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(0))
    room.do(RaiseHand(), AMIR, at(0.5))
    room.do(Tick(), None, at(2))
    with pytest.raises(Rejected) as refused:
        room.do(GiveFloor(AMIR, "Please."), FACILITATOR, at(3))
    assert refused.value.reason is Reason.OVER_CAP
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), AMIR, at(4))
    assert room.do(GiveFloor(AMIR, "Procedure.", SpeechKind.POINT_OF_ORDER), FACILITATOR, at(5))


def test_the_system_must_name_whom_it_acts_for() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), None)
    assert refused.value.reason is Reason.FORBIDDEN
    assert room.do(RaiseHand(), None, acting_for=BOB)


def test_a_hidden_statement_accepted_again_counts_again() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(StatementId("s"), "Text"), ALICE)
    room.do(HideStatement(StatementId("s"), "Misread."))
    assert room.state.surface.per_organisation == {TRUST_A: 0}
    room.do(AcceptStatement(StatementId("s")))
    assert room.state.surface.per_organisation == {TRUST_A: 1}
    assert room.rebuilt() == room.state


def test_a_surface_reminder_leaves_out_who_reacted() -> None:
    day = timedelta(days=1)
    plan = tuple(RoundDeadline(k, T0 + (i + 2) * day) for i, k in enumerate(RoundKind))
    room = given_room(mode=Mode.ASYNCHRONOUS, deadlines=plan)
    room.do(AddStatement(StatementId("s"), "Text"), ALICE, T0 + timedelta(hours=1))
    room.do(React(StatementId("s"), Reaction.PASS), BOB, T0 + timedelta(hours=2))
    [reminder] = room.do(Tick(), None, T0 + day)
    assert isinstance(reminder, ReminderDue)
    assert ALICE not in reminder.waiting_on
    assert BOB not in reminder.waiting_on


def test_to_json_writes_mappings_sets_and_fractions_and_refuses_the_rest() -> None:
    assert to_json({"a": Fraction(1, 3)}) == {"a": "1/3"}
    assert to_json(frozenset({"b", "a"})) == ["a", "b"]
    assert to_json((T0,)) == [T0.isoformat()]
    with pytest.raises(TypeError):
        to_json(object())
