"""Board pages: creating a board, the board page (members, meetings, register of interests)
with its forms (invite, schedule a meeting, enter an interest), joining by invitation, and
the public archive of a public board.

The forms post here and run the same functions as the JSON API (``server.meetings.boards``,
``server.meetings.http.schedule_meeting``); a refused form comes back as the page with a
4xx status, the problem named beside the form and everything as typed.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import func, select

import deliberation
from server.auth.middleware import token_digest
from server.db.tables import (
    Board,
    BoardInvitation,
    BoardMember,
    Meeting,
    Organisation,
    StandingInterest,
)
from server.meetings import boards
from server.meetings.access import BOARD_ROLE_LEVEL, board_membership
from server.meetings.api_models import MeetingCreate
from server.meetings.http import schedule_meeting
from server.meetings.service import MeetingNotFound
from server.rooms.access import Need
from server.rooms.http import organisation_named
from server.web.forms import flash, pop_flash
from server.web.i18n import gettext as _
from server.web.i18n import use_locale
from server.web.meeting_views import BOARD_ROLES, MEETING_STATUS, PUBLICATION, Clock, zone
from server.web.rooms import login_redirect

INVITATION_HOURS = 24 * 14
SECRETARIAT = frozenset({"chair", "vice_chair", "officer"})
TIMEZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Toronto",
    "Australia/Sydney",
    "UTC",
)
PUBLICATIONS = tuple(PUBLICATION)
BOARD_DEFAULTS = {
    "name": "",
    "description": "",
    "organisation_name": "",
    "sector": "",
    "board_role": "chair",
    "publication": "names",
    "is_public": "on",
    "min_voting_members": "3",
    "min_organisations": "2",
    "chair_or_vice": "on",
    "conflicted_leave_discussion": "",
    "private_titles": "on",
}
BOARD_UNTICKED = {"is_public": "", "chair_or_vice": "", "private_titles": ""}


def board_not_found(request: Request[Any, Any, Any]) -> Template:
    return Template(
        "error.html",
        context={
            "user": request.scope.get("user"),
            "heading": _("No such board"),
            "message": _("This board does not exist, or you are not one of its members."),
        },
        status_code=404,
    )


class FormProblem(ValueError):
    """A field the form cannot use; the message names it."""


def _whole(form: dict[str, str], name: str, label: str) -> int:
    raw = form.get(name, "").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise FormProblem(_("%(field)s: enter a whole number.") % {"field": label}) from None
    if value < 0:
        raise FormProblem(_("%(field)s: cannot be negative.") % {"field": label})
    return value


def orders_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The standing orders a board form sets; the rest take the core's defaults."""
    publication = form.get("publication", "names")
    if publication not in PUBLICATIONS:
        raise FormProblem(_("Publication: choose one of the options."))
    return {
        "quorum": {
            "min_voting_members": _whole(
                form, "min_voting_members", _("Quorum: voting members present")
            ),
            "min_organisations": _whole(form, "min_organisations", _("Quorum: organisations")),
            "required_roles": [["chair", "vice_chair"]] if form.get("chair_or_vice") else [],
        },
        "publication": publication,
        "conflicted_leave_discussion": bool(form.get("conflicted_leave_discussion")),
        "private_titles": bool(form.get("private_titles")),
    }


def _new_board_page(
    request: Request[Any, Any, Any], form: dict[str, str], errors: list[str], status: int = 200
) -> Template:
    return Template(
        "boards/new.html",
        context={
            "user": request.scope.get("user"),
            "form": form,
            "errors": errors,
            "board_roles": list(BOARD_ROLES.items()),
            "publications": list(PUBLICATION.items()),
        },
        status_code=status,
    )


@get("/boards/new", include_in_schema=False, media_type=MediaType.HTML)
async def new_board(request: Request[Any, Any, Any]) -> Any:
    use_locale(request.headers)
    if request.scope.get("user") is None:
        return login_redirect(request)
    return _new_board_page(request, dict(BOARD_DEFAULTS), [])


