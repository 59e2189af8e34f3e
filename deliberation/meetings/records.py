"""Small immutable records carried inside meeting commands and events."""

from dataclasses import dataclass
from datetime import datetime

from deliberation.ids import ParticipantId
from deliberation.meetings.ids import ActionId, ItemId, MeetingId


@dataclass(frozen=True, slots=True)
class ItemHistory:
    """One step in an item's life across meetings (``what``: ``added``, ``deferred``)."""

    meeting: MeetingId
    item: ItemId
    what: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ArisingAction:
    """An open action carried to a later meeting's matters arising.

    ``overdue``: its due date had passed when it was carried. ``private``: it came from a
    private item, so its content stays out of every published record.
    """

    action: ActionId
    what: str
    owner: str
    due: datetime | None
    meeting: MeetingId  # where it was agreed
    item: ItemId
    overdue: bool
    owner_member: ParticipantId | None = None
    private: bool = False
