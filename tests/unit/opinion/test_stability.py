"""Group labels stay put when membership barely changes."""

from __future__ import annotations

import numpy as np

from deliberation.opinion.stability import stable_labels


def test_first_labels_follow_the_order_of_group_ids() -> None:
    out = stable_labels(np.zeros(0, dtype=np.int64), np.array([7, 3, 7, -1]))
    assert out.tolist() == [1, 0, 1, -1]


def test_swapped_ids_keep_the_shown_labels() -> None:
    previous = np.array([0, 0, 1, 1, 1])
    current = np.array([5, 5, 2, 2, 2, 2])  # ids changed, one newcomer
    assert stable_labels(previous, current).tolist() == [0, 0, 1, 1, 1, 1]


def test_majority_overlap_wins_when_a_few_move() -> None:
    previous = np.array([0, 0, 0, 1, 1, 1])
    current = np.array([9, 9, 4, 4, 4, 4])  # one participant moved to the other group
    assert stable_labels(previous, current).tolist() == [0, 0, 1, 1, 1, 1]


def test_a_new_group_gets_the_free_label() -> None:
    previous = np.array([0, 0, 1, 1])
    current = np.array([1, 1, 2, 3])
    out = stable_labels(previous, current)
    assert out.tolist()[:3] == [0, 0, 1]
    assert out[3] == 2
