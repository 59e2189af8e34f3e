"""The public face of the decision logs: pages, ``log.json``, ``log.md`` and the Atom feed.

Everything here is rendered from the *published* log document of a public room (the
projection under the room's policy, as stored by ``server.rooms.publishing``), never from
the room's private events: a page cannot show more than the log it links to. Private rooms
and rooms that never published answer 404.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.session import transaction
from server.db.tables import PublishedLog, Room
from server.web.decisions_view import (
    POSITIONS,
    DecisionView,
    atom_feed,
    chart,
    decision_view,
    duration,
    markdown,
    percent,
)
from server.web.i18n import gettext as _
from server.web.i18n import use_locale

ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
MARKDOWN_MEDIA_TYPE = "text/markdown"  # Litestar adds the charset to text/*


@dataclass(frozen=True)
class Published:
    """A public room's latest published log, exactly as stored."""

    room_id: uuid.UUID
    text: str
    published_at: datetime | None

    @property
    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


def _published_query() -> Any:
    return (
        select(PublishedLog.room_id, PublishedLog.document, PublishedLog.published_at)
        .join(Room, Room.id == PublishedLog.room_id)
        .where(
            Room.is_public.is_(True),
            # the log the room publishes now: an older log under a less private policy
            # the room has since left is never shown
            PublishedLog.policy == Room.policy,
            PublishedLog.document != "",
        )
        .order_by(PublishedLog.id.desc())
    )


async def public_logs(session: AsyncSession) -> list[Published]:
    """The latest published log of every public room (newest publication first)."""
    seen: set[uuid.UUID] = set()
    found = []
    for room_id, text, published_at in (await session.execute(_published_query())).all():
        if room_id not in seen:
            seen.add(room_id)
            found.append(Published(room_id, text, published_at))
    return found


async def public_log(session: AsyncSession, room_id: uuid.UUID) -> Published | None:
    """The latest published log of one room, or None if it is private or never published."""
    row = (
        await session.execute(_published_query().where(PublishedLog.room_id == room_id).limit(1))
    ).first()
    return Published(row[0], row[1], row[2]) if row is not None else None


async def stored_log(session: AsyncSession, room_id: uuid.UUID) -> str | None:
    """The latest published log text of a room, public or not (for `evenfloor export`)."""
    text: str | None = await session.scalar(
        select(PublishedLog.document)
        .where(PublishedLog.room_id == room_id, PublishedLog.document != "")
        .order_by(PublishedLog.id.desc())
        .limit(1)
    )
    return text


def newest_first(views: list[DecisionView]) -> list[DecisionView]:
    return sorted(views, key=lambda v: (v.date, v.title), reverse=True)


class Links:
    """Where things are: on the live site (absolute paths) or in a static site (relative).

    ``depth`` is how many folders below the site's root the page being rendered is.
    """

    def __init__(self, *, static: bool = False, depth: int = 0) -> None:
        self.static = static
        self.prefix = "../" * depth

    @property
    def index(self) -> str:
        return f"{self.prefix}index.html" if self.static else "/decisions"

    @property
    def feed(self) -> str:
        return f"{self.prefix}feed.atom" if self.static else "/decisions/feed.atom"

    @property
    def stylesheets(self) -> list[str]:
        if self.static:
            return [f"{self.prefix}css/evenfloor.css", f"{self.prefix}css/decisions.css"]
        return ["/static/css/decisions.css"]

    def room(self, room_id: str) -> str:
        return f"{self.prefix}{room_id}/index.html" if self.static else f"/decisions/{room_id}"

    def log(self, room_id: str) -> str:
        return (
            f"{self.prefix}{room_id}/log.json" if self.static else f"/decisions/{room_id}/log.json"
        )

    def markdown(self, room_id: str) -> str:
        return f"{self.prefix}{room_id}/log.md" if self.static else f"/decisions/{room_id}/log.md"


def index_context(views: list[DecisionView], links: Links) -> dict[str, Any]:
    return {
        "decisions": newest_first(views),
        "links": links,
        "base_template": "decisions/_static_base.html" if links.static else "base.html",
    }


def room_context(view: DecisionView, links: Links) -> dict[str, Any]:
    decision = view.decision
    return {
        "view": view,
        "decision": decision,
        "chart": chart(decision) if decision is not None and decision.fairness else None,
        "links": links,
        "base_template": "decisions/_static_base.html" if links.static else "base.html",
        "percent": percent,
        "duration": duration,
        "positions": POSITIONS,
    }


def _not_found(request: Request[Any, Any, Any]) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("No published decision here"),
            "message": _("This room does not exist, is private, or has not published its log."),
        },
        status_code=404,
    )


def _plain_not_found() -> Response[str]:
    return Response("No published decision log here.\n", media_type=MediaType.TEXT, status_code=404)


@get("/decisions", include_in_schema=False, media_type=MediaType.HTML)
async def decisions_index(request: Request[Any, Any, Any]) -> Template:
    use_locale(request.headers)
    async with transaction(request) as session:
        logs = await public_logs(session)
    context = index_context([decision_view(p.document) for p in logs], Links())
    return Template("decisions/index.html", context={"user": request.scope.get("user"), **context})


def base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.public_url or request.base_url).rstrip("/")


@get("/decisions/feed.atom", include_in_schema=False)
async def decisions_feed(request: Request[Any, Any, Any]) -> Response[bytes]:
    async with transaction(request) as session:
        logs = await public_logs(session)
    base = base_url(request)
    body = atom_feed(
        newest_first([decision_view(p.document) for p in logs]),
        feed_id=f"{base}/decisions/feed.atom",
        self_url=f"{base}/decisions/feed.atom",
        link=lambda room_id: f"{base}/decisions/{room_id}",
        updated=_now(request),
    )
    return Response(body, media_type=ATOM_MEDIA_TYPE)


def _now(request: Request[Any, Any, Any]) -> str:
    now: datetime = request.app.state.clock.now()
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@get("/decisions/{room_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def decision_page(request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Template:
    use_locale(request.headers)
    async with transaction(request) as session:
        published = await public_log(session, room_id)
    if published is None:
        return _not_found(request)
    context = room_context(decision_view(published.document), Links())
    return Template("decisions/room.html", context={"user": request.scope.get("user"), **context})


@get("/decisions/{room_id:uuid}/log.json", include_in_schema=False)
async def decision_log_json(
    request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]
) -> Response[Any]:
    async with transaction(request) as session:
        published = await public_log(session, room_id)
    if published is None:
        return _plain_not_found()
    body = published.text.encode("utf-8")
    # Mirrors and verifiers poll this: revalidate every time (a room can turn private),
    # and answer 304 when their copy is the current one.
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers, media_type=MediaType.JSON)
    headers["Content-Disposition"] = f'inline; filename="{room_id}.json"'
    return Response(body, media_type=MediaType.JSON, headers=headers)


@get("/decisions/{room_id:uuid}/log.md", include_in_schema=False)
async def decision_log_markdown(
    request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]
) -> Response[Any]:
    async with transaction(request) as session:
        published = await public_log(session, room_id)
    if published is None:
        return _plain_not_found()
    text = markdown(decision_view(published.document), log_url=f"/decisions/{room_id}/log.json")
    return Response(text, media_type=MARKDOWN_MEDIA_TYPE)


def decision_handlers() -> list[Any]:
    return [
        decisions_index,
        decisions_feed,
        decision_page,
        decision_log_json,
        decision_log_markdown,
    ]
