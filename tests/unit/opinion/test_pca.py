"""Mean filling, power-iteration PCA and the sparsity-aware projection."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation.opinion.pca import (
    Components,
    deviations,
    impute_statement_means,
    principal_components,
    sparsity_aware_projection,
)

NONE = np.zeros(0, dtype=np.int64)

NAN = np.nan


def test_missing_votes_take_the_statement_mean() -> None:
    votes = np.array([[1.0, NAN], [-1.0, 1.0], [1.0, NAN]])
    filled = impute_statement_means(votes)
    assert filled[:, 0].tolist() == [1.0, -1.0, 1.0]
    assert filled[:, 1].tolist() == [1.0, 1.0, 1.0]


def test_components_match_the_leading_eigenvectors() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(60, 8)) * np.array([5, 3, 1, 1, 1, 1, 1, 1.0])
    comps = principal_components(
        deviations(data, NONE), start=None, rng=np.random.default_rng(0)
    ).comps
    centred = data - data.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    for c, expected in zip(comps, (vectors[:, -1], vectors[:, -2]), strict=True):
        assert abs(float(c @ expected)) == pytest.approx(1.0, abs=1e-6)
    assert float(comps[0] @ comps[1]) == pytest.approx(0.0, abs=1e-6)


def test_warm_start_keeps_the_sign_and_extends_new_statements() -> None:
    rng = np.random.default_rng(4)
    data = rng.normal(size=(40, 5)) * np.array([4, 2, 1, 1, 1.0])
    first = principal_components(
        deviations(data[:, :4], NONE), start=None, rng=np.random.default_rng(0)
    )
    second = principal_components(
        deviations(data, NONE), start=first.comps, rng=np.random.default_rng(99)
    )
    assert float(first.comps[0] @ second.comps[0, :4]) > 0.9


def test_projection_uses_only_cast_votes_and_pushes_sparse_voters_out() -> None:
    components = Components(center=np.zeros(4), comps=np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]]))
    full = np.array([[1.0, 1.0, 1.0, 1.0]])
    sparse = np.array([[1.0, NAN, NAN, NAN]])
    both = np.vstack([full, sparse])
    data = deviations(both, NONE)
    data = type(data)(np.zeros(4), np.nan_to_num(both), data.cast)  # centre at 0 for the test
    # the full voter projects as is; one vote of four is scaled by sqrt(4 / 1) = 2
    assert sparsity_aware_projection(data, components).tolist() == [[1.0, 1.0], [2.0, 0.0]]


def test_deviations_centre_cast_votes_and_treat_moderated_columns_as_cast() -> None:
    votes = np.array([[1.0, NAN, -1.0], [-1.0, 1.0, NAN], [1.0, NAN, NAN]])
    data = deviations(votes, np.array([2], dtype=np.int64))
    assert data.center.tolist() == pytest.approx([1 / 3, 1.0, 0.0])
    assert data.values[0].tolist() == pytest.approx([2 / 3, 0.0, 0.0])
    assert data.values[2].tolist() == pytest.approx([2 / 3, 0.0, 0.0])
    # statement 2 is zeroed for everyone and counts as a vote for everyone
    assert data.cast.tolist() == [2, 3, 2]
    # the same as filling with statement means and centring, on the other columns
    filled = impute_statement_means(votes[:, :2])
    assert data.values[:, :2] == pytest.approx(filled - filled.mean(axis=0))
