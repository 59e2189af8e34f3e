"""Creating a room, admitting members, roles, removal and rule changes."""

from fractions import Fraction

import pytest

from deliberation import INITIAL, Reason, Rejected, Role, RoomRules, decide
from deliberation.commands import AdmitMember, ChangeRole, ChangeRules, RemoveMember
from deliberation.events import MemberAdmitted, RoleChanged, RoomCreated, RulesChanged
from deliberation.rules import QuorumRule, VoteMode
from tests.builders import (
    ALICE,
    BOARD,
    BOB,
    FACILITATOR,
    OWNER,
    STRANGER,
    TRUST_A,
    at,
    create_room,
    ctx,
    given_room,
    types,
)


def test_creating_a_room_admits_its_owner() -> None:
    events = decide(INITIAL, create_room(), ctx(OWNER, at(0)))
    assert types(events) == ["room.created", "member.admitted"]
    created, owner = events
    assert isinstance(created, RoomCreated)
    assert created.owner == OWNER
    assert owner == MemberAdmitted(
        OWNER, "Owen", BOARD, "Integrated Care Board", Role.OWNER, Fraction(1), OWNER, at(0)
    )


def test_a_room_is_created_once() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(create_room(), OWNER)
    assert refused.value.reason is Reason.CONFLICT


def test_a_room_needs_an_owner_and_a_proposal() -> None:
    with pytest.raises(Rejected) as refused:
        decide(INITIAL, create_room(), ctx(None))
    assert refused.value.reason is Reason.FORBIDDEN
    from dataclasses import replace

    with pytest.raises(Rejected) as refused:
        decide(INITIAL, replace(create_room(), proposal="   "), ctx(OWNER))
    assert refused.value.reason is Reason.INVALID


def test_unusable_rules_are_refused() -> None:
    for rules in (
        RoomRules(speaking_cap=Fraction(0)),
        RoomRules(speaking_cap=Fraction(3, 2)),
        RoomRules(vote_mode=VoteMode.CAPPED),
        RoomRules(points_budget=0),
        RoomRules(speech_limit_ms=0),
        RoomRules(quorum=QuorumRule(-1, 1)),
        RoomRules(objection_supermajority=Fraction(1, 2)),
    ):
        with pytest.raises(Rejected) as refused:
            decide(INITIAL, create_room(rules), ctx(OWNER))
        assert refused.value.reason is Reason.INVALID


def test_commands_to_a_room_that_does_not_exist_are_refused() -> None:
    with pytest.raises(Rejected) as refused:
        decide(INITIAL, AdmitMember(ALICE, "Alice", TRUST_A, "Trust A"), ctx(None))
    assert refused.value.reason is Reason.NOT_FOUND


def test_the_system_or_a_facilitator_admits_members_but_not_a_participant() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(AdmitMember(STRANGER, "Sam", TRUST_A, "Trust A"), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN
    assert types(room.do(AdmitMember(STRANGER, "Sam", TRUST_A, "Trust A"), FACILITATOR)) == [
        "member.admitted"
    ]


def test_a_member_is_admitted_once() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(AdmitMember(ALICE, "Alice", TRUST_A, "Trust A"), None)
    assert refused.value.reason is Reason.CONFLICT


def test_only_an_owner_makes_an_owner() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(ChangeRole(ALICE, Role.OWNER), FACILITATOR)
    assert refused.value.reason is Reason.FORBIDDEN
    assert room.do(ChangeRole(ALICE, Role.OWNER, "co-chair"), OWNER, at(3)) == [
        RoleChanged(ALICE, Role.OWNER, Role.PARTICIPANT, "co-chair", OWNER, at(3))
    ]


def test_the_last_owner_keeps_the_role() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(ChangeRole(OWNER, Role.PARTICIPANT), OWNER)
    assert refused.value.reason is Reason.CONFLICT


def test_removed_members_cannot_act_but_can_be_readmitted() -> None:
    from deliberation.commands import RaiseHand

    room = given_room()
    room.do(RemoveMember(BOB, "Left the partnership."))
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), BOB)
    assert refused.value.reason is Reason.FORBIDDEN
    with pytest.raises(Rejected) as refused:
        room.do(RemoveMember(BOB, "again"))
    assert refused.value.reason is Reason.NOT_FOUND
    room.do(AdmitMember(BOB, "Bob", TRUST_A, "Trust A"), None)
    assert room.state.members[BOB].active


def test_removing_needs_a_reason_and_never_removes_the_owner() -> None:
    room = given_room()
    with pytest.raises(Rejected) as refused:
        room.do(RemoveMember(BOB, ""))
    assert refused.value.reason is Reason.INVALID
    with pytest.raises(Rejected) as refused:
        room.do(RemoveMember(OWNER, "coup"))
    assert refused.value.reason is Reason.CONFLICT


def test_changing_the_rules_is_a_logged_override() -> None:
    room = given_room()
    new = RoomRules(speaking_cap=Fraction(1, 4))
    with pytest.raises(Rejected) as refused:
        room.do(ChangeRules(new, ""))
    assert refused.value.reason is Reason.INVALID
    [changed] = room.do(ChangeRules(new, "Agreed at the start."), FACILITATOR, at(2))
    assert changed == RulesChanged(new, "Agreed at the start.", FACILITATOR, at(2))
    assert changed.is_override
    assert room.state.rules == new
    assert [o.kind for o in room.state.overrides] == ["rules.changed"]


def test_presence_is_marked_by_the_member_or_a_facilitator() -> None:
    from deliberation.commands import MarkPresence
    from deliberation.events import PresenceMarked

    room = given_room()
    assert room.do(MarkPresence(ALICE), ALICE, at(1)) == [PresenceMarked(ALICE, True, ALICE, at(1))]
    with pytest.raises(Rejected) as refused:
        room.do(MarkPresence(ALICE), ALICE)
    assert refused.value.reason is Reason.CONFLICT
    with pytest.raises(Rejected) as refused:
        room.do(MarkPresence(BOB), ALICE)
    assert refused.value.reason is Reason.FORBIDDEN
    room.do(MarkPresence(BOB), FACILITATOR)
    assert room.state.members[BOB].present


def test_rooms_may_require_presence_for_proxy_actions() -> None:
    from deliberation.commands import MarkPresence, RaiseHand

    room = given_room(RoomRules(proxy_needs_presence=True))
    with pytest.raises(Rejected) as refused:
        room.do(RaiseHand(), FACILITATOR, acting_for=BOB)
    assert refused.value.reason is Reason.FORBIDDEN
    room.do(RaiseHand(), ALICE)  # acting for oneself needs no roll call
    room.do(MarkPresence(BOB), FACILITATOR)
    assert types(room.do(RaiseHand(), FACILITATOR, acting_for=BOB)) == ["hand.raised"]
