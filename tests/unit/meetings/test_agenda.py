"""Scheduling a meeting and keeping its agenda: items, urgency, order, deferral, publication."""

from dataclasses import replace
from datetime import datetime

import pytest

from deliberation import Reason, Rejected
from deliberation.meetings import (
    INITIAL_MEETING,
    ActionId,
    AddItem,
    AddUrgentItem,
    ArisingAction,
    Board,
    ChangeMeeting,
    DeferItem,
    ItemId,
    ItemKind,
    ItemStatus,
    PublishAgenda,
    QuorumRule,
    ReorderItems,
    StandingOrders,
    StartItem,
    deferred_item,
)
from tests.unit.meetings.builders import (
    AOB,
    APOLOGIES,
    BOARD,
    CHAIR,
    DECISION,
    EARLIER,
    LATER,
    MEETING,
    MEMBERS,
    NOTING,
    SECRETARY,
    STRANGER,
    Given,
    at,
    given_meeting,
    open_with,
    refused,
    schedule,
    standard_items,
    types,
)


def test_a_meeting_is_scheduled_with_the_boards_snapshot() -> None:
    meeting = Given()
    events = meeting.do(schedule(), actor=None)
    assert types(events) == ["meeting.scheduled"]
    state = meeting.state
    assert state.meeting is not None
    assert state.meeting.board == BOARD
    assert state.meeting.timezone == "Europe/London"
    assert state.member(CHAIR) == MEMBERS[0]


def test_scheduling_refuses_what_cannot_be_a_meeting() -> None:
    meeting = given_meeting(items=False)
    assert refused(meeting, schedule()).reason is Reason.CONFLICT
    fresh = Given()
    cases: list[tuple[dict[str, object], str]] = [
        ({"title": "  "}, "title"),
        ({"ends_at": at(-5)}, "end before it starts"),
        ({"starts_at": datetime(2026, 12, 10, 14, 0)}, "time zone"),
        ({"timezone": ""}, "time zone"),
        ({"board": replace(BOARD, members=())}, "members"),
        ({"board": replace(BOARD, members=(*MEMBERS, MEMBERS[0]))}, "members"),
        (
            {"board": replace(BOARD, standing_orders=StandingOrders(QuorumRule(-1)))},
            "negative",
        ),
    ]
    for changes, words in cases:
        error = refused(fresh, schedule(**changes), None)
        assert error.reason is Reason.INVALID, changes
        assert words in error.message, (changes, error.message)


def test_every_command_before_scheduling_is_not_found() -> None:
    meeting = Given()
    error = refused(meeting, PublishAgenda(), None)
    assert error.reason is Reason.NOT_FOUND
    assert meeting.state is INITIAL_MEETING


def test_items_are_added_in_order_and_the_version_counts_changes() -> None:
    meeting = given_meeting()
    assert [i.item for _, i in meeting.state.numbered()] == standard_ids()
    assert meeting.state.order[0] == APOLOGIES
    assert meeting.state.agenda_version == len(standard_items())
    numbers = [n for n, _ in meeting.state.numbered()]
    assert numbers == list(range(1, len(standard_items()) + 1))


def standard_ids() -> list[ItemId]:
    return [c.item for c in standard_items()]


def test_add_item_refusals() -> None:
    meeting = given_meeting()
    assert refused(meeting, AddItem(APOLOGIES, "Again", ItemKind.NOTING)).reason is Reason.CONFLICT
    assert refused(meeting, AddItem(ItemId("x"), " ", ItemKind.NOTING)).reason is Reason.INVALID
    negative = refused(meeting, AddItem(ItemId("x"), "X", ItemKind.NOTING, -1))
    assert "negative" in negative.message
    approves = refused(meeting, AddItem(ItemId("x"), "X", ItemKind.NOTING, approves=EARLIER))
    assert approves.reason is Reason.INVALID
    arising = ArisingAction(ActionId("a"), "Do it", "Olu", None, EARLIER, ItemId("i"), False)
    wrong = refused(meeting, AddItem(ItemId("x"), "X", ItemKind.NOTING, arising=(arising,)))
    assert wrong.reason is Reason.INVALID
    assert refused(meeting, AddItem(ItemId("x"), "X", ItemKind.NOTING), SECRETARY).reason is (
        Reason.FORBIDDEN
    )
    assert refused(meeting, AddItem(ItemId("x"), "X", ItemKind.NOTING), STRANGER).reason is (
        Reason.FORBIDDEN
    )


def test_the_chair_drives_too() -> None:
    meeting = given_meeting()
    assert types(meeting.do(AddItem(ItemId("x"), "X", ItemKind.NOTING), CHAIR)) == ["item.added"]


