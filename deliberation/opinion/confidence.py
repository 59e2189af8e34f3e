"""Whether a grouping is weak: the facts a facilitator needs before presenting groups as real.

Polis picks k by silhouette and shows it after it has won 4 updates running. Both steps hide how
close the call was: when two values of k score almost alike, or the best k keeps changing as votes
arrive, the groups on screen are one of several near-equal readings of the room, and on real
conversations that is where our groups and Polis's part ways (docs/opinion-groups.md). The result
says so, with the reason, so that the pages can say it in words instead of drawing groups as fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

WeakReason = Literal["close_silhouettes", "k_unstable"]

# Silhouettes are in [-1, 1]; two k within 0.05 of each other are a toss-up (brexit-consensus's
# k = 2..5 lie within 0.04 at 10-minute windows, and the k shown there drifts with the window).
CLOSE_SILHOUETTES = 0.05
# How many recent updates must have agreed on the best k: Polis's own group-k-buffer.
RECENT_UPDATES = 4


@dataclass(frozen=True, slots=True)
class Confidence:
    """How much the shown grouping can be trusted."""

    weak: bool
    reasons: tuple[WeakReason, ...]  # why it is weak, most telling first; empty when not weak
    # The shown k's silhouette minus the best other k's (negative: another k scored better now);
    # None when only one k could be tried.
    silhouette_gap: float | None
    recent_k: tuple[int, ...]  # the best k of the last updates, oldest first


SURE = Confidence(weak=False, reasons=(), silhouette_gap=None, recent_k=())


def assess(
    k: int,
    silhouettes: Mapping[int, float],
    recent_k: Sequence[int],
    *,
    close: float = CLOSE_SILHOUETTES,
) -> Confidence:
    """Judge the grouping with `k` groups shown, given this update's silhouette per k tried and
    the best k of the recent updates (this one last)."""
    recent = tuple(recent_k)
    if k < 2:
        return Confidence(False, (), None, recent)
    reasons: list[WeakReason] = []
    others = [s for j, s in silhouettes.items() if j != k]
    gap = None
    if k in silhouettes and others:
        gap = float(silhouettes[k] - max(others))
        if gap < close:
            reasons.append("close_silhouettes")
    if k not in silhouettes or any(j != k for j in recent):
        reasons.append("k_unstable")
    return Confidence(bool(reasons), tuple(reasons), gap, recent)
