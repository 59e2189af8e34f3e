"""Wire models for the rooms HTTP API (the WebSocket messages are in ``messages``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field


class RoomCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    proposal: str = Field(min_length=1, max_length=20_000)
    organisation_name: str = Field(
        min_length=1, max_length=200, description="The owner's organisation."
    )
    rules: dict[str, Any] = Field(
        default_factory=dict, description="See docs/rules.md; omitted rules take their defaults."
    )
    mode: Literal["live", "asynchronous"] = "live"
    publication: Literal["names", "organisations", "anonymous"] = "organisations"
    deadlines: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Asynchronous rooms: [{round, closes_at}] for every round.",
    )
    is_public: bool = True


class RoomOut(BaseModel):
    id: str
    title: str
    mode: str
    publication: str
    seq: int
    role: str | None = None
    organisation: str | None = None


class InvitationCreate(BaseModel):
    role: Literal["facilitator", "participant", "observer"] = "participant"
    organisation_name: str | None = Field(
        default=None,
        max_length=200,
        description="Fix the invitee's organisation; otherwise they name it.",
    )
    single_use: bool = True
    expires_in_hours: float | None = Field(default=72, gt=0, le=24 * 365)
    email: EmailStr | None = Field(
        default=None, description="Also email the link to this address (docs/notifications.md)."
    )


class InvitationOut(BaseModel):
    token: str
    url: str
    role: str
    organisation: str | None
    single_use: bool
    expires_at: datetime | None


class InvitationAccept(BaseModel):
    organisation_name: str | None = Field(default=None, min_length=1, max_length=200)


class CommandAck(BaseModel):
    seq: int = Field(
        description="The seq of the command's last event, or the room's head for a no-op."
    )
    seqs: list[int]
    replayed: bool = Field(
        description="True when this idempotency key was seen before: nothing was appended."
    )


class EventOut(BaseModel):
    seq: int
    event: str
    data: dict[str, Any]
    actor: str | None
    acting_for: str | None
    at: str
    hash: str
    prev: str


class ErrorOut(BaseModel):
    code: str
    message: str
