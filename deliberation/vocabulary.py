"""The closed sets of words the rooms speak in: rounds, roles, speech kinds, answers."""

from enum import StrEnum


class RoundKind(StrEnum):
    """The four rounds, in the order a proposal goes through them."""

    SURFACE_CONFLICT = "surface_conflict"
    WEIGH_PERSPECTIVES = "weigh_perspectives"
    RECORD_DISSENT = "record_dissent"
    CONSENT = "consent"


ROUND_ORDER: tuple[RoundKind, ...] = tuple(RoundKind)


class Mode(StrEnum):
    LIVE = "live"  # the facilitator opens and closes rounds
    ASYNCHRONOUS = "asynchronous"  # rounds open one after another and close at their deadlines


class PublicationPolicy(StrEnum):
    NAMES = "names"
    ORGANISATIONS = "organisations"
    ANONYMOUS = "anonymous"


class Role(StrEnum):
    OWNER = "owner"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


FACILITATING_ROLES = frozenset({Role.OWNER, Role.FACILITATOR})
TAKING_PART_ROLES = frozenset({Role.OWNER, Role.FACILITATOR, Role.PARTICIPANT})


class SpeechKind(StrEnum):
    """OpenSlides' vocabulary: an ordinary speech, a direct reply, a point of order."""

    SPEECH = "speech"
    REPLY = "reply"
    POINT_OF_ORDER = "point_of_order"


class SpeechEnding(StrEnum):
    YIELDED = "yielded"  # the speaker ended their own speech
    ENDED_BY_FACILITATOR = "ended_by_facilitator"
    TIME_LIMIT = "time_limit"  # the clock ended it (tick)
    BUDGET_EXHAUSTED = "budget_exhausted"  # the organisation's meeting budget ran out (tick)
    CAP_GRACE_OVER = "cap_grace_over"  # at the cap, others waiting, and the grace ran out (tick)
    MEMBER_REMOVED = "member_removed"
    DECISION_REACHED = "decision_reached"


class Reaction(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"


class StatementStatus(StrEnum):
    PENDING = "pending"  # premoderated rooms: waits for the facilitator
    ACCEPTED = "accepted"
    HIDDEN = "hidden"


class PerspectiveKind(StrEnum):
    BENEFIT = "benefit"
    RISK = "risk"
    CONCERN = "concern"
    AFFECTED_GROUP = "affected_group"


class DissentKind(StrEnum):
    FORMAL_DISSENT = "formal_dissent"
    MINORITY_VIEW = "minority_view"


class Position(StrEnum):
    CONSENT = "consent"
    CONCERN = "concern"
    STAND_ASIDE = "stand_aside"
    OBJECT = "object"


class ObjectionStatus(StrEnum):
    OPEN = "open"  # blocks the proposal
    INTEGRATED = "integrated"  # the facilitator amended the proposal to meet it
    RESOLVED = "resolved"  # the room found it not paramount under the room's rule
    UPHELD = "upheld"  # the room tested it and it stands: it still blocks
    WITHDRAWN = "withdrawn"  # the objector changed their answer


class Outcome(StrEnum):
    CONSENTED = "consented"
    CONSENTED_WITH_CONCERNS = "consented_with_concerns"
    BLOCKED = "blocked"
    WITHDRAWN = "withdrawn"


FINAL_OUTCOMES = frozenset({Outcome.CONSENTED, Outcome.CONSENTED_WITH_CONCERNS, Outcome.WITHDRAWN})
