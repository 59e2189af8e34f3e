"""One frozen dataclass per command. Each docstring is the command's spec: who may issue it,
when it is refused (``Reason`` codes), and which events it emits.

Who acts comes from ``Context``: ``ctx.actor`` (``None`` for the system: the server, timers),
and ``ctx.acting_for`` when a facilitator acts for someone in the room. "Facilitator" below
means a member with role ``owner`` or ``facilitator``; "the system" may do whatever a
facilitator may. Commands that create an entity carry its id, minted by the server.
Every command is refused with ``conflict`` once the room has a final decision, except
``admit_member``, ``change_role``, ``mark_presence``, ``remove_member`` and ``tick``.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TypeAlias

from deliberation.exclusions import SetExclusions, SetQuorum
from deliberation.ids import (
    DissentId,
    OrganisationId,
    ParticipantId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.polls import CastBallot, CloseVote, DelegateVote, OpenVote
from deliberation.records import Allocation
from deliberation.rules import RoomRules, RoundDeadline
from deliberation.vocabulary import (
    DissentKind,
    Mode,
    PerspectiveKind,
    Position,
    PublicationPolicy,
    Reaction,
    Role,
    RoundKind,
    SpeechKind,
)

# --- the room and its members -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateRoom:
    """Open a room on a proposal. The actor becomes its owner.

    Who may: any signed-in person (``ctx.actor`` is the owner's new participant id).
    Rejected: ``conflict`` (room exists); ``forbidden`` (no actor); ``invalid`` (empty title
    or proposal, unusable rules, an asynchronous room without a deadline for every round or
    with deadlines not strictly in round order and after ``ctx.at``).
    Emits: ``room.created``, ``member.admitted`` (the owner), and in asynchronous rooms
    ``round.opened`` (``surface_conflict``).
    """

    room: RoomId
    title: str
    proposal: str
    owner_name: str
    organisation: OrganisationId
    organisation_name: str
    rules: RoomRules = RoomRules()
    mode: Mode = Mode.LIVE
    publication: PublicationPolicy = PublicationPolicy.NAMES
    deadlines: tuple[RoundDeadline, ...] = ()


@dataclass(frozen=True, slots=True)
class AdmitMember:
    """Admit a person (an accepted invitation) with their organisation and role.

    Who may: the system or a facilitator; only the owner may admit another owner.
    Rejected: ``conflict`` (already an active member); ``invalid`` (empty name or organisation,
    a weight that is not positive); ``forbidden``.
    Emits: ``member.admitted``. Re-admitting a removed member restores them.
    """

    participant: ParticipantId
    display_name: str
    organisation: OrganisationId
    organisation_name: str
    role: Role = Role.PARTICIPANT
    vote_weight: Fraction = Fraction(1)


@dataclass(frozen=True, slots=True)
class ChangeRole:
    """Change a member's role.

    Who may: the system or a facilitator; only the owner may make or unmake an owner.
    Rejected: ``not_found``; ``conflict`` (same role, or the last owner would go); ``forbidden``.
    Emits: ``member.role_changed``.
    """

    participant: ParticipantId
    role: Role
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MarkPresence:
    """Mark a member present in the room, or gone (hybrid meetings: the roll call).

    Who may: the member themself, or a facilitator for anyone. Rejected: ``not_found``;
    ``conflict`` (already marked so); ``forbidden``. Emits: ``member.presence_marked``.
    In rooms with ``proxy_needs_presence`` a facilitator acts only for members marked present.
    """

    participant: ParticipantId
    present: bool = True


@dataclass(frozen=True, slots=True)
class RemoveMember:
    """Remove a member. What they said stays in the record.

    Who may: the system or a facilitator. Rejected: ``not_found``; ``conflict`` (the owner);
    ``forbidden``; ``invalid`` (no reason).
    Emits: ``speech.ended`` (if they held the floor), ``member.removed`` (which also lowers
    their hands).
    """

    participant: ParticipantId
    reason: str


@dataclass(frozen=True, slots=True)
class ChangeRules:
    """Replace the room's rules. Logged as an override. The rounds the room runs stay as
    they were set at creation, whatever ``rules.rounds`` says.

    Who may: a facilitator. Rejected: ``invalid`` (no reason, unusable rules); ``forbidden``.
    Emits: ``rules.changed``.
    """

    rules: RoomRules
    reason: str


# --- rounds and deadlines -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenRound:
    """Open a round: the next one in order, or reopen an earlier one (with a reason).

    Who may: a facilitator. Rejected: ``conflict`` (a round is open); ``wrong_round`` (skips a
    round, a round the room does not run, or ``consent`` reopened: amend the proposal instead); ``invalid`` (reopening
    without a reason, a deadline not after ``ctx.at``, an asynchronous room without one);
    ``forbidden``.
    Emits: ``round.opened``.
    """

    round: RoundKind
    reason: str = ""
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class CloseRound:
    """Close the open round. Closing ``consent`` reaches the decision.

    Who may: a facilitator. Rejected: ``wrong_round`` (none open); ``no_quorum`` (consent
    without quorum, or while a board meeting's quorum is not held: wait, or withdraw the
    proposal); ``forbidden``.
    Emits: ``round.closed``, and for ``consent`` ``decision.reached``; in asynchronous rooms
    closing any other round also opens the next (``round.opened``, with its planned deadline
    if that is still ahead). The floor is independent of rounds: a speech goes on, except
    that a final decision first ends every speech in progress (``speech.ended``).
    """


@dataclass(frozen=True, slots=True)
class SetDeadline:
    """Move the open round's deadline.

    Who may: a facilitator. Rejected: ``wrong_round`` (none open); ``invalid`` (not after
    ``ctx.at``, or no reason); ``forbidden``. Emits: ``round.deadline_set``.
    """

    closes_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Tick:
    """The clock: apply whatever is due at ``ctx.at`` (see ``next_deadline``).

    Who may: the system only (``ctx.actor`` is ``None``). Rejected: ``forbidden``.
    Emits, in order and each at most once: ``speech.ended`` (``time_limit`` or
    ``budget_exhausted``) or ``speech.overran`` (rooms that flag instead of ending);
    ``reminder.due``; at a round's deadline what ``close_round`` emits; ``vote.closed`` for
    each vote whose ``closes_at`` has passed. Nothing when nothing is due, so a stale or
    duplicated timer is harmless.
    """


# --- the floor ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RaiseHand:
    """Ask for the floor: a speech, a direct reply to the current speaker, or a point of order.

    Who may: a participant, or a facilitator acting for one. Rejected: ``conflict`` (already
    waiting for that kind, or holding the floor); ``invalid`` (a reply with no speech in
    progress, or during a point of order); ``forbidden`` (observers, removed members, strangers);
    ``over_cap`` (a speech or reply from an organisation whose budget is spent, unless its cap
    is lifted). Emits: ``hand.raised``.
    """

    kind: SpeechKind = SpeechKind.SPEECH


@dataclass(frozen=True, slots=True)
class LowerHand:
    """Leave the queue. A facilitator may lower anyone's hand (``participant``).

    Rejected: ``not_found`` (not waiting for that kind); ``forbidden``.
    Emits: ``hand.lowered``.
    """

    kind: SpeechKind = SpeechKind.SPEECH
    participant: ParticipantId | None = None


@dataclass(frozen=True, slots=True)
class NextSpeaker:
    """Give the floor to whoever the progressive stack chooses.

    Points of order first; then, among people whose organisation is under the speaking cap
    and within its budget, replies before speeches, the organisation with the least floor
    time first, then the earliest hand. If only organisations at or over the cap wait, the
    floor is not left idle: the least floor time among them goes. An organisation whose
    budget is spent never gets the floor this way.
    A point of order interrupts a speech in progress: it is paused (``speech.paused``) and
    resumes with its time left when the point of order ends (``speech.resumed``).
    Who may: a facilitator or the system.
    Rejected: ``conflict`` (someone holds the floor and no point of order waits, or a point
    of order is being heard); ``over_cap`` (people wait but all have spent their budget);
    ``forbidden``.
    Emits: ``speech.paused`` (an interruption), ``floor.granted`` (with the rule that chose)
    and ``speech.started``, or nothing when nobody waits.
    """


@dataclass(frozen=True, slots=True)
class GiveFloor:
    """Override: give the floor to a waiting participant out of order.

    Who may: a facilitator. Rejected: ``invalid`` (no reason); ``not_found`` (not waiting
    for that kind); ``conflict`` (someone holds the floor); ``over_cap`` (the organisation's
    budget is spent: lift its cap first); ``forbidden``.
    Emits: ``floor.granted`` (rule ``override``, ``is_override``) and ``speech.started``.
    """

    participant: ParticipantId
    reason: str
    kind: SpeechKind = SpeechKind.SPEECH


@dataclass(frozen=True, slots=True)
class EndSpeech:
    """End the current speech. The speaker yields, or a facilitator ends it.

    Rejected: ``conflict`` (nobody speaking); ``not_your_turn`` (someone else's speech).
    Emits: ``speech.ended``, and ``speech.resumed`` when a point of order ends and a speech
    it interrupted goes on.
    """


@dataclass(frozen=True, slots=True)
class ExtendSpeech:
    """Override: give the current speaker more time.

    Who may: a facilitator. Rejected: ``conflict`` (nobody speaking); ``invalid`` (no reason,
    ``extra_ms`` not positive); ``forbidden``. Emits: ``speech.extended`` (``is_override``).
    """

    extra_ms: int
    reason: str


@dataclass(frozen=True, slots=True)
class LiftCap:
    """Override: exempt one organisation from the speaking cap and its budget until restored.

    Who may: a facilitator. Rejected: ``not_found`` (no such organisation); ``conflict``
    (already lifted); ``invalid`` (no reason); ``forbidden``. Emits: ``cap.lifted``.
    """

    organisation: OrganisationId
    reason: str


@dataclass(frozen=True, slots=True)
class RestoreCap:
    """End a ``lift_cap``. Who may: a facilitator. Rejected: ``conflict`` (not lifted);
    ``forbidden``. Emits: ``cap.restored``.
    """

    organisation: OrganisationId
    reason: str = ""


# --- surface_conflict ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddStatement:
    """Add a short statement about the proposal (round ``surface_conflict``).

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``; ``invalid``
    (empty, or longer than ``statement_max_length``); ``conflict`` (id exists); ``forbidden``.
    Emits: ``statement.added`` (``accepted``, or ``pending`` in premoderated rooms).
    """

    statement: StatementId
    text: str


@dataclass(frozen=True, slots=True)
class AcceptStatement:
    """Moderation: accept a pending or hidden statement.

    Who may: a facilitator. Rejected: ``not_found``; ``conflict`` (already accepted);
    ``forbidden``; ``wrong_round``. Emits: ``statement.accepted``.
    """

    statement: StatementId


@dataclass(frozen=True, slots=True)
class HideStatement:
    """Moderation: hide a statement, with a reason. Reactions to it stop counting.

    Who may: a facilitator. Rejected: ``not_found``; ``conflict`` (already hidden);
    ``invalid`` (no reason); ``forbidden``; ``wrong_round``. Emits: ``statement.hidden``.
    """

    statement: StatementId
    reason: str


@dataclass(frozen=True, slots=True)
class React:
    """React to an accepted statement: agree, disagree or pass. The last reaction counts.

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``;
    ``not_found`` (unknown, hidden or pending statement); ``conflict`` (same reaction again);
    ``forbidden``. Emits: ``reaction.recorded``.
    """

    statement: StatementId
    reaction: Reaction


# --- weigh_perspectives -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TablePerspective:
    """Table a perspective on behalf of one's organisation (round ``weigh_perspectives``).

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``; ``invalid``
    (empty or too long); ``conflict`` (id exists); ``forbidden``.
    Emits: ``perspective.tabled``.
    """

    perspective: PerspectiveId
    kind: PerspectiveKind
    text: str


@dataclass(frozen=True, slots=True)
class AllocatePoints:
    """Distribute one's points over perspectives; replaces one's earlier allocation.

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``;
    ``not_found`` (unknown perspective); ``invalid`` (negative points, a perspective twice);
    ``over_budget`` (more than ``points_budget`` in total); ``forbidden``.
    Emits: ``points.allocated``.
    """

    allocations: tuple[Allocation, ...]


# --- record_dissent -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordDissent:
    """Record a formal dissent or minority view with reasons (round ``record_dissent``).

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``; ``invalid``
    (no reasons, too long); ``conflict`` (id exists); ``forbidden``.
    Emits: ``dissent.recorded``. It is never edited or deleted.
    """

    dissent: DissentId
    text: str
    kind: DissentKind = DissentKind.FORMAL_DISSENT


@dataclass(frozen=True, slots=True)
class WithdrawDissent:
    """Withdraw one's own dissent (any round, before the final decision).

    Who may: its author, or a facilitator for them. Rejected: ``not_found``; ``forbidden``
    (someone else's); ``conflict`` (already withdrawn). Emits: ``dissent.withdrawn``.
    """

    dissent: DissentId


# --- consent ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerConsent:
    """Answer the consent question. ``text`` is required for concern, stand_aside and object.

    Who may: a participant, or a facilitator for one. Rejected: ``wrong_round``; ``invalid``
    (missing or too-long text); ``conflict`` (an objection already integrated or tested
    cannot be changed into another objection in the same round); ``forbidden``.
    Emits: ``consent.answered``. The last answer counts; changing away from ``object``
    withdraws the objection.
    """

    position: Position
    text: str = ""


@dataclass(frozen=True, slots=True)
class JudgeObjection:
    """Under ``supermajority_of_organisations``: say whether an open objection is paramount.

    Who may: a participant other than the objector, or a facilitator for one. Rejected:
    ``wrong_round``; ``not_found`` (no open objection from ``objector``); ``forbidden``
    (the room's rule is ``facilitator_integrates_only``, or the objector judges their own).
    Emits: ``objection.judged``.
    """

    objector: ParticipantId
    paramount: bool


@dataclass(frozen=True, slots=True)
class SettleObjection:
    """Count the judgments on an open objection through the room's organisation weighting.

    Resolved (stops blocking) when the organisations' "not paramount" weight reaches
    ``objection_supermajority`` of the organisations that judged; upheld otherwise.
    Who may: a facilitator. Rejected: ``wrong_round``; ``not_found``; ``forbidden`` (rule is
    ``facilitator_integrates_only``); ``no_quorum`` (no judgments).
    Emits: ``objection.settled``.
    """

    objector: ParticipantId


@dataclass(frozen=True, slots=True)
class AmendProposal:
    """Amend the proposal, integrating objections. During or after consent this starts a new
    consent round (answers start afresh; the integrated objections are carried with it).

    Who may: a facilitator. Rejected: ``invalid`` (empty or unchanged text, no reason,
    missing deadline in an asynchronous room); ``not_found`` (an objector in ``integrates``
    without an open or upheld objection); ``forbidden``; ``conflict`` (decided).
    Emits: ``round.closed`` (the open round, when consent restarts), ``proposal.amended``,
    and ``round.opened`` (``consent``, ``reopened``) when consent restarts.
    """

    text: str
    reason: str
    integrates: tuple[ParticipantId, ...] = ()
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class WithdrawProposal:
    """Withdraw the proposal: a final decision with outcome ``withdrawn``.

    Who may: a facilitator. Rejected: ``invalid`` (no reason); ``forbidden``; ``conflict``.
    Emits: ``speech.ended`` (a speech in progress), ``round.closed`` (if open),
    ``decision.reached``; the queue empties.
    """

    reason: str


Command: TypeAlias = (
    CreateRoom
    | AdmitMember
    | ChangeRole
    | MarkPresence
    | RemoveMember
    | ChangeRules
    | OpenRound
    | CloseRound
    | SetDeadline
    | Tick
    | RaiseHand
    | LowerHand
    | NextSpeaker
    | GiveFloor
    | EndSpeech
    | ExtendSpeech
    | LiftCap
    | RestoreCap
    | AddStatement
    | AcceptStatement
    | HideStatement
    | React
    | TablePerspective
    | AllocatePoints
    | RecordDissent
    | WithdrawDissent
    | AnswerConsent
    | JudgeObjection
    | SettleObjection
    | AmendProposal
    | WithdrawProposal
    | OpenVote
    | CastBallot
    | DelegateVote
    | CloseVote
    | SetExclusions
    | SetQuorum
)

COMMANDS: dict[str, type[Command]] = {
    "create_room": CreateRoom,
    "admit_member": AdmitMember,
    "change_role": ChangeRole,
    "mark_presence": MarkPresence,
    "remove_member": RemoveMember,
    "change_rules": ChangeRules,
    "open_round": OpenRound,
    "close_round": CloseRound,
    "set_deadline": SetDeadline,
    "tick": Tick,
    "raise_hand": RaiseHand,
    "lower_hand": LowerHand,
    "next_speaker": NextSpeaker,
    "give_floor": GiveFloor,
    "end_speech": EndSpeech,
    "extend_speech": ExtendSpeech,
    "lift_cap": LiftCap,
    "restore_cap": RestoreCap,
    "add_statement": AddStatement,
    "accept_statement": AcceptStatement,
    "hide_statement": HideStatement,
    "react": React,
    "table_perspective": TablePerspective,
    "allocate_points": AllocatePoints,
    "record_dissent": RecordDissent,
    "withdraw_dissent": WithdrawDissent,
    "answer_consent": AnswerConsent,
    "judge_objection": JudgeObjection,
    "settle_objection": SettleObjection,
    "amend_proposal": AmendProposal,
    "withdraw_proposal": WithdrawProposal,
    "open_vote": OpenVote,
    "cast_ballot": CastBallot,
    "delegate_vote": DelegateVote,
    "close_vote": CloseVote,
    "set_exclusions": SetExclusions,
    "set_quorum": SetQuorum,
}
