"""Votes inside a room ("polls"): approval, score, majority and ranked votes, live or with a
deadline, named or secret, with one-vote delegation within an organisation.

Commands, events, state, decide and evolve for votes, all pure. Counting goes through
``voting`` (``tally``, ``resolve_delegations``): the room's weighting mode, vote cap and quorum
are copied into the vote when it opens, so a later rules change does not alter a running vote.

Secret ballots: ``ballot.cast`` carries the content, the voter's organisation and weight (the
cap needs them) and an opaque ``ballot_key`` the server derives from the voter (so a later
ballot replaces the earlier one), never the participant; ``vote.participated`` records who
has voted. Both declare themselves through ``is_secret`` so the shell stores no actor with the
ballot.

This module must not import ``deliberation.state`` at import time (``state`` imports it), so
the deciders import the guards when they run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NewType

from voting import (
    Ballot,
    InvalidDelegation,
    Method,
    Mode,
    Quorum,
    Voter,
    VotingError,
    WeightRules,
    resolve_delegations,
    tally,
)
from voting import CountOver as VotingCountOver
from voting import Reason as VotingReason
from voting import Threshold as VotingThreshold

from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.ids import OrganisationId, ParticipantId
from deliberation.rules import QuorumRule, VoteMode

if TYPE_CHECKING:
    from deliberation.state import Member, RoomState

PollId = NewType("PollId", str)

MAX_OPTIONS = 50
MAX_OPTION_LENGTH = 200
MAX_QUESTION_LENGTH = 1000


class VoteMethod(StrEnum):
    APPROVAL = "approval"  # approve: any number of options
    SCORE = "score"  # scores: 0-5 per option
    MAJORITY = "majority"  # choice: yes, no or abstain
    RANKED = "ranked"  # ranking: most preferred first (Schulze)


class Threshold(StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"


class CountOver(StrEnum):
    CAST = "cast"  # the share of the yes and no weight cast
    ELIGIBLE = "eligible"  # the share of the whole electorate's weight


CHOICES = ("yes", "no", "abstain")
SCORES = range(0, 6)


@dataclass(frozen=True, slots=True)
class OptionScore:
    """One option's score on a score ballot (0-5)."""

    option: str
    score: int


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenVote:
    """Open a vote in the room.

    Who may: a facilitator (or the system). The vote takes the room's ``vote_mode``,
    ``vote_cap`` and ``quorum``; ``threshold`` and ``count_over`` matter for ``majority`` only.
    ``options``: two or more distinct options for approval, score and ranked votes; none for
    majority (yes, no, abstain). ``closes_at``: an optional deadline, after ``ctx.at``; the
    clock closes the vote then. ``secret``: ballots are stored without their voter.
    Rejected: ``forbidden``; ``conflict`` (a vote with this id exists); ``invalid`` (empty or
    too long question, bad options, a deadline not in the future).
    Emits: ``vote.opened``.
    """

    poll: PollId
    question: str
    method: VoteMethod
    options: tuple[str, ...] = ()
    secret: bool = False
    closes_at: datetime | None = None
    threshold: Threshold = Threshold.SIMPLE
    count_over: CountOver = CountOver.CAST


@dataclass(frozen=True, slots=True)
class CastBallot:
    """Cast (or replace) one's ballot in an open vote.

    Who may: a participant, facilitator or owner for themself; a facilitator for someone in
    the room (``ctx.acting_for``). Exactly the method's field is set: ``approve`` (options),
    ``scores`` (``{option, score}`` pairs, 0..5; an option left out scores 0), ``choice`` (yes, no, abstain) or ``ranking`` (options, most
    preferred first). A later ballot replaces the earlier one until the vote closes; it carries
    the weight of those who delegated their vote to the voter.
    ``ballot_key`` is filled by the server for secret votes (never by a client).
    Rejected: ``not_found`` (no such vote); ``conflict`` (vote closed; the voter delegated
    this vote); ``forbidden`` (observers, strangers, proxies by non-facilitators);
    ``invalid`` (wrong field for the method, unknown or repeated option, score out of range,
    a secret ballot without its key).
    Emits: ``vote.participated`` (first ballot only), ``ballot.cast``.
    """

    poll: PollId
    approve: tuple[str, ...] | None = None
    scores: tuple[OptionScore, ...] | None = None
    choice: str | None = None
    ranking: tuple[str, ...] | None = None
    ballot_key: str | None = None


