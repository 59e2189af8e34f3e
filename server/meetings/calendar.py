"""Meetings as iCalendar (RFC 5545): one file per meeting, and a feed of a board's meetings.

Pure functions of plain data: a `CalendarMeeting` (build one from the meeting's fold with
`from_state`, or by hand) in, the bytes of a `.ics` out. Nothing here reads the database or
the clock, so the same file can be served at `/meetings/{id}/meeting.ics`, attached to an
invitation email by the notifications, and checked in tests.

What calendar programs rely on, and how it is met:

- `UID` is the meeting's id under Evenfloor's domain, the same in every file and feed, so an
  update replaces the entry instead of adding a second one.
- `SEQUENCE` counts the meeting's revisions (each `meeting.changed`, and its cancellation),
  so a client takes the newer copy; `DTSTAMP` is when the file was made, `LAST-MODIFIED`
  when the meeting last changed.
- Times carry their zone (`TZID=Europe/London`) with a `VTIMEZONE` built from the zone
  database for the years the file spans, so "10:00 in London" stays 10:00 in London across
  a change of summer time; an unknown zone falls back to UTC.
- A cancelled meeting stays in the feed with `STATUS:CANCELLED`, which removes it from
  subscribers' calendars; a scheduled one is `CONFIRMED`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

PRODID = "-//Evenfloor//Board meetings//EN"
UID_DOMAIN = "evenfloor"
ICS_MEDIA_TYPE = "text/calendar"


@dataclass(frozen=True, slots=True)
class CalendarMeeting:
    """What a calendar entry says about one meeting (times aware; `agenda` item titles).

    `url` is the meeting's page, `video_url` the call; `updated_at` when it last changed.
    Private items' titles belong in `agenda` only where the board lets them be published.
    """

    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str = "UTC"
    place: str = ""
    video_url: str = ""
    url: str = ""
    board: str = ""
    agenda: Sequence[str] = field(default_factory=tuple)
    sequence: int = 0
    cancelled: bool = False
    updated_at: datetime | None = None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment!r} has no time zone; pass an aware datetime")
    return moment


def uid(meeting_id: str) -> str:
    """The meeting's UID: the same in every file and feed, whatever changes."""
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def _description(meeting: CalendarMeeting) -> str:
    lines = []
    if meeting.board:
        lines.append(meeting.board)
    if meeting.agenda:
        lines += ["", "Agenda:"]
        lines += [f"{number}. {title}" for number, title in enumerate(meeting.agenda, start=1)]
    if meeting.video_url:
        lines += ["", f"Video call: {meeting.video_url}"]
    if meeting.url:
        lines += ["", f"Meeting page: {meeting.url}"]
    return "\n".join(lines).strip("\n")


def meeting_event(meeting: CalendarMeeting, *, stamp: datetime) -> Event:
    """The VEVENT of one meeting; `stamp` (aware) is when the calendar file is made."""
    zone = _zone(meeting.timezone)
    # iCalendar times have whole seconds: drop the rest here, not in some client.
    starts = _aware(meeting.starts_at, "starts_at").astimezone(zone).replace(microsecond=0)
    ends = (
        _aware(meeting.ends_at, "ends_at").astimezone(zone).replace(microsecond=0)
        if meeting.ends_at is not None
        else starts + timedelta(hours=1)
    )
    event = Event()
    event.add("uid", uid(meeting.id))
    event.add("dtstamp", _aware(stamp, "stamp").astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", max(ends, starts))
    event.add("summary", meeting.title)
    event.add("sequence", max(0, meeting.sequence))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    location = meeting.place or meeting.video_url
    if location:
        event.add("location", location)
    link = meeting.video_url or meeting.url
    if link:
        event.add("url", link)
    description = _description(meeting)
    if description:
        event.add("description", description)
    if meeting.updated_at is not None:
        event.add("last-modified", _aware(meeting.updated_at, "updated_at").astimezone(UTC))
    return event


def _calendar(name: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _finish(calendar: Calendar, meetings: Sequence[CalendarMeeting]) -> bytes:
    if meetings:
        first = min(m.starts_at for m in meetings).date() - timedelta(days=366)
        last = max((m.ends_at or m.starts_at) for m in meetings).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = calendar.to_ical()
    return data


def meeting_calendar(meeting: CalendarMeeting, *, stamp: datetime) -> bytes:
    """A `.ics` file holding the one meeting (with its VTIMEZONE)."""
    calendar = _calendar(None)
    calendar.add_component(meeting_event(meeting, stamp=stamp))
    return _finish(calendar, [meeting])


def board_feed(name: str, meetings: Iterable[CalendarMeeting], *, stamp: datetime) -> bytes:
    """A `.ics` feed of a board's meetings (cancelled ones kept, marked CANCELLED)."""
    ordered = sorted(meetings, key=lambda m: (m.starts_at, m.id))
    calendar = _calendar(name)
    for meeting in ordered:
        calendar.add_component(meeting_event(meeting, stamp=stamp))
    return _finish(calendar, ordered)


# -- from what the shell holds ---------------------------------------------------------------


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def from_minutes(
    meeting: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]] = (),
    *,
    sequence: int = 0,
    cancelled: bool = False,
    url: str = "",
    updated_at: datetime | None = None,
) -> CalendarMeeting:
    """A `CalendarMeeting` from the `meeting` part of a minutes document and its items.

    Items are the agenda in order; a private item is listed by its title only if it has
    one (as published under the board's `private_titles`), else as "Private item".
    """
    starts = _when(meeting.get("starts_at"))
    if starts is None:
        raise ValueError("the meeting has no start time")
    board = meeting.get("board")
    agenda = [
        str(item.get("title") or ("Private item" if item.get("private") else "Item"))
        for item in items
    ]
    return CalendarMeeting(
        id=str(meeting["id"]),
        title=str(meeting.get("title") or "Meeting"),
        starts_at=starts,
        ends_at=_when(meeting.get("ends_at")),
        timezone=str(meeting.get("timezone") or "UTC"),
        place=str(meeting.get("place") or ""),
        video_url=str(meeting.get("video_url") or ""),
        url=url,
        board=str(board.get("name") or "") if isinstance(board, Mapping) else "",
        agenda=tuple(agenda),
        sequence=sequence,
        cancelled=cancelled,
        updated_at=updated_at,
    )


def from_state(
    state: Any,
    *,
    sequence: int = 0,
    url: str = "",
    private_titles: bool | None = None,
    updated_at: datetime | None = None,
) -> CalendarMeeting:
    """A `CalendarMeeting` from a meeting's fold (`deliberation.meetings.MeetingState`).

    Deferred items leave the agenda. A private item is listed by its title when
    `private_titles` (default: the board's standing orders say so), else as "Private item";
    pass `private_titles=True` for the members' own calendars. A meeting not scheduled
    raises ValueError.
    """
    meeting = state.meeting
    if meeting is None:
        raise ValueError("the meeting is not scheduled")
    if private_titles is None:
        private_titles = bool(getattr(meeting.board.standing_orders, "private_titles", False))
    agenda = tuple(
        item.title if (not item.private or private_titles) else "Private item"
        for _number, item in state.numbered()
        if getattr(item.status, "value", item.status) != "deferred"
    )
    status = getattr(state.status, "value", state.status)
    return CalendarMeeting(
        id=str(meeting.meeting),
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        timezone=meeting.timezone,
        place=meeting.place,
        video_url=meeting.video_url,
        url=url,
        board=meeting.board.name,
        agenda=agenda,
        sequence=sequence,
        cancelled=status == "cancelled",
        updated_at=updated_at,
    )
