"""create_app(settings) -> Litestar: wires plugins, routes, templates, static files."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore
from litestar import Litestar, Request, get
from litestar.channels import ChannelsPlugin
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins import InitPluginProtocol
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.middleware import AuthMiddleware, CSRFUnlessBearer
from server.auth.routes import AuthApi, AuthPages
from server.broadcast import announce, build_channels
from server.clock import Clock, SystemClock
from server.db.engine import alchemy_config, create_engine
from server.db.tables import SessionRecord
from server.deadlines import deadline_worker
from server.errors import HANDLERS
from server.meetings.errors import MEETING_HANDLERS
from server.meetings.event_store import MEETING
from server.meetings.fanout import MEETINGS_CHANNEL, MeetingRenderer, meeting_notification
from server.meetings.http import meeting_routes
from server.meetings.item_rooms import wired_meetings
from server.meetings.service import MeetingService
from server.meetings.ws import meeting_socket
from server.notifications import Notifications
from server.notifications.http import NotificationPages, NotificationsApi
from server.notifications.room_events import NOTIFYING
from server.rooms.event_store import StoredEvent, events_since
from server.rooms.fanout import ROOMS_CHANNEL, RoomHub, notification
from server.rooms.http import InvitationsApi, PublicationApi, RoomsApi, command_router
from server.rooms.opinion import OpinionService
from server.rooms.service import RoomService
from server.rooms.ws import room_socket
from server.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Paths a script calls before it holds a session or token (JSON only, so a foreign page
# cannot post them without a CORS preflight).
CSRF_EXEMPT = ["/api/auth/register", "/api/auth/login", "/api/auth/token"]


@get("/healthz", include_in_schema=False)
async def healthz(request: Request[Any, Any, Any]) -> dict[str, Any]:
    async with request.app.state.sessions() as session:
        await session.execute(text("SELECT 1"))
    return {"ok": True, "connections": request.app.state.hub.listener_count()}


class LifespanAfterPlugins(InitPluginProtocol):
    """Runs a lifespan after those the plugins before it registered."""

    def __init__(self, lifespan: Any) -> None:
        self.lifespan = lifespan

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.lifespan.append(self.lifespan)
        return app_config


def room_service(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    hub: RoomHub,
    channels: ChannelsPlugin,
    ballot_secret: bytes,
) -> RoomService:
    """The write path, wired to this process's fan-out and to the other processes.

    With the PostgreSQL backend each append NOTIFYs the other processes itself, delivered
    at commit and without a round trip of its own; the other backends are told after it.
    """

    async def publish(room_id: Any, stored: list[StoredEvent]) -> None:
        await hub.advance(room_id, stored[-1].seq, stored)
        if not in_append:
            await announce(channels, notification(room_id, stored[-1].seq, hub.origin))

    def notify(room_id: Any, seq: int) -> tuple[str, str]:
        return ROOMS_CHANNEL, notification(room_id, seq, hub.origin)

    in_append = settings.resolved_channels_backend == "postgres" and not settings.is_sqlite
    return RoomService(
        sessions, publish, ballot_secret=ballot_secret, notify=notify if in_append else None
    )


def meeting_service(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    hub: RoomHub,
    channels: ChannelsPlugin,
    rooms: RoomService,
    notifications: Notifications | None = None,
) -> MeetingService:
    """The meetings' write path, wired like the rooms' (``room_service``), with the item
    rooms' hook running in each command's transaction."""

    async def publish(meeting_id: Any, stored: list[StoredEvent]) -> None:
        await hub.advance(meeting_id, stored[-1].seq, stored)
        if not in_append:
            note = meeting_notification(meeting_id, stored[-1].seq, hub.origin)
            await announce(channels, note, MEETINGS_CHANNEL)

    def notify(meeting_id: Any, seq: int) -> tuple[str, str]:
        return MEETINGS_CHANNEL, meeting_notification(meeting_id, seq, hub.origin)

    in_append = settings.resolved_channels_backend == "postgres" and not settings.is_sqlite
    service: MeetingService = wired_meetings(
        sessions,
        rooms,
        publish,
        notify=notify if in_append else None,
        notifications=notifications,
    )
    return service


def background_work(
    settings: Settings,
    clock: Clock,
    channels: ChannelsPlugin,
    engine: Any,
    *,
    hubs: tuple[RoomHub, RoomHub],
    rooms: RoomService,
    notifications: Notifications,
) -> Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]:
    """The app's lifespan work: relaying other processes' notifications, deadlines, mail."""
    hub, meeting_hub = hubs

    @contextlib.asynccontextmanager
    async def background(app: Litestar) -> AsyncIterator[None]:
        subscriber = await channels.subscribe([ROOMS_CHANNEL])
        meeting_subscriber = await channels.subscribe([MEETINGS_CHANNEL])

        async def relay(source: Any, target: RoomHub) -> None:
            async for message in source.iter_events():
                try:
                    await target.on_notification(message)
                except Exception:
                    log.exception("could not relay %r", message)

        tasks = [
            asyncio.create_task(relay(subscriber, hub), name="room-notifications"),
            asyncio.create_task(
                relay(meeting_subscriber, meeting_hub), name="meeting-notifications"
            ),
            asyncio.create_task(
                deadline_worker(rooms, clock, settings.deadline_poll_s), name="deadlines"
            ),
        ]
        if settings.notify_enabled:
            sender = notifications.sender.run()
            tasks.append(asyncio.create_task(sender, name="notifications"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await channels.unsubscribe(subscriber)
            await notifications.sender.close()
            with contextlib.suppress(Exception):
                await channels.unsubscribe(meeting_subscriber)
            await engine.dispose()

    return background


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    settings = settings or get_settings()
    clock = clock or SystemClock()
    engine = create_engine(settings.database_url)
    alchemy = alchemy_config(engine)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    channels: ChannelsPlugin = build_channels(settings)

    async def read_events(room_id: Any, after: int) -> list[StoredEvent]:
        async with sessions() as session:
            return await events_since(session, room_id, after)

    async def current_state(room_id: Any, fresh: bool) -> Any:
        return (await rooms.state(room_id))[1] if fresh else await rooms.current(room_id)

    hub = RoomHub(read_events, current_state)

    ballot_secret = hmac.new(settings.secret_key.encode(), b"evenfloor-ballot-keys", "sha256")
    rooms = room_service(settings, sessions, hub, channels, ballot_secret.digest())
    opinion = OpinionService(rooms.state, hub.broadcast)
    hub.observers.append(opinion.on_events)
    notifications = Notifications(settings, sessions, rooms.state, clock=clock, hub=hub)
    rooms.on_append, rooms.on_append_types = notifications.on_append, NOTIFYING
    hub.observers.append(notifications.push_unread)

    async def read_meeting_events(meeting_id: Any, after: int) -> list[StoredEvent]:
        async with sessions() as session:
            return await events_since(session, meeting_id, after, stream=MEETING)

    async def meeting_state(meeting_id: Any, _fresh: bool) -> Any:
        return (await meetings.state(meeting_id))[1]

    meeting_hub = RoomHub(read_meeting_events, meeting_state, renderer=MeetingRenderer)
    meetings = meeting_service(settings, sessions, meeting_hub, channels, rooms, notifications)

    background = background_work(
        settings,
        clock,
        channels,
        engine,
        hubs=(hub, meeting_hub),
        rooms=rooms,
        notifications=notifications,
    )

    session_config = ServerSideSessionConfig(
        store="sessions",
        max_age=settings.session_max_age_s,
        secure=settings.secure_cookies,
        samesite="lax",
        httponly=True,
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        exclude=CSRF_EXEMPT,
    )

    def csrf_unless_bearer(app: ASGIApp) -> ASGIApp:
        return CSRFUnlessBearer(app, CSRFMiddleware(app=app, config=csrf_config))

    route_handlers: list[Any] = [
        healthz,
        AuthApi,
        AuthPages,
        RoomsApi,
        InvitationsApi,
        PublicationApi,
        NotificationsApi,
        NotificationPages,
        command_router(),
        room_socket,
        *meeting_routes(),
        meeting_socket,
        create_static_files_router(path="/static", directories=[settings.static_dir]),
    ]
    from server.web.i18n import install as install_i18n
    from server.web.pages import page_handlers

    route_handlers.extend(page_handlers())

    app = Litestar(
        route_handlers=route_handlers,
        # The background lifespan comes after Channels' own, so the backend is up first.
        plugins=[SQLAlchemyPlugin(config=alchemy), channels, LifespanAfterPlugins(background)],
        stores={"sessions": SQLAlchemyStore(config=alchemy, model=SessionRecord)},
        middleware=[
            session_config.middleware,
            csrf_unless_bearer,
            DefineMiddleware(AuthMiddleware, exclude=["^/static/", "^/schema", "^/healthz"]),
        ],
        template_config=TemplateConfig(
            directory=settings.template_dir,
            engine=JinjaTemplateEngine,
            engine_callback=install_i18n,
        ),
        openapi_config=OpenAPIConfig(
            title="Evenfloor",
            version="0.1.0",
            description="Shared decisions among organisations. Every room command is here; "
            "the WebSocket protocol is in docs/protocol.md.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), ScalarRenderPlugin(path="/scalar")],
        ),
        exception_handlers={**HANDLERS, **MEETING_HANDLERS},
        logging_config=LoggingConfig(log_exceptions="always"),
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.sessions = sessions
    app.state.rooms = rooms
    app.state.hub = hub
    app.state.opinion = opinion
    app.state.notifications = notifications
    app.state.meetings = meetings
    app.state.meeting_hub = meeting_hub
    app.state.channels = channels
    app.state.engine = engine
    return app
