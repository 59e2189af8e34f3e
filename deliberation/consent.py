"""The consent round: answers, objections and how they stop blocking, and the decision.

An objection blocks until its author changes their answer, the facilitator integrates it
(amends the proposal, which starts a new consent round), or, under the room's
``supermajority_of_organisations`` rule, the organisations find it not paramount.
"""

from datetime import datetime
from fractions import Fraction

from deliberation._guards import facilitator, require_round, subject, text
from deliberation.commands import AnswerConsent, JudgeObjection, SettleObjection
from deliberation.context import Context
from deliberation.errors import Reason, Rejected
from deliberation.events import (
    ConsentAnswered,
    DecisionReached,
    Event,
    ObjectionJudged,
    ObjectionSettled,
)
from deliberation.exclusions import quorum_held
from deliberation.fairness import fairness, vote_weights
from deliberation.ids import ParticipantId
from deliberation.records import PositionWeight
from deliberation.rules import ObjectionRule, VoteMode
from deliberation.state import RoomState
from deliberation.vocabulary import ObjectionStatus, Outcome, Position, RoundKind
from deliberation.weighting import Weights, weigh_members

BLOCKING = frozenset({ObjectionStatus.OPEN, ObjectionStatus.UPHELD})


def answer_consent(state: RoomState, command: AnswerConsent, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.CONSENT)
    member = subject(state, ctx)
    limit = state.rules.text_max_length
    if command.position is Position.CONSENT:
        words = command.text.strip()
        if len(words) > limit:
            raise Rejected(Reason.INVALID, f"The text is longer than {limit} characters.")
    else:
        what = "reason" if command.position is Position.OBJECT else command.position.value
        words = text(command.text, limit, what)
    previous = state.consent.answers.get(member.participant)
    if previous is not None and (previous.position, previous.text) == (command.position, words):
        raise Rejected(Reason.CONFLICT, "That is already the answer on record.")
    tested = state.consent.objections.get(member.participant)
    settled = (ObjectionStatus.RESOLVED, ObjectionStatus.UPHELD)
    if command.position is Position.OBJECT and tested is not None and tested.status in settled:
        raise Rejected(Reason.CONFLICT, "This objection was tested already in this round.")
    return [
        ConsentAnswered(
            member.participant,
            member.organisation,
            command.position,
            words,
            state.consent.number,
            ctx.actor,
            ctx.at,
        )
    ]


def _open_objection(state: RoomState, objector: ParticipantId) -> None:
    objection = state.consent.objections.get(objector)
    if objection is None or objection.status is not ObjectionStatus.OPEN:
        raise Rejected(Reason.NOT_FOUND, "There is no open objection from this participant.")


def _requires_supermajority_rule(state: RoomState) -> None:
    if state.rules.objection_rule is not ObjectionRule.SUPERMAJORITY_OF_ORGANISATIONS:
        raise Rejected(
            Reason.FORBIDDEN, "In this room only the facilitator can integrate objections."
        )


def judge_objection(state: RoomState, command: JudgeObjection, ctx: Context) -> list[Event]:
    require_round(state, RoundKind.CONSENT)
    _requires_supermajority_rule(state)
    member = subject(state, ctx)
    _open_objection(state, command.objector)
    if member.participant == command.objector:
        raise Rejected(Reason.FORBIDDEN, "An objector does not judge their own objection.")
    return [
        ObjectionJudged(
            command.objector,
            member.participant,
            member.organisation,
            command.paramount,
            ctx.actor,
            ctx.at,
        )
    ]


def settle_objection(state: RoomState, command: SettleObjection, ctx: Context) -> list[Event]:
    by = facilitator(state, ctx)
    require_round(state, RoundKind.CONSENT)
    _requires_supermajority_rule(state)
    _open_objection(state, command.objector)
    judgments = state.consent.judgments.get(command.objector, {})
    judges = [state.members[p] for p in judgments]
    weights = weigh_members(judges, VoteMode.ONE_ORG_ONE_VOTE, None)
    organisations = len({m.organisation for m in judges})
    needed = max(1, state.rules.quorum.organisations)
    if organisations < needed:
        raise Rejected(
            Reason.NO_QUORUM,
            f"{organisations} organisation(s) judged this objection; {needed} must.",
        )
    not_paramount = sum(
        (weights.counted[p] for p, paramount in judgments.items() if not paramount), Fraction(0)
    )
    share = not_paramount / organisations
    threshold = state.rules.objection_supermajority
    return [
        ObjectionSettled(
            objector=command.objector,
            paramount=share < threshold,
            not_paramount_share=share,
            threshold=threshold,
            organisations=organisations,
            explanation=weights.explanation,
            by=by,
            at=ctx.at,
        )
    ]


def quorum_met(state: RoomState) -> bool:
    answers = state.consent.answers.values()
    organisations = {a.organisation for a in answers}
    quorum = state.rules.quorum
    enough = len(answers) >= quorum.participants and len(organisations) >= quorum.organisations
    return enough and quorum_held(state)


def outcome(state: RoomState) -> Outcome:
    if any(o.status in BLOCKING for o in state.consent.objections.values()):
        return Outcome.BLOCKED
    if any(a.position is Position.CONCERN for a in state.consent.answers.values()):
        return Outcome.CONSENTED_WITH_CONCERNS
    return Outcome.CONSENTED


def _tally(state: RoomState, weights: Weights) -> tuple[PositionWeight, ...]:
    answers = state.consent.answers
    rows = []
    for position in Position:
        chosen = [a for a in answers.values() if a.position is position]
        rows.append(
            PositionWeight(
                position=position,
                participants=len(chosen),
                organisations=len({a.organisation for a in chosen}),
                weight=sum(
                    (weights.counted.get(a.participant, Fraction(0)) for a in chosen), Fraction(0)
                ),
            )
        )
    return tuple(rows)


def decision(
    state: RoomState,
    by: ParticipantId | None,
    at: datetime,
    why: str,
    *,
    withdrawn: bool = False,
) -> DecisionReached:
    """The decision on the current consent round, carrying everything the record needs."""
    consent = state.consent
    weights = vote_weights(state)  # over this round's answerers, or everyone before any
    return DecisionReached(
        outcome=Outcome.WITHDRAWN if withdrawn else outcome(state),
        consent_round=consent.number,
        proposal_version=state.proposal.version,
        proposal=state.proposal.text,
        quorum_met=quorum_met(state),
        answers=tuple(consent.answers.values()),
        objections=(*consent.earlier, *consent.objections.values()),
        dissents=tuple(state.dissents.values()),
        tally=_tally(state, weights),
        speaking_cap=state.rules.speaking_cap,
        vote_cap=state.rules.vote_cap,
        fairness=fairness(state, weights),
        reason=why,
        by=by,
        at=at,
        present=state.meeting_quorum.present if state.meeting_quorum else (),
        excluded=tuple(state.exclusions[p] for p in sorted(state.exclusions)),
    )
