"""Database tables.

Room and meeting state is not stored here: each is a fold over its events (``room_events``,
``meeting_events``; see ``server/rooms/event_store``).
The other tables hold what the event stream cannot: accounts, credentials, invitations,
the room directory with its head ``seq`` (the optimistic-concurrency check), and deadlines.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.extensions.litestar.store import StoreModelMixin
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

# advanced-alchemy's JsonB trips over SQLAlchemy 2.1; this is the same portable type.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class User(UUIDv7AuditBase):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))


class ApiToken(UUIDv7AuditBase):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Organisation(UUIDv7AuditBase):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)


class Room(UUIDv7AuditBase):
    __tablename__ = "rooms"

    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"))
    mode: Mapped[str] = mapped_column(String(20), default="live")
    policy: Mapped[str] = mapped_column(String(20), default="organisations")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # The head of the event stream: appends succeed only from the head they read.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)


class Membership(UUIDv7AuditBase):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("room_id", "user_id", name="uq_membership_room_user"),)

    room_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("organisations.id"), nullable=True
    )
    role: Mapped[str] = mapped_column(String(20))


class Invitation(UUIDv7AuditBase):
    """A link that admits its holder to a room with a role (and maybe an organisation)."""

    __tablename__ = "invitations"

    room_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("rooms.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("organisations.id"), nullable=True
    )
    single_use: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"))


class RoomEvent(DefaultBase):
    """One fact in a room's history. Rows are only ever inserted."""

    __tablename__ = "room_events"
    __table_args__ = (Index("ix_room_events_idempotency", "room_id", "idempotency_key"),)

    room_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acting_for: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RoomDeadline(DefaultBase):
    """When a room next needs the clock (a round deadline, a speech limit, a reminder).

    Whichever process locks the row first runs the room's ``tick``; the others skip it.
    """

    __tablename__ = "room_deadlines"

    room_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class SigningKey(UUIDv7Base):
    """A room's Ed25519 key for its published log; the private half never leaves the server."""

    __tablename__ = "signing_keys"

    room_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("rooms.id", ondelete="CASCADE"))
    private_key: Mapped[str] = mapped_column(String(128))  # base64url seed, server-side only
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class PublishedLog(UUIDv7Base):
    """The latest published decision log of a room, as the community received it."""

    __tablename__ = "published_logs"

    room_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("rooms.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(20))
    pseudonym_secret: Mapped[bytes] = mapped_column(LargeBinary)
    head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    through_event_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    document: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class SessionRecord(StoreModelMixin):
    """Server-side sessions (Litestar's session middleware stores them here)."""

    __tablename__ = "sessions"


class Receipt(UUIDv7Base):
    """A participant's signed receipt for one of their contributions in a published log."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("room_id", "seq", "participant_id", name="uq_receipt_entry"),
    )

    room_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("rooms.id", ondelete="CASCADE"))
    participant_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


# -- Boards and meetings (docs/meetings.md) ---------------------------------------------
# A board is a directory row with its standing orders; its membership and standing register
# are rows (the gates read them), and each meeting copies them into its first event, so a
# meeting's fold never reads these tables.


class Board(UUIDv7AuditBase):
    __tablename__ = "boards"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"))
    # Quorum, the rules of its items' rooms, publication, conflicts: see docs/meetings.md.
    standing_orders: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    publication: Mapped[str] = mapped_column(String(20), default="organisations")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class BoardMember(UUIDv7AuditBase):
    __tablename__ = "board_members"
    __table_args__ = (UniqueConstraint("board_id", "user_id", name="uq_board_member"),)

    board_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("boards.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("organisations.id"), nullable=True
    )
    sector: Mapped[str] = mapped_column(String(80), default="")
    board_role: Mapped[str] = mapped_column(String(20))


class BoardInvitation(UUIDv7AuditBase):
    """A link that makes its holder a board member with a role, organisation and sector."""

    __tablename__ = "board_invitations"

    board_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("boards.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    board_role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("organisations.id"), nullable=True
    )
    sector: Mapped[str] = mapped_column(String(80), default="")
    single_use: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id"))


class StandingInterest(UUIDv7AuditBase):
    """An entry of a board's standing register of interests. Withdrawal keeps the row."""

    __tablename__ = "board_interests"

    board_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    interest: Mapped[str] = mapped_column(Text)
    excludes: Mapped[str] = mapped_column(String(24), default="none")
    declared_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class Meeting(UUIDv7AuditBase):
    """A meeting's directory row and the head of its event stream (like ``rooms``)."""

    __tablename__ = "meetings"

    board_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)


class MeetingEvent(DefaultBase):
    """One fact in a meeting's history. Rows are only ever inserted."""

    __tablename__ = "meeting_events"
    __table_args__ = (Index("ix_meeting_events_idempotency", "meeting_id", "idempotency_key"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acting_for: Mapped[str | None] = mapped_column(String(64), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class MeetingItemRoom(DefaultBase):
    """The room an agenda item deliberates in (items for decision, for discussion and the
    approval of the previous minutes)."""

    __tablename__ = "meeting_item_rooms"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("rooms.id", ondelete="CASCADE"), unique=True
    )


class BoardSigningKey(UUIDv7Base):
    """A board's Ed25519 key for its signed meeting records; the private half stays here."""

    __tablename__ = "board_signing_keys"

    board_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    private_key: Mapped[str] = mapped_column(String(128))  # base64url seed, server-side only
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class PublishedMinutes(UUIDv7Base):
    """A meeting's approved minutes as published: the signed meeting record, as issued."""

    __tablename__ = "published_minutes"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    document: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
