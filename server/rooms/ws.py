"""The room WebSocket: hello and catch-up, then live events; commands with ack or error.

Close codes (docs/protocol.md): 1009 frame too large, 4401 not signed in, 4404 no such
room (or not a member), 4408 too slow to keep up. A foreign Origin is refused at the
handshake (HTTP 403).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import WebSocket, websocket_listener
from litestar.exceptions import (
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
    WebSocketDisconnect,
    WebSocketException,
)
from litestar.params import FromPath
from pydantic import ValidationError
from uvicorn.protocols.utils import ClientDisconnected

import deliberation
from server.auth.guards import CLOSE_UNAUTHENTICATED, same_origin_socket
from server.rooms.access import Need, access_room
from server.rooms.commands import UnknownCommand, run_command
from server.rooms.fanout import Listener, SendMessage
from server.rooms.messages import KNOWN_TYPES, ClientMessage, Command, Hello, Ping, View
from server.rooms.service import KeyReused, RoomBusy, RoomNotFound

log = logging.getLogger(__name__)

CLOSE_TOO_BIG = 1009
CLOSE_NO_ROOM = 4404


def _frame(**fields: Any) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


class RoomConnection:
    def __init__(self, socket: WebSocket[Any, Any, Any], room_id: uuid.UUID) -> None:
        self.socket = socket
        self.room_id = room_id
        self.state = socket.app.state
        # uvicorn's own send when served by ``server.asgi`` (None under a test client): room
        # events then go to it directly, each a message shared by a kind of viewer.
        raw_send: SendMessage | None = cast(dict[str, Any], socket.scope).get("evenfloor.raw_send")
        self.listener = Listener(
            send_text=socket.send_text,
            close=self._close,
            viewer=socket.user.participant_id,
            send_message=raw_send,
        )
        self.joined = False

    async def _close(self, code: int, reason: str) -> None:
        await self.socket.close(code=code, reason=reason)

    async def handle(self, raw: str) -> None:
        if len(raw.encode()) > self.state.settings.ws_max_message_bytes:
            await self.socket.close(code=CLOSE_TOO_BIG, reason="message too big")
            return
        try:
            decoded = json.loads(raw)
        except ValueError as error:
            await self.socket.send_text(
                _frame(type="error", code="malformed", message=f"Not JSON: {error}.")
            )
            return
        if not isinstance(decoded, dict) or decoded.get("type") not in KNOWN_TYPES:
            kind = decoded.get("type") if isinstance(decoded, dict) else None
            await self.socket.send_text(
                _frame(
                    type="error",
                    code="unknown_type",
                    message=f"Unknown message type {kind!r}.",
                    id=decoded.get("id") if isinstance(decoded, dict) else None,
                )
            )
            return
        try:
            message = ClientMessage.validate_python(decoded)
        except ValidationError as error:
            await self.socket.send_text(
                _frame(type="error", code="invalid", id=decoded.get("id"), message=_describe(error))
            )
            return
        match message:
            case Hello():
                await self.hello(message)
            case Command():
                await self.command(message)
            case View():
                seq, state = await self.state.rooms.state(self.room_id)
                viewer = self.socket.user.participant_id
                await self.socket.send_text(
                    _frame(type="view", seq=seq, view=deliberation.view(state, viewer))
                )
            case Ping():
                await self.socket.send_text(_frame(type="pong"))

    async def hello(self, message: Hello) -> None:
        hub = self.state.hub
        if self.joined:
            await self.socket.send_text(
                _frame(type="error", code="conflict", message="Hello was already said.")
            )
            return
        async with self.state.rooms.sessions() as session:
            access = await access_room(session, self.socket.user, self.room_id, Need.READ)
            head = access.room.last_seq
        self.listener.sent_seq = min(message.last_seq, head)
        await self.socket.send_text(
            _frame(
                type="welcome",
                room=str(self.room_id),
                seq=head,
                you={
                    "participant": self.socket.user.participant_id,
                    "name": self.socket.user.display_name,
                    "role": access.role,
                    "organisation": access.organisation_name,
                },
            )
        )
        hub.join(self.room_id, self.listener, head)
        self.joined = True
        await hub.catch_up(self.room_id, self.listener)

    async def command(self, message: Command) -> None:
        state = self.state
        try:
            result = await run_command(
                service=state.rooms,
                user=self.socket.user,
                room_id=self.room_id,
                name=message.name,
                args=message.args,
                acting_for=message.acting_for,
                idempotency_key=message.id,
                now=state.clock.now(),
            )
        except deliberation.Rejected as refused:
            await self._error(message.id, refused.reason.value, refused.message)
        except ValidationError as error:
            await self._error(message.id, "invalid", _describe(error))
        except UnknownCommand as error:
            await self._error(message.id, "unknown_command", str(error.detail))
        except PermissionDeniedException as error:
            await self._error(message.id, "forbidden", str(error.detail))
        except (NotFoundException, RoomNotFound):
            await self._error(message.id, "not_found", "No such room.")
        except KeyReused as error:
            await self._error(message.id, "conflict", str(error))
        except RoomBusy:
            await self._error(message.id, "busy", "The room is very busy; try again.")
        except ValidationException as error:
            await self._error(message.id, "invalid", str(error.detail))
        else:
            await self.socket.send_text(
                _frame(
                    type="ack",
                    id=message.id,
                    seq=result.seq,
                    seqs=list(result.seqs),
                    replayed=result.replayed,
                )
            )

    async def _error(self, ref: str | None, code: str, text: str) -> None:
        await self.socket.send_text(_frame(type="error", id=ref, code=code, message=text))


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "message"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


@asynccontextmanager
async def _room_lifespan(
    socket: WebSocket[Any, Any, Any], room_id: FromPath[uuid.UUID]
) -> AsyncIterator[None]:
    await socket.accept()
    if socket.scope.get("user") is None:
        raise WebSocketException(detail="sign in first", code=CLOSE_UNAUTHENTICATED)
    async with socket.app.state.rooms.sessions() as session:
        try:
            await access_room(session, socket.user, room_id, Need.READ)
        except (NotFoundException, PermissionDeniedException):
            raise WebSocketException(detail="no such room", code=CLOSE_NO_ROOM) from None
    connection = RoomConnection(socket, room_id)
    socket.state.connection = connection
    try:
        yield
    except (WebSocketDisconnect, ClientDisconnected):
        # ClientDisconnected: the client left while a reply (an ack, an error) was being sent.
        # Its command is already stored or refused; on return it resumes from its last seq.
        pass
    finally:
        connection.listener.closed = True
        socket.app.state.hub.leave(room_id, connection.listener)


@websocket_listener(
    "/ws/rooms/{room_id:uuid}",
    connection_lifespan=_room_lifespan,
    guards=[same_origin_socket],
    receive_mode="text",
)
async def room_socket(data: str, socket: WebSocket[Any, Any, Any]) -> None:
    await socket.state.connection.handle(data)
