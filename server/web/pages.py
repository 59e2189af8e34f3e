"""Server-rendered pages. Each feature's pages live in their own module; this lists them.

Here: home (what Evenfloor is, my rooms), creating a room, and invitations.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select

import deliberation
from server.auth.middleware import token_digest
from server.db.tables import Invitation, Membership, Organisation, Room
from server.rooms.access import Need, access_room
from server.rooms.api_models import RoomCreate
from server.rooms.http import accept_invitation, create_room, organisation_named
from server.web.boards import board_handlers, my_boards
from server.web.decisions import decision_handlers
from server.web.forms import flash, pop_flash
from server.web.i18n import gettext as _
from server.web.i18n import use_locale
from server.web.meetings import meeting_page_handlers
from server.web.newroom import DEFAULTS, UNTICKED, room_from_form
from server.web.rooms import login_redirect, not_found, room_handlers
from server.web.rulefields import FIELDS, Problems
from server.web.views import ROLES

INVITATION_DAYS = 14


async def my_rooms(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    user = request.scope.get("user")
    if user is None:
        return []
    async with request.app.state.sessions() as session:
        rows = (
            await session.execute(
                select(Room.id, Room.title, Room.mode, Membership.role, Organisation.name)
                .join(Membership, Membership.room_id == Room.id)
                .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
                .where(Membership.user_id == user.id)
                .order_by(Room.created_at.desc())
            )
        ).all()
    return [
        {
            "id": str(room_id),
            "title": title,
            "mode": mode,
            "role": role,
            "role_label": ROLES.get(role, role),
            "organisation": org or "",
            "facilitates": role in ("owner", "facilitator"),
        }
        for room_id, title, mode, role, org in rows
    ]


@get("/", include_in_schema=False, media_type=MediaType.HTML)
async def home(request: Request[Any, Any, Any]) -> Template:
    use_locale(request.headers)
    return Template(
        "home.html",
        context={
            "user": request.scope.get("user"),
            "rooms": await my_rooms(request),
            "boards": await my_boards(request),
            "flashes": pop_flash(request) if request.scope.get("user") else [],
        },
    )


@get("/rooms/new", include_in_schema=False, media_type=MediaType.HTML)
async def new_room(request: Request[Any, Any, Any]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    now = request.app.state.clock.now()
    return Template(
        "rooms/new.html",
        context={"user": user, "form": DEFAULTS(now), "errors": [], "rule_fields": FIELDS},
    )


async def create_invitation(
    request: Request[Any, Any, Any],
    room_id: uuid.UUID,
    *,
    role: str,
    organisation_name: str | None,
    single_use: bool,
) -> dict[str, Any]:
    """An invitation link (the same rows as ``POST /api/rooms/{id}/invitations``)."""
    token = secrets.token_urlsafe(24)
    user = request.scope["user"]
    async with request.app.state.sessions() as session, session.begin():
        await access_room(session, user, room_id, Need.FACILITATE)
        organisation = (
            await organisation_named(session, organisation_name) if organisation_name else None
        )
        session.add(
            Invitation(
                room_id=room_id,
                token_hash=token_digest(token),
                role=role,
                organisation_id=organisation.id if organisation else None,
                single_use=single_use,
                expires_at=request.app.state.clock.now() + timedelta(days=INVITATION_DAYS),
                created_by=user.id,
            )
        )
        name = organisation.name if organisation else None
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return {
        "url": f"{base}/invitations/{token}",
        "role": role,
        "organisation": name,
        "single_use": single_use,
    }


@post("/rooms/new", include_in_schema=False, status_code=303, media_type=MediaType.HTML)
async def create_room_form(request: Request[Any, Any, Any]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    now = request.app.state.clock.now()
    try:
        data, invite = room_from_form(form, now)
        room = await create_room(request.app.state.rooms, user, RoomCreate(**data), now)
    except (ValueError, ValidationError, ValidationException, deliberation.Rejected) as error:
        return Template(
            "rooms/new.html",
            context={
                "user": user,
                "form": {**DEFAULTS(now), **UNTICKED, **form},
                "errors": _problems(error),
                "rule_fields": FIELDS,
            },
            status_code=422,
        )
    links = [
        await create_invitation(
            request, room.id, role="participant", organisation_name=name, single_use=False
        )
        for name in invite
    ]
    flash(request, "created", _("Your room is open."), links=links)
    return Redirect(f"/rooms/{room.id}/console", status_code=303)


def _problems(error: Exception) -> list[str]:
    if isinstance(error, Problems):
        return error.problems
    if isinstance(error, ValidationError):
        return [
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}".lstrip(": ") for e in error.errors()
        ]
    if isinstance(error, deliberation.Rejected):
        return [error.message]
    if isinstance(error, ValidationException):
        return [str(error.detail)]
    return [str(error)]


@post(
    "/rooms/{room_id:uuid}/invitations",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def invite_form(request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Any:
    use_locale(request.headers)
    if request.scope.get("user") is None:
        return login_redirect(request)
    form = await request.form()
    role = str(form.get("role") or "participant")
    if role not in ("participant", "facilitator", "observer"):
        role = "participant"
    try:
        link = await create_invitation(
            request,
            room_id,
            role=role,
            organisation_name=str(form.get("organisation_name") or "").strip() or None,
            single_use=form.get("single_use") == "on",
        )
    except NotFoundException:
        return not_found(request)
    except PermissionDeniedException:
        flash(request, "refusal", _("Only facilitators can invite people."), code="forbidden")
        return Redirect(f"/rooms/{room_id}", status_code=303)
    flash(request, "created", _("Invitation created."), links=[link])
    return Redirect(f"/rooms/{room_id}/console#invite", status_code=303)


async def _invitation(request: Request[Any, Any, Any], token: str) -> dict[str, Any] | None:
    async with request.app.state.sessions() as session:
        row = (
            await session.execute(
                select(Invitation, Room.title, Organisation.name)
                .join(Room, Room.id == Invitation.room_id)
                .outerjoin(Organisation, Organisation.id == Invitation.organisation_id)
                .where(Invitation.token_hash == token_digest(token))
            )
        ).one_or_none()
    if row is None:
        return None
    invitation, title, organisation = row
    now = request.app.state.clock.now()
    usable = not invitation.revoked and not (
        invitation.expires_at is not None and invitation.expires_at <= now
    )
    if invitation.single_use and invitation.uses > 0:
        usable = False
    return {
        "title": title,
        "role": invitation.role,
        "role_label": ROLES.get(invitation.role, invitation.role),
        "organisation": organisation,
        "usable": usable,
        "room_id": str(invitation.room_id),
    }


@get("/invitations/{token:str}", include_in_schema=False, media_type=MediaType.HTML)
async def invitation_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    invitation = await _invitation(request, token)
    return Template(
        "invitation.html",
        context={"user": user, "invitation": invitation, "token": token, "errors": []},
        status_code=200 if invitation and invitation["usable"] else 404,
    )


@post(
    "/invitations/{token:str}", include_in_schema=False, status_code=303, media_type=MediaType.HTML
)
async def accept_invitation_form(request: Request[Any, Any, Any], token: FromPath[str]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = await request.form()
    organisation = str(form.get("organisation_name") or "").strip() or None
    try:
        room_id = await accept_invitation(
            request.app.state.rooms, user, token, organisation, request.app.state.clock.now()
        )
    except (NotFoundException, ValidationException, deliberation.Rejected) as error:
        invitation = await _invitation(request, token)
        message = error.message if isinstance(error, deliberation.Rejected) else error.detail
        return Template(
            "invitation.html",
            context={
                "user": user,
                "invitation": invitation,
                "token": token,
                "errors": [str(message)],
            },
            status_code=422,
        )
    flash(request, "done", _("Welcome: you are now a member of this room."))
    return Redirect(f"/rooms/{room_id}", status_code=303)


def page_handlers() -> list[Any]:
    return [
        home,
        new_room,
        create_room_form,
        invite_form,
        invitation_page,
        accept_invitation_form,
        *room_handlers(),
        *decision_handlers(),
        *board_handlers(),
        *meeting_page_handlers(),
    ]
