"""`tally`: validate, count on the tally sheet, weigh per organisation, decide, explain."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from voting.ballots import CHOICES, METHODS, POSITIONS, ZERO, Ballot, Method, Voter
from voting.errors import InvalidBallot, InvalidTallyInput, Reason
from voting.methods import Context, Count
from voting.methods.approval import ApprovalCount
from voting.methods.consent import ConsentCount
from voting.methods.majority import MajorityCount
from voting.methods.ranked import RankedCount
from voting.methods.score import ScoreCount
from voting.results import TallyResult
from voting.rules import WeightRules
from voting.sheet import Sheet, read_ballots
from voting.table import BallotTable, read_table
from voting.tiebreak import BY_OPTION_ORDER, TieBreak
from voting.weighting import OrganisationWeighting, weigh_organisations

_TITLES = {
    "consent": "Consent round",
    "approval": "Approval vote",
    "score": "Score vote (0-5)",
    "majority": "Majority vote",
    "ranked": "Ranked vote (Schulze)",
}


def tally(
    method: Method,
    options: Sequence[str],
    ballots: Sequence[Ballot] | BallotTable,
    rules: WeightRules,
    *,
    eligible: Sequence[Voter] = (),
    tie_break: TieBreak = BY_OPTION_ORDER,
) -> TallyResult:
    """Count `ballots` by `method` under `rules`, and explain the count.

    `options` are the choices for approval, score and ranked votes (ignored for majority,
    whose choices are yes/no/abstain, and consent, whose are the four positions). Each voter
    may have one ballot (see `latest_ballots`). When `eligible` is given, every ballot's voter
    must be in it; with `rules.count_over == "eligible"` weights are computed over it.
    Raises `InvalidBallot` naming the first unusable ballot, `InvalidTallyInput` otherwise.
    """
    count = _count_for(method, options)
    if isinstance(ballots, BallotTable):
        sheet = read_table(ballots, count)
        if eligible and ballots.voters is not None:
            _check_table_eligible(ballots.voters, eligible)
    else:
        sheet = read_ballots(ballots, count)
        if eligible:
            _check_eligible(ballots, eligible)
    weighting = _weigh(sheet, rules, eligible)
    participants = sheet.participants
    taking_part = len(set(sheet.organisation[g] for g in np.flatnonzero(sheet.ballots).tolist()))
    quorum = rules.quorum
    quorum_met = participants >= quorum.participants and taking_part >= quorum.organisations
    totals, counts = _weighted_totals(sheet, weighting)
    context = Context(
        rules=rules,
        tie_break=tie_break,
        named=quorum_met and participants > 0,
        weight_total=sum((o.counted_weight for o in weighting.organisations.values()), ZERO),
        contents=sheet.contents,
        content_counts=sheet.content_counts,
    )
    decision = count.decide(totals, counts, context)
    explanation = [
        f"{_TITLES[method]}: {participants} ballot(s) from {taking_part} organisation(s).",
        _quorum_sentence(rules, participants, taking_part, quorum_met),
        *weighting.explanation,
        *decision.sentences,
    ]
    if participants == 0:
        explanation.append("No ballots were cast: no result.")
    return TallyResult(
        method=method,
        options=count.options,
        quorum_met=quorum_met,
        participants=participants,
        cap_applied=weighting.cap_applied,
        cap_raised_to_equal_shares=weighting.cap_raised_to_equal_shares,
        organisations=weighting.organisations,
        totals=MappingProxyType(dict(decision.totals)),
        counts=MappingProxyType(dict(decision.counts)),
        winner=decision.winner,
        outcome=decision.outcome,
        explanation=tuple(explanation),
        tie_break=decision.tie_break,
        threshold=decision.threshold,
        count_over=decision.count_over,
        ranking=decision.ranking,
        pairwise=MappingProxyType(dict(decision.pairwise)),
        strongest_paths=MappingProxyType(dict(decision.strongest_paths)),
        remarks=decision.remarks,
    )


def _count_for(method: str, options: Sequence[str]) -> Count:
    if method == "majority":
        return MajorityCount(CHOICES)
    if method == "consent":
        return ConsentCount(POSITIONS)
    if method not in METHODS:
        raise InvalidTallyInput(
            Reason.UNKNOWN_METHOD,
            f"unknown method {method!r}: use one of {', '.join(METHODS)}",
        )
    if isinstance(options, str) or not all(isinstance(o, str) and o for o in options):
        raise InvalidTallyInput(Reason.BAD_OPTIONS, "options must be a list of non-empty names")
    names = tuple(options)
    if not names or len(set(names)) != len(names):
        raise InvalidTallyInput(
            Reason.BAD_OPTIONS, f"a {method} vote needs at least one option, each named once"
        )
    if method == "approval":
        return ApprovalCount(names)
    if method == "score":
        return ScoreCount(names)
    return RankedCount(names)


def _check_eligible(ballots: Sequence[Ballot], eligible: Sequence[Voter]) -> None:
    electorate = {voter.id: voter for voter in eligible}
    for index, ballot in enumerate(ballots):
        listed = electorate.get(ballot.voter.id)
        if listed is None:
            raise InvalidBallot(
                Reason.NOT_ELIGIBLE,
                "this voter is not eligible",
                index=index,
                voter=ballot.voter.id,
            )
        if listed is not ballot.voter and listed != ballot.voter:
            raise InvalidBallot(
                Reason.NOT_ELIGIBLE,
                "the ballot's organisation or weight differs from the electorate's",
                index=index,
                voter=ballot.voter.id,
            )


def _check_table_eligible(voters: Sequence[str], eligible: Sequence[Voter]) -> None:
    electorate = {voter.id for voter in eligible}
    for row, voter in enumerate(voters):
        if voter not in electorate:
            raise InvalidBallot(
                Reason.NOT_ELIGIBLE, "this voter is not eligible", index=row, voter=voter
            )


def _weigh(sheet: Sheet, rules: WeightRules, eligible: Sequence[Voter]) -> OrganisationWeighting:
    raw: dict[str, Fraction] = {}
    voters: dict[str, int] = {}
    if rules.count_over == "eligible":
        if not eligible:
            raise InvalidTallyInput(
                Reason.NO_ELECTORATE, "counting over eligible weight needs the eligible voters"
            )
        seen: set[str] = set()
        for voter in eligible:
            if voter.id in seen:
                raise InvalidTallyInput(
                    Reason.VOTER_TWICE, f"voter {voter.id!r} is listed twice among the eligible"
                )
            seen.add(voter.id)
            raw[voter.organisation] = raw.get(voter.organisation, ZERO) + voter.weight
            voters[voter.organisation] = voters.get(voter.organisation, 0) + 1
        weighting = weigh_organisations(raw, voters, rules)
        missing = set(sheet.organisation) - set(raw)
        if missing:  # only a BallotTable can get here: ballots were checked against eligible
            raise InvalidTallyInput(
                Reason.NOT_ELIGIBLE, f"organisation {sorted(missing)[0]!r} is not in the electorate"
            )
        note = f"Weights are computed over the eligible electorate ({len(seen)} voters)."
        return OrganisationWeighting(
            scale=weighting.scale,
            organisations=weighting.organisations,
            cap_applied=weighting.cap_applied,
            cap_raised_to_equal_shares=weighting.cap_raised_to_equal_shares,
            explanation=(note, *weighting.explanation),
        )
    for org, weight, ballots in zip(
        sheet.organisation, sheet.weight, sheet.ballots.tolist(), strict=True
    ):
        raw[org] = raw.get(org, ZERO) + weight * ballots
        voters[org] = voters.get(org, 0) + ballots
    return weigh_organisations(raw, voters, rules)


def _weighted_totals(
    sheet: Sheet, weighting: OrganisationWeighting
) -> tuple[list[Fraction], list[int]]:
    """Each feature's counted total: Σ over groups of (weight × scale) × the group's count.

    Groups with the same coefficient are summed as integers first, so the Fraction work is
    (distinct coefficients × features), whatever the number of ballots.
    """
    by_coefficient: dict[Fraction, npt.NDArray[np.int64]] = {}
    for index, (org, weight) in enumerate(zip(sheet.organisation, sheet.weight, strict=True)):
        coefficient = weight * weighting.scale[org]
        row = sheet.features[index]
        if coefficient in by_coefficient:
            by_coefficient[coefficient] = by_coefficient[coefficient] + row
        else:
            by_coefficient[coefficient] = row
    width = sheet.features.shape[1]
    totals = [ZERO] * width
    for coefficient, row in by_coefficient.items():
        if coefficient:
            totals = [t + coefficient * n for t, n in zip(totals, row.tolist(), strict=True)]
    counts = sheet.features.sum(axis=0).tolist() if len(sheet.organisation) else [0] * width
    return totals, [int(n) for n in counts]


def _quorum_sentence(rules: WeightRules, participants: int, organisations: int, met: bool) -> str:
    quorum = rules.quorum
    if not (quorum.participants or quorum.organisations):
        return "No quorum is set."
    verdict = "met" if met else "not met: no winner is named"
    return (
        f"Quorum: at least {quorum.participants} participant(s) and {quorum.organisations} "
        f"organisation(s); {participants} and {organisations} took part: {verdict}."
    )
