"""Identifiers. The server mints them; the core only compares them."""

from typing import NewType

RoomId = NewType("RoomId", str)
ParticipantId = NewType("ParticipantId", str)
OrganisationId = NewType("OrganisationId", str)
StatementId = NewType("StatementId", str)
PerspectiveId = NewType("PerspectiveId", str)
DissentId = NewType("DissentId", str)

__all__ = [
    "DissentId",
    "OrganisationId",
    "ParticipantId",
    "PerspectiveId",
    "RoomId",
    "StatementId",
]