@dataclass(frozen=True, slots=True)
class DelegateVote:
    """Let a colleague of the same organisation cast one's ballot in this one vote.

    Who may: a member taking part, for themself, or a facilitator for them. The delegation
    must come before the delegate's ballot (the ballot carries the delegated weight).
    Rejected: ``not_found`` (no such vote, unknown delegate); ``conflict`` (vote closed; the
    delegator has voted or delegated already; the delegate has already voted); ``invalid``
    (oneself, another organisation, a chain or a cycle of delegations).
    Emits: ``vote.delegated``.
    """

    poll: PollId
    delegate: ParticipantId


@dataclass(frozen=True, slots=True)
class CloseVote:
    """Close a vote and count it (the clock closes it at its deadline through ``tick``).

    Who may: a facilitator. Rejected: ``forbidden``; ``not_found``; ``conflict`` (closed).
    Emits: ``vote.closed`` with the explained tally.
    """

    poll: PollId


# --- results and events -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganisationTally:
    organisation: OrganisationId
    name: str
    voters: int
    raw_weight: Fraction
    counted_weight: Fraction
    share: Fraction  # of the counted total


@dataclass(frozen=True, slots=True)
class OptionTotal:
    option: str
    weight: Fraction  # counted weight (see docs/voting.md: totals)
    count: int  # ballots, unweighted


@dataclass(frozen=True, slots=True)
class VoteResult:
    method: VoteMethod
    quorum_met: bool
    participants: int
    cap_applied: Fraction | None
    cap_raised_to_equal_shares: bool
    organisations: tuple[OrganisationTally, ...]
    totals: tuple[OptionTotal, ...]
    winner: str | None
    outcome: str | None
    explanation: tuple[str, ...]
    threshold: Fraction | None = None
    count_over: CountOver | None = None
    ranking: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VoteOpened:
    poll: PollId
    question: str
    method: VoteMethod
    options: tuple[str, ...]
    secret: bool
    closes_at: datetime | None
    vote_mode: VoteMode
    vote_cap: Fraction | None
    quorum: QuorumRule
    threshold: Threshold
    count_over: CountOver
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class BallotCast:
    """A ballot. For a secret vote ``participant`` and ``by`` are ``None`` (see ``is_secret``)."""

    poll: PollId
    secret: bool
    ballot_key: str
    organisation: OrganisationId
    weight: Fraction
    delegated_weights: tuple[Fraction, ...]
    approve: tuple[str, ...] | None
    scores: tuple[OptionScore, ...] | None
    choice: str | None
    ranking: tuple[str, ...] | None
    participant: ParticipantId | None
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class VoteParticipated:
    poll: PollId
    participant: ParticipantId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class VoteDelegated:
    poll: PollId
    participant: ParticipantId  # the delegator
    delegate: ParticipantId
    by: ParticipantId | None
    at: datetime


@dataclass(frozen=True, slots=True)
class VoteClosed:
    poll: PollId
    by_deadline: bool
    result: VoteResult
    by: ParticipantId | None
    at: datetime


def is_secret(event: object) -> bool:
    """The event must be stored without its actor (a secret ballot)."""
    return isinstance(event, BallotCast) and event.secret


# --- state --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollBallot:
    key: str  # the participant id (named votes) or the server's opaque key (secret votes)
    organisation: OrganisationId
    weight: Fraction
    delegated_weights: tuple[Fraction, ...]
    approve: tuple[str, ...] | None
    scores: tuple[OptionScore, ...] | None
    choice: str | None
    ranking: tuple[str, ...] | None
    participant: ParticipantId | None  # None for secret votes


