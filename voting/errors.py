"""What can go wrong when counting, and how the core says so.

    VotingError                 every refusal of the voting core
    ├── InvalidTallyInput       the rules, options, voters or table as a whole are unusable
    ├── InvalidBallot           one ballot is unusable; names its index and voter
    └── InvalidDelegation       a delegation would form a chain, a cycle or cross organisations

Each carries a stable `reason` code (for templates and translations) and a `message` for a
person. Any other exception leaving `voting` is a bug.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    UNKNOWN_METHOD = "unknown_method"
    BAD_OPTIONS = "bad_options"
    BAD_RULES = "bad_rules"
    BAD_VOTER = "bad_voter"
    NEGATIVE_WEIGHT = "negative_weight"
    INEXACT_WEIGHT = "inexact_weight"
    BALLOT_SHAPE = "ballot_shape"
    WRONG_METHOD = "wrong_method"
    UNKNOWN_OPTION = "unknown_option"
    REPEATED_OPTION = "repeated_option"
    BAD_SCORE = "bad_score"
    BAD_CHOICE = "bad_choice"
    BAD_POSITION = "bad_position"
    MISSING_REASON = "missing_reason"
    VOTER_TWICE = "voter_twice"
    NOT_ELIGIBLE = "not_eligible"
    NO_ELECTORATE = "no_electorate"
    BAD_TABLE = "bad_table"
    UNKNOWN_VOTER = "unknown_voter"
    SELF_DELEGATION = "self_delegation"
    CROSS_ORGANISATION = "cross_organisation"
    DELEGATION_CHAIN = "delegation_chain"
    DELEGATION_CYCLE = "delegation_cycle"
    TOO_MANY_DELEGATIONS = "too_many_delegations"
    DELEGATOR_VOTED = "delegator_voted"


class VotingError(Exception):
    """Base of every refusal raised by `voting`."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidTallyInput(VotingError):
    """The rules, the options, a voter or a ballot table cannot be counted."""


class InvalidDelegation(VotingError):
    """A delegation that the rules refuse: unknown voter, chain, cycle, other organisation."""


class InvalidBallot(VotingError):
    """One ballot cannot be counted. `index` is its position in the input, `voter` its voter id."""

    def __init__(
        self, reason: Reason, detail: str, *, index: int | None = None, voter: str | None = None
    ) -> None:
        where = []
        if index is not None:
            where.append(f"ballots[{index}]")
        if voter is not None:
            where.append(f"voter {voter!r}")
        prefix = " ".join(where)
        super().__init__(reason, f"{prefix}: {detail}" if prefix else detail)
        self.detail = detail
        self.index = index
        self.voter = voter
