"""The meeting pages' view-models (no database): what the projector's model may hold.

The projector shows the room what the public would see. Under any publication policy and
any choice of private items, its model holds no private item's description, note or
declared interest, no private title unless the standing orders publish them, and no
member's name unless the policy publishes names.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.meetings import (
    AddItem,
    Attendance,
    DeclareInterest,
    EditNarrative,
    MarkAttendance,
    OpenMeeting,
    StartItem,
)
from deliberation.vocabulary import PublicationPolicy
from server.meetings.projection import meeting_view
from server.web.meeting_views import meeting_model
from tests.unit.meetings.builders import (
    ANNA,
    BOARD,
    CHAIR,
    FACILITATOR,
    MEMBERS,
    SECRETARY,
    Given,
    at,
    schedule,
    standard_items,
)

NOW = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)


def secret(item: str, what: str) -> str:
    return f"SECRET-{what}-{item}"


def meeting(private: frozenset[str], policy: PublicationPolicy, titles: bool) -> Given:
    orders = dataclasses.replace(BOARD.standing_orders, publication=policy, private_titles=titles)
    given = Given()
    given.do(schedule(dataclasses.replace(BOARD, standing_orders=orders)), actor=None)
    for add in standard_items():
        hidden = add.item in private
        given.do(
            AddItem(
                add.item,
                secret(add.item, "title") if hidden else add.title,
                add.kind,
                add.planned_minutes,
                private=hidden,
                description=secret(add.item, "description"),
                approves=add.approves,
            )
        )
    given.do(OpenMeeting())
    for member in MEMBERS:
        given.do(MarkAttendance(member.member, Attendance.PRESENT_IN_ROOM), actor=SECRETARY)
    for add in standard_items():
        given.do(
            DeclareInterest(ANNA, secret(add.item, "interest"), add.item), actor=ANNA, when=at(1)
        )
        given.do(
            EditNarrative(secret(add.item, "note"), part="note", item=add.item),
            actor=SECRETARY,
        )
    return given


ITEMS = [add.item for add in standard_items()]


@settings(max_examples=40)
@given(
    private=st.frozensets(st.sampled_from(ITEMS)),
    policy=st.sampled_from(list(PublicationPolicy)),
    titles=st.booleans(),
    current=st.sampled_from(ITEMS),
)
def test_the_projector_model_holds_nothing_the_public_may_not_see(
    private: frozenset[str], policy: PublicationPolicy, titles: bool, current: str
) -> None:
    given = meeting(private, policy, titles)
    given.do(StartItem(current), actor=FACILITATOR)
    view = meeting_view(given.state)
    public = json.dumps(meeting_model(view, 1, me=None, now=NOW, public=True))
    members = json.dumps(meeting_model(view, 1, me=CHAIR, now=NOW))
    for item in ITEMS:
        for what in ("description", "note", "interest"):
            hidden = secret(item, what)
            assert hidden in members  # the board's members see everything
            if item in private:
                assert hidden not in public, (item, what)
        if item in private and not titles:
            assert secret(item, "title") not in public
    for member in MEMBERS:
        if policy is not PublicationPolicy.NAMES:
            assert member.name not in public, member.name
    if policy is PublicationPolicy.NAMES and current not in private:
        assert "Anna" in public  # out of the current item, and named, as the policy allows
