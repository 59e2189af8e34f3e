"""The meeting as its members see it: the folded state as JSON, with the quorum now.

Members of the board see the whole meeting, private (Part 2) items included; the public
sees only the published minutes (``queries.minutes_document(published=True)``).
"""

from __future__ import annotations

from typing import Any

import deliberation.meetings as core
from server.meetings.codec import to_json


def quorum_json(status: core.QuorumStatus) -> dict[str, Any]:
    return {"held": status.held, "missing": list(status.missing)}


def meeting_view(state: core.MeetingState) -> dict[str, Any]:
    view: dict[str, Any] = to_json(state)
    view["quorum"] = quorum_json(core.quorum(state))
    view["agenda"] = [
        {
            "number": number,
            "id": item.item,
            "title": item.title,
            "kind": item.kind.value,
            "status": item.status.value,
            "private": item.private,
            "room": item.room,
            "quorum": quorum_json(core.quorum(state, item.item)),
        }
        for number, item in state.numbered()
    ]
    return view
