"""The folded state of one room: everything the rules need, nothing they would have to rescan.

Every part is frozen; ``evolve`` builds new parts and shares the unchanged ones. Mappings are
plain dicts that are never mutated after construction.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from deliberation.exclusions import Exclusion, MeetingQuorum
from deliberation.ids import (
    DissentId,
    OrganisationId,
    ParticipantId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.polls import Poll, PollId
from deliberation.records import (
    Allocation,
    AnswerRecord,
    DissentRecord,
    ObjectionRecord,
    OverCapTime,
    OverrideRecord,
)
from deliberation.rules import RoomRules
from deliberation.vocabulary import (
    Mode,
    Outcome,
    PerspectiveKind,
    PublicationPolicy,
    Reaction,
    Role,
    RoundKind,
    SpeechKind,
    StatementStatus,
)


@dataclass(frozen=True, slots=True)
class Room:
    room: RoomId
    title: str
    mode: Mode
    publication: PublicationPolicy
    owner: ParticipantId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    participant: ParticipantId
    display_name: str
    organisation: OrganisationId
    role: Role
    vote_weight: Fraction
    active: bool = True
    present: bool = False  # marked present in the room (hybrid meetings)


@dataclass(frozen=True, slots=True)
class Proposal:
    text: str
    version: int = 1


@dataclass(frozen=True, slots=True)
class RoundsState:
    """Where the room is in the four rounds.

    ``furthest`` is the index (in ``ROUND_ORDER``) of the furthest round ever closed, -1 before
    any; the next new round is ``furthest + 1``; anything at or below ``furthest`` is a reopening.
    ``number`` counts openings, so each opening has its own number.
    """

    current: RoundKind | None = None
    is_open: bool = False
    furthest: int = -1
    number: int = 0
    opened_at: datetime | None = None
    deadline: datetime | None = None
    deadline_set_at: datetime | None = None  # when the current deadline was set
    reminded: bool = False
    planned: Mapping[RoundKind, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hand:
    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    raised_at: datetime
    reply_to: ParticipantId | None = None


@dataclass(frozen=True, slots=True)
class Speech:
    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    started_at: datetime
    limit_ms: int
    budget_limited: bool = False  # the limit is what remains of the organisation's budget
    overran: bool = False
    # The speaking cap's clock, in ms of this speech's own time (a pause does not run it):
    # when its organisation reached the cap while someone under the cap waited, when the
    # grace ends, and whether the room flagged (rather than ended) the speech then.
    cap_reached_ms: int | None = None
    cap_grace_end_ms: int | None = None
    cap_flagged: bool = False


@dataclass(frozen=True, slots=True)
class FloorState:
    """The speaking queue and the floor-time totals the progressive stack needs.

    ``floor_ms`` and ``total_ms`` count speeches and replies; points of order are procedural,
    exempt from the cap, and counted apart in ``point_of_order_ms``. ``last_speech_by`` is
    the speaker of the latest ordinary speech: replies to it are direct; older ones are not.
    """

    waiting: tuple[Hand, ...] = ()
    speech: Speech | None = None
    floor_ms: Mapping[OrganisationId, int] = field(default_factory=dict)
    total_ms: int = 0
    point_of_order_ms: Mapping[OrganisationId, int] = field(default_factory=dict)
    participant_ms: Mapping[ParticipantId, int] = field(default_factory=dict)
    turns: Mapping[OrganisationId, int] = field(default_factory=dict)
    cap_lifted: frozenset[OrganisationId] = frozenset()
    last_speech_by: ParticipantId | None = None  # whose speech replies may answer now
    paused: Speech | None = None  # a speech interrupted by a point of order
    paused_elapsed_ms: int = 0  # how long it had run when paused
    # Organisations that asked for a speech or a reply: the cap in force is at least 1/n.
    asked: frozenset[OrganisationId] = frozenset()
    # Grace already spent at or over the cap since the organisation was last under it.
    grace_used_ms: Mapping[OrganisationId, int] = field(default_factory=dict)
    # Why each organisation's floor time went past the cap (the fairness report's account).
    over_cap: Mapping[OrganisationId, OverCapTime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Statement:
    statement: StatementId
    participant: ParticipantId
    organisation: OrganisationId
    text: str
    status: StatementStatus
    added_at: datetime
    hidden_reason: str = ""


@dataclass(frozen=True, slots=True)
class SurfaceState:
    statements: Mapping[StatementId, Statement] = field(default_factory=dict)
    reactions: Mapping[StatementId, Mapping[ParticipantId, Reaction]] = field(default_factory=dict)
    per_organisation: Mapping[OrganisationId, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Perspective:
    perspective: PerspectiveId
    kind: PerspectiveKind
    text: str
    organisation: OrganisationId
    participant: ParticipantId
    tabled_at: datetime


@dataclass(frozen=True, slots=True)
class WeighingState:
    perspectives: Mapping[PerspectiveId, Perspective] = field(default_factory=dict)
    allocations: Mapping[ParticipantId, tuple[Allocation, ...]] = field(default_factory=dict)
    points: Mapping[PerspectiveId, int] = field(default_factory=dict)
    per_organisation: Mapping[OrganisationId, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The current consent round (``number`` counts consent rounds; 0 before the first).

    ``objections`` holds this round's objections by objector; ``earlier`` the objections of
    earlier consent rounds (integrated ones and their lineage) so the decision carries them all.
    """

    number: int = 0
    answers: Mapping[ParticipantId, AnswerRecord] = field(default_factory=dict)
    objections: Mapping[ParticipantId, ObjectionRecord] = field(default_factory=dict)
    judgments: Mapping[ParticipantId, Mapping[ParticipantId, bool]] = field(default_factory=dict)
    earlier: tuple[ObjectionRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    outcome: Outcome
    consent_round: int
    proposal_version: int
    at: datetime


@dataclass(frozen=True, slots=True)
class RoomState:
    room: Room | None = None
    rules: RoomRules = RoomRules()
    proposal: Proposal = Proposal("")
    members: Mapping[ParticipantId, Member] = field(default_factory=dict)
    organisations: Mapping[OrganisationId, str] = field(default_factory=dict)
    rounds: RoundsState = RoundsState()
    floor: FloorState = FloorState()
    surface: SurfaceState = SurfaceState()
    weighing: WeighingState = WeighingState()
    dissents: Mapping[DissentId, DissentRecord] = field(default_factory=dict)
    consent: ConsentState = ConsentState()
    decisions: tuple[DecisionSummary, ...] = ()
    overrides: tuple[OverrideRecord, ...] = ()
    polls: Mapping[PollId, Poll] = field(default_factory=dict)  # votes in the room
    exclusions: Mapping[ParticipantId, Exclusion] = field(default_factory=dict)  # conflicted
    meeting_quorum: MeetingQuorum | None = None  # relayed by the board meeting, if any

    @property
    def decided(self) -> bool:
        """A final decision (consented, with concerns, or withdrawn) ends the room."""
        return bool(self.decisions) and self.decisions[-1].outcome is not Outcome.BLOCKED


INITIAL = RoomState()
