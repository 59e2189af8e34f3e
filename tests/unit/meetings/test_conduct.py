"""Running a meeting: opening, items one at a time, quorum at close, actions, the narrative,
adjourning, closing, and the approval of the minutes by a later meeting."""

from dataclasses import replace

from deliberation import Reason
from deliberation.meetings import (
    ActionId,
    AddAction,
    AddItem,
    AdjournMeeting,
    ApproveMinutes,
    CloseItem,
    CloseMeeting,
    CompleteAction,
    DeclareInterest,
    DeferItem,
    EditNarrative,
    ItemId,
    ItemKind,
    ItemStatus,
    MeetingStatus,
    NoteItem,
    OpenMeeting,
    RecordArrival,
    RecordDeparture,
    StartItem,
    matters_arising,
)
from deliberation.meetings.events import ItemStarted
from tests.unit.meetings.builders import (
    ANNA,
    APOLOGIES,
    BEN,
    CARA,
    CHAIR,
    DECISION,
    DISCUSSION,
    LATER,
    MINUTES,
    NOTING,
    OFFICER,
    PRIVATE,
    QUORATE,
    SECRETARY,
    STRANGER,
    VICE,
    Given,
    at,
    given_meeting,
    open_with,
    refused,
    schedule,
    types,
)


def test_items_wait_for_the_meeting_to_open() -> None:
    meeting = given_meeting()
    early = refused(meeting, StartItem(APOLOGIES))
    assert early.reason is Reason.CONFLICT
    assert "scheduled, not open" in early.message
    assert types(meeting.do(OpenMeeting())) == ["meeting.opened"]
    assert refused(meeting, OpenMeeting()).reason is Reason.CONFLICT


def test_one_item_at_a_time_with_its_planned_and_actual_times() -> None:
    meeting = open_with(*QUORATE)
    started = meeting.do(StartItem(APOLOGIES), when=at(1))
    assert isinstance(started[0], ItemStarted)
    assert refused(meeting, StartItem(MINUTES)).reason is Reason.CONFLICT
    assert refused(meeting, CloseItem(MINUTES)).reason is Reason.CONFLICT
    meeting.do(CloseItem(APOLOGIES), when=at(4))
    item = meeting.state.items[APOLOGIES]
    assert (item.started_at, item.ended_at, item.planned_minutes) == (at(1), at(4), 2)
    assert item.status is ItemStatus.CLOSED
    assert refused(meeting, StartItem(APOLOGIES)).reason is Reason.CONFLICT
    assert refused(meeting, StartItem(ItemId("nope"))).reason is Reason.NOT_FOUND
    assert refused(meeting, StartItem(MINUTES), SECRETARY).reason is Reason.FORBIDDEN


def test_a_decision_item_does_not_close_without_quorum_and_says_what_is_missing() -> None:
    meeting = open_with(*QUORATE)
    meeting.do(StartItem(DECISION))
    meeting.do(RecordDeparture(VICE))
    meeting.do(RecordDeparture(BEN))
    error = refused(meeting, CloseItem(DECISION))
    assert error.reason is Reason.NO_QUORUM
    assert error.message == "The item cannot close without quorum: missing a member from the NHS."
    assert meeting.state.current == DECISION


def test_the_items_quorum_leaves_out_its_conflicted_members_at_close() -> None:
    meeting = open_with(CHAIR, ANNA, BEN, CARA)
    meeting.do(DeclareInterest(BEN, "Director of a bidder", PRIVATE))
    meeting.do(StartItem(PRIVATE))
    error = refused(meeting, CloseItem(PRIVATE))
    assert error.reason is Reason.NO_QUORUM
    assert "a member from the NHS" in error.message
    meeting.do(RecordArrival(VICE))
    assert types(meeting.do(CloseItem(PRIVATE))) == ["item.closed"]


