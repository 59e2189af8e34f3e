"""The rooms HTTP API: rooms, invitations, events, views, and every command."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Router, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation
from server.auth.guards import signed_in
from server.auth.middleware import CurrentUser, token_digest
from server.db.session import transaction
from server.db.tables import Invitation, Membership, Organisation, Room
from server.rooms.access import Need, access_room
from server.rooms.api_models import (
    CommandAck,
    EventOut,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    RoomCreate,
    RoomOut,
)
from server.rooms.chain import format_time
from server.rooms.codec import command_from_wire
from server.rooms.commands import public_commands, run_command
from server.rooms.event_store import events_since
from server.rooms.publishing import publish_room, published_log, receipts_for
from server.rooms.redaction import Renderer
from server.rooms.service import RoomService
from server.web.i18n import negotiate

MAX_EVENTS_PAGE = 1000


async def organisation_named(session: AsyncSession, name: str) -> Organisation:
    name = " ".join(name.split())
    if not name:
        raise ValidationException("An organisation needs a name.")
    found = await session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name)
        session.add(found)
        await session.flush()
    return found


async def create_room(
    service: RoomService, user: CurrentUser, data: JSONBody[RoomCreate], now: Any
) -> Room:
    """Create the room's row, its owner's membership and its first events, atomically."""
    room_id = uuid.uuid4()
    args = {
        "room": str(room_id),
        "title": data.title,
        "proposal": data.proposal,
        "owner_name": user.display_name,
        "organisation": "",
        "organisation_name": data.organisation_name,
        "rules": data.rules,
        "mode": data.mode,
        "publication": data.publication,
        "deadlines": data.deadlines,
    }
    async with service.sessions() as session, session.begin():
        organisation = await organisation_named(session, data.organisation_name)
        args["organisation"] = str(organisation.id)
        args["organisation_name"] = organisation.name
        command = command_from_wire("create_room", args)
        room = Room(
            id=room_id,
            title=data.title,
            owner_id=user.id,
            mode=data.mode,
            policy=data.publication,
            is_public=data.is_public,
            last_seq=0,
        )
        session.add(room)
        await session.flush()  # no relationship() tells the unit of work the room goes first
        session.add(
            Membership(
                room_id=room_id, user_id=user.id, organisation_id=organisation.id, role="owner"
            )
        )
        await session.flush()
        ctx = deliberation.Context(actor=user.participant_id, at=now)
        await service.attempt(session, room_id, command, ctx, None)
    return room


async def admit(
    service: RoomService,
    *,
    room_id: uuid.UUID,
    user: CurrentUser,
    organisation: Organisation | None,
    role: str,
    now: Any,
) -> None:
    """Add the membership row and the ``member.admitted`` event in one transaction."""
    command = command_from_wire(
        "admit_member",
        {
            "participant": user.participant_id,
            "display_name": user.display_name,
            "organisation": str(organisation.id) if organisation else "observers",
            "organisation_name": organisation.name if organisation else "Observers",
            "role": role,
        },
    )

    async def add_row(session: AsyncSession, _stored: list[Any]) -> None:
        session.add(
            Membership(
                room_id=room_id,
                user_id=user.id,
                organisation_id=organisation.id if organisation else None,
                role=role,
            )
        )
        await session.flush()

    await service.execute(
        room_id, command, deliberation.Context(actor=None, at=now), within=add_row
    )


def _event_out(stored: Any, data: Any) -> EventOut:
    return EventOut(
        seq=stored.seq,
        event=stored.type if data is not None else "redacted",
        data=data if data is not None else {},
        actor=stored.actor_id,
        acting_for=stored.acting_for,
        at=format_time(stored.occurred_at),
        hash=stored.hash,
        prev=stored.prev_hash,
    )


class RoomsApi(Controller):
    path = "/api/rooms"
    guards = [signed_in]
    tags = ["rooms"]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[RoomCreate]
    ) -> RoomOut:
        """Create a room on a proposal; you become its owner."""
        state = request.app.state
        room = await create_room(state.rooms, request.user, data, state.clock.now())
        return RoomOut(
            id=str(room.id),
            title=room.title,
            mode=room.mode,
            publication=room.policy,
            seq=room.last_seq,
            role="owner",
            organisation=data.organisation_name,
        )

    @get("/")
    async def mine(self, request: Request[CurrentUser, Any, Any]) -> list[RoomOut]:
        """The rooms you belong to."""
        async with transaction(request) as session:
            rows = (
                await session.execute(
                    select(Room, Membership.role, Organisation.name)
                    .join(Membership, Membership.room_id == Room.id)
                    .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
                    .where(Membership.user_id == request.user.id)
                    .order_by(Room.created_at.desc())
                )
            ).all()
        return [
            RoomOut(
                id=str(room.id),
                title=room.title,
                mode=room.mode,
                publication=room.policy,
                seq=room.last_seq,
                role=role,
                organisation=org,
            )
            for room, role, org in rows
        ]

    @get("/{room_id:uuid}")
    async def show(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> RoomOut:
        """One room, with your role in it."""
        async with transaction(request) as session:
            access = await access_room(session, request.user, room_id, Need.READ)
        room = access.room
        return RoomOut(
            id=str(room.id),
            title=room.title,
            mode=room.mode,
            publication=room.policy,
            seq=room.last_seq,
            role=access.role,
            organisation=access.organisation_name,
        )

    @get("/{room_id:uuid}/view")
    async def view(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The room as you may see it, at its latest seq."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
        seq, state = await request.app.state.rooms.state(room_id)
        return {"seq": seq, "view": deliberation.view(state, request.user.participant_id)}

    @get("/{room_id:uuid}/fairness")
    async def fairness(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The fairness report now: per organisation, speaking time and share, statements,
        perspectives, points received, raw and counted vote weight, and every override."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
        seq, state = await request.app.state.rooms.state(room_id)
        return {"seq": seq, "fairness": deliberation.to_json(deliberation.fairness(state))}

    @get("/{room_id:uuid}/opinion")
    async def opinion(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Opinion groups from the surface-conflict reactions: groups, 2-D map positions,
        representative, consensus and divisive statements, and how each organisation's
        members spread over the groups. Live rooms also push these as `opinion` frames."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
        return dict(await request.app.state.opinion.current(room_id))

    @get("/{room_id:uuid}/events")
    async def events(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        after: Annotated[
            int, QueryParameter(ge=0, description="Return events with seq > after.")
        ] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_EVENTS_PAGE)] = 500,
    ) -> list[EventOut]:
        """The room's events after a seq (for catch-up, scripts and audits)."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
            stored = await events_since(session, room_id, after, limit)
        # Each event as you may see it (deliberation.event_view): redacted data, same seq.
        _seq, state = await request.app.state.rooms.state(room_id)
        viewer = request.user.participant_id
        return [_event_out(s, Renderer(state, s).data_for(viewer)) for s in stored]

    @post("/{room_id:uuid}/invitations", status_code=HTTP_201_CREATED)
    async def invite(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        data: JSONBody[InvitationCreate],
    ) -> InvitationOut:
        """Create an invitation link (facilitators). The token is shown once."""
        token = secrets.token_urlsafe(24)
        expires_at = (
            request.app.state.clock.now() + timedelta(hours=data.expires_in_hours)
            if data.expires_in_hours
            else None
        )
        base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
        url = f"{base}/invitations/{token}"
        async with transaction(request) as session:
            access = await access_room(session, request.user, room_id, Need.FACILITATE)
            organisation = (
                await organisation_named(session, data.organisation_name)
                if data.organisation_name
                else None
            )
            session.add(
                Invitation(
                    room_id=room_id,
                    token_hash=token_digest(token),
                    role=data.role,
                    organisation_id=organisation.id if organisation else None,
                    single_use=data.single_use,
                    expires_at=expires_at,
                    created_by=request.user.id,
                )
            )
            if data.email:  # the email is queued with the invitation, or neither is kept
                await request.app.state.notifications.invitation(
                    session,
                    room_id=room_id,
                    title=access.room.title,
                    address=data.email,
                    link=url,
                    role=data.role,
                    inviter=request.user.display_name,
                    locale=negotiate(request.headers.get("accept-language", "")),
                    expires_at=expires_at,
                    now=request.app.state.clock.now(),
                )
        return InvitationOut(
            token=token,
            url=url,
            role=data.role,
            organisation=organisation.name if organisation else None,
            single_use=data.single_use,
            expires_at=expires_at,
        )


