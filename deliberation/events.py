"""One frozen dataclass per event, named in the past tense. Events are facts: never edited.

Every event carries ``at``. Events caused by a person carry ``by`` (who issued the command,
``None`` for the system) and, where the action is someone's own (a hand, a reaction, an
answer), ``participant`` (for whom): when they differ, a facilitator acted for someone in
the room. Events that set a rule aside carry ``is_override=True`` and a ``reason``; the
publication code cites their ``seq`` (see ``is_override``).
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TypeAlias

from deliberation.exclusions import Exclusion, ExclusionsSet, QuorumSet
from deliberation.ids import (
    DissentId,
    OrganisationId,
    ParticipantId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.polls import (
    BallotCast,
    VoteClosed,
    VoteDelegated,
    VoteOpened,
    VoteParticipated,
)
from deliberation.records import (
    Allocation,
    AnswerRecord,
    DissentRecord,
    FairnessReport,
    ObjectionRecord,
    PositionWeight,
)
from deliberation.rules import RoomRules, RoundDeadline
from deliberation.vocabulary import (
    DissentKind,
    Mode,
    Outcome,
    PerspectiveKind,
    Position,
    PublicationPolicy,
    Reaction,
    Role,
    RoundKind,
    SpeechEnding,
    SpeechKind,
    StatementStatus,
)


@dataclass(frozen=True, slots=True)
class RoomCreated:
    room: RoomId
    title: str
    proposal: str
    mode: Mode
    publication: PublicationPolicy
    rules: RoomRules
    deadlines: tuple[RoundDeadline, ...]
    owner: ParticipantId
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberAdmitted:
    participant: ParticipantId
    display_name: str
    organisation: OrganisationId
    organisation_name: str
    role: Role
    vote_weight: Fraction
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RoleChanged:
    participant: ParticipantId
    role: Role
    previous_role: Role
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PresenceMarked:
    participant: ParticipantId
    present: bool
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    participant: ParticipantId
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RulesChanged:
    rules: RoomRules
    reason: str
    by: ParticipantId | None
    at: datetime
    is_override: bool = True


@dataclass(frozen=True, slots=True)
class RoundOpened:
    round: RoundKind
    number: int
    reopened: bool
    reason: str
    deadline: datetime | None
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RoundClosed:
    round: RoundKind
    number: int
    by_deadline: bool
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DeadlineSet:
    round: RoundKind
    closes_at: datetime
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """Sent once per round opening, ``reminder_before_ms`` before its deadline.

    ``waiting_on`` lists the members taking part who have not yet contributed to this round.
    """

    round: RoundKind
    number: int
    closes_at: datetime
    waiting_on: tuple[ParticipantId, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class HandRaised:
    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    reply_to: ParticipantId | None
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class HandLowered:
    participant: ParticipantId
    kind: SpeechKind
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class FloorGranted:
    """``rule`` names what chose the speaker; ``share`` is their organisation's floor share
    just before (``None`` while nobody has spoken)."""

    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    rule: str
    share: Fraction | None
    reason: str
    by: ParticipantId | None
    at: datetime
    is_override: bool = False


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """``budget_limited``: the limit is what remains of the organisation's meeting budget."""

    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    limit_ms: int
    budget_limited: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechExtended:
    participant: ParticipantId
    extra_ms: int
    limit_ms: int
    reason: str
    by: ParticipantId | None
    at: datetime
    is_override: bool = True


@dataclass(frozen=True, slots=True)
class SpeechOverran:
    participant: ParticipantId
    limit_ms: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechPaused:
    """A point of order interrupts a speech; ``elapsed_ms`` is how long it had run."""

    participant: ParticipantId
    elapsed_ms: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechResumed:
    """The interrupted speech goes on with the time it had left (``limit_ms - elapsed_ms``)."""

    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    limit_ms: int
    elapsed_ms: int
    budget_limited: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """``duration_ms`` is what the floor-time totals add: ``at - started_at`` in whole ms.

    For a speech that was paused, ``started_at`` is shifted by the pause, so the duration
    counts only the time it held the floor.
    """

    participant: ParticipantId
    organisation: OrganisationId
    kind: SpeechKind
    started_at: datetime
    duration_ms: int
    ending: SpeechEnding
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechCapReached:
    """The warning: the speaker's organisation reached the speaking cap in force (``cap``)
    while someone from an organisation under it waits. ``reached_at`` is that moment (the
    clock may tick later); at ``grace_ends_at`` the room's overrun action applies."""

    participant: ParticipantId
    organisation: OrganisationId
    cap: Fraction
    reached_at: datetime
    grace_ends_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class SpeechCapFlagged:
    """The grace ran out in a room that flags overruns: the speech goes on, marked, until
    the speaker or a facilitator ends it."""

    participant: ParticipantId
    organisation: OrganisationId
    at: datetime


@dataclass(frozen=True, slots=True)
class CapLifted:
    organisation: OrganisationId
    reason: str
    by: ParticipantId | None
    at: datetime
    is_override: bool = True


