"""``Notifications``: what the rest of the server calls, wired once per process.

rooms.on_append      -> on_append: rows for a command's events, in its transaction
hub.observers        -> push_unread: the unread count to members with a socket here
invitations          -> invitation: the link, to the address it was created for
publication          -> published: the decision log went out
meetings (elsewhere) -> enqueue_for_meeting_event
lifespan             -> sender.run(): deliver, retry, digest
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.tables import Membership
from server.notifications import inbox
from server.notifications.kinds import Kind
from server.notifications.meetings import Meeting, meeting_items
from server.notifications.outbox import Outgoing, enqueue
from server.notifications.render import Templates
from server.notifications.room_events import NOTIFYING, for_events, room_options, to_everyone
from server.notifications.sender import LoadState, Policy, Sender
from server.notifications.transports import FolderMailer, Mailer, SmtpMailer
from server.rooms.event_store import StoredEvent
from server.settings import Settings

log = logging.getLogger(__name__)

# Events after which members' unread counts change (``round.deadline_set`` adds reminders only).
UNREAD_CHANGES = NOTIFYING - {"round.deadline_set"}


def mailer_for(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return FolderMailer(settings.mail_dir)
    return SmtpMailer(
        settings.smtp_host,
        settings.resolved_smtp_port,
        settings.smtp_tls,
        settings.smtp_user,
        settings.smtp_password,
        timeout_s=settings.smtp_timeout_s,
    )


def public_base(settings: Settings) -> str:
    return settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"


def policy_for(settings: Settings) -> Policy:
    return Policy(
        batch=settings.notify_batch,
        lease_s=settings.notify_lease_s,
        retry_base_s=settings.notify_retry_base_s,
        retry_max_s=settings.notify_retry_max_s,
        max_attempts=settings.notify_max_attempts,
        digest_every_s=settings.notify_digest_every_s,
        digest_check_s=settings.notify_digest_check_s,
        mark_every=settings.notify_mark_every,
        render_workers=settings.notify_render_workers,
        poll_s=settings.notify_poll_s,
        webhook_timeout_s=settings.webhook_timeout_s,
    )


class Notifications:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        load_state: LoadState,
        *,
        clock: Any,
        hub: Any = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.hub = hub
        self.templates = Templates(
            settings.template_dir, public_base(settings), settings.smtp_from, settings.secret_key
        )
        self.mailer = mailer or mailer_for(settings)
        self.sender = Sender(
            sessions,
            self.templates,
            self.mailer,
            load_state,
            clock=clock,
            policy=policy_for(settings),
        )

    @property
    def sender_address(self) -> str:
        return self.settings.smtp_from

    async def enqueue(self, session: AsyncSession, items: Sequence[Outgoing], now: datetime) -> int:
        return await enqueue(session, items, now, self.sender_address)

    async def on_append(
        self, session: AsyncSession, room_id: uuid.UUID, state: Any, stored: list[StoredEvent]
    ) -> None:
        items = await for_events(session, room_id, state, stored)
        if items:
            await self.enqueue(session, items, stored[0].occurred_at)

    async def push_unread(self, room_id: uuid.UUID, stored: Sequence[StoredEvent]) -> None:
        """Hub observer: after events that add in-app items, tell the room's connected
        members their new unread count."""
        if self.hub is None or not any(s.type in UNREAD_CHANGES for s in stored):
            return
        await self.push_counts(room_id, self.hub.viewers(room_id))

    async def push_counts(self, room_id: uuid.UUID, viewers: set[str]) -> None:
        users = []
        for viewer in viewers:
            try:
                users.append(uuid.UUID(viewer))
            except ValueError:
                continue
        if not users:
            return
        async with self.sessions() as session:
            counts = await inbox.unread_counts(session, users)
        await self.hub.send_each(room_id, {str(u): inbox.frame(n) for u, n in counts.items()})

    async def invitation(
        self,
        session: AsyncSession,
        *,
        room_id: uuid.UUID,
        title: str,
        address: str,
        link: str,
        role: str,
        inviter: str,
        locale: str,
        expires_at: datetime | None,
        now: datetime,
    ) -> None:
        payload = {
            "title": title,
            "room": str(room_id),
            "link": link,
            "role": role,
            "inviter": inviter,
            "expires_at": expires_at.isoformat() if expires_at else None,
        }
        item = Outgoing(
            "email", Kind.INVITATION, payload, room_id=room_id, address=address, locale=locale
        )
        await self.enqueue(session, [item], now)

    async def published(
        self, session: AsyncSession, room_id: uuid.UUID, title: str, now: datetime
    ) -> None:
        """The decision log went out: tell every member, in the publication's transaction."""
        members = (
            await session.scalars(select(Membership.user_id).where(Membership.room_id == room_id))
        ).all()
        _offsets, hooks = await room_options(session, room_id)
        payload = {"title": title, "room": str(room_id), "path": f"/decisions/{room_id}"}
        await self.enqueue(
            session, to_everyone(Kind.DECISION_PUBLISHED, room_id, members, payload, hooks), now
        )

    async def enqueue_for_meeting_event(
        self,
        session: AsyncSession,
        meeting: Meeting,
        event: Kind | str,
        recipients: Sequence[uuid.UUID],
        *,
        now: datetime,
        action: str = "",
        due: datetime | None = None,
        key: str = "",
    ) -> int:
        """The meetings feature's entry: call it in the transaction that stores the
        meeting's change. Returns how many rows it queued (0 when already queued)."""
        hooks: list[uuid.UUID] = []
        if meeting.room_id is not None:
            _offsets, hooks = await room_options(session, meeting.room_id)
        items = meeting_items(
            meeting,
            event,
            recipients,
            now=now,
            action=action,
            due=due,
            key=key,
            webhooks=hooks,
            organizer=parseaddr(self.settings.smtp_from)[1],
        )
        return await self.enqueue(session, items, now)
