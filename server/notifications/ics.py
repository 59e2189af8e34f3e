"""A minimal iCalendar (RFC 5545) event, for meeting messages whose caller has no .ics.

The meetings feature may hand its own bytes to ``enqueue_for_meeting_event``; this builds
one from plain data otherwise. ``sequence`` must grow with every change of the same
meeting (``uid``) so calendars replace the earlier copy instead of adding one.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("meeting times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(
    *,
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    stamp: datetime,
    sequence: int = 0,
    location: str = "",
    url: str = "",
    organizer: str = "",
    cancelled: bool = False,
) -> bytes:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("meeting times must be timezone-aware")
    if end <= start:
        raise ValueError("a meeting must end after it starts")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Evenfloor//Meetings//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{_escape(uid)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape(title)}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if url:
        lines.append(f"URL:{url}")
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
