"""Evenfloor's voting core: ballots, weights and caps, explained tallies. Pure: no I/O.

    tally(method, options, ballots, rules, *, eligible=(), tie_break=ByOptionOrder())
    weigh(voters, rules)
    resolve_delegations(delegations, voters) / cast_for_delegators(ballots, delegated)
    latest_ballots(ballots)

Everything exact (`fractions.Fraction`); `decimal_string` writes a Fraction for people and
JSON with at most six places. See docs/voting.md.
"""

from voting.ballots import CHOICES, METHODS, POSITIONS, Ballot, Method, Voter, latest_ballots
from voting.caps import CapAdjustment, cap_organisations
from voting.delegation import cast_for_delegators, resolve_delegations
from voting.display import decimal_string
from voting.errors import (
    InvalidBallot,
    InvalidDelegation,
    InvalidTallyInput,
    Reason,
    VotingError,
)
from voting.results import Remark, TallyResult
from voting.rules import THRESHOLDS, CountOver, Mode, Quorum, Threshold, WeightRules
from voting.table import BallotTable
from voting.tally import tally
from voting.tiebreak import ByLot, ByOptionOrder, TieBreak
from voting.weighting import OrganisationWeight, Weighting, weigh

__all__ = [
    "CHOICES",
    "METHODS",
    "POSITIONS",
    "THRESHOLDS",
    "Ballot",
    "BallotTable",
    "ByLot",
    "ByOptionOrder",
    "CapAdjustment",
    "CountOver",
    "InvalidBallot",
    "InvalidDelegation",
    "InvalidTallyInput",
    "Method",
    "Mode",
    "OrganisationWeight",
    "Quorum",
    "Reason",
    "Remark",
    "TallyResult",
    "Threshold",
    "TieBreak",
    "Voter",
    "VotingError",
    "WeightRules",
    "Weighting",
    "cap_organisations",
    "cast_for_delegators",
    "decimal_string",
    "latest_ballots",
    "resolve_delegations",
    "tally",
    "weigh",
]