def test_the_previous_minutes_need_quorum_too_but_discussion_does_not() -> None:
    meeting = open_with(CHAIR)
    meeting.do(StartItem(MINUTES))
    assert refused(meeting, CloseItem(MINUTES)).reason is Reason.NO_QUORUM
    meeting.do(AdjournMeeting("No quorum"))
    assert meeting.state.status is MeetingStatus.ADJOURNED
    assert refused(meeting, CloseItem(MINUTES)).reason is Reason.CONFLICT
    reconvened = meeting.do(OpenMeeting())
    assert reconvened[0].reconvened  # type: ignore[union-attr]
    meeting.do(DeferItem(MINUTES, "No quorum"))
    meeting.do(StartItem(DISCUSSION))
    assert types(meeting.do(CloseItem(DISCUSSION))) == ["item.closed"]


def test_noting_an_item() -> None:
    meeting = open_with(*QUORATE)
    assert refused(meeting, NoteItem(DECISION)).reason is Reason.INVALID
    assert types(meeting.do(NoteItem(NOTING))) == ["item.noted"]
    assert meeting.state.items[NOTING].noted
    assert refused(meeting, NoteItem(NOTING)).reason is Reason.CONFLICT


def test_adjourn_needs_a_reason_and_an_open_meeting() -> None:
    meeting = given_meeting()
    assert refused(meeting, AdjournMeeting("Fire alarm")).reason is Reason.CONFLICT
    meeting.do(OpenMeeting())
    assert refused(meeting, AdjournMeeting("")).reason is Reason.INVALID


def test_closing_the_meeting_waits_for_the_open_item_and_then_refuses_everything() -> None:
    meeting = open_with(*QUORATE)
    meeting.do(StartItem(APOLOGIES))
    waiting = refused(meeting, CloseMeeting())
    assert waiting.reason is Reason.CONFLICT
    assert "Apologies" in waiting.message
    meeting.do(CloseItem(APOLOGIES))
    assert types(meeting.do(CloseMeeting())) == ["meeting.closed"]
    assert refused(meeting, StartItem(MINUTES)).reason is Reason.CONFLICT
    assert refused(meeting, OpenMeeting()).reason is Reason.CONFLICT


def test_actions_are_added_and_completed_by_clerks() -> None:
    meeting = open_with(*QUORATE)
    add = AddAction(
        ActionId("a1"), DECISION, "Draft the fund agreement", "Olu", at(60 * 24 * 14), OFFICER
    )
    assert refused(meeting, add, ANNA).reason is Reason.FORBIDDEN
    assert types(meeting.do(add, SECRETARY)) == ["action.added"]
    assert refused(meeting, add).reason is Reason.CONFLICT
    assert (
        refused(meeting, AddAction(ActionId("a2"), DECISION, " ", "Olu")).reason is Reason.INVALID
    )
    assert refused(meeting, AddAction(ActionId("a2"), DECISION, "x", "")).reason is Reason.INVALID
    assert (
        refused(meeting, AddAction(ActionId("a2"), ItemId("x"), "x", "y")).reason
        is Reason.NOT_FOUND
    )
    meeting.do(CompleteAction(ActionId("a1"), "Sent"))
    assert meeting.state.actions[ActionId("a1")].done
    assert refused(meeting, CompleteAction(ActionId("a1"))).reason is Reason.CONFLICT
    assert refused(meeting, CompleteAction(ActionId("zz"))).reason is Reason.NOT_FOUND


def test_open_actions_come_back_as_matters_arising_with_overdue_ones_marked() -> None:
    meeting = open_with(*QUORATE)
    meeting.do(AddAction(ActionId("late"), DECISION, "Late one", "Olu", at(60)))
    meeting.do(
        AddAction(ActionId("soon"), DECISION, "Due next month", "Ben", at(60 * 24 * 60), BEN)
    )
    meeting.do(AddAction(ActionId("undated"), DISCUSSION, "Whenever", "Cara"))
    meeting.do(AddAction(ActionId("done"), DECISION, "Done", "Anna"))
    meeting.do(AddAction(ActionId("secret"), PRIVATE, "Tell bidders", "Olu", at(30)))
    meeting.do(CompleteAction(ActionId("done")))
    next_start = at(60 * 24 * 30)
    arising = matters_arising(meeting.state.actions.values(), next_start)
    assert [a.action for a in arising] == ["secret", "late", "soon", "undated"]
    assert {a.action: a.overdue for a in arising} == {
        "secret": True,
        "late": True,
        "soon": False,
        "undated": False,
    }
    assert [a.private for a in arising] == [True, False, False, False]
    assert all(a.meeting == meeting.state.meeting.meeting for a in arising)  # type: ignore[union-attr]


