"""Polis's k-means: warm-started from the last clustering, weighted, with cluster ids that persist.

Polis does not run a fresh k-means on every update. It starts from the clusters of the last
update (their members moved to where they now are), splits off the most distant point while it
has fewer clusters than it wants, then iterates Lloyd steps. Cluster ids survive from one update to
the next, which is what keeps groups recognisable while votes arrive. This module reproduces
`polismath.math.clusters` (`kmeans`, `clean-start-clusters`, `cluster-step`, `silhouette`) with
numpy, on 2-D points.

A `Clustering` names its members by *key* (a participant index for base clusters, a base-cluster
id for groups), so that it can warm-start the next clustering of a different set of points.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SAME_CLUSTERING_THRESHOLD = 0.01  # Polis's `same-clustering?`: every centre moved less than this
POLISH_GAIN = 1e-5  # a fresh clustering must beat the warm one's inertia by 0.001%


@dataclass(frozen=True, slots=True)
class Clustering:
    """Clusters with stable ids, their centres, and the cluster id of every member key."""

    ids: IntArray  # (c,) cluster ids, ascending
    centers: FloatArray  # (c, 2) centre of each cluster, same order as ids
    keys: IntArray  # (n,) member keys
    labels: IntArray  # (n,) cluster id of each key (never -1 after kmeans)

    @property
    def size(self) -> int:
        return int(self.ids.shape[0])

    def member_counts(self) -> IntArray:
        """How many keys each cluster holds, in the order of `ids`."""
        index = np.searchsorted(self.ids, self.labels)
        return np.bincount(index, minlength=self.size).astype(np.int64)

    def label_of(self, keys: IntArray) -> IntArray:
        """Cluster id of each given key, -1 where the key is not a member (keys are >= 0)."""
        if self.keys.size == 0 or keys.size == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        size = int(max(int(self.keys.max()), int(keys.max()))) + 1
        lookup = np.full(size, -1, dtype=np.int64)
        lookup[self.keys] = self.labels
        result: IntArray = lookup[keys]
        return result


def _as_complex(points: FloatArray) -> npt.NDArray[np.complex128]:
    """2-D points as complex numbers: sorting and uniqueness become cheap 1-D operations."""
    result: npt.NDArray[np.complex128] = points[:, 0] + 1j * points[:, 1]
    return result


def distinct_count(points: FloatArray) -> int:
    return int(np.unique(_as_complex(points)).size)


def _weighted_centres(
    points: FloatArray, labels_index: IntArray, count: int, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Weighted mean of the points of each cluster index (0..count-1); -1 labels are ignored.

    Returns the centres and the total weight of each cluster (0 for an empty one); weights are
    positive, so a cluster is empty exactly when its total weight is 0.
    """
    valid = labels_index >= 0
    if not valid.all():
        labels_index, points, weights = labels_index[valid], points[valid], weights[valid]
    total: FloatArray = np.bincount(labels_index, weights=weights, minlength=count).astype(
        np.float64
    )
    weighted = points * weights[:, None]
    safe = np.where(total > 0, total, 1.0)
    centres = np.empty((count, 2))
    centres[:, 0] = np.bincount(labels_index, weights=weighted[:, 0], minlength=count) / safe
    centres[:, 1] = np.bincount(labels_index, weights=weighted[:, 1], minlength=count) / safe
    return centres, total


def _nearest(points: FloatArray, centres: FloatArray) -> tuple[IntArray, FloatArray]:
    """Index of the nearest centre (ties: the first, in id order) and the distance to it."""
    dx = points[:, 0:1] - centres[None, :, 0]
    dy = points[:, 1:2] - centres[None, :, 1]
    d2 = dx * dx + dy * dy
    nearest = d2.argmin(axis=1)
    return nearest, np.sqrt(d2[np.arange(points.shape[0]), nearest])


def init_clusters(points: FloatArray, keys: IntArray, k: int) -> Clustering:
    """Polis's cold start: the first k distinct points, in order, become centres 0..k-1."""
    _, first = np.unique(_as_complex(points), return_index=True)
    chosen = np.sort(first)[:k]
    ids = np.arange(len(chosen), dtype=np.int64)
    return Clustering(ids, points[chosen].copy(), keys, np.full(keys.shape, -1, dtype=np.int64))