@dataclass(frozen=True, slots=True)
class CapRestored:
    organisation: OrganisationId
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class StatementAdded:
    statement: StatementId
    participant: ParticipantId
    organisation: OrganisationId
    text: str
    status: StatementStatus
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class StatementAccepted:
    statement: StatementId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class StatementHidden:
    statement: StatementId
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ReactionRecorded:
    statement: StatementId
    participant: ParticipantId
    reaction: Reaction
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PerspectiveTabled:
    perspective: PerspectiveId
    kind: PerspectiveKind
    text: str
    organisation: OrganisationId
    participant: ParticipantId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PointsAllocated:
    participant: ParticipantId
    allocations: tuple[Allocation, ...]
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DissentRecorded:
    dissent: DissentId
    kind: DissentKind
    text: str
    participant: ParticipantId
    organisation: OrganisationId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DissentWithdrawn:
    dissent: DissentId
    participant: ParticipantId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ConsentAnswered:
    participant: ParticipantId
    organisation: OrganisationId
    position: Position
    text: str
    consent_round: int
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ObjectionJudged:
    objector: ParticipantId
    participant: ParticipantId
    organisation: OrganisationId
    paramount: bool
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ObjectionSettled:
    """``not_paramount_share``: counted "not paramount" weight over the organisations that
    judged, each organisation weighing 1 (``voting``'s ``one_org_one_vote``)."""

    objector: ParticipantId
    paramount: bool
    not_paramount_share: Fraction
    threshold: Fraction
    organisations: int
    explanation: tuple[str, ...]
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ProposalAmended:
    text: str
    version: int
    integrates: tuple[ParticipantId, ...]
    reason: str
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DecisionReached:
    """The consent round's result, with everything the published record needs.

    ``objections`` holds this decision's objections and every earlier one (integrated,
    resolved, upheld, withdrawn); ``dissents`` every dissent, withdrawn ones marked.
    In a board meeting's item, ``present`` is who the meeting had present (as relayed by
    ``set_quorum``) and ``excluded`` who was out of the item for a declared interest.
    """

    outcome: Outcome
    consent_round: int
    proposal_version: int
    proposal: str
    quorum_met: bool
    answers: tuple[AnswerRecord, ...]
    objections: tuple[ObjectionRecord, ...]
    dissents: tuple[DissentRecord, ...]
    tally: tuple[PositionWeight, ...]
    speaking_cap: Fraction | None
    vote_cap: Fraction | None
    fairness: FairnessReport
    reason: str
    by: ParticipantId | None
    at: datetime
    present: tuple[ParticipantId, ...] = ()
    excluded: tuple[Exclusion, ...] = ()


Event: TypeAlias = (
    RoomCreated
    | MemberAdmitted
    | RoleChanged
    | PresenceMarked
    | MemberRemoved
    | RulesChanged
    | RoundOpened
    | RoundClosed
    | DeadlineSet
    | ReminderDue
    | HandRaised
    | HandLowered
    | FloorGranted
    | SpeechStarted
    | SpeechExtended
    | SpeechOverran
    | SpeechPaused
    | SpeechResumed
    | SpeechEnded
    | SpeechCapReached
    | SpeechCapFlagged
    | CapLifted
    | CapRestored
    | StatementAdded
    | StatementAccepted
    | StatementHidden
    | ReactionRecorded
    | PerspectiveTabled
    | PointsAllocated
    | DissentRecorded
    | DissentWithdrawn
    | ConsentAnswered
    | ObjectionJudged
    | ObjectionSettled
    | ProposalAmended
    | DecisionReached
    | VoteOpened
    | VoteParticipated
    | BallotCast
    | VoteDelegated
    | VoteClosed
    | ExclusionsSet
    | QuorumSet
)

EVENTS: dict[str, type[Event]] = {
    "room.created": RoomCreated,
    "member.admitted": MemberAdmitted,
    "member.role_changed": RoleChanged,
    "member.presence_marked": PresenceMarked,
    "member.removed": MemberRemoved,
    "rules.changed": RulesChanged,
    "round.opened": RoundOpened,
    "round.closed": RoundClosed,
    "round.deadline_set": DeadlineSet,
    "reminder.due": ReminderDue,
    "hand.raised": HandRaised,
    "hand.lowered": HandLowered,
    "floor.granted": FloorGranted,
    "speech.started": SpeechStarted,
    "speech.extended": SpeechExtended,
    "speech.overran": SpeechOverran,
    "speech.paused": SpeechPaused,
    "speech.resumed": SpeechResumed,
    "speech.ended": SpeechEnded,
    "speech.cap_reached": SpeechCapReached,
    "speech.cap_flagged": SpeechCapFlagged,
    "cap.lifted": CapLifted,
    "cap.restored": CapRestored,
    "statement.added": StatementAdded,
    "statement.accepted": StatementAccepted,
    "statement.hidden": StatementHidden,
    "reaction.recorded": ReactionRecorded,
    "perspective.tabled": PerspectiveTabled,
    "points.allocated": PointsAllocated,
    "dissent.recorded": DissentRecorded,
    "dissent.withdrawn": DissentWithdrawn,
    "consent.answered": ConsentAnswered,
    "objection.judged": ObjectionJudged,
    "objection.settled": ObjectionSettled,
    "proposal.amended": ProposalAmended,
    "decision.reached": DecisionReached,
    "vote.opened": VoteOpened,
    "vote.participated": VoteParticipated,
    "ballot.cast": BallotCast,
    "vote.delegated": VoteDelegated,
    "vote.closed": VoteClosed,
    "exclusions.set": ExclusionsSet,
    "quorum.set": QuorumSet,
}

_TYPES: dict[type[Event], str] = {cls: name for name, cls in EVENTS.items()}


def event_type(event: Event) -> str:
    """The dotted type name of an event (the inverse of ``EVENTS``)."""
    return _TYPES[type(event)]


def is_override(event: Event) -> bool:
    """Whether this event set a rule aside (the decision log cites these by ``seq``)."""
    return bool(getattr(event, "is_override", False))
