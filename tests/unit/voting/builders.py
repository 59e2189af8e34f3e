"""Builders for voting tests: voters by organisation, ballots in one line each."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from voting import Ballot, Quorum, Voter, WeightRules

OPEN = WeightRules(mode="one_person_one_vote")


def voter(name: str, organisation: str = "Trust A", weight: int | Fraction = 1) -> Voter:
    return Voter(name, organisation, Fraction(weight))


def members(organisation: str, count: int, weight: int | Fraction = 1) -> list[Voter]:
    return [voter(f"{organisation}-{i}", organisation, weight) for i in range(count)]


def approvals(voters: Iterable[Voter], *options: str) -> list[Ballot]:
    return [Ballot(v, approve=options) for v in voters]


def rankings(spec: str, organisation_per_voter: bool = True) -> list[Ballot]:
    """'5 ACB, 3 BCA' -> ballots ranking single-letter options, one organisation per voter."""
    ballots, n = [], 0
    for part in spec.split(","):
        times, order = part.split()
        for _ in range(int(times)):
            n += 1
            org = f"org{n}" if organisation_per_voter else "Trust A"
            ballots.append(Ballot(voter(f"x{n}", org), ranking=tuple(order)))
    return ballots


def capped(cap: Fraction, participants: int = 0, organisations: int = 0) -> WeightRules:
    return WeightRules(mode="capped", vote_cap=cap, quorum=Quorum(participants, organisations))
