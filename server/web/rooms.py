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
from sqlalchemy import select

import deliberation
from server.db.tables import MeetingItemRoom
from server.rooms.access import Need, access_room
from server.rooms.commands import UnknownCommand, run_command
from server.rooms.service import KeyReused, RoomBusy, RoomNotFound
from server.web import rulefields
from server.web.forms import REFUSALS, BadField, flash, form_args, pop_flash, safe_next
from server.web.i18n import gettext as _
from server.web.i18n import use_locale
from server.web.opinion import opinion_map
from server.web.views import ROLES, room_model

ROLE_CHOICES = tuple(role.value for role in deliberation.Role)  # the core's roles, in its order

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
    request: Request[Any, Any, Any],
    room_id: FromPath[uuid.UUID],
    page: str,
    *,
    status_code: int = 200,
    posted: dict[str, Any] | None = None,
) -> Any:
    """A room page; ``posted`` (console only) shows a refused console form again, as typed,
    with its errors: ``{"name": command, "values": {...}, "errors": [...]}``."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    need = Need.FACILITATE if page == "console" else Need.READ
    try:
        async with request.app.state.rooms.sessions() as session:
            access = await access_room(session, user, room_id, need)
            role, organisation = access.role, access.organisation_name
            meeting_id = await session.scalar(
                select(MeetingItemRoom.meeting_id).where(MeetingItemRoom.room_id == room_id)
            )
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
    if page in ("projector", "room") and model["round"]["current"] == "surface_conflict":
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
            # An agenda item's room links back to its meeting (and console, for those who run it).
            "meeting_id": str(meeting_id) if meeting_id else None,
            "now": request.app.state.clock.now().isoformat(),
            "flashes": []
            if page == "projector" or request.headers.get("x-evenfloor-live")
            else pop_flash(request),
            "refusals_text": {code: _(text) for code, text in REFUSALS.items()},
            "request_path": f"/rooms/{room_id}/{page}" if posted else request.url.path,
            **(console_forms(model, posted) if page == "console" else {}),
        },
        status_code=status_code,
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


async def attempt(
    request: Request[Any, Any, Any],
    room_id: uuid.UUID,
    name: str,
    fields: list[tuple[str, str]],
) -> tuple[str | None, str | None]:
    """Run a command from a form's fields: ``(None, None)`` when done, else the refusal's
    ``(code, message)``. Raises ``NotFoundException`` for a room the person cannot see."""
    user = request.scope["user"]
    form = dict(fields)
    try:
        await run_command(
            service=request.app.state.rooms,
            user=user,
            room_id=room_id,
            name=name,
            args=form_args(fields),
            acting_for=form.get("acting_for") or None,
            idempotency_key=None,
            now=request.app.state.clock.now(),
        )
    except deliberation.Rejected as refused:
        return refused.reason.value, refused.message
    except ValidationError as error:
        return "invalid", "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]
        )
    except BadField as error:
        return "invalid", str(error)
    except UnknownCommand as error:
        return "unknown_command", str(error.detail)
    except PermissionDeniedException as error:
        return "forbidden", str(error.detail)
    except RoomNotFound as error:
        raise NotFoundException() from error
    except KeyReused as error:
        return "conflict", str(error)
    except RoomBusy:
        return "busy", _("The room is very busy; try again.")
    except ValidationException as error:
        return "invalid", str(error.detail)
    return None, None


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
    fields = [(k, str(v)) for k, v in form.multi_items()]
    if name in ON_THE_CONSOLE:
        return await console_form(request, room_id, name, fields)
    back = safe_next(str(form.get("next") or ""), f"/rooms/{room_id}")
    try:
        code, message = await attempt(request, room_id, name, fields)
    except NotFoundException:
        return not_found(request)
    if code is None:
        flash(request, "done", _("Done."))
    else:
        flash(request, "refusal", message or "", code=code, heading=_(REFUSALS.get(code, code)))
    return Redirect(back, status_code=303)


# Console forms that, refused, come back as the console itself with a 4xx status, the
# refusal beside the form and everything as it was typed (nothing to type again).
ON_THE_CONSOLE = {"change_rules": "rules", "change_role": "members"}
STATUS = {"forbidden": 403, "not_found": 404, "conflict": 409, "busy": 503}


def forbidden(request: Request[Any, Any, Any], message: str) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("Not allowed"),
            "message": message,
        },
        status_code=403,
    )


def _problems(name: str, form: dict[str, str], state: Any) -> list[str]:
    """What the console can tell before the core: each problem names its field."""
    if name == "change_rules":
        return rulefields.check(form, dict(state.organisations))
    found = []
    member = state.members.get(form.get("participant", ""))
    if member is None or not member.active:
        found.append(_("Member: nobody with this id is a member of this room."))
    if form.get("role") not in ROLE_CHOICES:
        found.append(_("Role: choose one of %(roles)s.") % {"roles": ", ".join(ROLE_CHOICES)})
    return found


async def console_form(
    request: Request[Any, Any, Any], room_id: uuid.UUID, name: str, fields: list[tuple[str, str]]
) -> Any:
    """``change_rules`` and ``change_role`` from the console's forms, without JavaScript."""
    user = request.scope["user"]
    try:
        async with request.app.state.rooms.sessions() as session:
            await access_room(session, user, room_id, Need.FACILITATE)
    except NotFoundException:
        return not_found(request)
    except PermissionDeniedException:
        return forbidden(request, _("Only facilitators can change the rules and roles."))
    form = dict(fields)
    _seq, state = await request.app.state.rooms.state(room_id)
    errors = _problems(name, form, state)
    status = 422
    if not errors:
        try:
            code, message = await attempt(request, room_id, name, fields)
        except NotFoundException:
            return not_found(request)
        if code is None:
            flash(request, "done", _("Done."))
            back = safe_next(form.get("next"), f"/rooms/{room_id}/console")
            return Redirect(f"{back}#{ON_THE_CONSOLE[name]}", status_code=303)
        status = STATUS.get(code, 422)
        errors = [f"{_(REFUSALS.get(code, code))}. {message or ''}".strip()]
    posted = {"name": name, "values": form, "errors": errors}
    return await room_page(request, room_id, "console", status_code=status, posted=posted)


