"""Weighting and caps, worked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import capped, members, voter
from voting import InvalidTallyInput, Quorum, WeightRules, cap_organisations, weigh


def test_an_organisation_over_the_cap_is_scaled_down_and_the_others_keep_their_weight() -> None:
    # Raw 6 / 3 / 1, cap 40%: A is capped first (T = 4 / 0.6 = 20/3), then B exceeds
    # 0.4 x 20/3 = 8/3 and is capped too (T = 1 / 0.2 = 5): A = B = 2, C keeps 1.
    voters = members("A", 6) + members("B", 3) + members("C", 1)
    result = weigh(voters, capped(Fraction(2, 5)))
    orgs = result.organisations
    assert {o: orgs[o].counted_weight for o in orgs} == {"A": 2, "B": 2, "C": 1}
    assert {o: orgs[o].share for o in orgs} == {
        "A": Fraction(2, 5),
        "B": Fraction(2, 5),
        "C": Fraction(1, 5),
    }
    assert result.counted["A-0"] == Fraction(1, 3)
    assert result.counted["B-0"] == Fraction(2, 3)
    assert result.counted["C-0"] == 1
    assert result.cap_applied == Fraction(2, 5)
    assert not result.cap_raised_to_equal_shares
    assert orgs["A"].scale == Fraction(1, 3)
    assert orgs["A"].raw_share == Fraction(3, 5)
    assert orgs["A"].voters == 6


def test_capping_a_large_organisation_can_push_a_smaller_one_over_the_cap() -> None:
    # 50 / 30 / 20 at 35%: B is under the cap in raw terms (30%) but not once A is cut.
    voters = [voter("a", "A", 50), voter("b", "B", 30), voter("c", "C", 20)]
    result = weigh(voters, capped(Fraction(35, 100)))
    assert result.counted == {"a": Fraction(70, 3), "b": Fraction(70, 3), "c": 20}
    assert result.organisations["B"].share == Fraction(35, 100)
    assert any("once larger organisations are scaled down" in s for s in result.explanation)


def test_a_cap_that_cannot_hold_is_raised_to_equal_shares_and_says_so() -> None:
    voters = members("A", 5) + members("B", 2) + members("C", 1)
    result = weigh(voters, capped(Fraction(1, 4)))  # 1/4 x 3 organisations < 1
    assert result.cap_applied == Fraction(1, 3)
    assert result.cap_raised_to_equal_shares
    assert {o.share for o in result.organisations.values()} == {Fraction(1, 3)}
    assert any("cannot hold" in s and "raised to 1/3" in s for s in result.explanation)


def test_no_organisation_over_the_cap_means_raw_weights_count() -> None:
    voters = members("A", 2) + members("B", 2) + members("C", 1)
    result = weigh(voters, capped(Fraction(1, 2)))
    assert all(w == 1 for w in result.counted.values())
    assert any("No organisation is over the vote cap of 50%" in s for s in result.explanation)


def test_one_organisation_one_vote_splits_one_in_proportion_to_raw_weights() -> None:
    voters = [voter("a1", "A", 1), voter("a2", "A", 3), voter("b1", "B", 7)]
    result = weigh(voters, WeightRules(mode="one_org_one_vote", vote_cap=Fraction(1, 3)))
    assert result.counted == {"a1": Fraction(1, 4), "a2": Fraction(3, 4), "b1": 1}
    assert result.cap_applied is None
    assert any("does not apply in this mode" in s for s in result.explanation)


def test_one_person_one_vote_counts_raw_weights_without_a_cap() -> None:
    voters = [voter("a1", "A", 5), voter("b1", "B", 1)]
    result = weigh(voters, WeightRules(mode="one_person_one_vote"))
    assert result.counted == {"a1": 5, "b1": 1}
    assert result.organisations["A"].share == Fraction(5, 6)
    assert result.cap_applied is None


def test_capped_mode_without_a_cap_counts_raw_weights() -> None:
    result = weigh([voter("a", "A", 9), voter("b", "B")], WeightRules())
    assert result.counted == {"a": 9, "b": 1}
    assert "No vote cap is set: raw weights count." in result.explanation


def test_zero_weights_count_nothing_and_do_not_take_a_share_of_the_cap() -> None:
    voters = [voter("a", "A", 3), voter("b", "B", 1), voter("o", "Observers", 0)]
    result = weigh(voters, capped(Fraction(1, 2)))
    assert result.cap_applied == Fraction(1, 2)  # two organisations carry weight: 1/2 can hold
    assert result.counted == {"a": 1, "b": 1, "o": 0}
    assert result.organisations["Observers"].share == 0
    assert weigh(voters, WeightRules(mode="one_org_one_vote")).counted["o"] == 0


def test_the_cap_algorithm_stops_before_the_last_organisation() -> None:
    adjustment = cap_organisations({"A": Fraction(10), "B": Fraction(1)}, Fraction(1, 2))
    assert adjustment.counted == {"A": 1, "B": 1}
    assert adjustment.capped == ("A",)
    assert cap_organisations({}, Fraction(1, 2)).counted == {}


def test_an_empty_weighting_is_empty() -> None:
    result = weigh([], capped(Fraction(1, 3)))
    assert result.counted == {}
    assert result.explanation[0] == "Raw weight by organisation: none."


def test_a_voter_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidTallyInput, match="listed twice"):
        weigh([voter("a"), voter("a")], WeightRules())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"mode": "proportional"}, "mode must be one of"),
        ({"threshold": "half"}, "threshold must be one of"),
        ({"count_over": "present"}, "count_over must be one of"),
        ({"vote_cap": Fraction(0)}, "more than 0 and at most 1"),
        ({"vote_cap": Fraction(3, 2)}, "more than 0 and at most 1"),
        ({"vote_cap": 0.3}, "exact Fraction"),
        ({"vote_cap": True}, "exact Fraction"),
        ({"quorum": (1, 2)}, "quorum must be a Quorum"),
    ],
)
def test_rules_that_make_no_sense_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidTallyInput, match=message):
        WeightRules(**settings)  # type: ignore[arg-type]


def test_a_whole_number_cap_of_one_is_accepted_as_a_fraction() -> None:
    assert WeightRules(vote_cap=1).vote_cap == Fraction(1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1, 1.5, True, "2"])
def test_a_quorum_must_be_a_whole_number(value: object) -> None:
    with pytest.raises(InvalidTallyInput, match="quorum participants"):
        Quorum(participants=value)  # type: ignore[arg-type]
