"""Who is asking: a bearer API token (scripts) or the session cookie (browsers).

A request that carries ``Authorization: Bearer`` is judged by the token alone and needs no
CSRF token (no browser attaches it by itself); every other unsafe request goes through
Litestar's CSRF middleware.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select

from deliberation import ParticipantId
from server.db.tables import ApiToken, User


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: uuid.UUID
    email: str
    display_name: str
    via_token: bool = False

    @property
    def participant_id(self) -> ParticipantId:
        return ParticipantId(str(self.id))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization", "")
    if value.lower().startswith("bearer "):
        return str(value[7:].strip()) or None
    return None


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        sessions = connection.app.state.sessions
        token = bearer_token(connection.headers) or (
            connection.query_params.get("token")
            if connection.scope["type"] == ScopeType.WEBSOCKET
            else None
        )
        async with sessions() as session:
            if token:
                row = (
                    await session.execute(
                        select(User)
                        .join(ApiToken, ApiToken.user_id == User.id)
                        .where(
                            ApiToken.token_hash == token_digest(token), ApiToken.revoked.is_(False)
                        )
                    )
                ).scalar_one_or_none()
                if row is None:
                    return AuthenticationResult(user=None, auth=None)
                return AuthenticationResult(
                    user=CurrentUser(row.id, row.email, row.display_name, via_token=True),
                    auth="token",
                )
            session_data: Any = connection.scope.get("session")
            user_id = session_data.get("user_id") if isinstance(session_data, dict) else None
            if not user_id:
                return AuthenticationResult(user=None, auth=None)
            try:
                row = await session.get(User, uuid.UUID(user_id))
            except ValueError:
                row = None
            if row is None:
                return AuthenticationResult(user=None, auth=None)
            return AuthenticationResult(
                user=CurrentUser(row.id, row.email, row.display_name), auth="session"
            )


class CSRFUnlessBearer:
    """Apply CSRF protection to cookie-authenticated requests only."""

    def __init__(self, app: ASGIApp, csrf_app: ASGIApp) -> None:
        self.app = app
        self.csrf_app = csrf_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            headers = dict(scope["headers"])
            auth = headers.get(b"authorization", b"")
            if auth.lower().startswith(b"bearer "):
                await self.app(scope, receive, send)
                return
        await self.csrf_app(scope, receive, send)
