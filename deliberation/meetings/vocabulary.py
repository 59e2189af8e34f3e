"""The closed sets of words a board meeting speaks in: roles, item kinds, attendance."""

from enum import StrEnum


class BoardRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    VOTING_MEMBER = "voting_member"
    ADVISER = "adviser"  # non-voting
    OFFICER = "officer"  # in attendance
    OBSERVER = "observer"


VOTING_ROLES = frozenset({BoardRole.CHAIR, BoardRole.VICE_CHAIR, BoardRole.VOTING_MEMBER})
"""Only these vote and count for quorum."""

CHAIRING_ROLES = frozenset({BoardRole.CHAIR, BoardRole.VICE_CHAIR})

ROLE_PHRASES = {
    BoardRole.CHAIR: "the chair",
    BoardRole.VICE_CHAIR: "the vice-chair",
    BoardRole.VOTING_MEMBER: "a voting member",
    BoardRole.ADVISER: "an adviser",
    BoardRole.OFFICER: "an officer",
    BoardRole.OBSERVER: "an observer",
}


class ItemKind(StrEnum):
    APOLOGIES = "apologies"
    DECLARATIONS = "declarations"
    PREVIOUS_MINUTES = "previous_minutes"  # approval of the previous minutes: a consent item
    MATTERS_ARISING = "matters_arising"  # open actions carried from earlier meetings
    DECISION = "decision"
    DISCUSSION = "discussion"
    NOTING = "noting"
    ANY_OTHER_BUSINESS = "any_other_business"


ROOM_KINDS = frozenset({ItemKind.DECISION, ItemKind.DISCUSSION, ItemKind.PREVIOUS_MINUTES})
"""Items that get a room of their own (today's room machinery)."""

DECIDING_KINDS = frozenset({ItemKind.DECISION, ItemKind.PREVIOUS_MINUTES})
"""Items that cannot close without quorum."""


class Attendance(StrEnum):
    PRESENT_IN_ROOM = "present_in_room"
    PRESENT_REMOTE = "present_remote"
    APOLOGIES = "apologies"
    ABSENT = "absent"


PRESENT = frozenset({Attendance.PRESENT_IN_ROOM, Attendance.PRESENT_REMOTE})


class Excludes(StrEnum):
    """What a declared interest keeps a member out of, for the item it is declared on."""

    NONE = "none"
    VOTE = "vote"
    VOTE_AND_DISCUSSION = "vote_and_discussion"


class MeetingMode(StrEnum):
    LIVE = "live"
    ASYNC = "async"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    ADJOURNED = "adjourned"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    PENDING = "pending"
    STARTED = "started"
    CLOSED = "closed"
    DEFERRED = "deferred"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"  # open, and its due date has passed (computed, never stored)


NARRATIVE_PARTS = frozenset({"summary", "note"})
"""What ``edit_narrative`` may change: the meeting's summary and an item's note. All else is fact."""
