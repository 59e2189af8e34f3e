"""Room pages: the participant room (live and asynchronous), the facilitator console, the
projector, and the form posts that run room commands without JavaScript.

Every page is whole HTML rendered from ``deliberation.view``; the live script refetches the
same page after each event and swaps the regions that changed, so there is one renderer.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import (
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

import deliberation
from server.rooms.access import Need, access_room
from server.rooms.commands import UnknownCommand, run_command
from server.rooms.service import KeyReused, RoomBusy, RoomNotFound
from server.web.forms import REFUSALS, flash, form_args, pop_flash, safe_next
from server.web.i18n import gettext as _
from server.web.i18n import use_locale
from server.web.opinion import opinion_map
from server.web.views import room_model

PAGES = {
    "room": "rooms/room.html",
    "console": "rooms/console.html",
    "projector": "rooms/projector.html",
}


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={target}", status_code=303)


def not_found(request: Request[Any, Any, Any]) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("No such room"),
            "message": _("This room does not exist, or you are not one of its members."),
        },
        status_code=404,
    )


async def room_page(
    request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID], page: str
) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    need = Need.FACILITATE if page == "console" else Need.READ
    try:
        async with request.app.state.rooms.sessions() as session:
            access = await access_room(session, user, room_id, need)
            role, organisation = access.role, access.organisation_name
    except NotFoundException:
        return not_found(request)
    except PermissionDeniedException:
        return Redirect(f"/rooms/{room_id}", status_code=303)
    seq, state = await request.app.state.rooms.state(room_id)
    viewer = None if page == "projector" else user.participant_id
    view = deliberation.view(state, viewer)
    planned = {k.value: v.isoformat() for k, v in state.rounds.planned.items()}
    model = room_model(view, seq, planned=planned)
    opinion = None
    if page == "projector" and model["round"]["current"] == "surface_conflict":
        opinion = opinion_map(view, state, seq)
    return Template(
        PAGES[page],
        context={
            "user": user,
            "page": page,
            "room_id": str(room_id),
            "role": role,
            "organisation": organisation,
            "r": model,
            "opinion": opinion,
            "now": request.app.state.clock.now().isoformat(),
            "flashes": []
            if page == "projector" or request.headers.get("x-evenfloor-live")
            else pop_flash(request),
            "refusals_text": {code: _(text) for code, text in REFUSALS.items()},
            "request_path": request.url.path,
        },
    )


@get("/rooms/{room_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def participant_room(request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Any:
    return await room_page(request, room_id, "room")


@get("/rooms/{room_id:uuid}/console", include_in_schema=False, media_type=MediaType.HTML)
async def console(request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Any:
    return await room_page(request, room_id, "console")


@get("/rooms/{room_id:uuid}/projector", include_in_schema=False, media_type=MediaType.HTML)
async def projector(request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Any:
    return await room_page(request, room_id, "projector")


@post(
    "/rooms/{room_id:uuid}/commands/{name:str}",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def command_form(
    request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID], name: FromPath[str]
) -> Any:
    """A room command from a plain form post; back to the page with what happened."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = await request.form()
    fields = list(form.multi_items())
    back = safe_next(str(form.get("next") or ""), f"/rooms/{room_id}")
    acting_for = str(form.get("acting_for") or "") or None
    code, message = None, None
    try:
        await run_command(
            service=request.app.state.rooms,
            user=user,
            room_id=room_id,
            name=name,
            args=form_args([(k, str(v)) for k, v in fields]),
            acting_for=acting_for,
            idempotency_key=None,
            now=request.app.state.clock.now(),
        )
    except deliberation.Rejected as refused:
        code, message = refused.reason.value, refused.message
    except ValidationError as error:
        code = "invalid"
        message = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]
        )
    except UnknownCommand as error:
        code, message = "unknown_command", str(error.detail)
    except PermissionDeniedException as error:
        code, message = "forbidden", str(error.detail)
    except (NotFoundException, RoomNotFound):
        return not_found(request)
    except KeyReused as error:
        code, message = "conflict", str(error)
    except RoomBusy:
        code, message = "busy", _("The room is very busy; try again.")
    except ValidationException as error:
        code, message = "invalid", str(error.detail)
    if code is None:
        flash(request, "done", _("Done."))
    else:
        flash(request, "refusal", message or "", code=code, heading=_(REFUSALS.get(code, code)))
    return Redirect(back, status_code=303)


def room_handlers() -> list[Any]:
    return [participant_room, console, projector, command_form]
