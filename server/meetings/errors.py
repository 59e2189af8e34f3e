"""Exception handlers for meetings, beside ``server.errors``' (never a 500 for bad input)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response

from server.meetings.queries import NoSuchMeeting
from server.meetings.service import MeetingBusy, MeetingNotFound


def _json(status: int, code: str, message: str) -> Response[dict[str, Any]]:
    return Response(
        {"status_code": status, "code": code, "message": message, "detail": message},
        status_code=status,
        media_type=MediaType.JSON,
    )


def no_meeting(_: Request[Any, Any, Any], _error: Exception) -> Response[dict[str, Any]]:
    return _json(404, "not_found", "No such meeting.")


def busy(_: Request[Any, Any, Any], _error: MeetingBusy) -> Response[dict[str, Any]]:
    response = _json(503, "busy", "The meeting is very busy; try again.")
    response.headers["Retry-After"] = "1"
    return response


MEETING_HANDLERS: dict[Any, Any] = {
    MeetingNotFound: no_meeting,
    NoSuchMeeting: no_meeting,
    MeetingBusy: busy,
}