@post("/boards/new", include_in_schema=False, status_code=303, media_type=MediaType.HTML)
async def create_board_form(request: Request[Any, Any, Any]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        name = " ".join(form.get("name", "").split())
        organisation = " ".join(form.get("organisation_name", "").split())
        if not name:
            raise FormProblem(_("Name of the board: it needs a name."))
        if not organisation:
            raise FormProblem(_("Your organisation: say which organisation you represent."))
        role = form.get("board_role", "chair")
        if role not in BOARD_ROLES:
            raise FormProblem(_("Your role: choose one of the options."))
        orders = boards.standing_orders(orders_from_form(form))
        async with request.app.state.sessions() as session, session.begin():
            board = await boards.create_board(
                session,
                user,
                name=name[:200],
                description=form.get("description", "")[:5000],
                organisation_name=organisation[:200],
                sector=form.get("sector", "").strip()[:80],
                board_role=role,
                orders=orders,
                is_public=bool(form.get("is_public")),
            )
    except (FormProblem, ValidationException) as error:
        message = error.detail if isinstance(error, ValidationException) else str(error)
        return _new_board_page(
            request, {**BOARD_DEFAULTS, **BOARD_UNTICKED, **form}, [message], 422
        )
    flash(request, "done", _("Your board is set up. Invite its members next."))
    return Redirect(f"/boards/{board.id}", status_code=303)


async def _meetings(
    request: Request[Any, Any, Any], board_id: uuid.UUID, *, coming_only: bool = False
) -> list[dict[str, Any]]:
    """The board's meetings with what their logs say (status, zone, approval). States come
    from the write path's cache, so a page does not fold every meeting's log again;
    ``coming_only`` skips the meetings that have ended (the home page)."""
    query = select(Meeting.id).where(Meeting.board_id == board_id).order_by(Meeting.starts_at)
    if coming_only:
        ends = func.coalesce(Meeting.ends_at, Meeting.starts_at)
        query = query.where(ends >= request.app.state.clock.now())
    async with request.app.state.sessions() as session:
        ids = (await session.scalars(query)).all()
    out = []
    for meeting_id in ids:
        try:
            _seq, state = await request.app.state.meetings.state(meeting_id)
        except MeetingNotFound:
            continue
        if state.meeting is None:
            continue
        clock = Clock(state.meeting.timezone)
        starts = state.meeting.starts_at.isoformat()
        out.append(
            {
                "id": str(meeting_id),
                "title": state.meeting.title,
                "when": f"{clock.day_time(starts)} ({clock.name})",
                "starts_at": starts,
                "ends_at": state.meeting.ends_at,
                "status": state.status.value,
                "status_label": MEETING_STATUS.get(state.status.value, state.status.value),
                "approved": state.approved_at is not None,
            }
        )
    return out


def _split(meetings: list[dict[str, Any]], now: datetime) -> dict[str, list[dict[str, Any]]]:
    upcoming = [m for m in meetings if m["status"] != "closed" and m["ends_at"] >= now]
    past = [m for m in meetings if m not in upcoming]
    return {"upcoming": upcoming, "past": list(reversed(past))}


def _member_rows(rows: list[Any], policy: str | None) -> list[dict[str, Any]]:
    """Members as a page shows them: all for members (``policy`` None), else by the policy."""
    out = []
    for membership, user, organisation in rows:
        out.append(
            {
                "id": str(user.id),
                "name": user.display_name if policy in (None, "names") else "",
                "organisation": (organisation or "") if policy != "anonymous" else "",
                "sector": membership.sector,
                "role": membership.board_role,
                "role_label": BOARD_ROLES.get(membership.board_role, membership.board_role),
            }
        )
    return out


def _register_rows(rows: list[Any], policy: str | None, me: str | None) -> list[dict[str, Any]]:
    if policy == "anonymous":
        return []
    return [
        {
            "id": str(interest.id),
            "name": user.display_name if policy in (None, "names") else "",
            "organisation": organisation or "",
            "interest": interest.interest,
            "declared": f"{interest.declared_at:%-d %b %Y}",
            "withdrawn": f"{interest.withdrawn_at:%-d %b %Y}" if interest.withdrawn_at else "",
            "mine": me is not None and str(user.id) == me,
        }
        for interest, user, organisation in rows
    ]


def schedule_defaults(now: datetime) -> dict[str, str]:
    start = (now + timedelta(days=14)).astimezone(zone("Europe/London"))
    start = start.replace(hour=14, minute=0, second=0, microsecond=0)
    return {
        "title": "",
        "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "ends_at": f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "timezone": "Europe/London",
        "place": "",
        "video_url": "",
        "mode": "live",
    }


async def board_page(
    request: Request[Any, Any, Any],
    board_id: uuid.UUID,
    *,
    status_code: int = 200,
    posted: dict[str, Any] | None = None,
) -> Any:
    """The board page for its members; ``posted`` shows a refused form again, as typed."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    async with request.app.state.sessions() as session:
        access = await board_membership(session, user, board_id)
        if access is None:
            return board_not_found(request)
        members = await boards.members_of(session, board_id)
        register = await boards.register_of(session, board_id)
    board = access.board
    now = request.app.state.clock.now()
    manages = BOARD_ROLE_LEVEL.get(access.role, 0) >= Need.FACILITATE
    takes_part = BOARD_ROLE_LEVEL.get(access.role, 0) >= Need.ACT
    forms: dict[str, dict[str, str]] = {
        "schedule": schedule_defaults(now),
        "invite": {"board_role": "voting_member", "organisation_name": "", "sector": ""},
        "interest": {"interest": ""},
    }
    errors: dict[str, list[str]] = {}
    if posted is not None:
        forms[posted["form"]] = {**forms[posted["form"]], **posted["values"]}
        errors[posted["form"]] = posted["errors"]
    return Template(
        "boards/board.html",
        context={
            "user": user,
            "board": {
                "id": str(board.id),
                "name": board.name,
                "description": board.description,
                "is_public": board.is_public,
                "publication": board.publication,
                "publication_label": PUBLICATION.get(board.publication, board.publication),
            },
            "role": access.role,
            "role_label": BOARD_ROLES.get(access.role, access.role),
            "organisation": access.organisation_name or "",
            "manages": manages,
            "takes_part": takes_part,
            "members": _member_rows(members, None),
            "register": _register_rows(register, None, str(user.id)),
            "meetings": _split(await _meetings(request, board_id), now),
            "forms": forms,
            "form_errors": errors,
            "board_roles": list(BOARD_ROLES.items()),
            "timezones": TIMEZONES,
            "flashes": pop_flash(request),
        },
        status_code=status_code,
    )


@get("/boards/{board_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def board_view(request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]) -> Any:
    return await board_page(request, board_id)


async def _board_form(
    request: Request[Any, Any, Any], board_id: uuid.UUID, need: Need
) -> tuple[Any, dict[str, str]] | Any:
    """The signed-in person's seat (checked against ``need``) and the posted form; or the
    page to answer with instead (login, 404, 403)."""
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    async with request.app.state.sessions() as session:
        access = await board_membership(session, user, board_id)
    if access is None:
        return board_not_found(request)
    if BOARD_ROLE_LEVEL.get(access.role, 0) < need:
        return forbidden_page(
            request,
            _("Your role on this board (%(role)s) does not allow this.")
            % {"role": _(BOARD_ROLES.get(access.role, access.role))},
        )
    form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
    return access, form


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


@post(
    "/boards/{board_id:uuid}/invitations",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def invite_form(request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]) -> Any:
    found = await _board_form(request, board_id, Need.FACILITATE)
    if not isinstance(found, tuple):
        return found
    _access, form = found
    role = form.get("board_role", "voting_member")
    if role not in BOARD_ROLES:
        posted = {
            "form": "invite",
            "values": form,
            "errors": [_("Role: choose one of the options.")],
        }
        return await board_page(request, board_id, status_code=422, posted=posted)
    token = secrets.token_urlsafe(24)
    user = request.scope["user"]
    organisation_name = " ".join(form.get("organisation_name", "").split())[:200]
    async with request.app.state.sessions() as session, session.begin():
        organisation = (
            await organisation_named(session, organisation_name) if organisation_name else None
        )
        session.add(
            BoardInvitation(
                board_id=board_id,
                token_hash=token_digest(token),
                board_role=role,
                organisation_id=organisation.id if organisation else None,
                sector=form.get("sector", "").strip()[:80],
                single_use=bool(form.get("single_use")),
                expires_at=request.app.state.clock.now() + timedelta(hours=INVITATION_HOURS),
                created_by=user.id,
            )
        )
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    link = {
        "url": f"{base}/board-invitations/{token}",
        "role": BOARD_ROLES[role],
        "organisation": organisation_name or None,
    }
    flash(request, "created", _("Invitation created."), links=[link])
    return Redirect(f"/boards/{board_id}#members-h", status_code=303)


def local_moment(value: str, zone_name: str, label: str) -> datetime:
    """A ``datetime-local`` value read in the meeting's own time zone."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FormProblem(_("%(field)s: enter a date and a time.") % {"field": label}) from None
    moment = naive if naive.tzinfo is not None else naive.replace(tzinfo=zone(zone_name))
    return moment.astimezone(UTC)


@post(
    "/boards/{board_id:uuid}/meetings",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def schedule_form(request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]) -> Any:
    found = await _board_form(request, board_id, Need.FACILITATE)
    if not isinstance(found, tuple):
        return found
    _access, form = found
    state = request.app.state
    status = 422
    try:
        timezone = form.get("timezone", "Europe/London").strip() or "Europe/London"
        if str(zone(timezone).key) != timezone:
            raise FormProblem(_("Time zone: choose one of the options."))
        data = MeetingCreate(
            title=" ".join(form.get("title", "").split()),
            starts_at=local_moment(form.get("starts_at", ""), timezone, _("Starts")),
            ends_at=local_moment(form.get("ends_at", ""), timezone, _("Ends")),
            timezone=timezone,
            place=form.get("place", "").strip(),
            video_url=form.get("video_url", "").strip(),
            mode="async" if form.get("mode") == "async" else "live",
        )
        meeting = await schedule_meeting(
            state.meetings, request.scope["user"], board_id, data, state.clock.now()
        )
    except FormProblem as error:
        message = str(error)
    except ValidationError as error:
        message = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]
        )
    except deliberation.Rejected as refused:
        message = refused.message
        status = 409 if refused.reason.value == "conflict" else 422
    except PermissionDeniedException as error:
        return forbidden_page(request, str(error.detail))
    except NotFoundException:
        return board_not_found(request)
    else:
        flash(request, "done", _("The meeting is scheduled. Add its agenda next."))
        return Redirect(f"/meetings/{meeting.id}/console", status_code=303)
    posted = {"form": "schedule", "values": form, "errors": [message]}
    return await board_page(request, board_id, status_code=status, posted=posted)


