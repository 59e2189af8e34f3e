"""A meeting's event stream: the rooms' event store over ``meetings`` and ``meeting_events``.

Same compare-and-set append, hash chain (keyed ``meeting``) and per-process fold cache as a
room's (``server.rooms.event_store``); only the tables and the core differ.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

import deliberation.meetings as core
from server.db.tables import Meeting, MeetingEvent
from server.meetings.codec import dump_event, load_event
from server.rooms.event_store import Stream

MEETINGS = cast(Table, Meeting.__table__)
MEETING_EVENTS = cast(Table, MeetingEvent.__table__)


def _never_secret(_event: object) -> bool:
    return False  # a meeting has no secret ballots: its votes are in the items' rooms


MEETING = Stream(
    name="meeting",
    heads=MEETINGS,
    events=MEETING_EVENTS,
    key="meeting_id",
    dump=dump_event,
    load=load_event,
    evolve=core.evolve_meeting,
    initial=core.INITIAL_MEETING,
    is_secret=_never_secret,
)
