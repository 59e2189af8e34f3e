"""Stable group labels: a group keeps its label when its membership barely changes.

Polis keeps cluster ids stable through warm-started k-means, but its ids are arbitrary integers
and a change of k starts from another clustering. What a room shows is a small label (0, 1, …,
k-1, drawn as A, B, …). After each recomputation the new groups are matched to the labels shown
last time so as to keep as many participants under the same label as possible (an exhaustive
search: k is at most 5, so at most 120 matchings).
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from deliberation.opinion.clustering import IntArray


def stable_labels(previous: IntArray, current: IntArray) -> IntArray:
    """Relabel `current` (group ids per participant, -1 for none) to agree best with `previous`.

    `previous` holds the labels shown last time (-1 for none), for the first participants of
    `current` (participants only ever get added). Returns labels in 0..k-1, -1 kept as -1.
    Among matchings with the same overlap, the one that keeps ids in their sorted order wins,
    so that a first computation numbers groups by their smallest id.
    """
    groups = np.unique(current[current >= 0])
    k = len(groups)
    out = np.full(current.shape, -1, dtype=np.int64)
    if k == 0:
        return out
    n_prev = min(len(previous), len(current))
    overlap = np.zeros((k, k), dtype=np.int64)
    prev = previous[:n_prev]
    cur_index = np.searchsorted(groups, current[:n_prev])
    both = (prev >= 0) & (prev < k) & (current[:n_prev] >= 0)
    np.add.at(overlap, (cur_index[both], prev[both]), 1)
    table = overlap.tolist()
    best: tuple[int, ...] = tuple(range(k))
    best_score = -1
    for perm in permutations(range(k)):
        score = sum(row[label] for row, label in zip(table, perm, strict=True))
        if score > best_score:
            best, best_score = perm, score
    index = np.searchsorted(groups, current)
    assigned = current >= 0
    out[assigned] = np.asarray(best, dtype=np.int64)[index[assigned]]
    return out
