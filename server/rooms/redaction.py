"""What each viewer may see of each event, encoded once per kind of viewer.

``deliberation.event_view`` is the gate (pending statements to their author and the
facilitators, hidden statements' reasons to facilitators, answers and reactions under
the room's publication policy). Calling it for every socket would cost one JSON encoding
per delivery; its answer depends only on whether the viewer facilitates and whether the
event is the viewer's own (and, for ballots, on the viewer), so frames are encoded once
per such class. ``tests/server/test_redaction.py`` checks the classes against calling the
gate for every viewer.

Events are judged against the room's current state (the one the server holds), not the
state just after each event: catch-up after a reconnect then costs a read of the missed
range, not a replay of the room's history.
"""

from __future__ import annotations

import json
from typing import Any

import deliberation
from server.rooms.chain import format_time
from server.rooms.codec import load_event
from server.rooms.event_store import StoredEvent

FACILITATING = frozenset({deliberation.Role.OWNER, deliberation.Role.FACILITATOR})


def viewer_class(state: Any, event: Any, viewer: str | None) -> tuple[Any, ...]:
    member = state.members.get(viewer) if viewer is not None else None
    moderator = member is not None and member.active and member.role in FACILITATING
    own = viewer is not None and viewer == getattr(event, "participant", None)
    if deliberation.event_type(event) == "ballot.cast":
        return (moderator, own, viewer)
    return (moderator, own)


def frame(stored: StoredEvent, data: Any) -> str:
    body = {
        "type": "event",
        "seq": stored.seq,
        "event": stored.type if data is not None else "redacted",
        "data": data if data is not None else {},
        "actor": stored.actor_id if data is not None else None,
        "acting_for": stored.acting_for if data is not None else None,
        "at": format_time(stored.occurred_at),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class Renderer:
    """Frames of one stored event for any number of viewers."""

    def __init__(self, state: Any, stored: StoredEvent) -> None:
        self.state = state
        self.stored = stored
        self.event = load_event(stored.type, stored.payload)
        self._messages: dict[tuple[Any, ...], dict[str, Any]] = {}

    def for_viewer(self, viewer: str | None) -> str:
        text: str = self.message_for(viewer)["text"]
        return text

    def message_for(self, viewer: str | None) -> dict[str, Any]:
        """The viewer's frame as an ASGI ``websocket.send`` message, built once per class
        and shared by every socket of that class (servers only read the message)."""
        key = viewer_class(self.state, self.event, viewer)
        cached = self._messages.get(key)
        if cached is None:
            data = deliberation.event_view(
                self.state, self.event, deliberation.ParticipantId(viewer) if viewer else None
            )
            text = frame(self.stored, data)
            cached = self._messages[key] = {"type": "websocket.send", "text": text}
        return cached

    def data_for(self, viewer: str | None) -> Any:
        return deliberation.event_view(
            self.state, self.event, deliberation.ParticipantId(viewer) if viewer else None
        )
