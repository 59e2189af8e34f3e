"""Identifiers of boards, meetings, agenda items and actions. The server mints them.

A board member's id is their ``ParticipantId``: the same id they carry in every item's room,
so the meeting and its rooms speak of the same person without a lookup.
"""

from typing import NewType

BoardId = NewType("BoardId", str)
MeetingId = NewType("MeetingId", str)
ItemId = NewType("ItemId", str)
ActionId = NewType("ActionId", str)

__all__ = ["ActionId", "BoardId", "ItemId", "MeetingId"]