def test_carried_actions_become_the_next_meetings_to_complete() -> None:
    earlier = open_with(*QUORATE)
    earlier.do(AddAction(ActionId("a1"), DECISION, "Draft it", "Olu", at(60)))
    arising = matters_arising(earlier.state.actions.values(), at(60 * 24 * 30))
    later = Given()
    later.do(schedule(meeting=LATER), None)
    later.do(
        AddItem(ItemId("arising"), "Matters arising", ItemKind.MATTERS_ARISING, arising=arising)
    )
    carried = later.state.actions[ActionId("a1")]
    assert carried.carried_from == earlier.state.meeting.meeting  # type: ignore[union-attr]
    assert carried.item == ItemId("arising")
    later.do(OpenMeeting())
    later.do(CompleteAction(ActionId("a1")))
    assert later.state.actions[ActionId("a1")].done
    duplicate = refused(
        later,
        AddItem(ItemId("again"), "Again", ItemKind.MATTERS_ARISING, arising=(replace(arising[0]),)),
    )
    assert duplicate.reason is Reason.CONFLICT


def test_only_the_narrative_is_edited_and_only_by_its_scribes() -> None:
    meeting = open_with(*QUORATE)
    fact = refused(meeting, EditNarrative("Consented", "outcome", DECISION), SECRETARY)
    assert fact.reason is Reason.FORBIDDEN
    assert "'outcome' is a fact from the log" in fact.message
    assert refused(meeting, EditNarrative("Hello"), CHAIR).reason is Reason.FORBIDDEN
    assert types(meeting.do(EditNarrative("A good meeting."), SECRETARY)) == ["narrative.edited"]
    assert meeting.state.summary == "A good meeting."
    assert refused(meeting, EditNarrative("A good meeting."), SECRETARY).reason is Reason.CONFLICT
    assert refused(meeting, EditNarrative("x", "note"), SECRETARY).reason is Reason.INVALID
    assert refused(meeting, EditNarrative("x", "summary", DECISION), SECRETARY).reason is (
        Reason.INVALID
    )
    assert refused(meeting, EditNarrative("x", "note", ItemId("no")), SECRETARY).reason is (
        Reason.NOT_FOUND
    )
    meeting.do(EditNarrative("Introduced by Anna.", "note", DECISION))  # the facilitator
    assert meeting.state.items[DECISION].note == "Introduced by Anna."


def test_minutes_are_approved_once_by_a_later_meeting_and_are_then_final() -> None:
    meeting = open_with(*QUORATE)
    assert refused(meeting, ApproveMinutes(LATER, MINUTES), None).reason is Reason.CONFLICT
    meeting.do(CloseMeeting())
    meeting.do(EditNarrative("Written after.", "summary"), SECRETARY)  # allowed after close
    assert refused(
        meeting, ApproveMinutes(meeting.state.meeting.meeting, MINUTES), None
    ).reason is (  # type: ignore[union-attr]
        Reason.INVALID
    )
    assert refused(meeting, ApproveMinutes(LATER, MINUTES), STRANGER).reason is Reason.FORBIDDEN
    assert types(meeting.do(ApproveMinutes(LATER, MINUTES), None, at(60 * 24 * 30))) == [
        "minutes.approved"
    ]
    assert (meeting.state.approved_in, meeting.state.approved_at) == (LATER, at(60 * 24 * 30))
    assert refused(meeting, ApproveMinutes(LATER, MINUTES), None).reason is Reason.CONFLICT
    final = refused(meeting, EditNarrative("Changed."), SECRETARY)
    assert final.reason is Reason.CONFLICT
    assert "final" in final.message
