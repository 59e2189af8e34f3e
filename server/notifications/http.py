"""Notification routes: a member's list and preferences, one-click unsubscribe, and the
facilitators' view of a room's failed deliveries, reminder offsets and webhooks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, MediaType, Request, delete, get, post, put
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import delete as sql_delete
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import signed_in
from server.auth.middleware import CurrentUser
from server.db.session import transaction
from server.db.tables import User
from server.notifications import inbox, outbox
from server.notifications.kinds import CHOOSABLE, EVERYTHING, LABELS, MODES, Kind
from server.notifications.outbox import NOTIFICATIONS
from server.notifications.room_events import DEFAULT_REMINDER_OFFSETS_S
from server.notifications.tables import (
    NotificationPreference,
    NotificationProfile,
    RoomNotificationSettings,
    Webhook,
)
from server.notifications.tokens import read_unsubscribe_token
from server.notifications.webhooks import new_secret
from server.rooms.access import Need, access_room
from server.web.forms import pop_flash
from server.web.i18n import N_, available, use_locale
from server.web.i18n import gettext as _

Mode = Literal["instant", "digest", "off"]
MODE_LABELS = {"instant": N_("At once"), "digest": N_("Daily digest"), "off": N_("Off")}


class ReadRequest(BaseModel):
    ids: list[uuid.UUID] | None = Field(default=None, description="Omit to mark all read.")


class Preferences(BaseModel):
    locale: str | None = Field(default=None, max_length=16)
    kinds: dict[str, Mode] = Field(default_factory=dict)


class RoomSettingsIn(BaseModel):
    reminder_offsets_s: list[int] = Field(
        max_length=6, description="Seconds before each deadline; e.g. [86400, 3600]."
    )


class WebhookIn(BaseModel):
    url: HttpUrl


async def preferences_of(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    rows = await session.execute(
        select(NotificationPreference.kind, NotificationPreference.mode).where(
            NotificationPreference.user_id == user_id
        )
    )
    chosen = dict(rows.all())
    locale = await session.scalar(
        select(NotificationProfile.locale).where(NotificationProfile.user_id == user_id)
    )
    everything_off = chosen.get(EVERYTHING) == "off"
    return {
        "locale": locale or "en",
        "unsubscribed": everything_off,
        "kinds": {str(k): chosen.get(str(k), "instant") for k in CHOOSABLE},
    }


async def save_preferences(session: AsyncSession, user_id: uuid.UUID, data: Preferences) -> None:
    unknown = sorted(set(data.kinds) - {str(k) for k in CHOOSABLE})
    if unknown:
        raise ValidationException(f"Unknown notification kinds: {', '.join(unknown)}.")
    if data.locale is not None and data.locale not in available():
        raise ValidationException(
            f"Unknown language {data.locale!r}; choose one of {', '.join(available())}."
        )
    for kind, mode in data.kinds.items():
        await set_mode(session, user_id, kind, mode)
    if data.kinds:  # choosing again undoes an earlier "unsubscribe from everything"
        await session.execute(
            sql_delete(NotificationPreference).where(
                NotificationPreference.user_id == user_id,
                NotificationPreference.kind == EVERYTHING,
            )
        )
    if data.locale is not None:
        profile = await session.get(NotificationProfile, user_id)
        if profile is None:
            session.add(NotificationProfile(user_id=user_id, locale=data.locale))
        else:
            profile.locale = data.locale


async def set_mode(session: AsyncSession, user_id: uuid.UUID, kind: str, mode: str) -> None:
    row = await session.get(NotificationPreference, (user_id, kind))
    if row is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind, mode=mode))
    else:
        row.mode = mode
    await session.flush()


async def failures(
    session: AsyncSession, room_id: uuid.UUID, limit: int = 200
) -> list[dict[str, Any]]:
    """Deliveries of the room that failed for good, or are being retried after an error."""
    rows = await session.execute(
        select(
            NOTIFICATIONS.c.id,
            NOTIFICATIONS.c.kind,
            NOTIFICATIONS.c.channel,
            NOTIFICATIONS.c.status,
            NOTIFICATIONS.c.attempts,
            NOTIFICATIONS.c.last_error,
            NOTIFICATIONS.c.created_at,
            NOTIFICATIONS.c.next_attempt_at,
            NOTIFICATIONS.c.address,
            User.display_name,
            User.email,
            Webhook.url,
        )
        .outerjoin(User, User.id == NOTIFICATIONS.c.user_id)
        .outerjoin(Webhook, Webhook.id == NOTIFICATIONS.c.webhook_id)
        .where(
            NOTIFICATIONS.c.room_id == room_id,
            or_(
                NOTIFICATIONS.c.status == outbox.FAILED,
                (NOTIFICATIONS.c.status == outbox.PENDING)
                & NOTIFICATIONS.c.last_error.is_not(None),
            ),
        )
        .order_by(NOTIFICATIONS.c.created_at.desc())
        .limit(limit)
    )
    found = []
    for (
        nid,
        kind,
        channel,
        status,
        attempts,
        error,
        created,
        retry_at,
        address,
        name,
        email,
        url,
    ) in rows:
        recipient = url if channel == "webhook" else (f"{name} <{email}>" if email else address)
        found.append(
            {
                "id": str(nid),
                "kind": kind,
                "channel": channel,
                "recipient": recipient or "",
                "status": "failed" if status == outbox.FAILED else "retrying",
                "attempts": attempts,
                "error": error or "",
                "created_at": created.isoformat(),
                "next_attempt_at": retry_at.isoformat() if status == outbox.PENDING else None,
            }
        )
    return found


async def room_settings(session: AsyncSession, room_id: uuid.UUID) -> dict[str, Any]:
    offsets = await session.scalar(
        select(RoomNotificationSettings.reminder_offsets_s).where(
            RoomNotificationSettings.room_id == room_id
        )
    )
    return {
        "reminder_offsets_s": list(offsets if offsets is not None else DEFAULT_REMINDER_OFFSETS_S)
    }


def _offsets(values: list[int]) -> list[int]:
    if any(v < 60 or v > 30 * 86400 for v in values):
        raise ValidationException("Each reminder offset is between 60 seconds and 30 days.")
    return sorted(set(values), reverse=True)


class NotificationsApi(Controller):
    path = "/api"
    guards = [signed_in]
    tags = ["notifications"]

    @get("/notifications")
    async def mine(
        self,
        request: Request[CurrentUser, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """Your in-app notifications, newest first, and how many are unread."""
        async with transaction(request) as session:
            found = await inbox.items(session, request.user.id, limit)
            unread = (await inbox.unread_counts(session, [request.user.id]))[request.user.id]
        return {"unread": unread, "items": found}

    @post("/notifications/read", status_code=200)
    async def read(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[ReadRequest]
    ) -> dict[str, int]:
        """Mark some (``ids``) or all of your notifications read."""
        async with transaction(request) as session:
            await inbox.mark_read(session, request.user.id, data.ids)
        async with transaction(request) as session:
            unread = (await inbox.unread_counts(session, [request.user.id]))[request.user.id]
        return {"unread": unread}

    @get("/notifications/preferences")
    async def preferences(self, request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
        """For each kind: instant, digest (one email a day) or off; and your language."""
        async with transaction(request) as session:
            return await preferences_of(session, request.user.id)

    @put("/notifications/preferences")
    async def set_preferences(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[Preferences]
    ) -> dict[str, Any]:
        """Change some kinds (the others keep their mode) and, optionally, your language."""
        async with transaction(request) as session:
            await save_preferences(session, request.user.id, data)
        async with transaction(request) as session:
            return await preferences_of(session, request.user.id)

    @get("/rooms/{room_id:uuid}/notifications/failures")
    async def room_failures(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Facilitators: the room's deliveries that bounced, were refused, or are retrying."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            return await failures(session, room_id)

    @post("/rooms/{room_id:uuid}/notifications/{notification_id:uuid}/retry", status_code=200)
    async def retry(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        notification_id: FromPath[uuid.UUID],
    ) -> dict[str, str]:
        """Facilitators: send a failed delivery again (after fixing the address, say)."""
        now = request.app.state.clock.now()
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            result = await session.execute(
                update(NOTIFICATIONS)
                .where(
                    NOTIFICATIONS.c.id == notification_id,
                    NOTIFICATIONS.c.room_id == room_id,
                    NOTIFICATIONS.c.status == outbox.FAILED,
                )
                .values(status=outbox.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFoundException("No failed delivery with this id in this room.")
        return {"status": "pending"}

    @get("/rooms/{room_id:uuid}/notifications/settings")
    async def settings(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        """The room's reminder offsets before each deadline (members)."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.READ)
            return await room_settings(session, room_id)

    @put("/rooms/{room_id:uuid}/notifications/settings")
    async def set_settings(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        data: JSONBody[RoomSettingsIn],
    ) -> dict[str, Any]:
        """Facilitators: when to remind members who have not taken part (from the next
        deadline set on)."""
        offsets = _offsets(data.reminder_offsets_s)
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            row = await session.get(RoomNotificationSettings, room_id)
            if row is None:
                session.add(RoomNotificationSettings(room_id=room_id, reminder_offsets_s=offsets))
            else:
                row.reminder_offsets_s = offsets
        return {"reminder_offsets_s": offsets}

    @post("/rooms/{room_id:uuid}/webhooks", status_code=HTTP_201_CREATED)
    async def add_webhook(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        data: JSONBody[WebhookIn],
    ) -> dict[str, Any]:
        """Facilitators: POST the room's notifications to a URL, signed with a secret shown
        once (docs/notifications.md says how to check the signature)."""
        hook = Webhook(
            id=uuid.uuid4(),
            room_id=room_id,
            url=str(data.url),
            secret=new_secret(),
            active=True,
            created_by=request.user.id,
            created_at=request.app.state.clock.now(),
        )
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            session.add(hook)
        return {"id": str(hook.id), "url": hook.url, "secret": hook.secret, "active": True}

    @get("/rooms/{room_id:uuid}/webhooks")
    async def webhooks(
        self, request: Request[CurrentUser, Any, Any], room_id: FromPath[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Facilitators: the room's webhooks (without their secrets)."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            hooks = (await session.scalars(select(Webhook).where(Webhook.room_id == room_id))).all()
            return [{"id": str(h.id), "url": h.url, "active": h.active} for h in hooks]

    @delete("/rooms/{room_id:uuid}/webhooks/{webhook_id:uuid}", status_code=204)
    async def remove_webhook(
        self,
        request: Request[CurrentUser, Any, Any],
        room_id: FromPath[uuid.UUID],
        webhook_id: FromPath[uuid.UUID],
    ) -> None:
        """Facilitators: stop a webhook (deliveries still queued for it are skipped)."""
        async with transaction(request) as session:
            await access_room(session, request.user, room_id, Need.FACILITATE)
            result = await session.execute(
                update(Webhook)
                .where(Webhook.id == webhook_id, Webhook.room_id == room_id)
                .values(active=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFoundException("No such webhook in this room.")


def _unsubscribe_target(request: Request[Any, Any, Any], token: str) -> tuple[uuid.UUID, str]:
    found = read_unsubscribe_token(request.app.state.settings.secret_key, token)
    if found is None or (found[1] != EVERYTHING and found[1] not in {str(k) for k in Kind}):
        raise NotFoundException("This unsubscribe link is not valid.")
    return found


def _kind_label(kind: str) -> str:
    return _(LABELS[Kind(kind)]) if kind in {str(k) for k in Kind} else _("All messages")


class NotificationPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/unsubscribe/{token:str}", media_type=MediaType.HTML)
    async def unsubscribe_page(
        self, request: Request[Any, Any, Any], token: FromPath[str]
    ) -> Template:
        """A page with one button: a GET must not unsubscribe (link scanners follow links)."""
        use_locale(request.headers)
        try:
            _user, kind = _unsubscribe_target(request, token)
        except NotFoundException:
            return Template(
                "notifications/unsubscribe.html", context={"valid": False}, status_code=404
            )
        return Template(
            "notifications/unsubscribe.html",
            context={"valid": True, "done": False, "token": token, "label": _kind_label(kind)},
        )

    @post(
        "/unsubscribe/{token:str}",
        media_type=MediaType.HTML,
        status_code=200,
        # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or CSRF
        # token; the signed token is the authority.
        opt={"exclude_from_csrf": True},
    )
    async def unsubscribe(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        use_locale(request.headers)
        try:
            user_id, kind = _unsubscribe_target(request, token)
        except NotFoundException:
            return Template(
                "notifications/unsubscribe.html", context={"valid": False}, status_code=404
            )
        async with transaction(request) as session:
            if await session.get(User, user_id) is not None:
                await set_mode(session, user_id, kind, "off")
        return Template(
            "notifications/unsubscribe.html",
            context={"valid": True, "done": True, "token": token, "label": _kind_label(kind)},
        )

    @get("/notifications", media_type=MediaType.HTML)
    async def page(self, request: Request[Any, Any, Any]) -> Any:
        use_locale(request.headers)
        user = request.scope.get("user")
        if user is None:
            return Redirect("/login?next=/notifications", status_code=303)
        async with transaction(request) as session:
            found = await inbox.items(session, user.id, 100)
            prefs = await preferences_of(session, user.id)
        return Template(
            "notifications/notifications.html",
            context={
                "user": user,
                "items": found,
                "prefs": prefs,
                "kinds": [(str(k), _(LABELS[k])) for k in CHOOSABLE],
                "kind_labels": {str(k): v for k, v in LABELS.items()},
                "modes": MODES,
                "mode_labels": MODE_LABELS,
                "locales": available(),
                "flashes": pop_flash(request),
            },
        )

    @post("/notifications", media_type=MediaType.HTML, status_code=303)
    async def save(self, request: Request[Any, Any, Any]) -> Redirect:
        user = request.scope.get("user")
        if user is None:
            return Redirect("/login?next=/notifications", status_code=303)
        form = await request.form()
        kinds = {str(k): str(form.get(f"kind_{k}") or "instant") for k in CHOOSABLE}
        locale = str(form.get("locale") or "") or None
        data = Preferences.model_validate(
            {"kinds": {k: m for k, m in kinds.items() if m in MODES}, "locale": locale}
        )
        async with transaction(request) as session:
            await save_preferences(session, user.id, data)
            if form.get("read_all"):
                await inbox.mark_read(session, user.id, None)
        return Redirect("/notifications", status_code=303)

    @get("/rooms/{room_id:uuid}/notifications", media_type=MediaType.HTML)
    async def room_page(self, request: Request[Any, Any, Any], room_id: FromPath[uuid.UUID]) -> Any:
        """Facilitators: the room's failed deliveries and reminder offsets."""
        use_locale(request.headers)
        user = request.scope.get("user")
        if user is None:
            return Redirect(f"/login?next=/rooms/{room_id}/notifications", status_code=303)
        async with transaction(request) as session:
            try:
                access = await access_room(session, user, room_id, Need.FACILITATE)
            except NotFoundException:
                return Template(
                    "error.html",
                    context={"user": user, "heading": _("No such room"), "message": ""},
                    status_code=404,
                )
            found = await failures(session, room_id)
            options = await room_settings(session, room_id)
        return Template(
            "notifications/room.html",
            context={
                "user": user,
                "room_id": str(room_id),
                "title": access.room.title,
                "failures": found,
                "offsets": options["reminder_offsets_s"],
                "flashes": [],
            },
        )
