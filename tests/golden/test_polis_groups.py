"""Our opinion groups against Polis's own, on five real conversations (CC BY 4.0).

Each export's `votes.csv` is replayed in time order through the engine, one recomputation per
window of `WINDOW_MS`, as a live room would; the groups at the end are compared with the
`group-id` column of `participants-votes.csv` by the adjusted Rand index, over the participants
Polis clustered (non-blank group-id). A participant Polis clustered but we did not (too few votes
when the engine last looked) counts as one more group of its own: no credit is taken for
placing anyone Polis placed. The number of groups is found by the engine, never read.

The floors are what the engine reaches, less a hair, so that the agreement cannot regress.
"""

from __future__ import annotations

import csv
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from server.cli.groups import groups_of_export, load_polis_export

# A copy of ../shared/datasets/polis (CC BY 4.0, see its README), so a clean clone has it.
POLIS = Path(__file__).resolve().parents[1] / "data" / "polis"
WINDOW_MS = 60_000
# A live room recomputes far more often than once a minute, and Polis's own cadence is unknown:
# the agreement must not hinge on the window. At these windows every conversation stays within
# WINDOW_SLACK of its floor (measured: the widest gap is taxes at 120 s, 0.051 under its 0.930).
OTHER_WINDOWS_MS = (30_000, 120_000, 300_000)
WINDOW_SLACK = 0.06

# conversation -> ARI floor (measured, minus 0.005)
# measured 2026-11-27: 0.884, 0.845, 1.000, 0.049, 0.930 (mean 0.742)
FLOORS = {
    "15-per-hour-seattle": 0.879,
    "brexit-consensus": 0.840,
    "canadian-electoral-reform": 0.995,
    "scoop-hivemind.affordable-housing": 0.044,
    "scoop-hivemind.taxes": 0.925,
}
MEAN_FLOOR = 0.737


def polis_groups(folder: Path) -> dict[str, int]:
    with (folder / "participants-votes.csv").open(newline="") as handle:
        return {
            row["participant"]: int(row["group-id"])
            for row in csv.DictReader(handle)
            if row["group-id"].strip()
        }


def ari(folder: Path, window_ms: int = WINDOW_MS) -> tuple[float, int]:
    """Replay one conversation (in a worker process: the five run two at a time)."""
    result = groups_of_export(load_polis_export(folder), window_ms=window_ms)
    reference = polis_groups(folder)
    ours = [result.groups.get(p) for p in reference]
    labels = [-1 if g is None else g for g in ours]
    return float(adjusted_rand_score(list(reference.values()), labels)), result.k


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[float, int]]:
    assert POLIS.is_dir(), f"{POLIS} is part of the repository; it must be there"
    started = time.perf_counter()
    # largest first, so that the two workers finish together
    names = sorted(FLOORS, key=lambda name: -(POLIS / name / "votes.csv").stat().st_size)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        measured = dict(zip(names, pool.map(ari, [POLIS / name for name in names]), strict=True))
    elapsed = time.perf_counter() - started
    print({name: round(score, 3) for name, (score, _) in measured.items()}, f"{elapsed:.1f}s")
    return measured


@pytest.mark.parametrize("conversation", sorted(FLOORS))
def test_groups_agree_with_polis(scores: dict[str, tuple[float, int]], conversation: str) -> None:
    score, k = scores[conversation]
    assert score >= FLOORS[conversation], f"ARI {score:.3f} (k={k}) below {FLOORS[conversation]}"


def test_mean_agreement_with_polis(scores: dict[str, tuple[float, int]]) -> None:
    mean = sum(score for score, _ in scores.values()) / len(scores)
    assert mean >= MEAN_FLOOR, f"mean ARI {mean:.3f} below {MEAN_FLOOR}"


@pytest.fixture(scope="module")
def scores_at_other_windows() -> dict[tuple[str, int], float]:
    jobs = [(name, window) for window in OTHER_WINDOWS_MS for name in sorted(FLOORS)]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        measured = pool.map(ari, [POLIS / name for name, _ in jobs], [w for _, w in jobs])
        return {job: score for job, (score, _) in zip(jobs, measured, strict=True)}


@pytest.mark.parametrize("conversation", sorted(FLOORS))
def test_agreement_does_not_hinge_on_the_replay_window(
    scores_at_other_windows: dict[tuple[str, int], float], conversation: str
) -> None:
    for window in OTHER_WINDOWS_MS:
        score = scores_at_other_windows[conversation, window]
        floor = FLOORS[conversation] - WINDOW_SLACK
        assert score >= floor, f"ARI {score:.3f} at {window // 1000} s windows, below {floor:.3f}"
