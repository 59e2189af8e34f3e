"""Wire models for the boards and meetings HTTP API (the socket's are ``rooms.messages``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

BoardRoleName = Literal["chair", "vice_chair", "voting_member", "adviser", "officer", "observer"]


class BoardCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    organisation_name: str = Field(
        min_length=1, max_length=200, description="Your organisation on the board."
    )
    sector: str = Field(default="", max_length=80, description="e.g. local_authority, nhs.")
    board_role: BoardRoleName = Field(default="chair", description="Your role on the board.")
    standing_orders: dict[str, Any] = Field(
        default_factory=dict,
        description="Quorum, publication, conflicts, the items' room rules (docs/meetings.md); "
        "omitted parts take their defaults.",
    )
    is_public: bool = True


class BoardMemberOut(BaseModel):
    member: str | None = Field(description="The member's participant id (hidden by policy).")
    name: str | None
    organisation: str | None
    sector: str
    board_role: str


class BoardOut(BaseModel):
    id: str
    name: str
    description: str
    publication: str
    is_public: bool
    role: str | None = Field(default=None, description="Your role on the board.")
    standing_orders: dict[str, Any] = Field(default_factory=dict)
    members: list[BoardMemberOut] = Field(default_factory=list)


class BoardInvitationCreate(BaseModel):
    board_role: BoardRoleName = "voting_member"
    organisation_name: str | None = Field(default=None, max_length=200)
    sector: str = Field(default="", max_length=80)
    single_use: bool = True
    expires_in_hours: float | None = Field(default=168, gt=0, le=24 * 365)


class BoardInvitationOut(BaseModel):
    token: str
    url: str
    board_role: str
    organisation: str | None
    sector: str
    single_use: bool
    expires_at: datetime | None


class BoardInvitationAccept(BaseModel):
    organisation_name: str | None = Field(default=None, min_length=1, max_length=200)
    sector: str | None = Field(default=None, max_length=80)


class RoleChange(BaseModel):
    board_role: BoardRoleName
    sector: str | None = Field(default=None, max_length=80)


class InterestCreate(BaseModel):
    interest: str = Field(min_length=1, max_length=2000)
    member: str | None = Field(
        default=None, description="The member's id; yours when left out (others: secretariat)."
    )


class InterestOut(BaseModel):
    id: str
    member: str | None
    name: str | None
    organisation: str | None
    interest: str
    declared_at: datetime
    withdrawn_at: datetime | None


class MeetingCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(default="Europe/London", min_length=1, max_length=64)
    place: str = Field(default="", max_length=300)
    video_url: str = Field(default="", max_length=2000)
    mode: Literal["live", "async"] = "live"
    facilitators: list[str] = Field(
        default_factory=list,
        description="Who may run the meeting besides the chair and vice-chair.",
    )
    secretaries: list[str] = Field(
        default_factory=list,
        description="Who keeps the register and the minutes; the board's officers when empty.",
    )


class MeetingOut(BaseModel):
    id: str
    board_id: str
    board_name: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    seq: int
    status: str | None = None
    role: str | None = Field(default=None, description="Your role on the board.")


class MeetingCommandAck(BaseModel):
    seq: int = Field(description="The seq of the command's last meeting event, or the head.")
    seqs: list[int]
    replayed: bool
    ids: dict[str, str] = Field(
        default_factory=dict,
        description="Ids the server minted for this command (item, action, room).",
    )
