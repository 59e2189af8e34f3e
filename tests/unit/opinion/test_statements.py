"""Polis's statement statistics: tests, representative, consensus and divisive statements."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation.opinion.statements import (
    VoteCounts,
    consensus,
    count_votes,
    divisive,
    prop_test,
    repness,
    representative,
    two_prop_test,
)

NAN = np.nan


def test_prop_test_is_polis_formula() -> None:
    # 2 * sqrt(ns + 1) * ((na + 1) / (ns + 1) - 0.5)
    assert float(prop_test(np.array([8.0]), np.array([10.0]))[0]) == pytest.approx(
        2 * np.sqrt(11) * (9 / 11 - 0.5)
    )


def test_two_prop_test_is_positive_when_the_group_agrees_more() -> None:
    z = two_prop_test(np.array([9.0]), np.array([1.0]), np.array([10.0]), np.array([10.0]))
    assert float(z[0]) > 2.5
    same = two_prop_test(np.array([5.0]), np.array([5.0]), np.array([10.0]), np.array([10.0]))
    assert float(same[0]) == 0.0


def counts(agree: list[list[int]], disagree: list[list[int]], seen: list[list[int]]) -> VoteCounts:
    return VoteCounts(np.array(agree, float), np.array(disagree, float), np.array(seen, float))


def test_count_votes_counts_per_group_and_ignores_the_unclustered() -> None:
    raw = np.array([[1.0, -1.0], [1.0, 0.0], [-1.0, NAN], [1.0, 1.0]])
    c = count_votes(raw, np.array([0, 0, 1, -1]), 2)
    assert c.agree.tolist() == [[2, 0], [0, 0]]
    assert c.disagree.tolist() == [[0, 1], [1, 0]]
    assert c.seen.tolist() == [[2, 2], [1, 0]]
    assert c.pa[0, 0] == pytest.approx(3 / 4)


# statement 0 splits the groups; statement 1 everybody agrees with; statement 2 nobody cares
SPLIT = counts(
    agree=[[18, 19, 2], [1, 18, 3]],
    disagree=[[1, 0, 1], [18, 1, 2]],
    seen=[[20, 20, 10], [20, 20, 10]],
)


def test_representative_statements_are_what_sets_each_group_apart() -> None:
    rep = repness(SPLIT)
    first = representative(SPLIT, rep, 0, [0, 1, 2])
    second = representative(SPLIT, rep, 1, [0, 1, 2])
    assert (first[0].column, first[0].direction) == (0, "agree")
    assert (0, "disagree") in [(p.column, p.direction) for p in second]
    assert all(p.column != 2 for p in first + second)


def test_moderated_out_columns_are_never_chosen() -> None:
    rep = repness(SPLIT)
    assert all(p.column != 0 for p in representative(SPLIT, rep, 0, [1, 2]))
    assert all(p.column != 1 for p in consensus(SPLIT, [0, 2]))


def test_consensus_needs_a_majority_of_every_group() -> None:
    chosen = consensus(SPLIT, [0, 1, 2])
    assert [(p.column, p.direction) for p in chosen] == [(1, "agree")]
    assert chosen[0].score == pytest.approx((20 / 22) * (19 / 22))


def test_divisive_is_where_one_group_agrees_and_another_disagrees() -> None:
    chosen = divisive(SPLIT, [0, 1, 2])
    assert [p.column for p in chosen] == [0]
    assert chosen[0].score == pytest.approx(19 / 22 - 2 / 22)


def test_one_group_has_nothing_divisive() -> None:
    one = counts(agree=[[5]], disagree=[[5]], seen=[[10]])
    assert divisive(one, [0]) == []
