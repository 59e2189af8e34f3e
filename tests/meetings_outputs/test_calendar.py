"""iCalendar files of meetings, parsed back with `icalendar` and read as raw RFC 5545 lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from minutes_fixtures import MEETING_ID, approved, published

from server.meetings.calendar import (
    CalendarMeeting,
    board_feed,
    from_minutes,
    meeting_calendar,
    uid,
)

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)
MEETING = CalendarMeeting(
    id="m-1",
    title="Health and Wellbeing Board",
    starts_at=datetime(2027, 1, 14, 10, 0, tzinfo=UTC),
    ends_at=datetime(2027, 1, 14, 12, 30, tzinfo=UTC),
    timezone="Europe/London",
    place="Council Chamber, County Hall",
    video_url="https://meet.example.org/hwb",
    url="https://evenfloor.example.org/meetings/m-1",
    board="Northshire Health and Wellbeing Board",
    agenda=("Apologies", "Joint carers' strategy; 2027, phase 1", "Any other business"),
    sequence=2,
    updated_at=datetime(2027, 1, 1, 8, 0, tzinfo=UTC),
)


def events(data: bytes) -> list[object]:
    return Calendar.from_ical(data).walk("VEVENT")


def test_one_meeting_round_trips_with_every_field() -> None:
    data = meeting_calendar(MEETING, stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Evenfloor//")
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid("m-1") == "meeting-m-1@evenfloor"
    assert event.decoded("DTSTAMP") == STAMP
    start = event.decoded("DTSTART")
    assert start == datetime(2027, 1, 14, 10, 0, tzinfo=UTC)
    assert str(start.tzinfo) == "Europe/London"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTEND") - start == timedelta(hours=2, minutes=30)
    assert str(event["SUMMARY"]) == "Health and Wellbeing Board"
    assert str(event["LOCATION"]) == "Council Chamber, County Hall"
    assert str(event["URL"]) == "https://meet.example.org/hwb"
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("LAST-MODIFIED") == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    description = str(event["DESCRIPTION"])
    assert "1. Apologies\n2. Joint carers' strategy; 2027, phase 1\n3. Any other business" in (
        description
    )
    assert "https://evenfloor.example.org/meetings/m-1" in description
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_the_file_is_rfc_5545_text() -> None:
    """CRLF line endings, lines folded at 75 octets, escaped text, the right order."""
    data = meeting_calendar(MEETING, stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in b"".join(lines)
    unfolded = data.replace(b"\r\n ", b"").decode()
    assert "DTSTART;TZID=Europe/London:20270114T100000" in unfolded
    assert "DTSTAMP:20270102T093000Z" in unfolded
    assert "Joint carers' strategy\\; 2027\\, phase 1" in unfolded
    assert unfolded.index("BEGIN:VTIMEZONE") < unfolded.index("BEGIN:VEVENT")


def test_summer_time_keeps_local_wall_clock() -> None:
    summer = replace(
        MEETING,
        starts_at=datetime(2027, 7, 1, 9, 0, tzinfo=UTC),
        ends_at=datetime(2027, 7, 1, 11, 0, tzinfo=UTC),
    )
    unfolded = meeting_calendar(summer, stamp=STAMP).replace(b"\r\n ", b"").decode()
    assert "DTSTART;TZID=Europe/London:20270701T100000" in unfolded
    (event,) = events(meeting_calendar(summer, stamp=STAMP))
    assert event.decoded("DTSTART") == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)


def test_a_change_bumps_sequence_and_keeps_the_uid() -> None:
    before = events(meeting_calendar(MEETING, stamp=STAMP))[0]
    moved = replace(
        MEETING,
        starts_at=MEETING.starts_at + timedelta(days=7),
        ends_at=MEETING.ends_at + timedelta(days=7),  # type: ignore[operator]
        place="Room 2",
        sequence=MEETING.sequence + 1,
    )
    after = events(meeting_calendar(moved, stamp=STAMP))[0]
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1
    assert str(after["LOCATION"]) == "Room 2"


def test_a_cancelled_meeting_says_so() -> None:
    cancelled = replace(MEETING, cancelled=True, sequence=3)
    (event,) = events(meeting_calendar(cancelled, stamp=STAMP))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3


def test_an_unknown_zone_falls_back_to_utc_and_a_missing_end_to_an_hour() -> None:
    odd = replace(MEETING, timezone="Mars/Olympus", ends_at=None, place="", video_url="", url="")
    data = meeting_calendar(odd, stamp=STAMP)
    (event,) = events(data)
    assert event.decoded("DTSTART") == MEETING.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert "LOCATION" not in event
    assert "URL" not in event
    assert b"Mars" not in data


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        meeting_calendar(replace(MEETING, starts_at=datetime(2027, 1, 14, 10)), stamp=STAMP)


def test_the_board_feed_holds_every_meeting_in_order() -> None:
    later = replace(
        MEETING,
        id="m-2",
        title="March meeting",
        starts_at=datetime(2027, 3, 11, 10, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 11, 12, 0, tzinfo=UTC),
        cancelled=True,
    )
    other_zone = replace(MEETING, id="m-3", title="Paris", timezone="Europe/Paris")
    data = board_feed("Northshire HWB", [later, MEETING, other_zone], stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Northshire HWB"
    found = [(str(e["UID"]), str(e["STATUS"])) for e in calendar.walk("VEVENT")]
    assert found == [
        (uid("m-1"), "CONFIRMED"),
        (uid("m-3"), "CONFIRMED"),
        (uid("m-2"), "CANCELLED"),
    ]
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == [
        "Europe/London",
        "Europe/Paris",
    ]


def test_an_empty_board_feed_is_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(board_feed("Empty", [], stamp=STAMP))
    assert calendar.walk("VEVENT") == []


def test_from_the_minutes_document() -> None:
    document = published(approved(), private_titles=False)
    meeting = from_minutes(document["meeting"], document["items"], sequence=1)
    assert meeting.id == MEETING_ID
    assert meeting.agenda[7] == "Private item"
    assert meeting.agenda[4] == "Joint carers' strategy 2027-2030"
    (event,) = events(meeting_calendar(meeting, stamp=STAMP))
    assert str(event["URL"]) == "https://meet.example.org/hwb-2027-01"
    assert "Contract award" not in str(event["DESCRIPTION"])


@settings(max_examples=40, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
    ),
    agenda=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), max_size=6
    ),
    start=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
)
def test_any_title_and_agenda_round_trip(title: str, agenda: list[str], start: datetime) -> None:
    meeting = replace(
        MEETING,
        title=title,
        agenda=tuple(agenda),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    (event,) = events(meeting_calendar(meeting, stamp=STAMP))
    assert str(event["SUMMARY"]) == title
    assert event.decoded("DTSTART") == start.replace(microsecond=0)
    for number, item in enumerate(agenda, start=1):
        assert f"{number}. {item}" in str(event["DESCRIPTION"])


def test_from_the_cores_fold() -> None:
    """Deferred items leave the agenda; private titles follow the standing orders."""
    from dataclasses import replace as changed

    from deliberation.meetings import DeferItem
    from tests.unit.meetings.builders import BOARD, DISCUSSION, ORDERS, given_meeting

    meeting = given_meeting()
    meeting.do(DeferItem(DISCUSSION, "The report is late"))
    from server.meetings.calendar import from_state

    entry = from_state(meeting.state, sequence=4, url="https://example.org/m")
    assert entry.id == "m-2026-12"
    assert entry.sequence == 4
    assert entry.timezone == "Europe/London"
    assert entry.board == "Health and Wellbeing Board"
    assert "Winter pressures" not in entry.agenda  # deferred
    assert "Care home contract award" in entry.agenda  # the board publishes private titles
    hidden = given_meeting(changed(BOARD, standing_orders=changed(ORDERS, private_titles=False)))
    public = from_state(hidden.state)
    assert "Care home contract award" not in public.agenda
    assert "Private item" in public.agenda
    assert "Care home contract award" in from_state(hidden.state, private_titles=True).agenda
    (event,) = events(meeting_calendar(entry, stamp=STAMP))
    assert str(event["SUMMARY"]) == "Board meeting, December"
