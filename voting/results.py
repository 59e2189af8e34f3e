"""What a tally returns: the result, every figure behind it, and sentences a person can follow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from voting.ballots import Method
from voting.weighting import OrganisationWeight


@dataclass(frozen=True, slots=True)
class Remark:
    """A concern, stand-aside or objection carried into the decision (never with a voter id)."""

    position: str
    reason: str
    count: int  # how many ballots gave this position with this exact reason


@dataclass(frozen=True, slots=True)
class TallyResult:
    """An explained tally.

    - `totals`: counted weight per option (approval: approving weight; score: weighted sum of
      scores; ranked: weight ranking the option first), per choice (`majority`: yes, no,
      abstain) or per position (`consent`).
    - `counts`: the same figures with every ballot counted once, unweighted.
    - `winner`: the winning option (`majority`: "yes" when the motion carries, else "no");
      None without quorum, without ballots, when no option got any weight, and for `consent`.
    - `outcome`: `consent`: consented, consented_with_concerns or blocked; `majority`:
      carried or not_carried; else None. None without quorum.
    - `ranked` only: `pairwise[x][y]` is the counted weight preferring x to y,
      `strongest_paths[x][y]` Schulze's strongest path strength, `ranking` the Schulze order.
    """

    method: Method
    options: tuple[str, ...]
    quorum_met: bool
    participants: int
    cap_applied: Fraction | None
    cap_raised_to_equal_shares: bool
    organisations: Mapping[str, OrganisationWeight]
    totals: Mapping[str, Fraction]
    counts: Mapping[str, int]
    winner: str | None
    outcome: str | None
    explanation: tuple[str, ...]
    tie_break: str | None = None  # how a tie was broken, when one was
    threshold: Fraction | None = None  # majority: share of yes needed
    count_over: str | None = None  # majority: "cast" or "eligible"
    ranking: tuple[str, ...] = ()
    pairwise: Mapping[str, Mapping[str, Fraction]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    strongest_paths: Mapping[str, Mapping[str, Fraction]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    remarks: tuple[Remark, ...] = ()
