"""Refusals for bad input across commands, and the smaller paths of the contract."""

from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from deliberation import (
    INITIAL,
    Context,
    PerspectiveKind,
    Position,
    PublicationPolicy,
    Reaction,
    Reason,
    Rejected,
    Role,
    RoomRules,
    RoundKind,
    decide,
    event_view,
    evolve,
    is_override,
    replay,
    view,
)
from deliberation.commands import (
    AddStatement,
    AdmitMember,
    AnswerConsent,
    ChangeRole,
    ChangeRules,
    CloseRound,
    ExtendSpeech,
    HideStatement,
    LowerHand,
    MarkPresence,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    TablePerspective,
    WithdrawDissent,
)
from deliberation.events import FloorGranted, HandRaised
from deliberation.ids import DissentId, PerspectiveId, StatementId
from deliberation.rules import OrganisationBudget, QuorumRule, RoundDeadline
from deliberation.vocabulary import Mode
from tests.builders import (
    ALICE,
    BOB,
    CAROL,
    FACILITATOR,
    OWNER,
    T0,
    TRUST_A,
    at,
    create_room,
    ctx,
    given_room,
)


def refused(room: object, command: object, actor: object = FACILITATOR, **kw: object) -> Reason:
    with pytest.raises(Rejected) as caught:
        room.do(command, actor, **kw)  # type: ignore[attr-defined]
    return caught.value.reason


def test_every_event_folds_one_at_a_time_as_replay_does() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    state = INITIAL
    for event in room.events:
        state = evolve(state, event)
    assert state == replay(room.events) == room.state


def test_time_without_a_zone_is_refused() -> None:
    with pytest.raises(Rejected) as caught:
        decide(INITIAL, create_room(), Context(OWNER, datetime(2026, 1, 1)))
    assert caught.value.reason is Reason.INVALID


def test_ids_must_not_be_blank() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    assert refused(room, AddStatement(StatementId(" "), "Text"), ALICE) is Reason.INVALID
    room = given_room(round=RoundKind.WEIGH_PERSPECTIVES)
    assert refused(room, TablePerspective(PerspectiveId(""), PerspectiveKind.RISK, "x"), ALICE) is (
        Reason.INVALID
    )
    room.do(TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "x"), ALICE)
    assert refused(room, TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "y"), BOB) is (
        Reason.CONFLICT
    )
    room = given_room(round=RoundKind.RECORD_DISSENT)
    assert refused(room, RecordDissent(DissentId(""), "No."), ALICE) is Reason.INVALID
    room.do(RecordDissent(DissentId("d"), "No."), ALICE)
    assert refused(room, RecordDissent(DissentId("d"), "No."), BOB) is Reason.CONFLICT
    with pytest.raises(Rejected) as caught:
        decide(INITIAL, replace(create_room(), organisation=" "), ctx(OWNER))
    assert caught.value.reason is Reason.INVALID


def test_bad_admissions_are_refused() -> None:
    room = given_room()
    assert refused(room, AdmitMember(" ", "Sam", TRUST_A, "Trust A"), None) is Reason.INVALID  # type: ignore[arg-type]
    assert refused(
        room, AdmitMember("sam", "Sam", TRUST_A, "Trust A", vote_weight=Fraction(0)), None
    ) is (  # type: ignore[arg-type]
        Reason.INVALID
    )
    assert refused(room, ChangeRole(ALICE, Role.PARTICIPANT)) is Reason.CONFLICT
    assert refused(room, ChangeRules(RoomRules(), "Same again.")) is Reason.CONFLICT


def test_more_unusable_rules_are_refused() -> None:
    for rules in (
        RoomRules(vote_cap=Fraction(2)),
        RoomRules(organisation_budgets=(OrganisationBudget(TRUST_A, 0),)),
        RoomRules(statement_max_length=0),
        RoomRules(reminder_before_ms=-1),
    ):
        with pytest.raises(Rejected) as caught:
            decide(INITIAL, create_room(rules), ctx(OWNER))
        assert caught.value.reason is Reason.INVALID
    twice = (
        RoundDeadline(RoundKind.CONSENT, T0 + timedelta(days=1)),
        RoundDeadline(RoundKind.CONSENT, T0 + timedelta(days=2)),
    )
    with pytest.raises(Rejected) as caught:
        decide(INITIAL, create_room(deadlines=twice), ctx(OWNER))
    assert caught.value.reason is Reason.INVALID


def test_floor_refusals_for_bad_input() -> None:
    room = given_room()
    assert refused(room, LowerHand(), None) is Reason.INVALID
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    assert refused(room, ExtendSpeech(0, "Why not.")) is Reason.INVALID


def test_a_long_consent_comment_is_refused() -> None:
    room = given_room(RoomRules(text_max_length=100), round=RoundKind.CONSENT)
    assert refused(room, AnswerConsent(Position.CONSENT, "x" * 101), ALICE) is Reason.INVALID


def test_a_statement_is_hidden_once() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(StatementId("s"), "Text"), ALICE)
    room.do(HideStatement(StatementId("s"), "Off topic."))
    assert refused(room, HideStatement(StatementId("s"), "Again.")) is Reason.CONFLICT


