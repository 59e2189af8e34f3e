"""Ballots as columns count exactly as the same ballots one by one."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from tests.unit.voting.builders import capped, voter
from voting import Ballot, BallotTable, InvalidBallot, InvalidTallyInput, Method, Reason, tally

ORGS = ("A", "B", "C")
OPTIONS = ["x", "y", "z"]


def table(
    marks: list[list[int]],
    voters: list[str] | None = None,
    weights: tuple[Fraction, ...] = (Fraction(1),),
    weight: np.ndarray[Any, np.dtype[np.int64]] | None = None,
) -> BallotTable:
    organisation = np.array([i % 3 for i in range(len(marks))])
    rows = np.array(marks, dtype=np.int64).reshape(-1, 3)
    return BallotTable(ORGS, organisation, rows, weights=weights, weight=weight, voters=voters)


def test_a_table_and_the_same_ballots_give_equal_results() -> None:
    marks = [[1, 0, 1], [0, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 1]]
    weights = (Fraction(1), Fraction(3), Fraction(1, 2))
    weight = np.array([0, 1, 2, 0, 1])
    as_table = table(marks, voters=[f"v{i}" for i in range(5)], weights=weights, weight=weight)
    ballots = [
        Ballot(
            voter(f"v{i}", ORGS[i % 3], weights[int(weight[i])]),
            approve=tuple(o for o, m in zip(OPTIONS, row, strict=True) if m),
        )
        for i, row in enumerate(marks)
    ]
    rules = capped(Fraction(2, 5))
    assert tally("approval", OPTIONS, as_table, rules) == tally("approval", OPTIONS, ballots, rules)


def test_scores_in_a_table_are_summed_exactly() -> None:
    result = tally("score", OPTIONS, table([[5, 0, 1], [2, 3, 0], [0, 0, 0]]), capped(Fraction(1)))
    assert result.totals == {"x": 7, "y": 3, "z": 1}
    assert result.participants == 3


@pytest.mark.parametrize(("method", "mark"), [("approval", 2), ("score", 6), ("score", -1)])
def test_a_mark_out_of_range_names_the_row(method: Method, mark: int) -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally(method, OPTIONS, table([[0, 0, 0], [0, mark, 0]], ["v0", "v1"]), capped(Fraction(1)))
    assert (refused.value.index, refused.value.voter) == (1, "v1")


def test_a_voter_twice_in_a_table_is_refused() -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally(
            "approval", OPTIONS, table([[0, 0, 0]] * 3, voters=["a", "b", "a"]), capped(Fraction(1))
        )
    assert refused.value.reason is Reason.VOTER_TWICE
    assert refused.value.index == 2


def test_a_negative_weight_in_a_table_names_a_row_using_it() -> None:
    bad = table([[0, 0, 0]] * 2, weights=(Fraction(1), Fraction(-1)), weight=np.array([0, 1]))
    with pytest.raises(InvalidBallot) as refused:
        tally("approval", OPTIONS, bad, capped(Fraction(1)))
    assert refused.value.reason is Reason.NEGATIVE_WEIGHT
    assert refused.value.index == 1
    unused = table([[0, 0, 0]], weights=(Fraction(1), Fraction(-1)), weight=np.array([0]))
    with pytest.raises(InvalidTallyInput, match="negative"):
        tally("approval", OPTIONS, unused, capped(Fraction(1)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"marks": np.zeros((2, 2), dtype=np.int64)}, "marks must be whole numbers of shape"),
        ({"marks": np.zeros((2, 3))}, "marks must be whole numbers of shape"),
        ({"organisation": np.array([0, 5])}, "organisation code 5 is out of range"),
        ({"organisation": np.array([0.0, 1.0])}, "organisation must be 2 whole numbers"),
        ({"weight": np.array([0, 1])}, "weight code 1 is out of range"),
        ({"voters": ["only-one"]}, "one id per row"),
    ],
)
def test_a_malformed_table_is_refused(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "organisations": ORGS,
        "organisation": np.array([0, 1]),
        "marks": np.zeros((2, 3), dtype=np.int64),
    }
    with pytest.raises(InvalidTallyInput, match=message):
        tally("approval", OPTIONS, BallotTable(**{**base, **fields}), capped(Fraction(1)))  # type: ignore[arg-type]


def test_a_table_holds_only_approval_or_score_ballots() -> None:
    with pytest.raises(InvalidTallyInput, match="approval or score"):
        tally("ranked", OPTIONS, table([[1, 2, 3]]), capped(Fraction(1)))


def test_counting_over_the_electorate_needs_every_table_organisation_in_it() -> None:
    rules = capped(Fraction(1))
    eligible_rules = type(rules)(vote_cap=Fraction(1), count_over="eligible")
    with pytest.raises(InvalidTallyInput, match="'B' is not in the electorate"):
        tally(
            "approval",
            OPTIONS,
            table([[1, 0, 0], [0, 1, 0]]),
            eligible_rules,
            eligible=[voter("a", "A")],
        )


def test_table_voters_must_be_in_the_electorate_when_one_is_given() -> None:
    electorate = [voter("v0", "A"), voter("v1", "B")]
    with pytest.raises(InvalidBallot) as refused:
        tally(
            "approval",
            OPTIONS,
            table([[1, 0, 0]] * 3, voters=["v0", "v1", "v2"]),
            capped(Fraction(1)),
            eligible=electorate,
        )
    assert (refused.value.reason, refused.value.index, refused.value.voter) == (
        Reason.NOT_ELIGIBLE,
        2,
        "v2",
    )
    counted = tally(
        "approval",
        OPTIONS,
        table([[1, 0, 0]] * 2, voters=["v0", "v1"]),
        capped(Fraction(1)),
        eligible=electorate,
    )
    assert counted.totals["x"] == 2
