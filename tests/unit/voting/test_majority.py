"""Majority votes with thresholds, over votes cast or over the electorate."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import members, voter
from voting import Ballot, InvalidBallot, InvalidTallyInput, Quorum, Voter, WeightRules, tally


def votes(yes: int, no: int, abstain: int = 0) -> list[Ballot]:
    people = members("A", yes + no + abstain)
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    return [Ballot(p, choice=c) for p, c in zip(people, choices, strict=True)]


def rules(threshold: str = "simple", count_over: str = "cast") -> WeightRules:
    return WeightRules(mode="one_person_one_vote", threshold=threshold, count_over=count_over)  # type: ignore[arg-type]


def test_a_simple_majority_needs_more_than_half_of_yes_and_no() -> None:
    result = tally("majority", [], votes(3, 2, abstain=4), rules())
    assert result.winner == "yes"
    assert result.outcome == "carried"
    assert result.totals == {"yes": 3, "no": 2, "abstain": 4}
    assert result.threshold == Fraction(1, 2)
    assert result.count_over == "cast"


def test_a_tie_does_not_carry_a_simple_majority() -> None:
    result = tally("majority", [], votes(2, 2), rules())
    assert result.outcome == "not_carried"
    assert result.winner == "no"


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "carried"),
    [
        ("two_thirds", 2, 1, True),  # exactly two thirds is enough
        ("two_thirds", 3, 2, False),
        ("three_quarters", 3, 1, True),
        ("three_quarters", 5, 2, False),
    ],
)
def test_supermajorities_need_at_least_their_share(
    threshold: str, yes: int, no: int, carried: bool
) -> None:
    result = tally("majority", [], votes(yes, no), rules(threshold))
    assert (result.outcome == "carried") is carried


def test_counted_over_the_electorate_absence_and_abstention_count_against() -> None:
    electorate = members("A", 10)
    ballots = [Ballot(v, choice="yes") for v in electorate[:5]] + [
        Ballot(electorate[5], choice="abstain")
    ]
    over_cast = tally("majority", [], ballots, rules(), eligible=electorate)
    over_eligible = tally(
        "majority", [], ballots, rules(count_over="eligible"), eligible=electorate
    )
    assert over_cast.outcome == "carried"
    assert over_eligible.outcome == "not_carried"  # 5 of 10 is not more than half
    assert over_eligible.organisations["A"].voters == 10
    assert (
        over_eligible.explanation[2]
        == "Weights are computed over the eligible electorate (10 voters)."
    )


def test_counted_over_the_electorate_the_cap_is_applied_to_the_electorate() -> None:
    # A has 6 eligible, B 2, C 2; cap 1/3 gives each organisation 2. A's 6 all vote yes:
    # yes = 2 of 6 eligible counted weight, not carried; over votes cast it would carry.
    electorate = members("A", 6) + members("B", 2) + members("C", 2)
    ballots = [Ballot(v, choice="yes") for v in electorate[:6]] + [
        Ballot(electorate[6], choice="no")
    ]
    capped = WeightRules(vote_cap=Fraction(1, 3), count_over="eligible")
    result = tally("majority", [], ballots, capped, eligible=electorate)
    assert result.totals == {"yes": 2, "no": 1, "abstain": 0}
    assert result.outcome == "not_carried"


def test_nothing_carries_without_yes() -> None:
    result = tally("majority", [], votes(0, 0, abstain=3), rules("two_thirds"))
    assert result.outcome == "not_carried"


def test_without_quorum_there_is_no_outcome() -> None:
    r = WeightRules(quorum=Quorum(participants=10))
    result = tally("majority", [], votes(3, 0), r)
    assert result.outcome is None
    assert result.winner is None


def test_counting_over_the_electorate_needs_it() -> None:
    with pytest.raises(InvalidTallyInput, match="needs the eligible voters"):
        tally("majority", [], votes(1, 0), rules(count_over="eligible"))


def test_a_ballot_from_outside_the_electorate_is_refused() -> None:
    with pytest.raises(
        InvalidBallot, match=r"ballots\[0\] voter 'A-0': this voter is not eligible"
    ):
        tally("majority", [], votes(1, 0), rules(), eligible=[voter("someone")])


def test_a_ballot_whose_voter_differs_from_the_electorate_is_refused() -> None:
    listed = Voter("A-0", "A", Fraction(2))
    with pytest.raises(InvalidBallot, match="differs from the electorate"):
        tally("majority", [], votes(1, 0), rules(), eligible=[listed])


def test_an_electorate_listing_someone_twice_is_refused() -> None:
    electorate = members("A", 2)
    with pytest.raises(InvalidTallyInput, match="listed twice among the eligible"):
        tally("majority", [], votes(1, 0), rules(count_over="eligible"), eligible=electorate * 2)


def test_a_choice_other_than_yes_no_or_abstain_is_refused() -> None:
    with pytest.raises(InvalidBallot, match="choice must be yes, no or abstain, not 'maybe'"):
        tally("majority", [], [Ballot(voter("v"), choice="maybe")], rules())
