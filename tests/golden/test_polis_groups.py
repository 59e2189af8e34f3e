"""Our opinion groups against Polis's own, on ten real conversations (CC BY 4.0).

Each export with a `votes.csv` is replayed in time order through the engine with its shipped
settings, one recomputation per window, as a live room would; the two without one are computed in
one update from the final matrix. The groups at the end are compared with Polis's `group-id` by
the adjusted Rand index (see `tests/golden/polis_agreement.py` for the rules of the comparison;
`python -m tests.golden.polis_agreement` prints the leave-one-out table of docs/opinion-groups.md).

The floors are what the engine reaches, less a hair, so that the agreement cannot regress; they
are not the target of issue 13 (mean 0.85), which docs/opinion-groups.md explains is out of reach.
"""

from __future__ import annotations

import pytest

from tests.golden.polis_agreement import (
    CONVERSATIONS,
    DEFAULT_CONFIG,
    DEFAULT_WINDOW_MS,
    POLIS,
    WINDOWS_MS,
    Score,
    replayed,
    score_all,
)

# conversation -> ARI floor at 60 s windows (measured, minus 0.005)
# measured 2026-12-04: see docs/opinion-groups.md
FLOORS = {
    "15-per-hour-seattle": 0.879,
    "austria-climate.2vkxcncppn.2022-07-07": 0.929,
    "austria-climate.5twd2jsnkf.2022-08-08": 0.955,
    "austria-climate.7z7ejpbmv5.2022-08-08": 0.813,
    "bg2050-volunteers": 0.189,
    "brexit-consensus": 0.840,
    "canadian-electoral-reform": 0.995,
    "london.youth.policing": 0.100,
    "scoop-hivemind.affordable-housing": 0.044,
    "scoop-hivemind.taxes": 0.925,
}
MEAN_FLOOR = 0.667
K_RIGHT_FLOOR = 9  # of 10: Polis's k found without being told
# At the other windows every conversation stays within this of its floor (the widest gap
# measured: see docs/opinion-groups.md).
WINDOW_SLACK = 0.06
OTHER_WINDOWS_MS = tuple(w for w in WINDOWS_MS if w != DEFAULT_WINDOW_MS)

# Ten replays take about a minute on two workers, the thirty at the other windows about three
# (austria-climate.5twd2jsnkf alone is 62,000 votes): more than the suite's per-test default.
pytestmark = pytest.mark.timeout(1800)


def _printed(measured: dict[tuple[str, int, str], Score]) -> dict[tuple[str, int, str], Score]:
    for (name, window, _), s in sorted(measured.items()):
        print(
            f"{name} {window // 1000} s: ARI {s.ari:.3f}, k {s.k} (Polis {s.polis_k}), weak {s.weak}"
        )
    return measured


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, int, str], Score]:
    assert POLIS.is_dir(), f"{POLIS} is part of the repository; it must be there"
    assert set(CONVERSATIONS) == set(FLOORS), "every shared conversation has a floor"
    return _printed(score_all([(n, DEFAULT_WINDOW_MS, DEFAULT_CONFIG) for n in CONVERSATIONS]))


@pytest.fixture(scope="module")
def scores_at_other_windows() -> dict[tuple[str, int, str], Score]:
    replays = [n for n in CONVERSATIONS if replayed(POLIS / n)]
    return _printed(score_all([(n, w, DEFAULT_CONFIG) for n in replays for w in OTHER_WINDOWS_MS]))


@pytest.mark.parametrize("conversation", sorted(FLOORS))
def test_groups_agree_with_polis(
    scores: dict[tuple[str, int, str], Score], conversation: str
) -> None:
    s = scores[conversation, DEFAULT_WINDOW_MS, DEFAULT_CONFIG]
    assert s.ari >= FLOORS[conversation], f"ARI {s.ari:.3f} (k={s.k}) below {FLOORS[conversation]}"


def test_mean_agreement_and_k_with_polis(scores: dict[tuple[str, int, str], Score]) -> None:
    at_default = [scores[n, DEFAULT_WINDOW_MS, DEFAULT_CONFIG] for n in CONVERSATIONS]
    mean = sum(s.ari for s in at_default) / len(at_default)
    assert mean >= MEAN_FLOOR, f"mean ARI {mean:.3f} below {MEAN_FLOOR}"
    right = sum(s.k == s.polis_k for s in at_default)
    assert right >= K_RIGHT_FLOOR, f"k right on {right} of {len(at_default)}"


@pytest.mark.parametrize("conversation", sorted(n for n in FLOORS if replayed(POLIS / n)))
def test_agreement_does_not_hinge_on_the_replay_window(
    scores_at_other_windows: dict[tuple[str, int, str], Score], conversation: str
) -> None:
    floor = FLOORS[conversation] - WINDOW_SLACK
    for window in OTHER_WINDOWS_MS:
        s = scores_at_other_windows[conversation, window, DEFAULT_CONFIG]
        assert s.ari >= floor, f"ARI {s.ari:.3f} at {window // 1000} s windows, below {floor:.3f}"