@dataclass(frozen=True, slots=True)
class Poll:
    poll: PollId
    question: str
    method: VoteMethod
    options: tuple[str, ...]
    secret: bool
    closes_at: datetime | None
    vote_mode: VoteMode
    vote_cap: Fraction | None
    quorum: QuorumRule
    threshold: Threshold
    count_over: CountOver
    opened_at: datetime
    ballots: Mapping[str, PollBallot] = field(default_factory=dict)
    participated: frozenset[ParticipantId] = frozenset()
    delegations: Mapping[ParticipantId, ParticipantId] = field(default_factory=dict)
    closed: bool = False
    closed_at: datetime | None = None
    result: VoteResult | None = None


# --- decide -------------------------------------------------------------------------------


def _poll(state: RoomState, poll: PollId, *, open_only: bool = True) -> Poll:
    found = state.polls.get(poll)
    if found is None:
        raise Rejected(Reason.NOT_FOUND, "There is no such vote in this room.")
    if open_only and found.closed:
        raise Rejected(Reason.CONFLICT, "This vote is closed.")
    return found


def _text(value: str, limit: int, what: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise Rejected(Reason.INVALID, f"The {what} cannot be empty.")
    if len(cleaned) > limit:
        raise Rejected(Reason.INVALID, f"The {what} is longer than {limit} characters.")
    return cleaned


def open_vote(state: RoomState, command: OpenVote, ctx: Context) -> list[Any]:
    from deliberation._guards import facilitator

    by = facilitator(state, ctx)
    if command.poll in state.polls:
        raise Rejected(Reason.CONFLICT, "A vote with this id exists already.")
    if not command.poll:
        raise Rejected(Reason.INVALID, "A vote needs an id.")
    question = _text(command.question, MAX_QUESTION_LENGTH, "question")
    options = tuple(_text(o, MAX_OPTION_LENGTH, "option") for o in command.options)
    if command.method is VoteMethod.MAJORITY:
        if options:
            raise Rejected(Reason.INVALID, "A majority vote has no options: yes, no, abstain.")
    else:
        if len(options) < 2 or len(options) > MAX_OPTIONS:
            raise Rejected(Reason.INVALID, f"A vote needs 2 to {MAX_OPTIONS} options.")
        if len(set(options)) != len(options):
            raise Rejected(Reason.INVALID, "Each option may be listed only once.")
    if command.closes_at is not None and (
        command.closes_at.tzinfo is None or command.closes_at <= ctx.at
    ):
        raise Rejected(Reason.INVALID, "A deadline must be a moment in the future (with a zone).")
    rules = state.rules
    return [
        VoteOpened(
            poll=command.poll,
            question=question,
            method=command.method,
            options=options,
            secret=command.secret,
            closes_at=command.closes_at,
            vote_mode=rules.vote_mode,
            vote_cap=rules.vote_cap if rules.vote_mode is VoteMode.CAPPED else None,
            quorum=rules.quorum,
            threshold=command.threshold,
            count_over=command.count_over,
            by=by,
            at=ctx.at,
        )
    ]


def _unique_options(items: tuple[str, ...], options: tuple[str, ...], what: str) -> None:
    for item in items:
        if item not in options:
            raise Rejected(Reason.INVALID, f"{item!r} is not one of this vote's options.")
    if len(set(items)) != len(items):
        raise Rejected(Reason.INVALID, f"An option appears twice in the {what}.")


def _check_content(poll: Poll, command: CastBallot) -> None:
    fields = {
        "approve": command.approve,
        "scores": command.scores,
        "choice": command.choice,
        "ranking": command.ranking,
    }
    wanted = {
        VoteMethod.APPROVAL: "approve",
        VoteMethod.SCORE: "scores",
        VoteMethod.MAJORITY: "choice",
        VoteMethod.RANKED: "ranking",
    }[poll.method]
    present = [name for name, value in fields.items() if value is not None]
    if present != [wanted]:
        raise Rejected(
            Reason.INVALID, f"A {poll.method.value} ballot carries {wanted!r} and nothing else."
        )
    if command.approve is not None:
        _unique_options(command.approve, poll.options, "approvals")
    elif command.ranking is not None:
        _unique_options(command.ranking, poll.options, "ranking")
    elif command.scores is not None:
        _unique_options(tuple(s.option for s in command.scores), poll.options, "scores")
        for s in command.scores:
            score = s.score
            if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
                raise Rejected(Reason.INVALID, f"The score for {s.option!r} must be 0 to 5.")
    elif command.choice not in CHOICES:
        raise Rejected(Reason.INVALID, "The choice is yes, no or abstain.")


def _delegated_weights(state: RoomState, poll: Poll, voter: ParticipantId) -> tuple[Fraction, ...]:
    weights = []
    for delegator, delegate in sorted(poll.delegations.items()):
        member = state.members.get(delegator)
        if delegate == voter and member is not None and member.active:
            weights.append(member.vote_weight)
    return tuple(weights)


def cast_ballot(state: RoomState, command: CastBallot, ctx: Context) -> list[Any]:
    from deliberation._guards import subject

    poll = _poll(state, command.poll)
    member = subject(state, ctx)
    voter = member.participant
    if voter in poll.delegations:
        delegate = state.members.get(poll.delegations[voter])
        name = delegate.display_name if delegate else poll.delegations[voter]
        raise Rejected(Reason.CONFLICT, f"This vote was delegated to {name}.")
    _check_content(poll, command)
    if poll.secret:
        if not command.ballot_key:
            raise Rejected(Reason.INVALID, "A secret ballot needs the server's ballot key.")
        key: str = command.ballot_key
    else:
        key = voter
    events: list[Any] = []
    if voter not in poll.participated:
        events.append(VoteParticipated(poll.poll, voter, ctx.actor, ctx.at))
    events.append(
        BallotCast(
            poll=poll.poll,
            secret=poll.secret,
            ballot_key=key,
            organisation=member.organisation,
            weight=member.vote_weight,
            delegated_weights=_delegated_weights(state, poll, voter),
            approve=command.approve,
            scores=command.scores,
            choice=command.choice,
            ranking=command.ranking,
            participant=None if poll.secret else voter,
            by=None if poll.secret else ctx.actor,
            at=ctx.at,
        )
    )
    return events


def _taking_part(state: RoomState) -> list[Member]:
    from deliberation.vocabulary import TAKING_PART_ROLES

    return [
        m
        for m in state.members.values()
        if m.active and m.role in TAKING_PART_ROLES and m.participant not in state.exclusions
    ]


def _delegation_refusal(state: RoomState, error: InvalidDelegation, who: Member) -> Rejected:
    def name(participant: str) -> str:
        member = state.members.get(ParticipantId(participant))
        return member.display_name if member else participant

    if error.reason is VotingReason.SELF_DELEGATION:
        return Rejected(Reason.INVALID, "You cannot delegate your vote to yourself.")
    if error.reason is VotingReason.CROSS_ORGANISATION:
        return Rejected(
            Reason.INVALID, "A vote may be delegated only to a colleague of the same organisation."
        )
    if error.reason is VotingReason.DELEGATION_CYCLE:
        return Rejected(
            Reason.INVALID,
            f"Delegating {name(who.participant)}'s vote there would form a cycle of delegations.",
        )
    if error.reason is VotingReason.DELEGATION_CHAIN:
        return Rejected(
            Reason.INVALID,
            "That colleague has delegated their own vote: delegate directly to whoever will "
            "vote (no chains of delegations).",
        )
    return Rejected(Reason.INVALID, error.message)


def delegate_vote(state: RoomState, command: DelegateVote, ctx: Context) -> list[Any]:
    from deliberation._guards import subject

    poll = _poll(state, command.poll)
    member = subject(state, ctx)
    delegator = member.participant
    if delegator in poll.participated:
        raise Rejected(Reason.CONFLICT, "You have voted already in this vote.")
    if delegator in poll.delegations:
        raise Rejected(Reason.CONFLICT, "You have delegated this vote already.")
    taking_part = _taking_part(state)
    if command.delegate not in {m.participant for m in taking_part}:
        raise Rejected(Reason.NOT_FOUND, "The delegate is not a member taking part in the room.")
    if command.delegate in poll.participated:
        raise Rejected(
            Reason.CONFLICT,
            "That colleague has voted already: a delegation must come before their ballot.",
        )
    delegations: dict[str, str] = {str(k): str(v) for k, v in poll.delegations.items()}
    delegations[delegator] = command.delegate
    voters = [Voter(m.participant, m.organisation, m.vote_weight) for m in taking_part]
    try:
        resolve_delegations(delegations, voters)
    except InvalidDelegation as error:
        raise _delegation_refusal(state, error, member) from None
    return [VoteDelegated(poll.poll, delegator, command.delegate, ctx.actor, ctx.at)]


def _labels(state: RoomState) -> dict[OrganisationId, str]:
    """Organisation id -> the label the tally shows (its name, or the id if names clash)."""
    names = list(state.organisations.values())
    return {
        org: name if name and names.count(name) == 1 else org
        for org, name in state.organisations.items()
    }


def _ballot(content: PollBallot, voter: Voter) -> Ballot:
    return Ballot(
        voter,
        approve=content.approve,
        scores={s.option: s.score for s in content.scores} if content.scores is not None else None,
        choice=content.choice,
        ranking=content.ranking,
    )


_METHODS: Mapping[VoteMethod, Method] = {
    VoteMethod.APPROVAL: "approval",
    VoteMethod.SCORE: "score",
    VoteMethod.MAJORITY: "majority",
    VoteMethod.RANKED: "ranked",
}
_MODES: Mapping[VoteMode, Mode] = {
    VoteMode.CAPPED: "capped",
    VoteMode.ONE_ORG_ONE_VOTE: "one_org_one_vote",
    VoteMode.ONE_PERSON_ONE_VOTE: "one_person_one_vote",
}
_THRESHOLDS: Mapping[Threshold, VotingThreshold] = {
    Threshold.SIMPLE: "simple",
    Threshold.TWO_THIRDS: "two_thirds",
    Threshold.THREE_QUARTERS: "three_quarters",
}
_COUNT_OVER: Mapping[CountOver, VotingCountOver] = {
    CountOver.CAST: "cast",
    CountOver.ELIGIBLE: "eligible",
}


def count(state: RoomState, poll: Poll) -> VoteResult:
    """The explained tally of ``poll`` under the rules it was opened with."""
    labels = _labels(state)
    back = {label: org for org, label in labels.items()}

    def label(org: OrganisationId) -> str:
        return labels.get(org) or org

    ballots: list[Ballot] = []
    for b in poll.ballots.values():
        ballots.append(_ballot(b, Voter(b.key, label(b.organisation), b.weight)))
        for index, weight in enumerate(b.delegated_weights):
            delegated = Voter(f"{b.key}~{index}", label(b.organisation), weight)
            ballots.append(_ballot(b, delegated))
    eligible: list[Voter] = []
    if poll.count_over is CountOver.ELIGIBLE:
        eligible = [b.voter for b in ballots]
        for m in _taking_part(state):
            covered = poll.delegations.get(m.participant) in poll.participated
            if m.participant not in poll.participated and not covered:
                eligible.append(Voter(m.participant, label(m.organisation), m.vote_weight))
    rules = WeightRules(
        mode=_MODES[poll.vote_mode],
        vote_cap=poll.vote_cap if poll.vote_mode is VoteMode.CAPPED else None,
        quorum=Quorum(poll.quorum.participants, poll.quorum.organisations),
        threshold=_THRESHOLDS[poll.threshold],
        count_over=_COUNT_OVER[poll.count_over],
    )
    result = tally(_METHODS[poll.method], poll.options, ballots, rules, eligible=eligible)
    is_majority = poll.method is VoteMethod.MAJORITY
    keys = CHOICES if is_majority else poll.options
    return VoteResult(
        method=poll.method,
        quorum_met=result.quorum_met,
        participants=result.participants,
        cap_applied=result.cap_applied,
        cap_raised_to_equal_shares=result.cap_raised_to_equal_shares,
        organisations=tuple(
            OrganisationTally(
                organisation=back.get(name, OrganisationId(name)),
                name=state.organisations.get(back.get(name, OrganisationId(name)), name),
                voters=weight.voters,
                raw_weight=weight.raw_weight,
                counted_weight=weight.counted_weight,
                share=weight.share,
            )
            for name, weight in result.organisations.items()
        ),
        totals=tuple(
            OptionTotal(k, result.totals.get(k, Fraction(0)), result.counts.get(k, 0)) for k in keys
        ),
        winner=result.winner,
        outcome=result.outcome,
        explanation=tuple(result.explanation),
        threshold=result.threshold if is_majority else None,
        count_over=poll.count_over if is_majority else None,
        ranking=tuple(result.ranking),
    )


def close_events(
    state: RoomState, poll: Poll, by: ParticipantId | None, at: datetime, *, by_deadline: bool
) -> list[Any]:
    try:
        result = count(state, poll)
    except VotingError as error:  # every ballot was checked when cast: a bug if it happens
        raise Rejected(Reason.INVALID, error.message) from error
    return [VoteClosed(poll.poll, by_deadline, result, by, at)]


def close_vote(state: RoomState, command: CloseVote, ctx: Context) -> list[Any]:
    from deliberation._guards import facilitator

    by = facilitator(state, ctx)
    poll = _poll(state, command.poll)
    return close_events(state, poll, by, ctx.at, by_deadline=False)


# --- the clock ----------------------------------------------------------------------------


def next_due(state: RoomState) -> datetime | None:
    """The earliest deadline of an open vote."""
    moments = [p.closes_at for p in state.polls.values() if not p.closed and p.closes_at]
    return min(moments) if moments else None


def close_due(state: RoomState, at: datetime) -> list[Any]:
    """``vote.closed`` for every open vote whose deadline has passed, earliest first."""
    due = sorted(
        (p for p in state.polls.values() if not p.closed and p.closes_at and p.closes_at <= at),
        key=lambda p: (p.closes_at, p.poll),
    )
    events: list[Any] = []
    for poll in due:
        events += close_events(state, poll, None, at, by_deadline=True)
    return events


# --- evolve -------------------------------------------------------------------------------


def _with_poll(state: RoomState, poll: Poll) -> RoomState:
    polls = dict(state.polls)
    polls[poll.poll] = poll
    return replace(state, polls=polls)


def _vote_opened(state: RoomState, e: VoteOpened) -> RoomState:
    poll = Poll(
        poll=e.poll,
        question=e.question,
        method=e.method,
        options=e.options,
        secret=e.secret,
        closes_at=e.closes_at,
        vote_mode=e.vote_mode,
        vote_cap=e.vote_cap,
        quorum=e.quorum,
        threshold=e.threshold,
        count_over=e.count_over,
        opened_at=e.at,
    )
    return _with_poll(state, poll)


def _ballot_cast(state: RoomState, e: BallotCast) -> RoomState:
    poll = state.polls[e.poll]
    ballot = PollBallot(
        key=e.ballot_key,
        organisation=e.organisation,
        weight=e.weight,
        delegated_weights=e.delegated_weights,
        approve=e.approve,
        scores=e.scores,
        choice=e.choice,
        ranking=e.ranking,
        participant=e.participant,
    )
    ballots = dict(poll.ballots)
    ballots[e.ballot_key] = ballot
    return _with_poll(state, replace(poll, ballots=ballots))


def _vote_participated(state: RoomState, e: VoteParticipated) -> RoomState:
    poll = state.polls[e.poll]
    return _with_poll(state, replace(poll, participated=poll.participated | {e.participant}))


def _vote_delegated(state: RoomState, e: VoteDelegated) -> RoomState:
    poll = state.polls[e.poll]
    delegations = {**poll.delegations, e.participant: e.delegate}
    return _with_poll(state, replace(poll, delegations=delegations))


def _vote_closed(state: RoomState, e: VoteClosed) -> RoomState:
    poll = state.polls[e.poll]
    return _with_poll(state, replace(poll, closed=True, closed_at=e.at, result=e.result))


COMMANDS: dict[str, type[Any]] = {
    "open_vote": OpenVote,
    "cast_ballot": CastBallot,
    "delegate_vote": DelegateVote,
    "close_vote": CloseVote,
}

EVENTS: dict[str, type[Any]] = {
    "vote.opened": VoteOpened,
    "vote.participated": VoteParticipated,
    "ballot.cast": BallotCast,
    "vote.delegated": VoteDelegated,
    "vote.closed": VoteClosed,
}

DECIDERS: dict[type[Any], Callable[[RoomState, Any, Context], list[Any]]] = {
    OpenVote: open_vote,
    CastBallot: cast_ballot,
    DelegateVote: delegate_vote,
    CloseVote: close_vote,
}

EVOLVERS: dict[type[Any], Callable[[RoomState, Any], RoomState]] = {
    VoteOpened: _vote_opened,
    BallotCast: _ballot_cast,
    VoteParticipated: _vote_participated,
    VoteDelegated: _vote_delegated,
    VoteClosed: _vote_closed,
}


# --- view ---------------------------------------------------------------------------------


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _mine(state: RoomState, poll: Poll, viewer: ParticipantId | None) -> Any:
    if viewer is None or poll.secret:
        return None  # a secret ballot is not linked to its voter, not even for them
    ballot = poll.ballots.get(viewer)
    if ballot is None:
        return None
    return {
        "approve": list(ballot.approve) if ballot.approve is not None else None,
        "scores": (
            {s.option: s.score for s in ballot.scores} if ballot.scores is not None else None
        ),
        "choice": ballot.choice,
        "ranking": list(ballot.ranking) if ballot.ranking is not None else None,
    }


def _result_json(result: VoteResult) -> Any:
    return {
        "method": result.method.value,
        "quorum_met": result.quorum_met,
        "participants": result.participants,
        "cap_applied": _fraction(result.cap_applied),
        "cap_raised_to_equal_shares": result.cap_raised_to_equal_shares,
        "organisations": [
            {
                "organisation": o.organisation,
                "name": o.name,
                "voters": o.voters,
                "raw_weight": _fraction(o.raw_weight),
                "counted_weight": _fraction(o.counted_weight),
                "share": _fraction(o.share),
            }
            for o in result.organisations
        ],
        "totals": [
            {"option": t.option, "weight": _fraction(t.weight), "count": t.count}
            for t in result.totals
        ],
        "winner": result.winner,
        "outcome": result.outcome,
        "threshold": _fraction(result.threshold),
        "count_over": result.count_over.value if result.count_over else None,
        "ranking": list(result.ranking),
        "explanation": list(result.explanation),
    }


def view_votes(state: RoomState, viewer: ParticipantId | None) -> list[Any]:
    """Every vote of the room as ``viewer`` may see it (JSON-safe)."""
    rows = []
    for poll in state.polls.values():
        voted = sorted(poll.participated)
        row: dict[str, Any] = {
            "poll": poll.poll,
            "question": poll.question,
            "method": poll.method.value,
            "options": list(poll.options)
            if poll.method is not VoteMethod.MAJORITY
            else list(CHOICES),
            "secret": poll.secret,
            "open": not poll.closed,
            "opened_at": poll.opened_at.isoformat(),
            "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
            "threshold": poll.threshold.value if poll.method is VoteMethod.MAJORITY else None,
            "count_over": poll.count_over.value if poll.method is VoteMethod.MAJORITY else None,
            "voted_count": len(voted),
            "voted": None
            if poll.secret
            else [
                {
                    "participant": p,
                    "display_name": state.members[p].display_name if p in state.members else p,
                }
                for p in voted
            ],
            "delegations": [
                {"participant": d, "delegate": to} for d, to in sorted(poll.delegations.items())
            ],
            "i_voted": viewer in poll.participated if viewer else False,
            "my_delegate": poll.delegations.get(viewer) if viewer else None,
            "mine": _mine(state, poll, viewer),
            "result": _result_json(poll.result) if poll.result else None,
        }
        rows.append(row)
    return rows


def ballot_event_view(
    event: BallotCast,
    payload: dict[str, Any],
    viewer: ParticipantId | None,
) -> dict[str, Any]:
    """What others see of a ballot as it is cast: that one was cast, never its content (the
    voter themself sees their own named ballot)."""
    if not event.secret and viewer is not None and viewer == event.participant:
        return payload
    shown: dict[str, Any] = {"poll": event.poll, "secret": event.secret, "at": payload["at"]}
    if not event.secret:
        shown["participant"] = event.participant
    return shown
