"""The outputs take the core's own minutes document, not only the hand-made fixtures.

A short meeting is driven through `deliberation.meetings` (attendance, a substitute, a
declared interest, a member leaving, a noted item, an action, a private item), its minutes
drawn by `minutes()` and published by `published_minutes()`, and every renderer and the
record writer must take them as they are.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from record_helpers import BOARD_KEY, case, verify_js, verify_py

import deliberation.meetings as core
from deliberation.meetings import (
    AddAction,
    Attendance,
    DeclareInterest,
    Excludes,
    MarkAttendance,
    NameSubstitute,
    NoteItem,
    OpenMeeting,
    RecordArrival,
    RecordDeparture,
    StartItem,
)
from deliberation.meetings.events import MinutesApproved
from deliberation.vocabulary import PublicationPolicy
from server.meetings.minutes_render import render_html, render_markdown, render_pdf
from server.publication.meeting_record import build_record
from tests.unit.meetings.builders import (
    APOLOGIES,
    BEN,
    CARA,
    CHAIR,
    DECISION,
    FACILITATOR,
    LATER,
    NOTING,
    PRIVATE,
    SUB,
    VICE,
    at,
    given_meeting,
)

SECRET_ACTION = "Tell the losing bidders before Friday"


@pytest.fixture(scope="module")
def state() -> Any:
    meeting = given_meeting()
    meeting.do(OpenMeeting(), when=at(0))
    for member in (CHAIR, VICE, CARA):
        meeting.do(RecordArrival(member), when=at(1))
    meeting.do(MarkAttendance(BEN, Attendance.APOLOGIES), when=at(1))
    meeting.do(NameSubstitute(SUB, "Sam Sub", BEN, organisation_name="Hospital Trust"), when=at(2))
    meeting.do(
        DeclareInterest(CARA, "Her charity bids for the fund", DECISION, Excludes.VOTE), when=at(3)
    )
    meeting.do(StartItem(APOLOGIES), when=at(4))
    meeting.do(core.CloseItem(APOLOGIES), when=at(6))
    meeting.do(StartItem(NOTING), when=at(7))
    meeting.do(NoteItem(NOTING), when=at(8))
    meeting.do(
        AddAction(core.ActionId("act-1"), NOTING, "Circulate the report", "Olu", at(60 * 24 * 7)),
        when=at(9),
    )
    meeting.do(core.CloseItem(NOTING), when=at(10))
    meeting.do(StartItem(PRIVATE), when=at(11))
    meeting.do(
        AddAction(core.ActionId("act-2"), PRIVATE, SECRET_ACTION, "Olu", at(60 * 24)), when=at(12)
    )
    meeting.do(RecordDeparture(CARA), when=at(13))
    return meeting.state


def test_every_renderer_takes_the_cores_draft(state: Any) -> None:
    document = core.minutes(state, {})
    html, markdown = render_html(document), render_markdown(document)
    for text in (html, markdown):
        assert "Board meeting, December" in text
        assert "Sam Sub" in text
        assert "Her charity bids for the fund" in text
        assert "Circulate the report" in text
        assert "Care home contract award" in text
        assert SECRET_ACTION not in text
    assert "Draft minutes" in html
    assert render_pdf(document).startswith(b"%PDF-")


@pytest.mark.parametrize("policy", list(PublicationPolicy))
def test_the_cores_published_copy_renders_and_signs_under_every_policy(
    state: Any, policy: PublicationPolicy
) -> None:
    approved = core.evolve_meeting(
        state, MinutesApproved(LATER, core.ItemId("minutes"), FACILITATOR, at(60 * 24 * 30))
    )
    document = core.published_minutes(core.minutes(approved, {}), policy, True)
    text = json.dumps(document)
    assert SECRET_ACTION not in text
    html = render_html(document)
    assert "Approved minutes" in html
    assert SECRET_ACTION not in html
    if policy is not PublicationPolicy.NAMES:
        assert "Chloe" not in html
        assert "Member 1" in html
    record = build_record(document, [], BOARD_KEY, signed_at=at(60 * 24 * 31) + timedelta(0))
    python = verify_py(case(record))
    (javascript,) = verify_js([case(record)])
    assert python == {key: javascript[key] for key in python}
    assert python["ok"], python["line"]
