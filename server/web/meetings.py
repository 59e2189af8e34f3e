"""Meeting pages: the member's meeting page, the console driven by the agenda, the
projector, the form posts that run meeting commands without JavaScript, and the public
meeting page (the approved minutes).

Every page is whole HTML rendered from the meeting's view (``server.web.meeting_views``);
the live script refetches the same page after each meeting event and swaps the regions that
changed, so there is one renderer. A refused form comes back as the page it was posted from
with a 4xx status, the core's message beside the form and everything as typed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select

import deliberation
import deliberation.meetings as core
from server.db.tables import Board, Meeting
from server.meetings.access import BOARD_ROLE_LEVEL, access_meeting
from server.meetings.commands import UnknownMeetingCommand, run_meeting_command
from server.meetings.minutes_render import minutes_view
from server.meetings.projection import meeting_view
from server.meetings.queries import NotApproved, minutes_document
from server.meetings.service import MeetingBusy, MeetingNotFound
from server.rooms.access import Need
from server.rooms.service import KeyReused
from server.web.forms import REFUSALS, flash, pop_flash, safe_next
from server.web.i18n import gettext as _
from server.web.i18n import use_locale
from server.web.meeting_views import (
    ADDABLE_KINDS,
    ATTENDANCE,
    EXCLUDES,
    KINDS,
    Clock,
    meeting_model,
    zone,
)
from server.web.rooms import login_redirect

PAGES = {
    "meeting": "meetings/meeting.html",
    "console": "meetings/console.html",
    "projector": "meetings/projector.html",
}
STATUS = {
    "forbidden": 403,
    "not_found": 404,
    "unknown_command": 404,
    "conflict": 409,
    "no_quorum": 409,
    "busy": 503,
}
# Where a command's form lives on the console, to come back to it.
SECTIONS = {
    "mark_attendance": "attendance-h",
    "record_arrival": "attendance-h",
    "record_departure": "attendance-h",
    "name_substitute": "attendance-h",
    "declare_interest": "declarations-h",
    "withdraw_interest": "declarations-h",
    "add_action": "actions-h",
    "complete_action": "actions-h",
    "edit_narrative": "narrative-h",
    "add_item": "agenda-h",
    "add_urgent_item": "agenda-h",
    "reorder_items": "agenda-h",
    "defer_item": "agenda-h",
    "change_meeting": "details-h",
}
SKIP = frozenset({"_csrf_token", "next", "form"})
FLAGS = frozenset({"private", "remote"})
WHOLE = frozenset({"planned_minutes", "expected_version"})


def meeting_not_found(request: Request[Any, Any, Any]) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("No such meeting"),
            "message": _("This meeting does not exist, or you are not a member of its board."),
        },
        status_code=404,
    )


def forbidden_page(request: Request[Any, Any, Any], message: str) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("Not allowed"),
            "message": message,
        },
        status_code=403,
    )


class BadField(ValueError):
    """A form field the command cannot use; the message names it."""


def _field(name: str, value: str, timezone: str) -> Any:
    """One filled-in field as the command takes it."""
    if name in FLAGS:
        return True
    if name in WHOLE:
        try:
            return int(value)
        except ValueError:
            raise BadField(_("%(field)s: enter a whole number.") % {"field": name}) from None
    if name == "due":
        try:
            day = datetime.fromisoformat(value).date()
        except ValueError:
            raise BadField(_("Due: enter a date.")) from None
        return f"{day.isoformat()}T23:59:59Z"
    if name in ("starts_at", "ends_at"):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise BadField(_("%(field)s: enter a date and a time.") % {"field": name}) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone(timezone))
        return moment.astimezone(UTC).isoformat()
    return value


def meeting_args(fields: list[tuple[str, str]], timezone: str) -> dict[str, Any]:
    """A meeting form's fields -> the command's JSON arguments.

    Empty fields are left out (the command's default applies); ticked boxes are ``True``;
    ``planned_minutes`` and ``expected_version`` are whole numbers; ``position.<item>``
    fields make the new ``order`` (by position, ties kept in agenda order); a ``due`` date
    is the end of that day; ``starts_at`` / ``ends_at`` are read in the meeting's zone.
    """
    args: dict[str, Any] = {}
    positions: list[tuple[float, int, str]] = []
    for index, (name, raw) in enumerate(fields):
        value = raw.strip()
        if name in SKIP:
            continue
        if name.startswith("position."):
            try:
                positions.append((float(value), index, name[len("position.") :]))
            except ValueError:
                raise BadField(
                    _("Position: enter a number for every item (%(value)s).") % {"value": value}
                ) from None
        elif value != "":
            args[name] = _field(name, value, timezone)
    if positions:
        args["order"] = [item for _p, _i, item in sorted(positions)]
    return args


async def _access(request: Request[Any, Any, Any], meeting_id: uuid.UUID) -> Any:
    async with request.app.state.meetings.sessions() as session:
        return await access_meeting(session, request.scope["user"], meeting_id, Need.READ)


def can(state: core.MeetingState, command: Any, me: str, now: datetime) -> bool:
    """Whether the core would accept ``command`` from ``me`` now (decided, never appended):
    a page offers only what the rules allow."""
    try:
        core.decide_meeting(
            state,
            command,
            deliberation.Context(actor=deliberation.ParticipantId(me), at=now),
        )
    except deliberation.Rejected:
        return False
    return True


async def later_meetings(request: Request[Any, Any, Any], meeting: Meeting) -> list[dict[str, str]]:
    """The board's meetings after this one, that an item may be deferred to."""
    async with request.app.state.sessions() as session:
        rows = (
            await session.execute(
                select(Meeting.id, Meeting.title, Meeting.starts_at)
                .where(Meeting.board_id == meeting.board_id, Meeting.starts_at > meeting.starts_at)
                .order_by(Meeting.starts_at)
                .limit(12)
            )
        ).all()
    return [
        {"id": str(row_id), "title": title, "when": f"{starts:%-d %b %Y}"}
        for row_id, title, starts in rows
    ]


async def meeting_page(
    request: Request[Any, Any, Any],
    meeting_id: uuid.UUID,
    page: str,
    *,
    status_code: int = 200,
    posted: dict[str, Any] | None = None,
) -> Any:
    """A meeting page; ``posted`` shows a refused form again, as typed, with its errors:
    ``{"form": form id, "name": command, "values": {...}, "errors": [...]}``."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    try:
        access = await _access(request, meeting_id)
        seq, state = await request.app.state.meetings.state(meeting_id)
    except (NotFoundException, MeetingNotFound):
        return meeting_not_found(request)
    now = request.app.state.clock.now()
    me = str(user.participant_id)
    model = meeting_model(
        meeting_view(state),
        seq,
        me=None if page == "projector" else me,
        now=now,
        public=page == "projector",
    )
    roles = model["roles"]
    if page == "console" and not (roles["drives"] or roles["clerks"] or roles["scribes"]):
        return forbidden_page(
            request,
            _(
                "Only the meeting's facilitator, the chair, the vice-chair or the secretary use the console."
            ),
        )
    if page == "projector":
        model["roles"] = {"drives": False, "clerks": False, "scribes": False, "member": True}
    apologies = core.MarkAttendance(deliberation.ParticipantId(me), core.Attendance.APOLOGIES)
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    flashes = (
        [] if page == "projector" or request.headers.get("x-evenfloor-live") else pop_flash(request)
    )
    if posted is not None:
        values = posted["values"]
        errors[posted["form"]] = posted["errors"]
        flashes.append({"kind": "refusal", "text": posted["message"], "heading": posted["heading"]})
    return Template(
        PAGES[page],
        context={
            "user": user,
            "page": page,
            "meeting_id": str(meeting_id),
            "board_role": access.role,
            "takes_part": BOARD_ROLE_LEVEL.get(access.role, 0) >= Need.ACT,
            "m": model,
            "me": me,
            "can_send_apologies": page == "meeting" and can(state, apologies, me, now),
            "new_id": uuid.uuid4().hex,
            "later_meetings": await later_meetings(request, access.meeting)
            if page == "console"
            else [],
            "links": output_links(meeting_id, request.app),
            "now": now.isoformat(),
            "flashes": flashes,
            "refusals_text": {code: _(text) for code, text in REFUSALS.items()},
            "request_path": f"/meetings/{meeting_id}" + ("" if page == "meeting" else f"/{page}"),
            "posted_form": posted["form"] if posted else None,
            "values": values,
            "form_errors": errors,
            "kinds": [(k, KINDS[k]) for k in ADDABLE_KINDS],
            "attendance_choices": list(ATTENDANCE.items()),
            "excludes_choices": list(EXCLUDES.items()),
        },
        status_code=status_code,
    )


@get("/meetings/{meeting_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def member_meeting(request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]) -> Any:
    return await meeting_page(request, meeting_id, "meeting")


@get("/meetings/{meeting_id:uuid}/console", include_in_schema=False, media_type=MediaType.HTML)
async def meeting_console(request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]) -> Any:
    return await meeting_page(request, meeting_id, "console")


@get("/meetings/{meeting_id:uuid}/projector", include_in_schema=False, media_type=MediaType.HTML)
async def meeting_projector(
    request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
) -> Any:
    return await meeting_page(request, meeting_id, "projector")


async def attempt(
    request: Request[Any, Any, Any], meeting_id: uuid.UUID, name: str, args: dict[str, Any]
) -> tuple[str | None, str]:
    """Run a meeting command: ``(None, "")`` when done, else the refusal's (code, message).
    Raises ``MeetingNotFound`` for a meeting the person cannot see."""
    try:
        await run_meeting_command(
            service=request.app.state.meetings,
            user=request.scope["user"],
            meeting_id=meeting_id,
            name=name,
            args=args,
            acting_for=None,
            idempotency_key=None,
            now=request.app.state.clock.now(),
        )
    except deliberation.Rejected as refused:
        return refused.reason.value, refused.message
    except ValidationError as error:
        return "invalid", "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]
        )
    except UnknownMeetingCommand as error:
        return "unknown_command", str(error.detail)
    except PermissionDeniedException as error:
        return "forbidden", str(error.detail)
    except NotFoundException as error:
        if error.detail in ("No such meeting.", "No such meeting"):
            raise MeetingNotFound(str(meeting_id)) from error
        return "not_found", str(error.detail)
    except KeyReused as error:
        return "conflict", str(error)
    except MeetingBusy:
        return "busy", _("The meeting is very busy; try again.")
    except ValidationException as error:
        return "invalid", str(error.detail)
    return None, ""


@post(
    "/meetings/{meeting_id:uuid}/commands/{name:str}",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def meeting_command_form(
    request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID], name: FromPath[str]
) -> Any:
    """A meeting command from a plain form post: back to the page with "Done.", or the page
    itself with the refusal beside the form and the form as typed."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = await request.form()
    fields = [(k, str(v)) for k, v in form.multi_items()]
    posted = dict(fields)
    default = f"/meetings/{meeting_id}"
    back = safe_next(posted.get("next"), default)
    page = "console" if back.endswith("/console") else "meeting"
    try:
        await _access(request, meeting_id)  # strangers learn nothing, whatever they posted
        _seq, state = await request.app.state.meetings.state(meeting_id)
    except (NotFoundException, MeetingNotFound):
        return meeting_not_found(request)
    timezone = state.meeting.timezone if state.meeting else "UTC"
    try:
        code, message = await attempt(request, meeting_id, name, meeting_args(fields, timezone))
    except BadField as error:
        code, message = "invalid", str(error)
    except MeetingNotFound:
        return meeting_not_found(request)
    if code is None:
        flash(request, "done", _("Done."))
        anchor = SECTIONS.get(name)
        return Redirect(f"{back}#{anchor}" if anchor else back, status_code=303)
    heading = _(REFUSALS.get(code, code))
    again = {
        "form": posted.get("form") or name,
        "name": name,
        "values": posted,
        "errors": [f"{heading}. {message}".strip()],
        "heading": heading,
        "message": message,
    }
    return await meeting_page(
        request, meeting_id, page, status_code=STATUS.get(code, 422), posted=again
    )


# -- the public meeting page -------------------------------------------------------------------

# Where the outputs serve a meeting's other forms (server/meetings/outputs_http.py).
OUTPUT_LINKS = {
    "record": "/meetings/{id}/record.json",
    "ics": "/meetings/{id}/meeting.ics",
    "markdown": "/meetings/{id}/minutes.md",
    "pdf": "/meetings/{id}/minutes.pdf",
    "html": "/meetings/{id}/minutes.html",
}


def output_links(meeting_id: uuid.UUID, app: Any) -> dict[str, str]:
    """The outputs' links that this app serves (a link is shown only when its route exists)."""
    paths = {route.path_format for route in app.routes}
    found = {}
    for key, pattern in OUTPUT_LINKS.items():
        template = pattern.replace("{id}", "{meeting_id}")
        if template in paths:
            found[key] = pattern.replace("{id}", str(meeting_id))
    return found


@get("/public/meetings/{meeting_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def public_meeting(request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]) -> Any:
    """The approved minutes of a public board's meeting, as published: private items shown
    only as taken in private (with their title where the policy allows)."""
    use_locale(request.headers)
    async with request.app.state.sessions() as session:
        meeting = await session.get(Meeting, meeting_id)
        board = await session.get(Board, meeting.board_id) if meeting else None
        if meeting is None or board is None or not board.is_public:
            return meeting_not_found(request)
        try:
            document = await minutes_document(session, meeting_id, published=True)
        except NotApproved:
            document = None
    if document is None:
        return Template(
            "error.html",
            context={
                "user": request.scope.get("user"),
                "heading": _("Not published yet"),
                "message": _(
                    "These minutes are published once the board approves them at a later meeting."
                ),
            },
            status_code=404,
        )
    logs = [
        {
            "number": item.get("number"),
            "title": item.get("title") or "",
            "room": item["decision"]["log"]["room_id"],
        }
        for item in document.get("items") or []
        if not item.get("private")
        and isinstance(item.get("decision"), dict)
        and isinstance(item["decision"].get("log"), dict)
        and item["decision"]["log"].get("room_id")
    ]
    return Template(
        "meetings/public.html",
        context={
            "user": request.scope.get("user"),
            "minutes": minutes_view(document),
            "links": {
                key: f"{url}?published=true" if key in ("markdown", "pdf", "html") else url
                for key, url in output_links(meeting_id, request.app).items()
            },
            "logs": logs,
            "board": {"id": str(board.id), "name": board.name},
            "for_print": False,
            "clock": Clock(document.get("meeting", {}).get("timezone")),
        },
    )


def meeting_page_handlers() -> list[Any]:
    return [
        member_meeting,
        meeting_console,
        meeting_projector,
        meeting_command_form,
        public_meeting,
    ]
