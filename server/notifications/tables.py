"""The notification tables: the outbox, members' preferences, rooms' reminder offsets, webhooks.

The outbox (``notifications``) holds one row per message to one recipient over one
channel (an email, a webhook POST, an item in the member's in-app list). A row is written
in the same transaction as the room event that causes it, so a message is sent if and only
if its event was stored; the sender claims rows, delivers them and marks them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.tables import JsonDocument


class Notification(DefaultBase):
    """One message to one recipient over one channel, and where its delivery stands.

    ``status``: ``pending`` (due at ``next_attempt_at``), ``sent``, ``failed`` (refused for
    good, or out of attempts: shown to the room's facilitators), ``skipped`` (the member
    turned the kind off, or a reminder found them done), ``held`` (waiting for the
    member's daily digest), ``digested`` (went out in one), ``unread`` / ``read`` (in-app).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_inbox", "user_id", "channel", "status"),
        Index("ix_notifications_room", "room_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook | inapp
    kind: Mapped[str] = mapped_column(String(40))
    room_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    # An address for someone who has no account yet (an invitation).
    address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    webhook_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("notification_webhooks.id", ondelete="CASCADE"), nullable=True
    )
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    # Calls by other features (meetings) may repeat: the same key enqueues once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    # Fixed at enqueue: a resend after a crash carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class NotificationPreference(DefaultBase):
    """A member's choice for one kind: ``instant``, ``digest`` or ``off`` (no row: instant).

    The kind ``*`` is the one-click unsubscribe from everything."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))


class NotificationProfile(DefaultBase):
    """What a member's messages need beyond their account: the language to write them in."""

    __tablename__ = "notification_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16))


class RoomNotificationSettings(DefaultBase):
    """A room's reminder offsets before each deadline, in seconds (no row: 24 h and 1 h)."""

    __tablename__ = "room_notification_settings"

    room_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    reminder_offsets_s: Mapped[list[int]] = mapped_column(JsonDocument)


class Webhook(DefaultBase):
    """An integration's URL for a room's notifications, with the secret that signs them."""

    __tablename__ = "notification_webhooks"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    room_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
