"""Polis's warm-started k-means, clean start and silhouette."""

from __future__ import annotations

import numpy as np
import pytest

from deliberation.opinion.clustering import (
    Clustering,
    clean_start,
    init_clusters,
    kmeans,
    silhouette,
)


def keys(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


TWO_BLOBS = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]])


def test_init_takes_the_first_k_distinct_points_in_order() -> None:
    points = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 0.0], [3.0, 0.0]])
    start = init_clusters(points, keys(4), 2)
    assert start.ids.tolist() == [0, 1]
    assert start.centers.tolist() == [[1.0, 1.0], [2.0, 0.0]]


def test_kmeans_separates_two_blobs_and_labels_every_point() -> None:
    result = kmeans(TWO_BLOBS, keys(6), 2)
    labels = result.labels.tolist()
    assert labels[0] == labels[1] == labels[2] != labels[3] == labels[4] == labels[5]
    assert sorted(result.member_counts().tolist()) == [3, 3]


def test_weights_pull_the_centre_towards_the_heavy_point() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    result = kmeans(points, keys(3), 2, weights=np.array([1.0, 3.0, 1.0]))
    centre = result.centers[result.ids.tolist().index(int(result.labels[0]))]
    assert centre[0] == pytest.approx(0.75)


def test_warm_start_keeps_cluster_ids_when_points_barely_move() -> None:
    first = kmeans(TWO_BLOBS, keys(6), 2)
    moved = TWO_BLOBS + 0.05
    second = kmeans(moved, keys(6), 2, last=first)
    assert second.labels.tolist() == first.labels.tolist()


def test_clean_start_splits_off_the_farthest_new_point_with_a_fresh_id() -> None:
    last = kmeans(TWO_BLOBS[:3], keys(3), 1)
    points = np.vstack([TWO_BLOBS[:3], [[9.0, 9.0]]])
    start = clean_start(points, keys(4), np.ones(4), last, 2)
    assert start.size == 2
    assert start.labels[3] == max(start.ids)  # the new point founds the new cluster
    assert int(start.labels[3]) not in last.ids.tolist()


def test_clean_start_cannot_make_more_clusters_than_distinct_points() -> None:
    last = kmeans(np.zeros((2, 2)), keys(2), 1)
    start = clean_start(np.zeros((3, 2)), keys(3), np.ones(3), last, 5)
    assert start.size == 1


def test_empty_clusters_are_dropped() -> None:
    points = np.array([[0.0, 0.0], [0.0, 0.1]])
    last = Clustering(
        ids=np.array([0, 1], dtype=np.int64),
        centers=np.array([[0.0, 0.0], [100.0, 100.0]]),
        keys=keys(2),
        labels=np.array([0, 0], dtype=np.int64),
    )
    assert kmeans(points, keys(2), 2, last=last).size <= 2
    result = kmeans(points, keys(2), 1, last=last)
    assert result.size == 1


def test_label_of_unknown_keys_is_minus_one() -> None:
    result = kmeans(TWO_BLOBS, keys(6), 2)
    assert result.label_of(np.array([0, 99], dtype=np.int64))[1] == -1


def test_silhouette_is_high_for_separated_clusters_and_zero_for_singletons() -> None:
    diff = TWO_BLOBS[:, None, :] - TWO_BLOBS[None, :, :]
    distances = np.sqrt((diff**2).sum(axis=2))
    good = silhouette(distances, np.array([0, 0, 0, 1, 1, 1]))
    bad = silhouette(distances, np.array([0, 1, 0, 1, 0, 1]))
    assert good > 0.9
    assert bad < 0
    assert silhouette(distances[:2, :2], np.array([0, 1])) == 0.0
    assert silhouette(distances, np.zeros(6, dtype=np.int64)) == -1.0


def test_polish_escapes_a_poor_warm_optimum_and_keeps_the_warm_ids() -> None:
    from deliberation.opinion.clustering import inertia, polish

    points = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    weights = np.ones(4)
    # a poor local optimum: split top/bottom instead of left/right, with ids 7 and 9
    warm = Clustering(
        ids=np.array([7, 9], dtype=np.int64),
        centers=np.array([[5.0, 0.0], [5.0, 1.0]]),
        keys=keys(4),
        labels=np.array([7, 9, 7, 9], dtype=np.int64),
    )
    best = polish(points, weights, warm, 2, rng=np.random.default_rng(0), n_init=5)
    assert inertia(points, weights, best) < inertia(points, weights, warm)
    assert best.labels[0] == best.labels[1] != best.labels[2] == best.labels[3]
    assert set(best.ids.tolist()) == {7, 9}


def test_polish_keeps_a_warm_clustering_that_is_already_best() -> None:
    from deliberation.opinion.clustering import polish

    warm = kmeans(TWO_BLOBS, keys(6), 2)
    assert polish(TWO_BLOBS, np.ones(6), warm, 2, rng=np.random.default_rng(1), n_init=5) is warm
