"""Refusals: every unusable ballot is named by its index and voter."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import OPEN, voter
from voting import (
    Ballot,
    InvalidBallot,
    InvalidTallyInput,
    Reason,
    Voter,
    latest_ballots,
    tally,
)


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(InvalidTallyInput, match="unknown method 'plurality'"):
        tally("plurality", ["a"], [], OPEN)  # type: ignore[arg-type]


@pytest.mark.parametrize("options", [[], ["a", "a"], ["a", ""], "ab", ["a", 1]])
def test_options_must_be_distinct_names(options: object) -> None:
    with pytest.raises(InvalidTallyInput) as refused:
        tally("approval", options, [], OPEN)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.BAD_OPTIONS


def test_an_option_not_in_the_options_names_the_ballot() -> None:
    ballots = [Ballot(voter("v1"), approve=("a",)), Ballot(voter("v2"), approve=("a", "c"))]
    with pytest.raises(InvalidBallot) as refused:
        tally("approval", ["a", "b"], ballots, OPEN)
    assert str(refused.value) == "ballots[1] voter 'v2': 'c' is not one of the options"
    assert (refused.value.index, refused.value.voter) == (1, "v2")


def test_the_first_offending_ballot_is_named_when_it_repeats() -> None:
    ballots = [Ballot(voter(f"v{i}"), approve=("x",) if i in (2, 4) else ()) for i in range(6)]
    with pytest.raises(InvalidBallot) as refused:
        tally("approval", ["a"], ballots, OPEN)
    assert refused.value.index == 2


def test_an_option_approved_twice_is_refused() -> None:
    with pytest.raises(InvalidBallot, match="'a' appears twice in approve"):
        tally("approval", ["a"], [Ballot(voter("v1"), approve=("a", "a"))], OPEN)


def test_a_voter_with_two_ballots_is_refused_naming_the_second() -> None:
    ballots = [
        Ballot(voter("v1"), approve=("a",)),
        Ballot(voter("v2"), approve=()),
        Ballot(voter("v1"), approve=()),
    ]
    with pytest.raises(InvalidBallot) as refused:
        tally("approval", ["a"], ballots, OPEN)
    assert refused.value.reason is Reason.VOTER_TWICE
    assert refused.value.index == 2
    assert "already cast ballots[0]" in str(refused.value)


def test_the_last_ballot_of_each_voter_counts() -> None:
    first, second = Ballot(voter("v1"), approve=("a",)), Ballot(voter("v1"), approve=("b",))
    other = Ballot(voter("v2"), approve=("a",))
    kept = latest_ballots([first, other, second])
    assert kept == (second, other)
    assert tally("approval", ["a", "b"], kept, OPEN).totals == {"a": 1, "b": 1}


def test_a_ballot_of_another_method_is_refused() -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally("approval", ["a"], [Ballot(voter("v1"), choice="yes")], OPEN)
    assert refused.value.reason is Reason.WRONG_METHOD
    assert str(refused.value) == "ballots[0] voter 'v1': an approval ballot needs 'approve'"


@pytest.mark.parametrize(
    ("method", "field"),
    [("score", "scores"), ("majority", "choice"), ("ranked", "ranking"), ("consent", "position")],
)
def test_each_method_refuses_a_ballot_filled_in_for_another(method: str, field: str) -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally(method, ["a"], [Ballot(voter("v1"), approve=("a",))], OPEN)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.WRONG_METHOD
    assert str(refused.value).endswith(f"ballot needs {field!r}")


def test_something_that_is_not_a_ballot_is_refused() -> None:
    with pytest.raises(InvalidBallot, match=r"ballots\[1\]: is not a Ballot"):
        tally("approval", ["a"], [Ballot(voter("v1"), approve=()), "v2"], OPEN)  # type: ignore[list-item]


def test_an_unhashable_approval_is_refused() -> None:
    ballot = Ballot(voter("v1"), approve=(["a"],))  # type: ignore[arg-type]
    with pytest.raises(InvalidBallot, match="must list options by name"):
        tally("approval", ["a"], [ballot], OPEN)


@pytest.mark.parametrize(
    ("weight", "reason"),
    [
        (-1, Reason.NEGATIVE_WEIGHT),
        (Fraction(-1, 3), Reason.NEGATIVE_WEIGHT),
        (0.5, Reason.INEXACT_WEIGHT),
        (True, Reason.INEXACT_WEIGHT),
    ],
)
def test_a_weight_must_be_exact_and_not_negative(weight: object, reason: Reason) -> None:
    with pytest.raises(InvalidTallyInput) as refused:
        Voter("v1", "A", weight)  # type: ignore[arg-type]
    assert refused.value.reason is reason


def test_integer_weights_become_fractions_and_one_is_shared() -> None:
    assert Voter("v1", "A", 3).weight == Fraction(3)  # type: ignore[arg-type]
    assert isinstance(Voter("v1", "A", 3).weight, Fraction)  # type: ignore[arg-type]
    assert Voter("v1", "A", Fraction(2, 2)).weight is Voter("v2", "B").weight


@pytest.mark.parametrize(("voter_id", "organisation"), [("", "A"), ("v", ""), (1, "A")])
def test_a_voter_needs_an_id_and_an_organisation(voter_id: object, organisation: str) -> None:
    with pytest.raises(InvalidTallyInput) as refused:
        Voter(voter_id, organisation)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.BAD_VOTER


@pytest.mark.parametrize(
    "fields",
    [{}, {"approve": ("a",), "choice": "yes"}],
)
def test_a_ballot_carries_exactly_one_answer(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidTallyInput, match="exactly one of"):
        Ballot(voter("v1"), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [{"approve": "ab"}, {"ranking": 3}, {"scores": ["a"]}, {"position": "consent", "reason": 3}],
)
def test_a_ballot_of_the_wrong_shape_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidTallyInput) as refused:
        Ballot(voter("v1"), **fields)  # type: ignore[arg-type]
    assert refused.value.reason is Reason.BALLOT_SHAPE


def test_a_ballot_needs_a_voter() -> None:
    with pytest.raises(InvalidTallyInput, match="needs a Voter"):
        Ballot("v1", approve=())  # type: ignore[arg-type]


def test_lists_are_kept_as_tuples_and_the_method_is_known() -> None:
    ballot = Ballot(voter("v1"), ranking=["b", "a"])  # type: ignore[arg-type]
    assert ballot.ranking == ("b", "a")
    assert ballot.method == "ranked"
    assert Ballot(voter("v1"), scores={"a": 1}).method == "score"