def clean_start(
    points: FloatArray, keys: IntArray, weights: FloatArray, last: Clustering, k: int
) -> Clustering:
    """Polis's `clean-start-clusters`: carry the last clusters over to the current points.

    Members keep their last cluster; clusters with no member left are dropped; clusters with the
    same centre are merged; then, while fewer than k clusters exist (and distinct points allow it),
    the point farthest from every centre is split off into a new cluster with a fresh id.
    """
    labels = last.label_of(keys)
    ids = np.unique(labels[labels >= 0])
    if ids.size == 0:
        new_id = int(last.ids.max()) + 1 if last.size else 0
        ids = np.array([new_id], dtype=np.int64)
        labels = np.full(keys.shape, new_id, dtype=np.int64)
    # uniqify: merge clusters whose centres coincide (the merged cluster keeps the larger's id)
    index = np.where(labels >= 0, np.searchsorted(ids, labels), -1).astype(np.int64)
    centres, _ = _weighted_centres(points, index, len(ids), weights)
    sizes = np.bincount(index[index >= 0], minlength=len(ids))
    as_complex = _as_complex(centres)
    if np.unique(as_complex).size < len(ids):
        _, first, inverse = np.unique(as_complex, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        keep_id = {}
        for group in range(len(first)):
            in_group = np.flatnonzero(inverse == group)
            keep_id[group] = int(ids[in_group[np.argmax(sizes[in_group])]])
        remap = {int(ids[i]): keep_id[int(inverse[i])] for i in range(len(ids))}
        labels = np.array([remap[int(x)] if x >= 0 else -1 for x in labels], dtype=np.int64)
        ids = np.unique(labels[labels >= 0])
        index = np.where(labels >= 0, np.searchsorted(ids, labels), -1).astype(np.int64)
        centres, _ = _weighted_centres(points, index, len(ids), weights)
    if len(ids) >= k:
        return Clustering(ids, centres, keys, labels)
    possible = min(k, distinct_count(points))
    next_id = int(max(int(ids.max()), int(last.ids.max()) if last.size else 0)) + 1
    while True:
        if possible <= len(ids):
            break
        _, dist = _nearest(points, centres)
        far = int(len(dist) - 1 - np.argmax(dist[::-1]))  # Clojure's max-key keeps the last maximum
        if dist[far] <= 0:
            break
        labels = labels.copy()
        labels[far] = next_id
        ids = np.append(ids, next_id)
        next_id += 1
        index = np.where(labels >= 0, np.searchsorted(ids, labels), -1).astype(np.int64)
        centres, total = _weighted_centres(points, index, len(ids), weights)
        alive = total > 0
        if not alive.all():
            ids, centres = ids[alive], centres[alive]
    return Clustering(ids, centres, keys, labels)


def _step(points: FloatArray, weights: FloatArray, clustering: Clustering) -> Clustering:
    """One Lloyd step: assign every point to its nearest centre, drop empty clusters, recentre."""
    nearest, _ = _nearest(points, clustering.centers)
    centres, total = _weighted_centres(points, nearest, clustering.size, weights)
    alive = total > 0
    return Clustering(
        clustering.ids[alive], centres[alive], clustering.keys, clustering.ids[nearest]
    )


def _same(a: Clustering, b: Clustering) -> bool:
    if a.size != b.size:
        return False
    moved = np.abs(np.sort(_as_complex(a.centers)) - np.sort(_as_complex(b.centers)))
    return bool(moved.max(initial=0.0) < SAME_CLUSTERING_THRESHOLD)


def kmeans(
    points: FloatArray,
    keys: IntArray,
    k: int,
    *,
    weights: FloatArray | None = None,
    last: Clustering | None = None,
    max_iters: int = 20,
) -> Clustering:
    """Polis's `kmeans`: warm start from `last` (or the first k distinct points), then Lloyd steps.

    Stops when no centre moves by 0.01 or more, or after `max_iters` further steps.
    """
    if points.shape[0] == 0:
        raise ValueError("kmeans needs at least one point")
    w = np.ones(points.shape[0]) if weights is None else weights.astype(np.float64)
    clusters = (
        clean_start(points, keys, w, last, k)
        if last is not None and last.size > 0
        else init_clusters(points, keys, k)
    )
    return _lloyd(points, w, clusters, max_iters)


def _lloyd(
    points: FloatArray, weights: FloatArray, clusters: Clustering, max_iters: int
) -> Clustering:
    iters = max_iters
    while True:
        stepped = _step(points, weights, clusters)
        if iters == 0 or _same(clusters, stepped):
            return stepped
        clusters = stepped
        iters -= 1


def inertia(points: FloatArray, weights: FloatArray, clustering: Clustering) -> float:
    """Weighted sum of squared distances from each point to its cluster's centre."""
    index = np.searchsorted(clustering.ids, clustering.labels)
    diff = points - clustering.centers[index]
    return float((weights * (diff * diff).sum(axis=1)).sum())


def _matched_ids(fresh: Clustering, warm: Clustering) -> Clustering:
    """Give the fresh clusters the warm clusters' ids where their members overlap most."""
    fresh_index = np.searchsorted(fresh.ids, fresh.labels)
    warm_index = np.searchsorted(warm.ids, warm.labels)
    overlap = np.zeros((fresh.size, warm.size))
    np.add.at(overlap, (fresh_index, warm_index), 1.0)
    next_id = int(warm.ids.max()) + 1
    new_ids = np.full(fresh.size, -1, dtype=np.int64)
    best_score = -1.0
    for perm in permutations(range(warm.size), min(fresh.size, warm.size)):
        score = float(overlap[np.arange(len(perm)), list(perm)].sum())
        if score > best_score:
            best_score = score
            new_ids[: len(perm)] = warm.ids[list(perm)]
    for i in range(fresh.size):
        if new_ids[i] < 0:
            new_ids[i] = next_id
            next_id += 1
    order = np.argsort(new_ids)
    return Clustering(new_ids[order], fresh.centers[order], fresh.keys, new_ids[fresh_index])


def plus_plus(
    points: FloatArray, keys: IntArray, weights: FloatArray, k: int, rng: np.random.Generator
) -> Clustering:
    """Weighted k-means++ seeding from the given generator."""
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    d2 = ((points - points[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, min(k, distinct_count(points))):
        mass = weights * d2
        if mass.sum() <= 0:
            break
        nxt = int(rng.choice(len(points), p=mass / mass.sum()))
        chosen.append(nxt)
        d2 = np.minimum(d2, ((points - points[nxt]) ** 2).sum(axis=1))
    ids = np.arange(len(chosen), dtype=np.int64)
    return Clustering(ids, points[chosen].copy(), keys, np.full(keys.shape, -1, dtype=np.int64))


def polish(
    points: FloatArray,
    weights: FloatArray,
    warm: Clustering,
    k: int,
    *,
    rng: np.random.Generator,
    n_init: int,
    max_iters: int = 100,
) -> Clustering:
    """The best of `warm` and `n_init` seeded k-means++ runs (lowest weighted inertia).

    A fresh clustering replaces the warm one only when its inertia is lower by more than
    POLISH_GAIN, and then takes the warm clusters' ids where their members overlap most, so
    that labels survive.
    """
    best, best_inertia = warm, inertia(points, weights, warm)
    for _ in range(n_init):
        fresh = _lloyd(points, weights, plus_plus(points, warm.keys, weights, k, rng), max_iters)
        if fresh.size != warm.size:
            continue
        value = inertia(points, weights, fresh)
        if value < best_inertia * (1 - POLISH_GAIN):
            best, best_inertia = fresh, value
    return best if best is warm else _matched_ids(best, warm)


def silhouette(distances: FloatArray, labels: IntArray) -> float:
    """Mean silhouette over the points (unweighted), as Polis computes it on base-cluster centres.

    A point alone in its cluster scores 0; a clustering with a single cluster scores -1 (Polis
    would fail there; -1 makes such a clustering lose).
    """
    uniq, index = np.unique(labels, return_inverse=True)
    if len(uniq) < 2:
        return -1.0
    n = len(labels)
    onehot = np.zeros((n, len(uniq)))
    onehot[np.arange(n), index] = 1.0
    sums = distances @ onehot  # (n, c) total distance to each cluster's members
    counts = onehot.sum(axis=0)
    own = counts[index] - 1.0
    a = np.divide(sums[np.arange(n), index], own, out=np.zeros(n), where=own > 0)
    other = sums / counts[None, :]
    other[np.arange(n), index] = np.inf
    b = other.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(n), where=denom > 0)
    s[own == 0] = 0.0
    return float(s.mean())