def console_forms(model: dict[str, Any], posted: dict[str, Any] | None) -> dict[str, Any]:
    """What the console's Rules and Members sections show besides the room model."""
    rules = model["rules"]
    organisations = dict(model["organisations"])
    values = rulefields.form_values(rules)
    errors = {}
    role_form: dict[str, str] = {}
    if posted is not None:
        errors[posted["name"]] = posted["errors"]
        if posted["name"] == "change_rules":
            unticked = {f.name: "" for f in rulefields.FIELDS if f.kind == "check"}
            values = {**values, **unticked, **posted["values"]}
        else:
            role_form = posted["values"]
    can_make_owners = model["me"]["role"] == "owner"
    return {
        "rule_fields": rulefields.FIELDS,
        "rules_form": values,
        "rules_kept": [(f"rules.{k}", values[f"rules.{k}"]) for k in rulefields.KEPT],
        "rules_in_force": rulefields.in_force(rules, organisations),
        "budgets": [
            {
                "id": org,
                "name": f"budget.{org}",
                "organisation": label,
                "value": values.get(f"budget.{org}"),
            }
            for org, label in model["organisations"]
        ],
        "budget_label": rulefields.BUDGET_LABEL,
        "form_errors": errors,
        "role_form": role_form,
        "role_choices": [(k, ROLES[k]) for k in ROLE_CHOICES if k != "owner" or can_make_owners],
        "can_make_owners": can_make_owners,
    }


def room_handlers() -> list[Any]:
    return [participant_room, console, projector, command_form]
