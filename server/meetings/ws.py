"""The meeting WebSocket: the room socket's protocol (docs/protocol.md) over a meeting.

hello -> welcome and catch-up, then live meeting events; ``command`` runs a meeting command
(ack or error frame); ``view`` answers the meeting's view; ``ping`` answers pong. Close
codes as rooms': 4401 not signed in, 4404 no such meeting (or not on its board).
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
from server.meetings.access import access_meeting
from server.meetings.commands import UnknownMeetingCommand, run_meeting_command
from server.meetings.projection import meeting_view
from server.meetings.service import MeetingBusy, MeetingNotFound
from server.rooms.access import Need
from server.rooms.fanout import Listener, SendMessage
from server.rooms.messages import KNOWN_TYPES, ClientMessage, Command, Hello, Ping, View
from server.rooms.service import KeyReused
from server.rooms.ws import CLOSE_TOO_BIG, _describe, _frame

log = logging.getLogger(__name__)

CLOSE_NO_MEETING = 4404


class MeetingConnection:
    def __init__(self, socket: WebSocket[Any, Any, Any], meeting_id: uuid.UUID) -> None:
        self.socket = socket
        self.meeting_id = meeting_id
        self.state = socket.app.state
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
                seq, state = await self.state.meetings.state(self.meeting_id)
                await self.socket.send_text(_frame(type="view", seq=seq, view=meeting_view(state)))
            case Ping():
                await self.socket.send_text(_frame(type="pong"))

    async def hello(self, message: Hello) -> None:
        hub = self.state.meeting_hub
        if self.joined:
            await self.socket.send_text(
                _frame(type="error", code="conflict", message="Hello was already said.")
            )
            return
        async with self.state.sessions() as session:
            access = await access_meeting(session, self.socket.user, self.meeting_id, Need.READ)
            head = access.meeting.last_seq
        self.listener.sent_seq = min(message.last_seq, head)
        await self.socket.send_text(
            _frame(
                type="welcome",
                meeting=str(self.meeting_id),
                seq=head,
                you={
                    "participant": self.socket.user.participant_id,
                    "name": self.socket.user.display_name,
                    "board_role": access.role,
                    "organisation": access.board.organisation_name,
                },
            )
        )
        hub.join(self.meeting_id, self.listener, head)
        self.joined = True
        await hub.catch_up(self.meeting_id, self.listener)

    async def command(self, message: Command) -> None:
        state = self.state
        try:
            done = await run_meeting_command(
                service=state.meetings,
                user=self.socket.user,
                meeting_id=self.meeting_id,
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
        except UnknownMeetingCommand as error:
            await self._error(message.id, "unknown_command", str(error.detail))
        except PermissionDeniedException as error:
            await self._error(message.id, "forbidden", str(error.detail))
        except (NotFoundException, MeetingNotFound) as error:
            detail = getattr(error, "detail", None) or "No such meeting."
            await self._error(message.id, "not_found", str(detail))
        except KeyReused as error:
            await self._error(message.id, "conflict", str(error))
        except MeetingBusy:
            await self._error(message.id, "busy", "The meeting is very busy; try again.")
        except ValidationException as error:
            await self._error(message.id, "invalid", str(error.detail))
        else:
            result = done.result
            await self.socket.send_text(
                _frame(
                    type="ack",
                    id=message.id,
                    seq=result.seq,
                    seqs=list(result.seqs),
                    replayed=result.replayed,
                    ids=done.ids,
                )
            )

    async def _error(self, ref: str | None, code: str, text: str) -> None:
        await self.socket.send_text(_frame(type="error", id=ref, code=code, message=text))


@asynccontextmanager
async def _meeting_lifespan(
    socket: WebSocket[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
) -> AsyncIterator[None]:
    await socket.accept()
    if socket.scope.get("user") is None:
        raise WebSocketException(detail="sign in first", code=CLOSE_UNAUTHENTICATED)
    async with socket.app.state.sessions() as session:
        try:
            await access_meeting(session, socket.user, meeting_id, Need.READ)
        except (NotFoundException, PermissionDeniedException):
            raise WebSocketException(detail="no such meeting", code=CLOSE_NO_MEETING) from None
    connection = MeetingConnection(socket, meeting_id)
    socket.state.connection = connection
    try:
        yield
    except (WebSocketDisconnect, ClientDisconnected):
        pass
    finally:
        connection.listener.closed = True
        socket.app.state.meeting_hub.leave(meeting_id, connection.listener)


@websocket_listener(
    "/ws/meetings/{meeting_id:uuid}",
    connection_lifespan=_meeting_lifespan,
    guards=[same_origin_socket],
    receive_mode="text",
)
async def meeting_socket(data: str, socket: WebSocket[Any, Any, Any]) -> None:
    await socket.state.connection.handle(data)
