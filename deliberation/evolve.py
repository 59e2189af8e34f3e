"""evolve(state, event) -> state, and replay. Total for every valid history; never validates.

Dispatch is a table from event class to a small function, so folding costs the same whatever
the event type and the table stays easy to read.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from deliberation import balancing, exclusions, overcap, polls
from deliberation.events import (
    CapLifted,
    CapRestored,
    ConsentAnswered,
    DeadlineSet,
    DecisionReached,
    DissentRecorded,
    DissentWithdrawn,
    Event,
    FloorGranted,
    HandLowered,
    HandRaised,
    MemberAdmitted,
    MemberRemoved,
    ObjectionJudged,
    ObjectionSettled,
    PerspectiveTabled,
    PointsAllocated,
    PresenceMarked,
    ProposalAmended,
    ReactionRecorded,
    ReminderDue,
    RoleChanged,
    RoomCreated,
    RoundClosed,
    RoundOpened,
    RulesChanged,
    SpeechCapFlagged,
    SpeechCapReached,
    SpeechEnded,
    SpeechExtended,
    SpeechOverran,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    StatementAccepted,
    StatementAdded,
    StatementHidden,
)
from deliberation.records import AnswerRecord, DissentRecord, ObjectionRecord, OverrideRecord
from deliberation.state import (
    INITIAL,
    ConsentState,
    DecisionSummary,
    FloorState,
    Hand,
    Member,
    Perspective,
    Proposal,
    Room,
    RoomState,
    Speech,
    Statement,
)
from deliberation.vocabulary import (
    FINAL_OUTCOMES,
    ROUND_ORDER,
    ObjectionStatus,
    Position,
    Role,
    RoundKind,
    SpeechKind,
    StatementStatus,
)

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_REPLACERS: dict[type[Any], Callable[..., Any]] = {}


def _replacer(cls: type[Any]) -> Callable[..., Any]:
    """Compile ``replace`` for one state class, as ``dataclasses`` compiles ``__init__``."""
    names = [f.name for f in fields(cls)]
    lines = ["def replace(obj, changes):", "    new = new_instance(cls)"]
    lines += [
        f"    set_slot(new, {name!r}, changes[{name!r}] if {name!r} in changes else obj.{name})"
        for name in names
    ]
    lines.append("    return new")
    namespace: dict[str, Any] = {
        "new_instance": object.__new__,
        "set_slot": object.__setattr__,
        "cls": cls,
    }
    exec("\n".join(lines), namespace)  # the field names come from the dataclass itself
    compiled: Callable[..., Any] = namespace["replace"]
    return compiled


def replace(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` without its per-call introspection: folding is the hot path.

    The state classes are frozen, slotted and have no ``__post_init__``, so setting every
    slot from the old object or the changes builds exactly what the constructor would.
    """
    cls = type(obj)
    compiled = _REPLACERS.get(cls)
    if compiled is None:
        compiled = _REPLACERS[cls] = _replacer(cls)
    result: T = compiled(obj, changes)
    return result


