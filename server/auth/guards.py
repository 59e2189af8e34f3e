"""Guards shared by routes and sockets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, WebSocketException
from litestar.handlers.base import BaseRouteHandler

# Close codes for refused sockets (docs/protocol.md).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        if connection.scope["type"] == ScopeType.WEBSOCKET:
            raise WebSocketException(detail="sign in first", code=CLOSE_UNAUTHENTICATED)
        raise NotAuthorizedException("Sign in first.")


def origin_allowed(origin: str, host: str | None, allowed: list[str]) -> bool:
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.netloc == host and parts.scheme in ("http", "https")


def same_origin_socket(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Browsers send Origin on every WebSocket; CSRF and CORS do not cover sockets.

    A socket opened from a foreign page would ride the victim's session cookie, so any
    Origin other than this server's own (or one allowed in settings) is refused.
    Non-browser clients send no Origin and must authenticate with a token or cookie.
    """
    origin = connection.headers.get("origin")
    if origin is None:
        return
    settings = connection.app.state.settings
    if not origin_allowed(origin, connection.headers.get("host"), settings.allowed_origins):
        raise WebSocketException(detail="origin not allowed", code=CLOSE_FORBIDDEN_ORIGIN)
