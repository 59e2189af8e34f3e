"""The outputs of a meeting over HTTP: minutes as HTML, Markdown and PDF, the signed record,
and iCalendar files of a meeting and of a board's meetings.

Who sees what (docs/meetings.md § Minutes, calendar and record):

- The board's members get the draft minutes as the log says them now (private items
  still shown only as taken in private); `?published=true` shows them the public copy.
- Everyone else gets, for a public board only, the approved minutes as published under the
  board's policy, and 404 with a sentence before approval; a private board's meetings are
  404 to them, as if they did not exist.
- `record.json` is the signed meeting record as issued (`POST /api/meetings/{id}/publication`
  issues it once the minutes are approved): the same bytes for everyone allowed to see the
  meeting, verifiable with `evenfloor verify`.
- The calendar files follow the meeting's visibility; members see private items' titles,
  the public only where the board's standing orders publish them.

Every route reads in one short transaction and renders afterwards, so a slow PDF never
holds a database connection; PDFs are rendered in a thread of their own, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.exceptions import NotFoundException, ServiceUnavailableException
from litestar.params import FromPath, QueryParameter
from sqlalchemy import func, select

from server.db.session import transaction
from server.db.tables import Board, Meeting, MeetingEvent
from server.meetings import calendar
from server.meetings.access import board_membership
from server.meetings.minutes_render import (
    MARKDOWN_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    render_html,
    render_markdown,
    render_pdf,
)
from server.meetings.publishing import published_record
from server.meetings.queries import NotApproved, meeting_state, minutes_document

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
RECORD_MEDIA_TYPE = "application/json"
PRIVATE_CACHE = "private, no-store"
PUBLIC_CACHE = "public, max-age=300"
NOT_APPROVED = (
    "These minutes are not approved yet: the public sees a meeting's minutes once a later "
    "meeting has approved them."
)
# A long PDF takes seconds of CPU: render it off the event loop, so sockets and other requests
# go on meanwhile, and one at a time, since WeasyPrint does not promise to be thread-safe.
# The same minutes make the same PDF, so recent ones are kept by their content's digest (the
# public asks again and again for approved minutes, which no longer change); and only a few
# may wait, so a crowd of requests for new PDFs gets a 503 to retry rather than a queue.
_PDF_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minutes-pdf")
PDF_CACHE_SIZE = 32
PDF_MAX_WAITING = 4
_pdf_cache: OrderedDict[str, bytes] = OrderedDict()
_pdf_waiting = 0
PublishedParam = Annotated[
    bool,
    QueryParameter(
        description="Members only: the public copy (approved minutes under the board's policy) "
        "instead of the draft."
    ),
]


async def _reader(request: Request[Any, Any, Any], session: Any, meeting_id: uuid.UUID) -> bool:
    """True for a member of the meeting's board, False for the public of a public board;
    404 for an unknown meeting or a private board's meeting seen from outside."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundException("No such meeting.")
    if await board_membership(session, request.scope.get("user"), meeting.board_id) is not None:
        return True
    board = await session.get(Board, meeting.board_id)
    if board is None or not board.is_public:
        raise NotFoundException("No such meeting.")
    return False


async def _minutes(
    request: Request[Any, Any, Any], meeting_id: uuid.UUID, published: bool
) -> tuple[dict[str, Any], bool]:
    """The minutes this reader may have, and whether they are the members' draft."""
    async with transaction(request) as session:
        member = await _reader(request, session, meeting_id)
        public_copy = published or not member
        try:
            document = await minutes_document(session, meeting_id, published=public_copy)
        except NotApproved:
            raise NotFoundException(NOT_APPROVED) from None
    return document, not public_copy


def _links(meeting_id: uuid.UUID) -> dict[str, str]:
    base = f"/meetings/{meeting_id}"
    return {
        "pdf": f"{base}/minutes.pdf",
        "markdown": f"{base}/minutes.md",
        "record": f"{base}/record.json",
        "ics": f"{base}/meeting.ics",
    }


def _filename(document: dict[str, Any], extension: str) -> str:
    starts = str((document.get("meeting") or {}).get("starts_at") or "")[:10]
    stem = f"minutes-{starts}" if starts else "minutes"
    return f"{stem}.{extension}"


def _headers(draft: bool, filename: str | None = None, inline: bool = True) -> dict[str, str]:
    headers = {"Cache-Control": PRIVATE_CACHE if draft else PUBLIC_CACHE}
    if filename:
        disposition = "inline" if inline else "attachment"
        headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return headers


