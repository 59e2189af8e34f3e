"""What the console, the member's page and the projector see of a meeting."""

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation import ParticipantId
from deliberation.meetings import (
    ActionId,
    AddAction,
    Board,
    CloseItem,
    DeclareInterest,
    EditNarrative,
    StartItem,
    meeting_event_view,
    view_meeting,
)
from deliberation.vocabulary import PublicationPolicy
from tests.unit.meetings.builders import (
    ANNA,
    APOLOGIES,
    BEN,
    BOARD,
    CHAIR,
    DECISION,
    FACILITATOR,
    PRIVATE,
    QUORATE,
    SECRETARY,
    STRANGER,
    Given,
    at,
    open_with,
)

NOTE = "Bid B scored highest on quality"
ACTION = "Notify the other bidders"
INTEREST = "Director of bidder B"


def private_item_taken(board: Board = BOARD) -> Given:
    meeting = open_with(*QUORATE, board=board)
    meeting.do(StartItem(APOLOGIES), when=at(1))
    meeting.do(CloseItem(APOLOGIES), when=at(4))
    meeting.do(DeclareInterest(BEN, INTEREST, PRIVATE))
    meeting.do(StartItem(PRIVATE), when=at(10))
    meeting.do(AddAction(ActionId("a"), PRIVATE, ACTION, "Olu"))
    meeting.do(EditNarrative(NOTE, "note", PRIVATE), SECRETARY)
    return meeting


def test_insiders_see_the_private_item_and_who_is_out_of_it() -> None:
    meeting = private_item_taken()
    for viewer in (CHAIR, SECRETARY, FACILITATOR):
        seen = view_meeting(meeting.state, viewer)
        text = json.dumps(seen)
        assert NOTE in text
        assert ACTION in text
        assert seen["current"]["excluded"] == [{"member": BEN, "name": "Ben", "interest": INTEREST}]
    console = view_meeting(meeting.state, FACILITATOR)
    assert console["viewer"]["driver"]
    assert not view_meeting(meeting.state, ANNA)["viewer"]["driver"]
    assert view_meeting(meeting.state, SECRETARY)["viewer"]["scribe"]


def test_the_projector_sees_a_private_item_only_as_taken() -> None:
    meeting = private_item_taken()
    for viewer in (None, STRANGER):
        seen = view_meeting(meeting.state, viewer)
        text = json.dumps(seen)
        for secret in (NOTE, ACTION, INTEREST):
            assert secret not in text
        row = next(r for r in seen["agenda"]["items"] if r["id"] == PRIVATE)
        assert row["title"] == "Care home contract award"  # the standing orders allow it
        assert row["current"]
        assert "note" not in row
        assert seen["meeting"]["video_url"] is None
    hidden = private_item_taken(
        replace(BOARD, standing_orders=replace(BOARD.standing_orders, private_titles=False))
    )
    row = next(r for r in view_meeting(hidden.state, None)["agenda"]["items"] if r["id"] == PRIVATE)
    assert row["title"] is None


def test_the_running_order_shows_planned_against_actual() -> None:
    meeting = private_item_taken()
    agenda = view_meeting(meeting.state, None)["agenda"]
    apologies = next(r for r in agenda["items"] if r["id"] == APOLOGIES)
    assert (apologies["planned_minutes"], apologies["actual_minutes"]) == (2, 3)
    assert agenda["planned_minutes"] == sum(r["planned_minutes"] for r in agenda["items"])
    assert agenda["actual_minutes"] == 3
    assert view_meeting(meeting.state, None)["quorum"] == {"held": True, "missing": []}


def test_outsiders_see_no_names_unless_the_policy_is_names() -> None:
    orders = replace(BOARD.standing_orders, publication=PublicationPolicy.ORGANISATIONS)
    meeting = private_item_taken(replace(BOARD, standing_orders=orders))
    public = json.dumps(view_meeting(meeting.state, None))
    for name in ("Chloe", "Victor", '"anna"', '"ben"'):
        assert name not in public
    assert "Chloe" in json.dumps(view_meeting(meeting.state, ANNA))


def test_events_about_a_private_item_are_not_relayed_to_outsiders() -> None:
    meeting = private_item_taken()
    relayed = [meeting_event_view(meeting.state, e, None) for e in meeting.events]
    text = json.dumps([r for r in relayed if r is not None])
    for secret in (NOTE, ACTION, INTEREST):
        assert secret not in text
    assert any(r and r["type"] == "item.started" and r["item"] == PRIVATE for r in relayed)
    inside = [meeting_event_view(meeting.state, e, CHAIR) for e in meeting.events]
    assert all(r is not None for r in inside)
    assert NOTE in json.dumps(inside)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([None, CHAIR, SECRETARY, STRANGER, ANNA, ParticipantId(DECISION)]))
def test_the_view_is_json_safe_for_every_viewer(viewer: ParticipantId | None) -> None:
    meeting = private_item_taken()
    json.dumps(view_meeting(meeting.state, viewer))