def test_after_publication_only_urgent_items_with_a_reason_are_added() -> None:
    meeting = given_meeting()
    assert types(meeting.do(PublishAgenda())) == ["agenda.published"]
    assert refused(meeting, PublishAgenda()).reason is Reason.CONFLICT
    late = refused(meeting, AddItem(ItemId("late"), "Late", ItemKind.DECISION))
    assert late.reason is Reason.CONFLICT
    assert "urgent" in late.message
    no_reason = refused(meeting, AddUrgentItem(ItemId("u"), "Grant", ItemKind.DECISION, " "))
    assert no_reason.reason is Reason.INVALID
    meeting.do(
        AddUrgentItem(
            ItemId("u"), "Grant", ItemKind.DECISION, "Offer ends Friday", 10, after=DECISION
        )
    )
    order = meeting.state.order
    assert order[order.index(DECISION) + 1] == ItemId("u")
    assert meeting.state.items[ItemId("u")].urgent_reason == "Offer ends Friday"
    unknown = refused(
        meeting, AddUrgentItem(ItemId("v"), "V", ItemKind.DECISION, "Why", after=ItemId("nope"))
    )
    assert unknown.reason is Reason.NOT_FOUND


def test_publishing_an_empty_agenda_is_refused() -> None:
    assert refused(given_meeting(items=False), PublishAgenda()).reason is Reason.CONFLICT


def test_reorder_needs_every_item_once_and_the_current_version() -> None:
    meeting = given_meeting()
    order = meeting.state.order
    new = (order[1], order[0], *order[2:])
    version = meeting.state.agenda_version
    assert types(meeting.do(ReorderItems(new, version))) == ["agenda.reordered"]
    assert meeting.state.order == new
    race = refused(meeting, ReorderItems(order, version))  # made from the old agenda
    assert race.reason is Reason.CONFLICT
    assert f"version {version + 1}" in race.message
    now = meeting.state.agenda_version
    assert refused(meeting, ReorderItems(new[:-1], now)).reason is Reason.INVALID
    assert refused(meeting, ReorderItems((*new, new[0]), now)).reason is Reason.INVALID
    assert refused(meeting, ReorderItems(new, now)).reason is Reason.CONFLICT  # unchanged


def test_an_item_added_between_two_reorders_makes_the_second_conflict() -> None:
    meeting = given_meeting()
    seen = meeting.state.agenda_version
    meeting.do(AddItem(ItemId("x"), "X", ItemKind.NOTING))
    order = meeting.state.order
    assert refused(meeting, ReorderItems(tuple(reversed(order)), seen)).reason is Reason.CONFLICT


def test_defer_an_item_with_its_history() -> None:
    meeting = given_meeting()
    no_reason = refused(meeting, DeferItem(NOTING, ""))
    assert no_reason.reason is Reason.INVALID
    assert refused(meeting, DeferItem(NOTING, "why", MEETING)).reason is Reason.INVALID
    assert refused(meeting, DeferItem(ItemId("nope"), "why")).reason is Reason.NOT_FOUND
    assert types(meeting.do(DeferItem(NOTING, "Report not ready", LATER))) == ["item.deferred"]
    item = meeting.state.items[NOTING]
    assert item.status is ItemStatus.DEFERRED
    assert item.deferred_to == LATER
    assert [h.what for h in item.history] == ["added", "deferred"]
    assert refused(meeting, DeferItem(NOTING, "again")).reason is Reason.CONFLICT
    carried = deferred_item(meeting.state, NOTING, ItemId("report-2"))
    assert carried.history == item.history
    assert (carried.title, carried.kind) == (item.title, item.kind)
    with pytest.raises(Rejected) as not_deferred:
        deferred_item(meeting.state, AOB, ItemId("x"))
    assert not_deferred.value.reason is Reason.CONFLICT


def test_deferring_the_open_item_closes_it_for_this_meeting() -> None:
    meeting = open_with(CHAIR)
    meeting.do(StartItem(DECISION))
    meeting.do(DeferItem(DECISION, "Papers late"))
    assert meeting.state.current is None
    item = meeting.state.items[DECISION]
    assert item.deferred_to_next
    assert item.ended_at is not None


def test_change_meeting_needs_a_reason_and_a_change() -> None:
    meeting = given_meeting()
    assert refused(meeting, ChangeMeeting(" ", place="Elsewhere")).reason is Reason.INVALID
    assert refused(meeting, ChangeMeeting("why")).reason is Reason.INVALID
    assert refused(meeting, ChangeMeeting("why", ends_at=at(-60))).reason is Reason.INVALID
    events = meeting.do(ChangeMeeting("Room flooded", place="Library", starts_at=at(30)))
    assert types(events) == ["meeting.changed"]
    assert meeting.state.meeting is not None
    assert (meeting.state.meeting.place, meeting.state.meeting.starts_at) == ("Library", at(30))


def test_a_board_without_a_name_is_refused() -> None:
    board = Board(BOARD.board, " ", MEMBERS)
    assert refused(Given(), schedule(board), None).reason is Reason.INVALID
