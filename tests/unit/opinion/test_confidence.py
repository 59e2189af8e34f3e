"""When the grouping is weak the result says so, with the reason (close silhouettes, k unstable)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deliberation.opinion import EngineSettings, OpinionEngine, compute_groups
from deliberation.opinion.confidence import CLOSE_SILHOUETTES, RECENT_UPDATES, assess
from tests.unit.opinion.test_engine import engine_with, two_camps


def test_a_clear_winner_that_held_is_not_weak() -> None:
    confidence = assess(2, {2: 0.80, 3: 0.50, 4: 0.45}, (2, 2, 2, 2))
    assert not confidence.weak
    assert confidence.reasons == ()
    assert confidence.silhouette_gap == pytest.approx(0.30)


def test_close_silhouettes_are_weak() -> None:
    gap = CLOSE_SILHOUETTES / 2
    confidence = assess(3, {2: 0.42, 3: 0.42 + gap, 4: 0.30}, (3, 3, 3, 3))
    assert confidence.weak
    assert confidence.reasons == ("close_silhouettes",)
    assert confidence.silhouette_gap == pytest.approx(gap)
    # just past the margin it is not
    assert not assess(3, {2: 0.42, 3: 0.42 + CLOSE_SILHOUETTES + 1e-9}, (3,)).weak


def test_a_shown_k_that_another_k_now_beats_is_weak() -> None:
    # the smoother still shows 2 while 3 scores better: a negative gap
    confidence = assess(2, {2: 0.40, 3: 0.60}, (2, 2, 3))
    assert confidence.reasons == ("close_silhouettes", "k_unstable")
    assert confidence.silhouette_gap == pytest.approx(-0.20)


def test_a_best_k_that_changed_lately_is_unstable() -> None:
    confidence = assess(2, {2: 0.80, 3: 0.40}, (3, 2, 2, 2))
    assert confidence.weak
    assert confidence.reasons == ("k_unstable",)
    # a shown k that this update could not compute at all is unstable too
    assert assess(4, {2: 0.8, 3: 0.4}, (2,)).reasons == ("k_unstable",)


def test_no_groups_is_not_a_weak_grouping() -> None:
    assert not assess(0, {}, ()).weak
    assert not assess(1, {2: 0.1}, (2,)).weak


def test_the_engine_judges_its_own_figures() -> None:
    clear = engine_with(two_camps(40, 12)).recompute()
    assert clear.k == 2
    assert not clear.confidence.weak, clear.silhouettes
    flagged = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        noise = {
            f"p{p}": {f"s{s}": int(rng.choice([-1, 0, 1])) for s in range(12)} for p in range(40)
        }
        result = compute_groups(noise)
        assert result.confidence == assess(
            result.k,
            result.silhouettes,
            (max(result.silhouettes, key=lambda k: (result.silhouettes[k], k)),),
        )
        flagged += result.confidence.weak
    assert flagged  # rooms without structure do get flagged


def test_recent_k_follows_the_updates_and_reaches_the_json() -> None:
    engine = OpinionEngine(EngineSettings())
    room = two_camps(40, 12)
    names = sorted(room)
    for update in range(RECENT_UPDATES + 2):
        for p in names[update * 6 : (update + 1) * 6] if update < 6 else []:
            for s, v in room[p].items():
                engine.add_vote(p, s, v)
        result = engine.recompute()
    assert 1 <= len(result.confidence.recent_k) <= RECENT_UPDATES
    assert result.confidence.recent_k[-1] == max(
        result.silhouettes, key=lambda k: (result.silhouettes[k], k)
    )
    document = json.loads(json.dumps(result.to_json()))
    assert document["confidence"] == {
        "weak": result.confidence.weak,
        "reasons": list(result.confidence.reasons),
        "silhouette_gap": round(result.confidence.silhouette_gap, 4)
        if result.confidence.silhouette_gap is not None
        else None,
        "recent_k": list(result.confidence.recent_k),
    }
