"""Exception handlers: domain refusals become clear 4xx answers, never 500s.

deliberation.Rejected  -> 409 (403 forbidden, 404 not_found, 422 invalid), {code, message}
pydantic ValidationError (raised past Litestar's own parsing) -> 422
RoomNotFound -> 404, KeyReused -> 409, RoomBusy -> 503 with Retry-After
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from pydantic import ValidationError

import deliberation
from server.rooms.service import KeyReused, RoomBusy, RoomNotFound

REASON_STATUS = {"forbidden": 403, "not_found": 404, "invalid": 422}


def _json(status: int, code: str, message: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response(
        {"status_code": status, "code": code, "message": message, "detail": message, **extra},
        status_code=status,
        media_type=MediaType.JSON,
    )


def rejected(_: Request[Any, Any, Any], error: deliberation.Rejected) -> Response[dict[str, Any]]:
    code = error.reason.value
    return _json(REASON_STATUS.get(code, 409), code, error.message)


def invalid(_: Request[Any, Any, Any], error: ValidationError) -> Response[dict[str, Any]]:
    problems = [
        {"field": ".".join(str(p) for p in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]
    text = "; ".join(f"{p['field'] or 'body'}: {p['message']}" for p in problems[:5])
    return _json(422, "invalid", text, problems=problems)


def no_room(_: Request[Any, Any, Any], _error: RoomNotFound) -> Response[dict[str, Any]]:
    return _json(404, "not_found", "No such room.")


def key_reused(_: Request[Any, Any, Any], error: KeyReused) -> Response[dict[str, Any]]:
    return _json(409, "conflict", str(error))


def busy(_: Request[Any, Any, Any], _error: RoomBusy) -> Response[dict[str, Any]]:
    response = _json(503, "busy", "The room is very busy; try again.")
    response.headers["Retry-After"] = "1"
    return response


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Keep Litestar's shape ({status_code, detail}) and add a code and message."""
    code = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "too_many_requests",
    }.get(error.status_code, "error")
    extra: dict[str, Any] = error.extra if isinstance(error.extra, dict) else {}
    message = error.detail
    if isinstance(error.extra, list) and error.extra:
        problems = [item for item in error.extra if isinstance(item, dict)]
        extra = {"problems": problems}
        message = (
            "; ".join(f"{p.get('key') or 'body'}: {p.get('message')}" for p in problems[:5])
            or message
        )
    return Response(
        {
            "status_code": error.status_code,
            "code": code,
            "message": message,
            "detail": error.detail,
            **extra,
        },
        status_code=error.status_code,
        media_type=MediaType.JSON,
        headers=error.headers,
    )


HANDLERS: dict[Any, Any] = {
    deliberation.Rejected: rejected,
    ValidationError: invalid,
    RoomNotFound: no_room,
    KeyReused: key_reused,
    RoomBusy: busy,
    HTTPException: http_error,
}
