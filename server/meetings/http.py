"""The boards and meetings HTTP API: boards, members, invitations, the standing register,
scheduling, every meeting command, the meeting's view and events, and its minutes.

The outputs (minutes as HTML/Markdown/PDF, iCalendar, the signed record file) live in
``server.meetings.outputs_http``: ``meeting_routes()`` mounts its ``output_routes()``
beside these controllers. A new route here or there must be listed, with who may call it,
in ``tests/server/test_meetings_authorization.py`` (that test fails otherwise). A board's
signing key: ``server.meetings.publishing.board_key``.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Router, get, post
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select

import deliberation
import deliberation.meetings as core
from server.auth.guards import signed_in
from server.auth.middleware import CurrentUser, token_digest
from server.db.session import transaction
from server.db.tables import Board, BoardInvitation, BoardMember, Meeting, StandingInterest
from server.meetings import boards, outputs_http
from server.meetings.access import access_board, access_meeting, board_membership
from server.meetings.api_models import (
    BoardCreate,
    BoardInvitationAccept,
    BoardInvitationCreate,
    BoardInvitationOut,
    BoardMemberOut,
    BoardOut,
    InterestCreate,
    InterestOut,
    MeetingCommandAck,
    MeetingCreate,
    MeetingOut,
    RoleChange,
)
from server.meetings.codec import command_from_wire
from server.meetings.commands import (
    previous_meeting,
    public_meeting_commands,
    run_meeting_command,
)
from server.meetings.event_store import MEETING
from server.meetings.projection import meeting_view
from server.meetings.publishing import publish_minutes, published_record
from server.meetings.queries import NotApproved, minutes_document
from server.rooms.access import Need
from server.rooms.api_models import EventOut
from server.rooms.chain import format_time
from server.rooms.event_store import events_since
from server.rooms.http import organisation_named

MAX_EVENTS_PAGE = 1000

# Route handlers of the outputs (minutes renderers, calendar, record): see the docstring.
OUTPUT_ROUTES: list[Any] = outputs_http.output_routes()


def output_routes() -> list[Any]:
    return list(OUTPUT_ROUTES)


def _board_out(board: Board, role: str | None, members: list[BoardMemberOut]) -> BoardOut:
    return BoardOut(
        id=str(board.id),
        name=board.name,
        description=board.description,
        publication=board.publication,
        is_public=board.is_public,
        role=role,
        standing_orders=board.standing_orders,
        members=members,
    )


def _members_out(rows: list[Any], policy: str | None) -> list[BoardMemberOut]:
    """Every member for the board's members (``policy`` None); for the public, as the
    board's publication policy allows (names; organisations only; nothing but the seats)."""
    out = []
    for membership, user, organisation in rows:
        named = policy in (None, "names")
        out.append(
            BoardMemberOut(
                member=str(user.id) if named else None,
                name=user.display_name if named else None,
                organisation=organisation if policy != "anonymous" else None,
                sector=membership.sector,
                board_role=membership.board_role,
            )
        )
    return out


def _meeting_out(
    meeting: Meeting, board: Board, role: str | None, status: str | None
) -> MeetingOut:
    return MeetingOut(
        id=str(meeting.id),
        board_id=str(board.id),
        board_name=board.name,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        seq=meeting.last_seq,
        status=status,
        role=role,
    )


async def _readable_board(
    request: Request[Any, Any, Any], session: Any, board_id: uuid.UUID
) -> tuple[Board, str | None]:
    """The board for a member (with their role), or for anyone if the board is public."""
    user = request.scope.get("user")
    found = await board_membership(session, user, board_id)
    if found is not None:
        return found.board, found.role
    board = await session.get(Board, board_id)
    if board is None or not board.is_public:
        raise NotFoundException("No such board.")
    return board, None