def _put(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    copy = dict(mapping)
    copy[key] = value
    return copy


def _add(mapping: Mapping[K, int], key: K, amount: int) -> dict[K, int]:
    return _put(mapping, key, mapping.get(key, 0) + amount)


def elapsed(start: datetime, end: datetime) -> int:
    """Whole milliseconds from ``start`` to ``end`` (never negative), as ``_guards`` counts."""
    return max(0, (end - start) // timedelta(milliseconds=1))


def _without_hands(floor: FloorState, who: str) -> FloorState:
    if not any(h.participant == who for h in floor.waiting):
        return floor
    return replace(floor, waiting=tuple(h for h in floor.waiting if h.participant != who))


def _room_created(s: RoomState, e: RoomCreated) -> RoomState:
    room = Room(e.room, e.title, e.mode, e.publication, e.owner, e.at)
    planned = {d.round: d.closes_at for d in e.deadlines}
    return replace(
        s,
        room=room,
        rules=e.rules,
        proposal=Proposal(e.proposal),
        rounds=replace(s.rounds, planned=planned),
    )


def _member_admitted(s: RoomState, e: MemberAdmitted) -> RoomState:
    member = Member(e.participant, e.display_name, e.organisation, e.role, e.vote_weight)
    return replace(
        s,
        members=_put(s.members, e.participant, member),
        organisations=_put(s.organisations, e.organisation, e.organisation_name),
    )


def _role_changed(s: RoomState, e: RoleChanged) -> RoomState:
    member = replace(s.members[e.participant], role=e.role)
    floor = _without_hands(s.floor, e.participant) if e.role is Role.OBSERVER else s.floor
    return replace(s, members=_put(s.members, e.participant, member), floor=floor)


def _presence_marked(s: RoomState, e: PresenceMarked) -> RoomState:
    member = replace(s.members[e.participant], present=e.present)
    return replace(s, members=_put(s.members, e.participant, member))


def _member_removed(s: RoomState, e: MemberRemoved) -> RoomState:
    member = replace(s.members[e.participant], active=False, present=False)
    return replace(
        s,
        members=_put(s.members, e.participant, member),
        floor=_without_hands(s.floor, e.participant),
    )


def _override(s: RoomState, record: OverrideRecord) -> tuple[OverrideRecord, ...]:
    return (*s.overrides, record)


def _rules_changed(s: RoomState, e: RulesChanged) -> RoomState:
    record = OverrideRecord("rules.changed", e.reason, e.by, e.at)
    before = balancing.cap_in_force(s.floor, s.rules)
    after = balancing.cap_in_force(s.floor, e.rules)
    floor = replace(s.floor, over_cap=overcap.cap_fell(s.floor, before, after))
    return replace(s, rules=e.rules, floor=floor, overrides=_override(s, record))


def _round_opened(s: RoomState, e: RoundOpened) -> RoomState:
    rounds = replace(
        s.rounds,
        current=e.round,
        is_open=True,
        number=e.number,
        opened_at=e.at,
        deadline=e.deadline,
        deadline_set_at=e.at,
        reminded=False,
    )
    consent = s.consent
    if e.round is RoundKind.CONSENT:
        consent = ConsentState(
            number=consent.number + 1,
            earlier=(*consent.earlier, *consent.objections.values()),
        )
    return replace(s, rounds=rounds, consent=consent)


def _round_closed(s: RoomState, e: RoundClosed) -> RoomState:
    furthest = max(s.rounds.furthest, ROUND_ORDER.index(e.round))
    rounds = replace(s.rounds, is_open=False, furthest=furthest, deadline=None)
    return replace(s, rounds=rounds)


def _deadline_set(s: RoomState, e: DeadlineSet) -> RoomState:
    rounds = replace(s.rounds, deadline=e.closes_at, deadline_set_at=e.at, reminded=False)
    return replace(s, rounds=rounds)


def _reminder_due(s: RoomState, e: ReminderDue) -> RoomState:
    return replace(s, rounds=replace(s.rounds, reminded=True))


def _hand_raised(s: RoomState, e: HandRaised) -> RoomState:
    hand = Hand(e.participant, e.organisation, e.kind, e.at, e.reply_to)
    floor = replace(s.floor, waiting=(*s.floor.waiting, hand))
    if e.kind is not SpeechKind.POINT_OF_ORDER and e.organisation not in floor.asked:
        # One more organisation asking may lower the cap in force (1/n falls).
        before = balancing.cap_in_force(floor, s.rules)
        floor = replace(floor, asked=floor.asked | {e.organisation})
        after = balancing.cap_in_force(floor, s.rules)
        if after != before:
            floor = replace(floor, over_cap=overcap.cap_fell(floor, before, after))
    return replace(s, floor=floor)


def _hand_lowered(s: RoomState, e: HandLowered) -> RoomState:
    waiting = tuple(
        h for h in s.floor.waiting if not (h.participant == e.participant and h.kind is e.kind)
    )
    return replace(s, floor=replace(s.floor, waiting=waiting))


def _floor_granted(s: RoomState, e: FloorGranted) -> RoomState:
    waiting = tuple(
        h for h in s.floor.waiting if not (h.participant == e.participant and h.kind is e.kind)
    )
    floor = replace(s.floor, waiting=waiting)
    if e.kind is not SpeechKind.POINT_OF_ORDER:
        floor = replace(floor, turns=_add(floor.turns, e.organisation, 1))
    overrides = s.overrides
    if e.is_override:
        record = OverrideRecord(
            "floor.granted", e.reason, e.by, e.at, e.participant, e.organisation
        )
        overrides = _override(s, record)
    return replace(s, floor=floor, overrides=overrides)


def _speech_started(s: RoomState, e: SpeechStarted) -> RoomState:
    speech = Speech(e.participant, e.organisation, e.kind, e.at, e.limit_ms, e.budget_limited)
    floor = replace(s.floor, speech=speech)
    if e.kind is SpeechKind.SPEECH:
        floor = replace(floor, last_speech_by=e.participant)
    return replace(s, floor=floor)


def _speech_extended(s: RoomState, e: SpeechExtended) -> RoomState:
    speech = s.floor.speech
    if speech is not None:
        speech = replace(speech, limit_ms=e.limit_ms, overran=False, budget_limited=False)
    record = OverrideRecord("speech.extended", e.reason, e.by, e.at, e.participant)
    return replace(s, floor=replace(s.floor, speech=speech), overrides=_override(s, record))


def _speech_overran(s: RoomState, e: SpeechOverran) -> RoomState:
    speech = s.floor.speech
    if speech is not None:
        speech = replace(speech, overran=True)
    return replace(s, floor=replace(s.floor, speech=speech))


def _speech_cap_reached(s: RoomState, e: SpeechCapReached) -> RoomState:
    speech = s.floor.speech
    if speech is None:
        return s
    speech = replace(
        speech,
        cap_reached_ms=elapsed(speech.started_at, e.reached_at),
        cap_grace_end_ms=elapsed(speech.started_at, e.grace_ends_at),
    )
    return replace(s, floor=replace(s.floor, speech=speech))


def _speech_cap_flagged(s: RoomState, e: SpeechCapFlagged) -> RoomState:
    speech = s.floor.speech
    if speech is None:
        return s
    return replace(s, floor=replace(s.floor, speech=replace(speech, cap_flagged=True)))


def _speech_paused(s: RoomState, e: SpeechPaused) -> RoomState:
    floor = replace(s.floor, speech=None, paused=s.floor.speech, paused_elapsed_ms=e.elapsed_ms)
    return replace(s, floor=floor)


def _speech_resumed(s: RoomState, e: SpeechResumed) -> RoomState:
    started = e.at - timedelta(milliseconds=e.elapsed_ms)
    speech = Speech(e.participant, e.organisation, e.kind, started, e.limit_ms, e.budget_limited)
    paused = s.floor.paused
    if paused is not None and paused.participant == e.participant:
        # The cap's clock counts the speech's own time: it goes on where it stopped.
        speech = replace(
            speech,
            cap_reached_ms=paused.cap_reached_ms,
            cap_grace_end_ms=paused.cap_grace_end_ms,
            cap_flagged=paused.cap_flagged,
        )
    floor = replace(s.floor, speech=speech, paused=None, paused_elapsed_ms=0)
    return replace(s, floor=floor)


def _speech_ended(s: RoomState, e: SpeechEnded) -> RoomState:
    paused = s.floor.paused
    current = s.floor.speech
    ends_paused = (
        paused is not None
        and paused.participant == e.participant
        and (current is None or current.participant != e.participant)
    )
    floor = replace(
        s.floor,
        participant_ms=_add(s.floor.participant_ms, e.participant, e.duration_ms),
    )
    if ends_paused:
        floor = replace(floor, paused=None, paused_elapsed_ms=0)
    else:
        floor = replace(floor, speech=None)
    if e.kind is SpeechKind.POINT_OF_ORDER:
        floor = replace(
            floor, point_of_order_ms=_add(floor.point_of_order_ms, e.organisation, e.duration_ms)
        )
    else:
        ended = paused if ends_paused else current
        if ended is not None and ended.participant == e.participant:
            floor = overcap.account_speech(floor, s.rules, ended, e.duration_ms)
        floor = replace(
            floor,
            floor_ms=_add(floor.floor_ms, e.organisation, e.duration_ms),
            total_ms=floor.total_ms + e.duration_ms,
        )
        floor = overcap.clear_grace(floor, s.rules)
    return replace(s, floor=floor)


def _cap_lifted(s: RoomState, e: CapLifted) -> RoomState:
    floor = replace(s.floor, cap_lifted=s.floor.cap_lifted | {e.organisation})
    record = OverrideRecord("cap.lifted", e.reason, e.by, e.at, organisation=e.organisation)
    return replace(s, floor=floor, overrides=_override(s, record))


def _cap_restored(s: RoomState, e: CapRestored) -> RoomState:
    return replace(s, floor=replace(s.floor, cap_lifted=s.floor.cap_lifted - {e.organisation}))


def _statement_added(s: RoomState, e: StatementAdded) -> RoomState:
    statement = Statement(e.statement, e.participant, e.organisation, e.text, e.status, e.at)
    surface = replace(
        s.surface,
        statements=_put(s.surface.statements, e.statement, statement),
        per_organisation=_add(s.surface.per_organisation, e.organisation, 1),
    )
    return replace(s, surface=surface)


def _statement_accepted(s: RoomState, e: StatementAccepted) -> RoomState:
    statement = s.surface.statements[e.statement]
    counts = s.surface.per_organisation
    if statement.status is StatementStatus.HIDDEN:
        counts = _add(counts, statement.organisation, 1)
    accepted = replace(statement, status=StatementStatus.ACCEPTED, hidden_reason="")
    surface = replace(
        s.surface,
        statements=_put(s.surface.statements, e.statement, accepted),
        per_organisation=counts,
    )
    return replace(s, surface=surface)


def _statement_hidden(s: RoomState, e: StatementHidden) -> RoomState:
    statement = s.surface.statements[e.statement]
    hidden = replace(statement, status=StatementStatus.HIDDEN, hidden_reason=e.reason)
    surface = replace(
        s.surface,
        statements=_put(s.surface.statements, e.statement, hidden),
        per_organisation=_add(s.surface.per_organisation, statement.organisation, -1),
    )
    return replace(s, surface=surface)


def _reaction_recorded(s: RoomState, e: ReactionRecorded) -> RoomState:
    reactions = s.surface.reactions
    mine = _put(reactions.get(e.statement, {}), e.participant, e.reaction)
    surface = replace(s.surface, reactions=_put(reactions, e.statement, mine))
    return replace(s, surface=surface)


def _perspective_tabled(s: RoomState, e: PerspectiveTabled) -> RoomState:
    perspective = Perspective(e.perspective, e.kind, e.text, e.organisation, e.participant, e.at)
    weighing = replace(
        s.weighing,
        perspectives=_put(s.weighing.perspectives, e.perspective, perspective),
        per_organisation=_add(s.weighing.per_organisation, e.organisation, 1),
    )
    return replace(s, weighing=weighing)


def _points_allocated(s: RoomState, e: PointsAllocated) -> RoomState:
    points = dict(s.weighing.points)
    for old in s.weighing.allocations.get(e.participant, ()):
        points[old.perspective] -= old.points
    for new in e.allocations:
        points[new.perspective] = points.get(new.perspective, 0) + new.points
    weighing = replace(
        s.weighing,
        allocations=_put(s.weighing.allocations, e.participant, e.allocations),
        points=points,
    )
    return replace(s, weighing=weighing)


def _dissent_recorded(s: RoomState, e: DissentRecorded) -> RoomState:
    record = DissentRecord(e.dissent, e.participant, e.organisation, e.kind, e.text, e.at)
    return replace(s, dissents=_put(s.dissents, e.dissent, record))


def _dissent_withdrawn(s: RoomState, e: DissentWithdrawn) -> RoomState:
    record = replace(s.dissents[e.dissent], withdrawn_at=e.at)
    return replace(s, dissents=_put(s.dissents, e.dissent, record))


def _consent_answered(s: RoomState, e: ConsentAnswered) -> RoomState:
    consent = s.consent
    answer = AnswerRecord(e.participant, e.organisation, e.position, e.text, e.by, e.at)
    objections = consent.objections
    judgments = consent.judgments
    previous = objections.get(e.participant)
    if e.position is Position.OBJECT:
        record = ObjectionRecord(
            e.participant, e.organisation, e.text, consent.number, ObjectionStatus.OPEN
        )
        objections = _put(objections, e.participant, record)
        judgments = {k: v for k, v in judgments.items() if k != e.participant}
    elif previous is not None and previous.status in (ObjectionStatus.OPEN, ObjectionStatus.UPHELD):
        withdrawn = replace(previous, status=ObjectionStatus.WITHDRAWN)
        objections = _put(objections, e.participant, withdrawn)
    consent = replace(
        consent,
        answers=_put(consent.answers, e.participant, answer),
        objections=objections,
        judgments=judgments,
    )
    return replace(s, consent=consent)


def _objection_judged(s: RoomState, e: ObjectionJudged) -> RoomState:
    judgments = s.consent.judgments
    mine = _put(judgments.get(e.objector, {}), e.participant, e.paramount)
    consent = replace(s.consent, judgments=_put(judgments, e.objector, mine))
    return replace(s, consent=consent)


def _objection_settled(s: RoomState, e: ObjectionSettled) -> RoomState:
    status = ObjectionStatus.UPHELD if e.paramount else ObjectionStatus.RESOLVED
    record = replace(
        s.consent.objections[e.objector], status=status, not_paramount_share=e.not_paramount_share
    )
    consent = replace(s.consent, objections=_put(s.consent.objections, e.objector, record))
    return replace(s, consent=consent)


def _proposal_amended(s: RoomState, e: ProposalAmended) -> RoomState:
    objections = dict(s.consent.objections)
    for objector in e.integrates:
        objections[objector] = replace(
            objections[objector], status=ObjectionStatus.INTEGRATED, amendment=e.version
        )
    return replace(
        s,
        proposal=Proposal(e.text, e.version),
        consent=replace(s.consent, objections=objections),
    )


def _decision_reached(s: RoomState, e: DecisionReached) -> RoomState:
    summary = DecisionSummary(e.outcome, e.consent_round, e.proposal_version, e.at)
    state = replace(s, decisions=(*s.decisions, summary))
    if e.outcome in FINAL_OUTCOMES:
        state = replace(state, floor=replace(state.floor, waiting=()))
    return state


_EVOLVERS: Mapping[type[Any], Callable[[RoomState, Any], RoomState]] = {
    RoomCreated: _room_created,
    MemberAdmitted: _member_admitted,
    RoleChanged: _role_changed,
    PresenceMarked: _presence_marked,
    MemberRemoved: _member_removed,
    RulesChanged: _rules_changed,
    RoundOpened: _round_opened,
    RoundClosed: _round_closed,
    DeadlineSet: _deadline_set,
    ReminderDue: _reminder_due,
    HandRaised: _hand_raised,
    HandLowered: _hand_lowered,
    FloorGranted: _floor_granted,
    SpeechStarted: _speech_started,
    SpeechExtended: _speech_extended,
    SpeechOverran: _speech_overran,
    SpeechPaused: _speech_paused,
    SpeechResumed: _speech_resumed,
    SpeechEnded: _speech_ended,
    SpeechCapReached: _speech_cap_reached,
    SpeechCapFlagged: _speech_cap_flagged,
    CapLifted: _cap_lifted,
    CapRestored: _cap_restored,
    StatementAdded: _statement_added,
    StatementAccepted: _statement_accepted,
    StatementHidden: _statement_hidden,
    ReactionRecorded: _reaction_recorded,
    PerspectiveTabled: _perspective_tabled,
    PointsAllocated: _points_allocated,
    DissentRecorded: _dissent_recorded,
    DissentWithdrawn: _dissent_withdrawn,
    ConsentAnswered: _consent_answered,
    ObjectionJudged: _objection_judged,
    ObjectionSettled: _objection_settled,
    ProposalAmended: _proposal_amended,
    DecisionReached: _decision_reached,
    **polls.EVOLVERS,
    **exclusions.EVOLVERS,
}


def evolve(state: RoomState, event: Event) -> RoomState:
    """The state after ``event``. Pure and total for every history ``decide`` can produce."""
    return _EVOLVERS[type(event)](state, event)


def replay(events: Iterable[Event], start: RoomState = INITIAL) -> RoomState:
    """Fold ``events`` into a state, starting from ``start`` (a snapshot, or ``INITIAL``)."""
    state = start
    evolvers = _EVOLVERS
    for event in events:
        state = evolvers[type(event)](state, event)
    return state