@post(
    "/boards/{board_id:uuid}/interests",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def interest_form(request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]) -> Any:
    found = await _board_form(request, board_id, Need.ACT)
    if not isinstance(found, tuple):
        return found
    _access, form = found
    text = " ".join(form.get("interest", "").split())
    if not text or len(text) > 2000:
        problem = _("Interest: say what the interest is, in at most 2,000 characters.")
        posted = {"form": "interest", "values": form, "errors": [problem]}
        return await board_page(request, board_id, status_code=422, posted=posted)
    async with request.app.state.sessions() as session, session.begin():
        session.add(
            StandingInterest(
                board_id=board_id,
                user_id=request.scope["user"].id,
                interest=text,
                excludes="none",
                declared_at=request.app.state.clock.now(),
            )
        )
    flash(
        request,
        "done",
        _("Your interest is on the register. Meetings scheduled from now on carry it."),
    )
    return Redirect(f"/boards/{board_id}#register-h", status_code=303)


@post(
    "/boards/{board_id:uuid}/interests/{interest_id:uuid}/withdraw",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def withdraw_interest_form(
    request: Request[Any, Any, Any],
    board_id: FromPath[uuid.UUID],
    interest_id: FromPath[uuid.UUID],
) -> Any:
    found = await _board_form(request, board_id, Need.ACT)
    if not isinstance(found, tuple):
        return found
    access, _form = found
    user = request.scope["user"]
    async with request.app.state.sessions() as session, session.begin():
        entry = await session.get(StandingInterest, interest_id)
        if entry is None or entry.board_id != board_id:
            return board_not_found(request)
        if entry.user_id != user.id and access.role not in SECRETARIAT:
            return forbidden_page(request, _("Only the secretariat withdraws others' interests."))
        if entry.withdrawn_at is None:
            entry.withdrawn_at = request.app.state.clock.now()
    flash(request, "done", _("The interest is marked withdrawn; the register keeps it."))
    return Redirect(f"/boards/{board_id}#register-h", status_code=303)


# -- joining a board by invitation -----------------------------------------------------------


async def _board_invitation(request: Request[Any, Any, Any], token: str) -> dict[str, Any] | None:
    async with request.app.state.sessions() as session:
        row = (
            await session.execute(
                select(BoardInvitation, Board.name, Organisation.name)
                .join(Board, Board.id == BoardInvitation.board_id)
                .outerjoin(Organisation, Organisation.id == BoardInvitation.organisation_id)
                .where(BoardInvitation.token_hash == token_digest(token))
            )
        ).one_or_none()
    if row is None:
        return None
    invitation, board_name, organisation = row
    now = request.app.state.clock.now()
    usable = not invitation.revoked and not (
        invitation.expires_at is not None and invitation.expires_at <= now
    )
    if invitation.single_use and invitation.uses > 0:
        usable = False
    return {
        "board": board_name,
        "board_id": str(invitation.board_id),
        "role": invitation.board_role,
        "role_label": BOARD_ROLES.get(invitation.board_role, invitation.board_role),
        "organisation": organisation,
        "sector": invitation.sector,
        "usable": usable,
    }


@get("/board-invitations/{token:str}", include_in_schema=False, media_type=MediaType.HTML)
async def board_invitation_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    invitation = await _board_invitation(request, token)
    return Template(
        "boards/invitation.html",
        context={"user": user, "invitation": invitation, "token": token, "errors": [], "form": {}},
        status_code=200 if invitation and invitation["usable"] else 404,
    )


@post(
    "/board-invitations/{token:str}",
    include_in_schema=False,
    status_code=303,
    media_type=MediaType.HTML,
)
async def accept_board_invitation_form(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Any:
    use_locale(request.headers)
    user = request.scope.get("user")
    if user is None:
        return login_redirect(request)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
    organisation = " ".join(form.get("organisation_name", "").split())[:200] or None
    sector = form.get("sector", "").strip()[:80] or None
    try:
        async with request.app.state.sessions() as session, session.begin():
            board_id = await boards.accept_board_invitation(
                session, user, token, organisation, sector, request.app.state.clock.now()
            )
    except (NotFoundException, ValidationException) as error:
        invitation = await _board_invitation(request, token)
        return Template(
            "boards/invitation.html",
            context={
                "user": user,
                "invitation": invitation,
                "token": token,
                "errors": [str(error.detail)],
                "form": form,
            },
            status_code=404 if isinstance(error, NotFoundException) else 422,
        )
    flash(request, "done", _("Welcome: you are now a member of this board."))
    return Redirect(f"/boards/{board_id}", status_code=303)


# -- my boards and meetings (the home page) ------------------------------------------------


async def my_boards(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """The boards the signed-in person sits on, each with its coming meetings."""
    user = request.scope.get("user")
    if user is None:
        return []
    async with request.app.state.sessions() as session:
        rows = (
            await session.execute(
                select(Board.id, Board.name, BoardMember.board_role)
                .join(BoardMember, BoardMember.board_id == Board.id)
                .where(BoardMember.user_id == user.id)
                .order_by(Board.created_at.desc())
            )
        ).all()
    now = request.app.state.clock.now()
    out = []
    for board_id, name, role in rows:
        meetings = _split(await _meetings(request, board_id, coming_only=True), now)
        out.append(
            {
                "id": str(board_id),
                "name": name,
                "role_label": BOARD_ROLES.get(role, role),
                "manages": BOARD_ROLE_LEVEL.get(role, 0) >= Need.FACILITATE,
                "upcoming": meetings["upcoming"],
            }
        )
    return out


# -- the public archive ----------------------------------------------------------------------


@get("/public/boards/{board_id:uuid}", include_in_schema=False, media_type=MediaType.HTML)
async def public_board(request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]) -> Any:
    """A public board as anyone may see it: its seats and register as its publication
    policy allows, its coming meetings, and the approved minutes of the past ones."""
    use_locale(request.headers)
    async with request.app.state.sessions() as session:
        board = await session.get(Board, board_id)
        if board is None or not board.is_public:
            return board_not_found(request)
        members = await boards.members_of(session, board_id)
        register = await boards.register_of(session, board_id, current_only=True)
    now = request.app.state.clock.now()
    meetings = _split(await _meetings(request, board_id), now)
    return Template(
        "boards/public.html",
        context={
            "user": request.scope.get("user"),
            "board": {
                "id": str(board.id),
                "name": board.name,
                "description": board.description,
                "publication_label": PUBLICATION.get(board.publication, board.publication),
            },
            "members": _member_rows(members, board.publication),
            "register": _register_rows(register, board.publication, None),
            "upcoming": meetings["upcoming"],
            "published": [m for m in meetings["past"] if m["approved"]],
            "unpublished": [m for m in meetings["past"] if not m["approved"]],
        },
    )


def board_handlers() -> list[Any]:
    return [
        new_board,
        create_board_form,
        board_view,
        invite_form,
        schedule_form,
        interest_form,
        withdraw_interest_form,
        board_invitation_page,
        accept_board_invitation_form,
        public_board,
    ]
