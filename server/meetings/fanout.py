"""A meeting's events on its sockets: the rooms' hub (``server.rooms.fanout``) with one
frame per event for everyone. Every viewer of a meeting socket is a member of its board,
and members see the whole meeting (private items too); the public reads minutes only."""

from __future__ import annotations

import json
from typing import Any

from server.rooms.chain import format_time
from server.rooms.event_store import StoredEvent

MEETINGS_CHANNEL = "evenfloor_meetings"


class MeetingRenderer:
    def __init__(self, _state: Any, stored: StoredEvent) -> None:
        self.stored = stored
        self._message: dict[str, Any] | None = None

    def message_for(self, _viewer: str | None) -> dict[str, Any]:
        if self._message is None:
            stored = self.stored
            text = json.dumps(
                {
                    "type": "event",
                    "seq": stored.seq,
                    "event": stored.type,
                    "data": stored.payload,
                    "actor": stored.actor_id,
                    "acting_for": stored.acting_for,
                    "at": format_time(stored.occurred_at),
                },
                separators=(",", ":"),
                ensure_ascii=False,
            )
            self._message = {"type": "websocket.send", "text": text}
        return self._message

    def for_viewer(self, viewer: str | None) -> str:
        text: str = self.message_for(viewer)["text"]
        return text


def meeting_notification(meeting_id: Any, seq: int, origin: str | None = None) -> str:
    """As ``rooms.fanout.notification``, keyed ``room`` so the hub reads it alike; it goes
    on the meetings' own channel."""
    note: dict[str, Any] = {"room": str(meeting_id), "seq": seq}
    if origin is not None:
        note["from"] = origin
    return json.dumps(note)
