"""Small immutable records carried inside events and kept in the folded state."""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from deliberation.ids import DissentId, OrganisationId, ParticipantId, PerspectiveId
from deliberation.vocabulary import DissentKind, ObjectionStatus, Position


@dataclass(frozen=True, slots=True)
class Allocation:
    """Points one participant puts on one perspective."""

    perspective: PerspectiveId
    points: int


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """A facilitator set a rule aside. ``kind`` is the event type that did it."""

    kind: str
    reason: str
    by: ParticipantId | None
    at: datetime
    participant: ParticipantId | None = None
    organisation: OrganisationId | None = None


@dataclass(frozen=True, slots=True)
class OverCapTime:
    """How an organisation's floor time at or over the speaking cap came about, in ms.

    ``uncontested_ms``: spoken at or over the cap while nobody from an organisation under
    it waited (the floor is never left idle). ``grace_ms``: spoken in the grace after the
    warning. ``flagged_ms``: spoken after the grace in a room that flags instead of ending.
    ``lifted_ms``: spoken while a facilitator had lifted its cap (an override).
    ``cap_fell_ms``: not time spoken, but the excess that appeared when the cap in force
    fell (more organisations asked to speak, or the rules changed).
    """

    uncontested_ms: int = 0
    grace_ms: int = 0
    flagged_ms: int = 0
    lifted_ms: int = 0
    cap_fell_ms: int = 0


@dataclass(frozen=True, slots=True)
class DissentRecord:
    """A formal dissent or minority view. Withdrawal sets ``withdrawn_at``; nothing is deleted."""

    dissent: DissentId
    participant: ParticipantId
    organisation: OrganisationId
    kind: DissentKind
    text: str
    recorded_at: datetime
    withdrawn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """A participant's answer in a consent round (the last one they gave counts)."""

    participant: ParticipantId
    organisation: OrganisationId
    position: Position
    text: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ObjectionRecord:
    """An objection and what became of it.

    ``amendment`` is the proposal version that integrated it; ``not_paramount_share`` the share
    of the organisations' counted weight that found it not paramount when it was tested.
    """

    objector: ParticipantId
    organisation: OrganisationId
    reason: str
    consent_round: int
    status: ObjectionStatus
    amendment: int | None = None
    not_paramount_share: Fraction | None = None


@dataclass(frozen=True, slots=True)
class PositionWeight:
    """The counted weight behind one consent position, after the room's weighting."""

    position: Position
    participants: int
    organisations: int
    weight: Fraction


@dataclass(frozen=True, slots=True)
class OrganisationFairness:
    organisation: OrganisationId
    name: str
    members: int
    speaking_ms: int
    speaking_share: Fraction
    turns: int
    point_of_order_ms: int
    budget_ms: int | None
    statements: int
    perspectives: int
    points_received: int
    vote_weight_raw: Fraction
    vote_weight_counted: Fraction
    over_cap_ms: int = 0  # floor time past the cap in force at the end
    over_cap: OverCapTime = OverCapTime()


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """Per organisation: floor time and share, contributions, vote weight raw and counted.

    ``overrides`` lists every facilitator override in the order they happened; the events
    that carry them are marked (``is_override``) so the log can cite their ``seq``.
    """

    speaking_cap: Fraction | None
    vote_cap: Fraction | None
    vote_cap_applied: Fraction | None
    total_speaking_ms: int
    organisations: tuple[OrganisationFairness, ...]
    overrides: tuple[OverrideRecord, ...]
    vote_explanation: tuple[str, ...]
    speaking_cap_in_force: Fraction | None = None  # at least 1/n of those who asked
    organisations_asked: int = 0
    speaking_explanation: tuple[str, ...] = ()