class MeetingOutputs(Controller):
    path = "/meetings"
    tags = ["meeting outputs"]

    @get("/{meeting_id:uuid}/minutes.html", media_type=MediaType.HTML)
    async def minutes_html(
        self,
        request: Request[Any, Any, Any],
        meeting_id: FromPath[uuid.UUID],
        published: PublishedParam = False,
    ) -> Response[str]:
        """The minutes as a standalone page (no script; styles inline)."""
        document, draft = await _minutes(request, meeting_id, published)
        page = render_html(document, links=_links(meeting_id))
        return Response(page, media_type=MediaType.HTML, headers=_headers(draft))

    @get("/{meeting_id:uuid}/minutes.md", media_type=MARKDOWN_MEDIA_TYPE)
    async def minutes_markdown(
        self,
        request: Request[Any, Any, Any],
        meeting_id: FromPath[uuid.UUID],
        published: PublishedParam = False,
    ) -> Response[str]:
        """The minutes in Markdown."""
        document, draft = await _minutes(request, meeting_id, published)
        return Response(
            render_markdown(document),
            media_type=MARKDOWN_MEDIA_TYPE,
            headers=_headers(draft, _filename(document, "md")),
        )

    @get("/{meeting_id:uuid}/minutes.pdf", media_type=PDF_MEDIA_TYPE)
    async def minutes_pdf(
        self,
        request: Request[Any, Any, Any],
        meeting_id: FromPath[uuid.UUID],
        published: PublishedParam = False,
    ) -> Response[bytes]:
        """The minutes as a PDF (rendered by WeasyPrint from the page)."""
        document, draft = await _minutes(request, meeting_id, published)
        pdf = await _pdf(document)
        return Response(
            pdf,
            media_type=PDF_MEDIA_TYPE,
            headers=_headers(draft, _filename(document, "pdf")),
        )

    @get("/{meeting_id:uuid}/record.json", media_type=RECORD_MEDIA_TYPE)
    async def record(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The signed meeting record of the approved minutes, as issued. Verify it offline:
        `evenfloor verify record.json`."""
        async with transaction(request) as session:
            await _reader(request, session, meeting_id)
            found = await published_record(session, meeting_id)
            if found is None:
                state = await meeting_state(session, meeting_id)
        if found is None:
            if state.approved_at is None:
                raise NotFoundException(NOT_APPROVED)
            raise NotFoundException(
                "These minutes are approved but not yet published as a signed record: the "
                "board's secretariat publishes them."
            )
        body = json.dumps(found, ensure_ascii=False, indent=1).encode("utf-8")
        return Response(
            body,
            media_type=RECORD_MEDIA_TYPE,
            headers=_headers(False, "record.json", inline=False),
        )

    @get("/{meeting_id:uuid}/meeting.ics", media_type=ICS_MEDIA_TYPE)
    async def meeting_ics(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The meeting as an iCalendar file (RFC 5545), to add to a calendar."""
        async with transaction(request) as session:
            member = await _reader(request, session, meeting_id)
            entry = await _calendar_entry(request, session, meeting_id, member)
        body = calendar.meeting_calendar(entry, stamp=request.app.state.clock.now())
        return Response(
            body,
            media_type=ICS_MEDIA_TYPE,
            headers=_headers(member, "meeting.ics", inline=False),
        )


async def _pdf(document: dict[str, Any]) -> bytes:
    global _pdf_waiting
    digest = hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    kept = _pdf_cache.get(digest)
    if kept is not None:
        _pdf_cache.move_to_end(digest)
        return kept
    if _pdf_waiting >= PDF_MAX_WAITING:
        raise ServiceUnavailableException(
            "The server is busy making other PDFs of minutes: try again in a minute.",
            headers={"Retry-After": "30"},
        )
    _pdf_waiting += 1
    try:
        pdf = await asyncio.get_running_loop().run_in_executor(_PDF_RENDERER, render_pdf, document)
    finally:
        _pdf_waiting -= 1
    _pdf_cache[digest] = pdf
    while len(_pdf_cache) > PDF_CACHE_SIZE:
        _pdf_cache.popitem(last=False)
    return pdf


async def _calendar_entry(
    request: Request[Any, Any, Any], session: Any, meeting_id: uuid.UUID, member: bool
) -> calendar.CalendarMeeting:
    state = await meeting_state(session, meeting_id)
    changes = await session.scalar(
        select(func.count())
        .select_from(MeetingEvent)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.type == "meeting.changed")
    )
    updated = await session.scalar(
        select(func.max(MeetingEvent.occurred_at)).where(
            MeetingEvent.meeting_id == meeting_id, MeetingEvent.type == "meeting.changed"
        )
    )
    return calendar.from_state(
        state,
        sequence=int(changes or 0),
        url=f"{_base_url(request)}/meetings/{meeting_id}/minutes.html",
        private_titles=True if member else None,
        updated_at=updated,
    )


def _base_url(request: Request[Any, Any, Any]) -> str:
    settings = request.app.state.settings
    return str(getattr(settings, "public_url", "") or request.base_url).rstrip("/")


@get(
    "/boards/{board_id:uuid}/meetings.ics",
    media_type=ICS_MEDIA_TYPE,
    tags=["meeting outputs"],
)
async def board_calendar(
    request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    """A feed of the board's meetings (iCalendar), to subscribe to: members, or anyone for a
    public board."""
    async with transaction(request) as session:
        board = await session.get(Board, board_id)
        if board is None:
            raise NotFoundException("No such board.")
        member = await board_membership(session, request.scope.get("user"), board_id) is not None
        if not member and not board.is_public:
            raise NotFoundException("No such board.")
        meeting_ids = (
            await session.scalars(
                select(Meeting.id).where(Meeting.board_id == board_id).order_by(Meeting.starts_at)
            )
        ).all()
        entries = [
            await _calendar_entry(request, session, meeting_id, member)
            for meeting_id in meeting_ids
        ]
        name = board.name
    body = calendar.board_feed(name, entries, stamp=request.app.state.clock.now())
    return Response(
        body, media_type=ICS_MEDIA_TYPE, headers=_headers(member, "meetings.ics", inline=False)
    )


def output_routes() -> list[Any]:
    """What the meetings API mounts beside its own controllers."""
    return [MeetingOutputs, board_calendar]
