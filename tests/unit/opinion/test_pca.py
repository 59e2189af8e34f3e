"""Mean filling, power-iteration PCA and the sparsity-aware projection."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation.opinion.pca import (
    Components,
    impute_statement_means,
    principal_components,
    sparsity_aware_projection,
)

NAN = np.nan


def test_missing_votes_take_the_statement_mean() -> None:
    votes = np.array([[1.0, NAN], [-1.0, 1.0], [1.0, NAN]])
    filled = impute_statement_means(votes)
    assert filled[:, 0].tolist() == [1.0, -1.0, 1.0]
    assert filled[:, 1].tolist() == [1.0, 1.0, 1.0]


def test_components_match_the_leading_eigenvectors() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(60, 8)) * np.array([5, 3, 1, 1, 1, 1, 1, 1.0])
    comps = principal_components(data, start=None, rng=np.random.default_rng(0)).comps
    centred = data - data.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    for c, expected in zip(comps, (vectors[:, -1], vectors[:, -2]), strict=True):
        assert abs(float(c @ expected)) == pytest.approx(1.0, abs=1e-6)
    assert float(comps[0] @ comps[1]) == pytest.approx(0.0, abs=1e-6)


def test_warm_start_keeps_the_sign_and_extends_new_statements() -> None:
    rng = np.random.default_rng(4)
    data = rng.normal(size=(40, 5)) * np.array([4, 2, 1, 1, 1.0])
    first = principal_components(data[:, :4], start=None, rng=np.random.default_rng(0))
    second = principal_components(data, start=first.comps, rng=np.random.default_rng(99))
    assert float(first.comps[0] @ second.comps[0, :4]) > 0.9


def test_projection_uses_only_cast_votes_and_pushes_sparse_voters_out() -> None:
    components = Components(center=np.zeros(4), comps=np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]]))
    full = np.array([[1.0, 1.0, 1.0, 1.0]])
    sparse = np.array([[1.0, NAN, NAN, NAN]])
    assert sparsity_aware_projection(full, components).tolist() == [[1.0, 1.0]]
    # one vote of four: scaled by sqrt(4 / 1) = 2
    assert sparsity_aware_projection(sparse, components).tolist() == [[2.0, 0.0]]
