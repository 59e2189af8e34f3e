"""ASGI entry point for uvicorn: ``uvicorn server.asgi:create_app --factory``."""

from __future__ import annotations

from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from server.app import create_app as _create_app

RAW_SEND = "evenfloor.raw_send"


def create_app() -> ASGIApp:
    app = _create_app()

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        # Room sockets send every event through this, skipping the middleware stack's
        # send wrappers (session, exception capture), which do nothing for a frame once the
        # socket is accepted but cost about 40% of each delivery (measured with py-spy).
        if scope["type"] == ScopeType.WEBSOCKET:
            cast(dict[str, Any], scope)[RAW_SEND] = send
        await app(scope, receive, send)

    return asgi