def test_a_proxy_withdrawal_needs_presence_where_the_room_asks_for_it() -> None:
    room = given_room(RoomRules(proxy_needs_presence=True), round=RoundKind.RECORD_DISSENT)
    room.do(RecordDissent(DissentId("d"), "No."), CAROL)
    assert refused(room, WithdrawDissent(DissentId("d")), acting_for=CAROL) is Reason.FORBIDDEN
    room.do(MarkPresence(CAROL), CAROL)
    assert room.do(WithdrawDissent(DissentId("d")), acting_for=CAROL)


def test_override_events_are_marked() -> None:
    room = given_room()
    [raised] = room.do(RaiseHand(), ALICE)
    assert isinstance(raised, HandRaised)
    assert not is_override(raised)
    granted = FloorGranted(
        ALICE, TRUST_A, raised.kind, "override", None, "Why.", FACILITATOR, T0, True
    )
    assert is_override(granted)


def test_the_view_shows_the_speech_in_progress_and_reaction_counts() -> None:
    room = given_room(round=RoundKind.SURFACE_CONFLICT)
    room.do(AddStatement(StatementId("s"), "Text"), ALICE)
    room.do(React(StatementId("s"), Reaction.AGREE), BOB)
    room.do(React(StatementId("s"), Reaction.DISAGREE), CAROL)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker(), FACILITATOR, at(10))
    picture = view(room.state, ALICE)
    assert picture["floor"]["speech"]["participant"] == ALICE
    assert picture["floor"]["speech"]["ends_at"] == at(190).isoformat()
    [statement] = picture["statements"]
    assert (statement["agree"], statement["disagree"], statement["pass"]) == (1, 1, 0)
    assert picture["my_reactions"] == {}
    assert view(room.state, BOB)["my_reactions"] == {"s": "agree"}


def test_relayed_reactions_acceptances_and_decisions_follow_the_policy() -> None:
    from deliberation.commands import AcceptStatement

    rules = RoomRules(premoderate_statements=True)
    room = given_room(
        rules, publication=PublicationPolicy.ANONYMOUS, round=RoundKind.SURFACE_CONFLICT
    )
    room.do(AddStatement(StatementId("s"), "Text"), ALICE)
    [accepted] = room.do(AcceptStatement(StatementId("s")))
    assert event_view(room.state, accepted, BOB)["statement_record"]["text"] == "Text"
    [reaction] = room.do(React(StatementId("s"), Reaction.AGREE), CAROL)
    assert "participant" not in event_view(room.state, reaction, BOB)
    room.do(CloseRound())
    for kind in (RoundKind.WEIGH_PERSPECTIVES, RoundKind.RECORD_DISSENT):
        room.do(OpenRound(kind))
        room.do(CloseRound())
    room.do(OpenRound(RoundKind.CONSENT))
    room.do(AnswerConsent(Position.CONCERN, "Costs."), CAROL)
    events = room.do(CloseRound())
    decision = event_view(room.state, events[-1], BOB)
    assert [set(a) & {"participant", "organisation"} for a in decision["answers"]] == [set()]
    assert event_view(room.state, events[-1], FACILITATOR)["answers"][0]["participant"] == CAROL


def test_reminders_name_who_has_not_taken_part_in_each_round() -> None:
    from deliberation.commands import AllocatePoints, Tick
    from deliberation.events import ReminderDue

    day = timedelta(days=1)
    plan = tuple(RoundDeadline(kind, T0 + (i + 1) * 3 * day) for i, kind in enumerate(RoundKind))
    room = given_room(mode=Mode.ASYNCHRONOUS, deadlines=plan, round=None)
    room.do(Tick(), None, T0 + 3 * day)  # weigh_perspectives opens
    room.do(
        TablePerspective(PerspectiveId("p"), PerspectiveKind.RISK, "Beds."), ALICE, T0 + 4 * day
    )
    room.do(AllocatePoints(()), BOB, T0 + 4 * day)
    [weigh] = room.do(Tick(), None, T0 + 5 * day)
    assert isinstance(weigh, ReminderDue)
    assert ALICE not in weigh.waiting_on
    assert BOB not in weigh.waiting_on
    room.do(Tick(), None, T0 + 6 * day)  # record_dissent opens
    [dissent] = room.do(Tick(), None, T0 + 8 * day)
    assert isinstance(dissent, ReminderDue)
    assert dissent.waiting_on == ()
    room.do(Tick(), None, T0 + 9 * day)  # consent opens
    room.do(AnswerConsent(Position.CONSENT), CAROL, T0 + 10 * day)
    [consent] = room.do(Tick(), None, T0 + 11 * day)
    assert isinstance(consent, ReminderDue)
    assert CAROL not in consent.waiting_on


def test_quorum_of_zero_lets_an_empty_consent_round_close() -> None:
    room = given_room(RoomRules(quorum=QuorumRule(0, 0)), round=RoundKind.CONSENT)
    [_, decision] = room.do(CloseRound())
    assert decision.outcome.value == "consented"  # type: ignore[attr-defined]
