"""Score votes (0-5), worked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import OPEN, capped, voter
from voting import Ballot, InvalidBallot, InvalidTallyInput, Reason, tally


def test_the_highest_weighted_sum_of_scores_wins_and_a_missing_score_is_zero() -> None:
    ballots = [
        Ballot(voter("v1", "A", 2), scores={"a": 5, "b": 1}),
        Ballot(voter("v2", "B"), scores={"b": 5}),
        Ballot(voter("v3", "C"), scores={"a": 0, "b": 4, "c": 3}),
    ]
    result = tally("score", ["a", "b", "c"], ballots, OPEN)
    assert result.totals == {"a": 10, "b": 11, "c": 3}
    assert result.counts == {"a": 5, "b": 10, "c": 3}
    assert result.winner == "b"


def test_scores_are_weighted_after_the_cap() -> None:
    # A (weight 4) gives a 5; B and C give b 3. Cap 1/3 with 3 organisations: equal shares,
    # each organisation weighs 1: a = 5, b = 6.
    ballots = [
        Ballot(voter("a1", "A", 4), scores={"a": 5}),
        Ballot(voter("b1", "B"), scores={"b": 3}),
        Ballot(voter("c1", "C"), scores={"b": 3}),
    ]
    assert tally("score", ["a", "b"], ballots, OPEN).winner == "a"  # 20 to 6 uncapped
    result = tally("score", ["a", "b"], ballots, capped(Fraction(1, 3)))
    assert result.totals == {"a": 5, "b": 6}
    assert result.winner == "b"


@pytest.mark.parametrize("bad", [True, 2.5, 1.0, "5", None])
def test_a_score_must_be_a_whole_number(bad: object) -> None:
    with pytest.raises(InvalidTallyInput) as refused:
        Ballot(voter("v2"), scores={"a": bad})  # type: ignore[dict-item]
    assert refused.value.reason is Reason.BAD_SCORE


@pytest.mark.parametrize("bad", [6, -1])
def test_a_score_outside_0_to_5_is_refused(bad: int) -> None:
    ballots = [Ballot(voter("v1"), scores={"a": 1}), Ballot(voter("v2"), scores={"a": bad})]
    with pytest.raises(InvalidBallot) as refused:
        tally("score", ["a"], ballots, OPEN)
    assert refused.value.reason is Reason.BAD_SCORE
    assert refused.value.index == 1
    assert refused.value.voter == "v2"


def test_a_score_for_an_unknown_option_is_refused() -> None:
    with pytest.raises(InvalidBallot, match="'z' is not one of the options"):
        tally("score", ["a"], [Ballot(voter("v1"), scores={"z": 1})], OPEN)
