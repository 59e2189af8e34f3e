"""Voters and ballots: frozen values, checked for shape when built.

Whether a ballot's content fits a vote (known options, scores 0-5, a reason with an
objection) is checked when it is counted, by `tally`, since only the tally knows the options.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from voting.errors import InvalidTallyInput, Reason

ONE = Fraction(1)
ZERO = Fraction(0)

Method = Literal["consent", "approval", "score", "majority", "ranked"]
METHODS: tuple[Method, ...] = ("consent", "approval", "score", "majority", "ranked")
Choice = Literal["yes", "no", "abstain"]
CHOICES: tuple[Choice, ...] = ("yes", "no", "abstain")
Position = Literal["consent", "concern", "stand_aside", "object"]
POSITIONS: tuple[Position, ...] = ("consent", "concern", "stand_aside", "object")
SCORE_RANGE = range(0, 6)

# The ballot field each method reads.
_FIELDS: dict[str, Method] = {
    "approve": "approval",
    "scores": "score",
    "choice": "majority",
    "ranking": "ranked",
    "position": "consent",
}


def exact_weight(weight: object) -> Fraction:
    """A weight as an exact, non-negative Fraction; floats and booleans are refused."""
    if isinstance(weight, bool) or not isinstance(weight, int | Fraction):
        raise InvalidTallyInput(
            Reason.INEXACT_WEIGHT,
            f"weight must be an integer or a Fraction, not {type(weight).__name__} {weight!r}",
        )
    if weight < 0:
        raise InvalidTallyInput(Reason.NEGATIVE_WEIGHT, f"weight must not be negative ({weight})")
    if weight == 1:
        return ONE  # one shared object: the tally groups equal weights by identity first
    return weight if isinstance(weight, Fraction) else Fraction(weight)


@dataclass(frozen=True, slots=True)
class Voter:
    """Someone whose ballot counts: an id, the organisation they vote for, a raw weight.

    The id is only used to refuse a second ballot and to check eligibility; a secret ballot
    may carry a pseudonymous id (see docs/voting.md).
    """

    id: str
    organisation: str
    weight: Fraction = ONE

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidTallyInput(Reason.BAD_VOTER, "a voter needs a non-empty id")
        if not isinstance(self.organisation, str) or not self.organisation:
            raise InvalidTallyInput(
                Reason.BAD_VOTER, f"voter {self.id!r} needs a non-empty organisation"
            )
        weight = exact_weight(self.weight)
        if weight is not self.weight:
            object.__setattr__(self, "weight", weight)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's answer. Exactly one of the method fields is set:

    - `approve=("a", "b")` for `approval` (any number of options, none repeated);
    - `scores={"a": 4}` for `score` (0-5; an option left out scores 0);
    - `choice="yes" | "no" | "abstain"` for `majority`;
    - `ranking=("b", "a")` for `ranked` (most preferred first; options left out rank
      below all ranked ones, equal among themselves);
    - `position="consent" | "concern" | "stand_aside" | "object"` with `reason` for `consent`
      (a concern, a stand-aside and an objection each need a reason).
    """

    voter: Voter
    approve: tuple[str, ...] | None = None
    scores: Mapping[str, int] | None = None
    choice: str | None = None
    ranking: tuple[str, ...] | None = None
    position: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.voter, Voter):
            raise InvalidTallyInput(Reason.BALLOT_SHAPE, "a ballot needs a Voter")
        present = [name for name in _FIELDS if getattr(self, name) is not None]
        if len(present) != 1:
            raise InvalidTallyInput(
                Reason.BALLOT_SHAPE,
                "a ballot carries exactly one of approve, scores, choice, ranking or position"
                + (f" (this one has {', '.join(present)})" if present else ""),
            )
        for name in ("approve", "ranking"):
            items: object = getattr(self, name)  # lists are welcome; they are kept as tuples
            if items is not None and not isinstance(items, tuple):
                object.__setattr__(self, name, _as_tuple(items))
        if self.scores is not None and not isinstance(self.scores, MappingProxyType):
            if not isinstance(self.scores, Mapping):
                raise InvalidTallyInput(Reason.BALLOT_SHAPE, "scores must map options to 0-5")
            for option, score in self.scores.items():
                # Checked here, not per distinct content: True and 1.0 would pass for 1 there.
                if isinstance(score, bool) or not isinstance(score, int):
                    raise InvalidTallyInput(
                        Reason.BAD_SCORE, f"the score for {option!r} must be 0 to 5, not {score!r}"
                    )
            object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
        if not isinstance(self.reason, str):
            raise InvalidTallyInput(Reason.BALLOT_SHAPE, "a reason must be text")

    @property
    def method(self) -> Method:
        """The method this ballot was filled in for."""
        return next(_FIELDS[name] for name in _FIELDS if getattr(self, name) is not None)


def _as_tuple(items: object) -> tuple[str, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidTallyInput(Reason.BALLOT_SHAPE, "approve and ranking are lists of options")
    return tuple(items)


def latest_ballots(ballots: Iterable[Ballot]) -> tuple[Ballot, ...]:
    """Keep each voter's last ballot, in cast order: ballots may change until the vote closes.

    The result is in the order in which each voter first voted, so a change of mind does not
    move a voter in the list.
    """
    last: dict[str, Ballot] = {}
    for ballot in ballots:
        last[ballot.voter.id] = ballot
    return tuple(last.values())
