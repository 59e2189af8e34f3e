"""Polis's PCA: two components by power iteration, warm-started, and a sparsity-aware projection.

Reproduces `polismath.math.pca` (`powerit-pca`, `sparsity-aware-project-ptpt`) and the `:mat`
step of `conversation.clj` that fills each missing vote with its statement's mean vote.

One difference in means, not in result: Polis iterates over the rows of the centred matrix
(`xtxr`), costing O(n·m) per iteration; here the m×m scatter matrix is formed once and the
iterations and the deflation run on it, which is the same algebra at a fraction of the cost for
10,000 participants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

PCA_ITERS = 100  # Polis's :pca-iters


@dataclass(frozen=True, slots=True)
class Components:
    """The centre (mean vote per statement) and two unit principal directions."""

    center: FloatArray  # (m,)
    comps: FloatArray  # (2, m)


def impute_statement_means(votes: FloatArray) -> FloatArray:
    """Fill each missing vote (NaN) with the mean of the votes cast on that statement."""
    observed = ~np.isnan(votes)
    counts = observed.sum(axis=0)
    sums = np.where(observed, votes, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(votes.shape[1]), where=counts > 0)
    return np.where(observed, votes, means[None, :])


@dataclass(frozen=True, slots=True)
class Deviations:
    """The rating matrix as PCA and the projection need it, computed in one pass.

    Polis fills missing votes with the statement's mean and centres on the column means; the
    mean of a filled column is the mean of its cast votes, so the centred, filled matrix is the
    cast votes minus their statement's mean, and 0 where nobody voted. The sparsity-aware
    projection centres and dots exactly those entries, so both share this one array.
    """

    center: FloatArray  # (m,) mean cast vote per statement
    values: FloatArray  # (n, m) cast vote minus center, 0 where not cast
    cast: npt.NDArray[np.int64]  # (n,) entries Polis counts as votes for the projection's scale


def deviations(votes: FloatArray, zeroed: npt.NDArray[np.int64]) -> Deviations:
    """`votes`: participants × statements with NaN for no vote. `zeroed`: columns Polis zeroes
    for everyone (moderated out): their centre is 0 and they count as cast for everybody."""
    present = ~np.isnan(votes)
    counts = present.sum(axis=0)
    filled = np.where(present, votes, 0.0)
    center = filled.sum(axis=0) / np.maximum(counts, 1)
    filled -= center[None, :]
    filled[~present] = 0.0
    cast = present.sum(axis=1).astype(np.int64)
    if zeroed.size:
        center[zeroed] = 0.0
        filled[:, zeroed] = 0.0
        cast += zeroed.size - present[:, zeroed].sum(axis=1)
    return Deviations(center, filled, cast)


def _power_iteration(scatter: FloatArray, start: FloatArray, iters: int) -> FloatArray:
    """Leading eigenvector of a symmetric matrix, from `start`; Polis stops when the eigenvalue
    estimate stops changing (here: to 1e-10 relative) or after `iters` iterations."""
    vector = start
    last = 0.0
    for _ in range(iters + 1):
        product = scatter @ vector
        eigval = float(np.linalg.norm(product))
        if eigval == 0.0:
            return np.zeros_like(vector)
        vector = product / eigval
        if abs(eigval - last) <= 1e-10 * eigval:
            break
        last = eigval
    return vector


def principal_components(
    data: Deviations,
    *,
    start: FloatArray | None,
    rng: np.random.Generator,
    iters: int = PCA_ITERS,
) -> Components:
    """Two principal components of the filled, centred vote matrix (participants × statements).

    `start` holds the last components (2 × m_last, m_last <= m): Polis extends them with ones for
    statements seen since, and starts from a random vector when there is none (here drawn from the
    given seeded generator).
    """
    centred = data.values
    n, m = centred.shape
    scatter = centred.T @ centred
    comps = np.zeros((2, m))
    for c in range(min(2, n, m)):
        if start is not None and c < start.shape[0] and np.any(start[c] != 0):
            s = np.ones(m)
            s[: start.shape[1]] = start[c, :m]
        else:
            s = np.asarray(rng.random(m), dtype=np.float64)
        pc = _power_iteration(scatter, s, iters)
        comps[c] = pc
        if float(pc @ pc) > 0:
            # deflate: remove the variance along pc (Gram-Schmidt on the data, done on X^T X)
            p = pc / np.linalg.norm(pc)
            sp = scatter @ p
            scatter = scatter - np.outer(p, sp) - np.outer(sp, p) + np.outer(p, p) * float(p @ sp)
    return Components(data.center, comps)


def sparsity_aware_projection(data: Deviations, components: Components) -> FloatArray:
    """Project each participant on the components using only the votes they cast.

    Polis centres and dots only the entries that are present, then scales by
    sqrt(statements / max(votes cast, 1)), which pushes participants with few votes outward
    instead of collapsing them onto the centre.
    """
    projected = data.values @ components.comps.T
    scale = np.sqrt(data.values.shape[1] / np.maximum(data.cast, 1))
    result: FloatArray = projected * scale[:, None]
    return result