class BoardsApi(Controller):
    path = "/api/boards"
    tags = ["boards"]

    @post("/", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def create(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[BoardCreate]
    ) -> BoardOut:
        """Create a board with its standing orders; you are its first member."""
        orders = boards.standing_orders(data.standing_orders)
        async with transaction(request) as session:
            board = await boards.create_board(
                session,
                request.user,
                name=data.name,
                description=data.description,
                organisation_name=data.organisation_name,
                sector=data.sector,
                board_role=data.board_role,
                orders=orders,
                is_public=data.is_public,
            )
            rows = await boards.members_of(session, board.id)
        return _board_out(board, data.board_role, _members_out(rows, None))

    @get("/", guards=[signed_in])
    async def mine(self, request: Request[CurrentUser, Any, Any]) -> list[BoardOut]:
        """The boards you sit on, with your role."""
        async with transaction(request) as session:
            rows = (
                await session.execute(
                    select(Board, BoardMember.board_role)
                    .join(BoardMember, BoardMember.board_id == Board.id)
                    .where(BoardMember.user_id == request.user.id)
                    .order_by(Board.created_at.desc())
                )
            ).all()
        return [_board_out(board, role, []) for board, role in rows]

    @get("/{board_id:uuid}")
    async def show(
        self, request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]
    ) -> BoardOut:
        """The board and its members (the public sees a public board as its policy allows)."""
        async with transaction(request) as session:
            board, role = await _readable_board(request, session, board_id)
            rows = await boards.members_of(session, board.id)
        policy = None if role is not None else board.publication
        return _board_out(board, role, _members_out(rows, policy))

    @post("/{board_id:uuid}/invitations", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def invite(
        self,
        request: Request[CurrentUser, Any, Any],
        board_id: FromPath[uuid.UUID],
        data: JSONBody[BoardInvitationCreate],
    ) -> BoardInvitationOut:
        """Invite someone onto the board with a role, organisation and sector (the chair,
        vice-chair and officers). The token is shown once."""
        token = secrets.token_urlsafe(24)
        expires_at = (
            request.app.state.clock.now() + timedelta(hours=data.expires_in_hours)
            if data.expires_in_hours
            else None
        )
        async with transaction(request) as session:
            await access_board(session, request.user, board_id, Need.FACILITATE)
            organisation = (
                await organisation_named(session, data.organisation_name)
                if data.organisation_name
                else None
            )
            session.add(
                BoardInvitation(
                    board_id=board_id,
                    token_hash=token_digest(token),
                    board_role=data.board_role,
                    organisation_id=organisation.id if organisation else None,
                    sector=data.sector,
                    single_use=data.single_use,
                    expires_at=expires_at,
                    created_by=request.user.id,
                )
            )
        base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
        return BoardInvitationOut(
            token=token,
            url=f"{base}/board-invitations/{token}",
            board_role=data.board_role,
            organisation=organisation.name if organisation else None,
            sector=data.sector,
            single_use=data.single_use,
            expires_at=expires_at,
        )

    @post("/{board_id:uuid}/members/{member_id:uuid}/role", status_code=200, guards=[signed_in])
    async def change_role(
        self,
        request: Request[CurrentUser, Any, Any],
        board_id: FromPath[uuid.UUID],
        member_id: FromPath[uuid.UUID],
        data: JSONBody[RoleChange],
    ) -> BoardMemberOut:
        """Change a member's role (and sector) on the board (the secretariat only). What they
        may do through the API changes at once; a meeting already scheduled keeps the board's
        snapshot (who votes, who counts for quorum) as it was."""
        async with transaction(request) as session:
            await access_board(session, request.user, board_id, Need.FACILITATE)
            membership = await session.scalar(
                select(BoardMember).where(
                    BoardMember.board_id == board_id, BoardMember.user_id == member_id
                )
            )
            if membership is None:
                raise NotFoundException("That person is not a member of this board.")
            membership.board_role = data.board_role
            if data.sector is not None:
                membership.sector = data.sector
            await session.flush()
            rows = [r for r in await boards.members_of(session, board_id) if r[1].id == member_id]
        return _members_out(rows, None)[0]

    @get("/{board_id:uuid}/interests")
    async def register(
        self, request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]
    ) -> list[InterestOut]:
        """The standing register of interests: every entry, withdrawn ones marked, for
        members; current entries as the policy allows for the public of a public board."""
        async with transaction(request) as session:
            board, role = await _readable_board(request, session, board_id)
            rows = await boards.register_of(session, board.id, current_only=role is None)
        policy = None if role is not None else board.publication
        if policy == "anonymous":
            return []
        named = policy in (None, "names")
        return [
            InterestOut(
                id=str(interest.id),
                member=str(user.id) if named else None,
                name=user.display_name if named else None,
                organisation=organisation,
                interest=interest.interest,
                declared_at=interest.declared_at,
                withdrawn_at=interest.withdrawn_at,
            )
            for interest, user, organisation in rows
        ]

    @post("/{board_id:uuid}/interests", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def declare(
        self,
        request: Request[CurrentUser, Any, Any],
        board_id: FromPath[uuid.UUID],
        data: JSONBody[InterestCreate],
    ) -> InterestOut:
        """Enter a standing interest on the register: your own, or (the secretariat) a
        member's. Meetings scheduled from now on carry it."""
        try:
            member = uuid.UUID(data.member) if data.member else request.user.id
        except ValueError:
            raise ValidationException("member: not a member's id.") from None
        async with transaction(request) as session:
            access = await access_board(session, request.user, board_id, Need.ACT)
            if member != request.user.id and access.role not in ("chair", "vice_chair", "officer"):
                raise PermissionDeniedException("Only the secretariat enters others' interests.")
            on_board = await session.scalar(
                select(BoardMember).where(
                    BoardMember.board_id == board_id, BoardMember.user_id == member
                )
            )
            if on_board is None:
                raise NotFoundException("That person is not a member of this board.")
            entry = StandingInterest(
                board_id=board_id,
                user_id=member,
                interest=" ".join(data.interest.split()),
                excludes="none",
                declared_at=request.app.state.clock.now(),
            )
            session.add(entry)
            await session.flush()
            rows = [r for r in await boards.register_of(session, board_id) if r[0].id == entry.id]
        interest, user, organisation = rows[0]
        return InterestOut(
            id=str(interest.id),
            member=str(user.id),
            name=user.display_name,
            organisation=organisation,
            interest=interest.interest,
            declared_at=interest.declared_at,
            withdrawn_at=None,
        )

    @post(
        "/{board_id:uuid}/interests/{interest_id:uuid}/withdraw",
        status_code=200,
        guards=[signed_in],
    )
    async def withdraw(
        self,
        request: Request[CurrentUser, Any, Any],
        board_id: FromPath[uuid.UUID],
        interest_id: FromPath[uuid.UUID],
    ) -> InterestOut:
        """Withdraw a standing interest (the register keeps it, marked withdrawn)."""
        async with transaction(request) as session:
            access = await access_board(session, request.user, board_id, Need.ACT)
            entry = await session.get(StandingInterest, interest_id)
            if entry is None or entry.board_id != board_id:
                raise NotFoundException("No such entry on this board's register.")
            if entry.user_id != request.user.id and access.role not in (
                "chair",
                "vice_chair",
                "officer",
            ):
                raise PermissionDeniedException("Only the secretariat withdraws others' interests.")
            if entry.withdrawn_at is None:
                entry.withdrawn_at = request.app.state.clock.now()
            await session.flush()
            rows = [r for r in await boards.register_of(session, board_id) if r[0].id == entry.id]
        interest, user, organisation = rows[0]
        return InterestOut(
            id=str(interest.id),
            member=str(user.id),
            name=user.display_name,
            organisation=organisation,
            interest=interest.interest,
            declared_at=interest.declared_at,
            withdrawn_at=interest.withdrawn_at,
        )

    @post("/{board_id:uuid}/meetings", status_code=HTTP_201_CREATED, guards=[signed_in])
    async def schedule(
        self,
        request: Request[CurrentUser, Any, Any],
        board_id: FromPath[uuid.UUID],
        data: JSONBody[MeetingCreate],
    ) -> MeetingOut:
        """Schedule a meeting of the board (the secretariat). It takes the board as it is
        now: members, standing orders, the register of interests."""
        state = request.app.state
        meeting = await schedule_meeting(
            state.meetings, request.user, board_id, data, state.clock.now()
        )
        async with transaction(request) as session:
            access = await access_board(session, request.user, board_id, Need.READ)
        return _meeting_out(meeting, access.board, access.role, "scheduled")

    @get("/{board_id:uuid}/meetings")
    async def meetings(
        self, request: Request[Any, Any, Any], board_id: FromPath[uuid.UUID]
    ) -> list[MeetingOut]:
        """The board's meetings, soonest last (the public sees a public board's)."""
        async with transaction(request) as session:
            board, role = await _readable_board(request, session, board_id)
            rows = (
                await session.scalars(
                    select(Meeting).where(Meeting.board_id == board_id).order_by(Meeting.starts_at)
                )
            ).all()
        return [_meeting_out(m, board, role, None) for m in rows]


async def schedule_meeting(
    service: Any, user: CurrentUser, board_id: uuid.UUID, data: MeetingCreate, now: Any
) -> Meeting:
    """The meeting's row and its ``meeting.scheduled`` (with the board's snapshot), together,
    and onto its agenda every item the board's previous meeting deferred to "the next
    meeting", each with its history (and a room of its own, if its kind has one)."""
    meeting_id = uuid.uuid4()
    later: list[Any] = []
    touched: set[uuid.UUID] = set()
    try:
        async with service.sessions() as session, session.begin():
            access = await access_board(session, user, board_id, Need.FACILITATE)
            snapshot = await boards.snapshot(session, access.board)
            secretaries = data.secretaries or [
                m.member for m in snapshot.members if m.role is core.BoardRole.OFFICER
            ]
            command = command_from_wire(
                "schedule_meeting",
                {
                    "meeting": str(meeting_id),
                    "title": data.title,
                    "board": snapshot,
                    "starts_at": data.starts_at,
                    "ends_at": data.ends_at,
                    "timezone": data.timezone,
                    "place": data.place,
                    "video_url": data.video_url,
                    "mode": data.mode,
                    "facilitators": data.facilitators,
                    "secretaries": secretaries,
                },
            )
            meeting = Meeting(
                id=meeting_id,
                board_id=board_id,
                title=data.title,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                last_seq=0,
            )
            session.add(meeting)
            await session.flush()
            ctx = deliberation.Context(actor=user.participant_id, at=now)
            scheduled = await service.attempt(session, meeting_id, command, ctx, None)
            stored = list(scheduled.stored)
            if service.within is not None:  # the members are told, in this transaction
                later += await service.within(
                    session, scheduled.stored, scheduled.before, scheduled.after, touched
                )
            earlier = await previous_meeting(session, meeting)
            if earlier is not None:
                _seq, before = await service.state_in(session, earlier.id)
                system = deliberation.Context(actor=None, at=now)
                for item in before.items.values():
                    if item.status is not core.ItemStatus.DEFERRED or not item.deferred_to_next:
                        continue
                    room = deliberation.RoomId(str(uuid.uuid4())) if item.room else None
                    carried = core.deferred_item(
                        before, item.item, core.ItemId(uuid.uuid4().hex), room
                    )
                    done = await service.attempt(session, meeting_id, carried, system, None)
                    stored.extend(done.stored)
                    if service.within is not None:
                        later += await service.within(
                            session, done.stored, done.before, done.after, touched
                        )
    except BaseException:
        service.forget(meeting_id, touched)
        raise
    if stored:
        await service.publish(meeting_id, stored)
    for step in later:
        await step()
    return meeting


def _event_out(stored: Any) -> EventOut:
    return EventOut(
        seq=stored.seq,
        event=stored.type,
        data=stored.payload,
        actor=stored.actor_id,
        acting_for=stored.acting_for,
        at=format_time(stored.occurred_at),
        hash=stored.hash,
        prev=stored.prev_hash,
    )


class MeetingsApi(Controller):
    path = "/api/meetings"
    tags = ["meetings"]

    @get("/{meeting_id:uuid}", guards=[signed_in])
    async def show(
        self, request: Request[CurrentUser, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> MeetingOut:
        """One meeting, with your role on its board."""
        async with transaction(request) as session:
            access = await access_meeting(session, request.user, meeting_id, Need.READ)
        _seq, state = await request.app.state.meetings.state(meeting_id)
        return _meeting_out(access.meeting, access.board.board, access.role, state.status.value)

    @get("/{meeting_id:uuid}/view", guards=[signed_in])
    async def view(
        self, request: Request[CurrentUser, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The meeting now: agenda, attendance, declarations, quorum, actions (members)."""
        async with transaction(request) as session:
            await access_meeting(session, request.user, meeting_id, Need.READ)
        seq, state = await request.app.state.meetings.state(meeting_id)
        return {"seq": seq, "view": meeting_view(state)}

    @get("/{meeting_id:uuid}/events", guards=[signed_in])
    async def events(
        self,
        request: Request[CurrentUser, Any, Any],
        meeting_id: FromPath[uuid.UUID],
        after: Annotated[int, QueryParameter(ge=0, description="Events with seq > after.")] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_EVENTS_PAGE)] = 500,
    ) -> list[EventOut]:
        """The meeting's events after a seq, with their hash chain (members)."""
        async with transaction(request) as session:
            await access_meeting(session, request.user, meeting_id, Need.READ)
            stored = await events_since(session, meeting_id, after, limit, stream=MEETING)
        return [_event_out(s) for s in stored]

    @get("/{meeting_id:uuid}/minutes")
    async def minutes(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The minutes: the draft, as the log says it now, for the board's members; the
        approved minutes as published for everyone else (public boards only)."""
        async with transaction(request) as session:
            member = await _member_of_meeting(request, session, meeting_id)
            document = await public_minutes(session, meeting_id, member=member)
        return {"minutes": document}

    @post("/{meeting_id:uuid}/publication", status_code=200, guards=[signed_in])
    async def publish(
        self, request: Request[CurrentUser, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Publish approved minutes as the signed meeting record (the secretariat): each
        decided item's decision log is published and linked; 409 before approval."""
        async with transaction(request) as session:
            await access_meeting(session, request.user, meeting_id, Need.FACILITATE)
        state = request.app.state
        try:
            record = await publish_minutes(
                state.sessions, meeting_id, state.clock.now(), ballot_key=state.rooms.ballot_key
            )
        except NotApproved:
            raise ConflictException(
                "These minutes are not approved yet: a later meeting approves them."
            ) from None
        return {"record": record}

    @get("/{meeting_id:uuid}/record")
    async def record(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The signed meeting record as published (members; everyone, for a public board).
        Check it offline with `evenfloor verify RECORD.json`."""
        async with transaction(request) as session:
            await _member_of_meeting(request, session, meeting_id)
            found = await published_record(session, meeting_id)
        if found is None:
            raise NotFoundException("These minutes are not published yet.")
        return found


class ConflictException(HTTPException):
    status_code = 409


async def _member_of_meeting(
    request: Request[Any, Any, Any], session: Any, meeting_id: uuid.UUID
) -> bool:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundException("No such meeting.")
    found = await board_membership(session, request.scope.get("user"), meeting.board_id)
    if found is not None:
        return True
    board = await session.get(Board, meeting.board_id)
    if board is None or not board.is_public:
        raise NotFoundException("No such meeting.")
    return False


async def public_minutes(session: Any, meeting_id: uuid.UUID, *, member: bool) -> dict[str, Any]:
    """The minutes a reader may have: the draft for members, else the published minutes
    (404 until approved). Outputs' routes call this after ``_member_of_meeting``."""
    try:
        return await minutes_document(session, meeting_id, published=not member)
    except NotApproved:
        raise NotFoundException("These minutes are not approved yet.") from None


def _command_route(name: str, cls: type) -> Any:
    doc = (cls.__doc__ or name).strip()

    async def handler(
        request: Request[CurrentUser, Any, Any],
        meeting_id: FromPath[uuid.UUID],
        data: JSONBody[dict[str, Any] | None] = None,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                max_length=128,
                description="Retrying with the same key returns the first result and appends nothing.",
            ),
        ] = None,
        acting_for: Annotated[
            str | None,
            QueryParameter(max_length=64, description="The member a clerk acts for."),
        ] = None,
    ) -> MeetingCommandAck:
        state = request.app.state
        done = await run_meeting_command(
            service=state.meetings,
            user=request.user,
            meeting_id=meeting_id,
            name=name,
            args=data or {},
            acting_for=acting_for,
            idempotency_key=idempotency_key,
            now=state.clock.now(),
        )
        result = done.result
        return MeetingCommandAck(
            seq=result.seq, seqs=list(result.seqs), replayed=result.replayed, ids=done.ids
        )

    handler.__name__ = f"meeting_command_{name}"
    handler.__qualname__ = handler.__name__
    return post(
        f"/{{meeting_id:uuid}}/commands/{name}",
        status_code=200,
        summary=doc.splitlines()[0],
        description=doc,
        operation_id=f"meeting_command_{name}",
        tags=["meeting commands"],
        guards=[signed_in],
    )(handler)


def meeting_command_router() -> Router:
    return Router(
        path="/api/meetings",
        route_handlers=[
            _command_route(name, cls) for name, cls in sorted(public_meeting_commands().items())
        ],
    )


class BoardInvitationsApi(Controller):
    path = "/api/board-invitations"
    guards = [signed_in]
    tags = ["boards"]

    @post("/{token:str}/accept", status_code=200)
    async def accept(
        self,
        request: Request[CurrentUser, Any, Any],
        token: FromPath[str],
        data: JSONBody[BoardInvitationAccept],
    ) -> BoardOut:
        """Join a board with an invitation token."""
        now = request.app.state.clock.now()
        async with transaction(request) as session:
            board_id = await boards.accept_board_invitation(
                session, request.user, token, data.organisation_name, data.sector, now
            )
        async with transaction(request) as session:
            access = await access_board(session, request.user, board_id, Need.READ)
            rows = await boards.members_of(session, board_id)
        return _board_out(access.board, access.role, _members_out(rows, None))


def meeting_routes() -> list[Any]:
    from server.meetings.outputs_http import output_routes

    return [BoardsApi, BoardInvitationsApi, MeetingsApi, meeting_command_router(), *output_routes()]