class PublicationApi(Controller):
    path = "/api/rooms"
    guards = [signed_in]
    tags = ["decision log"]

    @post("/{room_id:uuid}/publication", status_code=200)
    async def publish(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """Publish the room's decision log now (facilitators): it grows by every event since
        the last publication, is signed with the room's key and issues receipts."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
        state = request.app.state
        now = state.clock.now()

        async def tell_members(session: AsyncSession, room: Room) -> None:
            await state.notifications.published(session, room_id, room.title, now)

        document = await publish_room(
            state.sessions, room_id, now, ballot_key=state.rooms.ballot_key, within=tell_members
        )
        return {"log": document}

    @get("/{room_id:uuid}/publication")
    async def published(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The room's last published decision log (members)."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
            document = await published_log(session, room_id)
        if document is None:
            raise NotFoundException("This room has not published its decision log yet.")
        return {"log": document}

    @get("/{room_id:uuid}/receipts")
    async def receipts(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Your signed receipts: proof that your contributions are in the published log."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
            return await receipts_for(session, room_id, request.user.participant_id)


class InvitationGone(NotFoundException):
    pass


async def accept_invitation(
    service: RoomService, user: CurrentUser, token: str, organisation_name: str | None, now: Any
) -> uuid.UUID:
    """Use an invitation: check it, count the use and admit the person, in that order."""
    async with service.sessions() as session, session.begin():
        invitation = await session.scalar(
            select(Invitation).where(Invitation.token_hash == token_digest(token)).with_for_update()
        )
        if invitation is None or invitation.revoked:
            raise InvitationGone("This invitation does not exist or was revoked.")
        if invitation.expires_at is not None and invitation.expires_at <= now:
            raise InvitationGone("This invitation has expired.")
        if invitation.single_use and invitation.uses > 0:
            raise InvitationGone("This invitation has already been used.")
        room_id = invitation.room_id
        existing = await session.scalar(
            select(Membership).where(Membership.room_id == room_id, Membership.user_id == user.id)
        )
        if existing is not None:
            return room_id  # already in: using the link again is harmless and uses nothing
        if invitation.organisation_id is not None:
            organisation = await session.get(Organisation, invitation.organisation_id)
        elif invitation.role == "observer" and not organisation_name:
            organisation = None
        elif organisation_name:
            organisation = await organisation_named(session, organisation_name)
        else:
            raise ValidationException("Say which organisation you belong to.")
        invitation.uses += 1
        role = invitation.role
    try:
        await admit(
            service, room_id=room_id, user=user, organisation=organisation, role=role, now=now
        )
    except BaseException:
        async with service.sessions() as session, session.begin():
            again = await session.scalar(
                select(Invitation).where(Invitation.token_hash == token_digest(token))
            )
            if again is not None:
                again.uses = max(0, again.uses - 1)
        raise
    return room_id


class InvitationsApi(Controller):
    path = "/api/invitations"
    guards = [signed_in]
    tags = ["rooms"]

    @post("/{token:str}/accept", status_code=200)
    async def accept(
        self,
        request: Request[CurrentUser, Any, Any],
        token: FromPath[str],
        data: JSONBody[InvitationAccept],
    ) -> RoomOut:
        """Join a room with an invitation token."""
        state = request.app.state
        room_id = await accept_invitation(
            state.rooms, request.user, token, data.organisation_name, state.clock.now()
        )
        async with state.rooms.sessions() as session:
            access = await access_room(session, request.user, room_id, Need.READ)
        return RoomOut(
            id=str(room_id),
            title=access.room.title,
            mode=access.room.mode,
            publication=access.room.policy,
            seq=access.room.last_seq,
            role=access.role,
            organisation=access.organisation_name,
        )


def _command_route(name: str, cls: type) -> Any:
    doc = (cls.__doc__ or name).strip()

    async def handler(
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
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
            QueryParameter(
                max_length=64, description="Facilitators: the participant in the room you act for."
            ),
        ] = None,
    ) -> CommandAck:
        state = request.app.state
        result = await run_command(
            service=state.rooms,
            user=request.user,
            room_id=room_id,
            name=name,
            args=data or {},
            acting_for=acting_for,
            idempotency_key=idempotency_key,
            now=state.clock.now(),
        )
        return CommandAck(seq=result.seq, seqs=list(result.seqs), replayed=result.replayed)

    handler.__name__ = f"command_{name}"
    handler.__qualname__ = handler.__name__
    return post(
        f"/{{room_id:uuid}}/commands/{name}",
        status_code=200,
        summary=doc.splitlines()[0],
        description=doc,
        operation_id=f"command_{name}",
        tags=["commands"],
        guards=[signed_in],
    )(handler)


def command_router() -> Router:
    return Router(
        path="/api/rooms",
        route_handlers=[
            _command_route(name, cls) for name, cls in sorted(public_commands().items())
        ],
    )
