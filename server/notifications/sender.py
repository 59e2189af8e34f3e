"""The sender: claims due outbox rows, delivers them, marks each one, and retries.

Every process runs one. A batch is claimed in one short transaction (``outbox.claim``),
delivered over one mail connection, and each row is marked in its own short transaction
right after its delivery, so a crash repeats at most the message in flight (see
``outbox``). Before an email goes out the member's preference for its kind decides:
``off`` skips it, ``digest`` holds it for the daily digest. A reminder also checks the
room when it is due: it goes only to members who have still not taken part in the same
opening of the round, with the same deadline.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deliberation.timing import waiting_on
from server.db.tables import User
from server.notifications import outbox, webhooks
from server.notifications.kinds import EVERYTHING, Kind
from server.notifications.outbox import NOTIFICATIONS, Claimed, Outgoing
from server.notifications.render import Attachment, Job, Templates
from server.notifications.rendering import Renderer
from server.notifications.room_events import REMINDER_TRIGGER, reminder_key
from server.notifications.tables import (
    Notification,
    NotificationPreference,
    NotificationProfile,
    Webhook,
)
from server.notifications.transports import (
    Connection,
    DeliveryFailure,
    Mailer,
    PermanentFailure,
)
from server.web.i18n import DEFAULT_LOCALE, catalogue

log = logging.getLogger(__name__)

# (room) -> (head seq, state), read from the table: ``RoomService.state``.
LoadState = Callable[[uuid.UUID], Awaitable[tuple[int, Any]]]


@dataclass(frozen=True, slots=True)
class Policy:
    batch: int = 50
    lease_s: float = 300.0
    retry_base_s: float = 30.0
    retry_max_s: float = 6 * 3600.0
    max_attempts: int = 8
    digest_every_s: float = 86400.0
    digest_check_s: float = 60.0
    mark_every: int = 10
    render_workers: int = 0
    poll_s: float = 1.0
    webhook_timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class _Recipients:
    users: dict[uuid.UUID, tuple[str, str]]  # id -> (email, display name)
    locales: dict[uuid.UUID, str]
    modes: dict[tuple[uuid.UUID, str], str]
    hooks: dict[uuid.UUID, tuple[str, str, bool]]  # id -> (url, secret, active)


def _updates(count: int, locale: str) -> str:
    return catalogue(locale).ungettext("%(n)s update", "%(n)s updates", count) % {"n": count}


class Sender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        templates: Templates,
        mailer: Mailer,
        load_state: LoadState,
        *,
        clock: Any,
        policy: Policy = Policy(),
        owner: str | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.sessions = sessions
        self.templates = templates
        self.mailer = mailer
        self.load_state = load_state
        self.clock = clock
        self.policy = policy
        self.owner = owner or uuid.uuid4().hex
        self._http = http
        self.delivered = 0  # messages handed to the mail server or a webhook, this process
        self.renderer = Renderer(templates, policy.render_workers)
        # Outcomes not yet written: (row, status, error, payload, retry at).
        self._marks: list[tuple[Claimed, str, str | None, dict[str, Any] | None, Any]] = []

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.policy.webhook_timeout_s)
        return self._http

    async def close(self) -> None:
        self.renderer.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def run(self) -> None:
        """Forever: deliver what is due, fold held rows into digests, sleep when idle."""
        next_digest = 0.0
        loop = asyncio.get_running_loop()
        while True:
            handled = 0
            try:
                handled = await self.run_once(self.clock.now())
                if loop.time() >= next_digest:
                    await self.digest_once(self.clock.now())
                    next_digest = loop.time() + self.policy.digest_check_s
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification sender failed; retrying")
            if handled < self.policy.batch:
                await asyncio.sleep(self.policy.poll_s)

    async def run_once(self, now: datetime) -> int:
        """Claim one batch and settle every row in it; return how many rows it claimed."""
        async with self.sessions() as session, session.begin():
            claimed = await outbox.claim(
                session,
                now,
                owner=self.owner,
                lease_s=self.policy.lease_s,
                limit=self.policy.batch,
            )
        if not claimed:
            return 0
        recipients = await self._recipients(claimed)
        try:
            async with self.mailer.connect() as connection:
                for row in claimed:
                    await self._settle(row, recipients, connection)
                    if len(self._marks) >= self.policy.mark_every:
                        await self._flush()
        finally:
            await self._flush()
        return len(claimed)

    async def _recipients(self, claimed: Sequence[Claimed]) -> _Recipients:
        user_ids = {row.user_id for row in claimed if row.user_id is not None}
        hook_ids = {row.webhook_id for row in claimed if row.webhook_id is not None}
        users: dict[uuid.UUID, tuple[str, str]] = {}
        locales: dict[uuid.UUID, str] = {}
        modes: dict[tuple[uuid.UUID, str], str] = {}
        hooks: dict[uuid.UUID, tuple[str, str, bool]] = {}
        async with self.sessions() as session:
            if user_ids:
                for uid, email, name in await session.execute(
                    select(User.id, User.email, User.display_name).where(User.id.in_(user_ids))
                ):
                    users[uid] = (email, name)
                profiles = await session.execute(
                    select(NotificationProfile.user_id, NotificationProfile.locale).where(
                        NotificationProfile.user_id.in_(user_ids)
                    )
                )
                locales = dict(profiles.tuples().all())
                for uid, kind, mode in await session.execute(
                    select(
                        NotificationPreference.user_id,
                        NotificationPreference.kind,
                        NotificationPreference.mode,
                    ).where(NotificationPreference.user_id.in_(user_ids))
                ):
                    modes[uid, kind] = mode
            if hook_ids:
                for hid, url, secret, active in await session.execute(
                    select(Webhook.id, Webhook.url, Webhook.secret, Webhook.active).where(
                        Webhook.id.in_(hook_ids)
                    )
                ):
                    hooks[hid] = (url, secret, active)
        return _Recipients(users, locales, modes, hooks)

    async def _settle(self, row: Claimed, known: _Recipients, connection: Connection) -> None:
        try:
            if row.channel == REMINDER_TRIGGER:
                await self._expand_reminder(row)
                return
            if row.channel == "webhook":
                outcome = await self._post(row, known)
            else:
                outcome = await self._mail(row, known, connection)
        except PermanentFailure as error:
            log.warning("notification %s refused for good: %s", row.id, error)
            await self._mark(row, outbox.FAILED, error=str(error))
            return
        except DeliveryFailure as error:
            await self._later(row, str(error))
            return
        except Exception as error:  # a bug in rendering: keep the row, say so, retry later
            log.exception("notification %s could not be prepared", row.id)
            await self._later(row, f"{type(error).__name__}: {error}")
            return
        status, reason, payload = outcome
        if status == outbox.SENT:
            self.delivered += 1
        await self._mark(row, status, error=reason, payload=payload)

    async def _mail(
        self, row: Claimed, known: _Recipients, connection: Connection
    ) -> tuple[str, str | None, dict[str, Any] | None]:
        if row.user_id is not None:
            if row.user_id not in known.users:
                return outbox.SKIPPED, "the account no longer exists", None
            everything = known.modes.get((row.user_id, EVERYTHING))
            mode = "off" if everything == "off" else known.modes.get((row.user_id, row.kind))
            if row.kind != Kind.DIGEST and mode == "off":
                return outbox.SKIPPED, "the member turned this kind off", None
            if row.kind != Kind.DIGEST and mode == "digest":
                return outbox.HELD, None, None
            if row.kind == Kind.REMINDER and not await self._still_waiting(row):
                return outbox.SKIPPED, "already took part, or the round moved on", None
            address, name = known.users[row.user_id]
            locale = known.locales.get(row.user_id, row.locale or DEFAULT_LOCALE)
        elif row.address:
            address, name, locale = row.address, "", row.locale or DEFAULT_LOCALE
        else:
            return outbox.SKIPPED, "no recipient", None
        attachments = tuple(
            Attachment(a["filename"], a["content_type"], bytes.fromhex(a["hex"]))
            for a in row.payload.get("attachments", ())
        )
        job = Job(
            notification_id=row.id,
            message_id=row.message_id,
            kind=row.kind,
            payload=row.payload,
            locale=locale,
            to=address,
            to_name=name,
            user_id=row.user_id,
            attachments=attachments,
            date=row.created_at,
        )
        await connection.send(await self.renderer.render(job))
        # An invitation's link admits its holder: once it is delivered, the outbox forgets it.
        redacted = {**row.payload, "link": ""} if row.kind == Kind.INVITATION else None
        return outbox.SENT, None, redacted

    async def _waiting(self, row: Claimed) -> tuple[str, ...]:
        """Who still has to take part in the opening of the round ``row`` reminds of (none
        once it closed, reopened, its deadline moved (the move brings its own reminders)
        or passed)."""
        if row.room_id is None:
            return ()
        _head, state = await self.load_state(row.room_id)
        rounds = state.rounds
        closes_at = datetime.fromisoformat(row.payload["closes_at"])
        if closes_at <= self.clock.now():  # too late to remind (the sender was behind)
            return ()
        if not rounds.is_open or rounds.number != row.payload["number"]:
            return ()
        if rounds.deadline is None or rounds.deadline != closes_at:
            return ()
        return tuple(str(participant) for participant in waiting_on(state))

    async def _still_waiting(self, row: Claimed) -> bool:
        return row.user_id is not None and str(row.user_id) in await self._waiting(row)

    async def _expand_reminder(self, row: Claimed) -> None:
        """A room's reminder is due: one email and one in-app item per member still waiting,
        written with the trigger's mark in one transaction (so a crash expands it once)."""
        waiting = []
        for participant in await self._waiting(row):
            try:
                waiting.append(uuid.UUID(participant))
            except ValueError:
                continue
        now = self.clock.now()
        assert row.room_id is not None  # a trigger is always a room's
        p = row.payload
        prefix = reminder_key(row.room_id, p["number"], p["closes_at"], p["offset_s"])
        items = [
            Outgoing(
                channel,
                Kind.REMINDER,
                row.payload,
                room_id=row.room_id,
                user_id=user_id,
                dedupe_key=f"{prefix}:{user_id.hex}:{channel}",
            )
            for user_id in waiting
            for channel in ("email", "inapp")
        ]
        async with self.sessions() as session, session.begin():
            if await outbox.mark(session, row.id, self.owner, outbox.SENT, now):
                await outbox.enqueue(session, items, now, self.templates.sender)

    async def _post(
        self, row: Claimed, known: _Recipients
    ) -> tuple[str, str | None, dict[str, Any] | None]:
        hook = known.hooks.get(row.webhook_id) if row.webhook_id else None
        if hook is None or not hook[2]:
            return outbox.SKIPPED, "the webhook was removed or turned off", None
        url, secret, _active = hook
        await webhooks.deliver(
            self.http(),
            url,
            secret,
            delivery_id=str(row.id),
            kind=row.kind,
            payload={**row.payload, "id": str(row.id), "created_at": row.created_at.isoformat()},
            timestamp=int(self.clock.now().timestamp()),
        )
        return outbox.SENT, None, None

    async def _mark(
        self,
        row: Claimed,
        status: str,
        *,
        error: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Note the row's outcome; ``_flush`` writes the notes of several rows at once."""
        self._marks.append((row, status, error, payload, None))

    async def _later(self, row: Claimed, error: str) -> None:
        if row.attempts >= self.policy.max_attempts:
            log.warning("notification %s failed %d times: %s", row.id, row.attempts, error)
            await self._mark(
                row, outbox.FAILED, error=f"gave up after {row.attempts} tries: {error}"
            )
            return
        wait = outbox.backoff(row.attempts, self.policy.retry_base_s, self.policy.retry_max_s)
        at = self.clock.now() + timedelta(seconds=wait)
        self._marks.append((row, outbox.PENDING, error, None, at))

    async def _flush(self) -> None:
        """Write the noted outcomes in one transaction: one write lock on SQLite and one
        commit for up to ``mark_every`` rows, instead of one each. The price: a crash
        repeats the rows delivered since the last flush (each once, with its Message-ID)."""
        marks, self._marks = self._marks, []
        if not marks:
            return
        now = self.clock.now()
        plain = [(r.id, st, err) for r, st, err, pl, at in marks if pl is None and at is None]
        async with self.sessions() as session, session.begin():
            landed = await outbox.mark_many(session, self.owner, plain, now)
            for row, status, error, payload, retry_at in marks:
                if retry_at is not None:
                    landed += await outbox.retry_later(
                        session, row.id, self.owner, retry_at, error or ""
                    )
                elif payload is not None:
                    landed += await outbox.mark(
                        session, row.id, self.owner, status, now, error=error, payload=payload
                    )
        if landed < len(marks):
            log.warning("%d notifications were taken over by another sender", len(marks) - landed)

    async def digest_once(self, now: datetime) -> int:
        """Fold each member's held rows into one digest email, once the oldest has waited a
        digest period. The held rows are locked (SKIP LOCKED) so two processes never fold
        the same rows into two digests."""
        cutoff = now - timedelta(seconds=self.policy.digest_every_s)
        made = 0
        async with self.sessions() as session, session.begin():
            due_users = (
                (
                    await session.execute(
                        select(Notification.user_id)
                        .where(Notification.status == outbox.HELD)
                        .group_by(Notification.user_id)
                        .having(func.min(Notification.created_at) <= cutoff)
                        .limit(100)
                    )
                )
                .scalars()
                .all()
            )
            postgres = session.get_bind().dialect.name == "postgresql"
            for user_id in due_users:
                query = (
                    select(Notification.id, Notification.kind, Notification.payload)
                    .where(Notification.user_id == user_id, Notification.status == outbox.HELD)
                    .order_by(Notification.created_at)
                )
                if postgres:
                    query = query.with_for_update(skip_locked=True)
                held = (await session.execute(query)).all()
                if not held:
                    continue
                locale = await session.scalar(
                    select(NotificationProfile.locale).where(NotificationProfile.user_id == user_id)
                )
                items = [
                    {
                        "subject": self.templates.subject(kind, payload, locale or DEFAULT_LOCALE),
                        "path": payload.get("path", ""),
                    }
                    for _id, kind, payload in held
                ]
                digest = Outgoing(
                    "email",
                    Kind.DIGEST,
                    {"title": _updates(len(items), locale or DEFAULT_LOCALE), "items": items},
                    user_id=user_id,
                )
                await outbox.enqueue(session, [digest], now, self.templates.sender)
                await session.execute(
                    update(NOTIFICATIONS)
                    .where(NOTIFICATIONS.c.id.in_([row[0] for row in held]))
                    .values(status=outbox.DIGESTED)
                )
                made += 1
        return made
