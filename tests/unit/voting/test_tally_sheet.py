"""The tally sheet's two ways of summing (dense and sparse) give the same result."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

import voting.sheet
from tests.unit.voting.builders import capped
from voting import Ballot, Voter, tally

OPTIONS = list("abcdef")


def mixed_ballots(seed: int) -> list[Ballot]:
    rng = random.Random(seed)
    ballots = []
    for i in range(300):
        org = f"org{rng.randrange(7)}"
        weight = Fraction(rng.randrange(1, 4), rng.randrange(1, 3))  # fresh objects, equal values
        ranking = tuple(rng.sample(OPTIONS, rng.randrange(len(OPTIONS) + 1)))
        ballots.append(Ballot(Voter(f"v{i}", org, weight), ranking=ranking))
    return ballots


@pytest.mark.parametrize("seed", [1, 2])
def test_dense_and_sparse_sums_agree(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    ballots = mixed_ballots(seed)
    dense = tally("ranked", OPTIONS, ballots, capped(Fraction(1, 4)))
    monkeypatch.setattr(voting.sheet, "_DENSE", 0)
    monkeypatch.setattr(voting.sheet, "_CHUNK", 7)
    sparse = tally("ranked", OPTIONS, ballots, capped(Fraction(1, 4)))
    assert sparse == dense
    assert dense.participants == 300


def test_equal_weights_held_by_different_objects_form_one_group() -> None:
    ballots = [Ballot(Voter(f"v{i}", "A", Fraction(2)), approve=("a",)) for i in range(5)]
    result = tally("approval", ["a"], ballots, capped(Fraction(1)))
    assert result.organisations["A"].raw_weight == 10
    assert result.totals == {"a": 10}


def test_a_shared_weight_object_and_zero_weights_are_counted_right() -> None:
    two = Fraction(2)
    ballots = [Ballot(Voter(f"v{i}", "A", two), approve=("a",)) for i in range(3)]
    ballots.append(Ballot(Voter("observer", "B", Fraction(0)), approve=("b",)))
    result = tally("approval", ["a", "b"], ballots, capped(Fraction(1)))
    assert result.totals == {"a": 6, "b": 0}
    assert result.counts == {"a": 3, "b": 1}
    assert result.organisations["B"].voters == 1
