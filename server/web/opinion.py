"""The opinion-group map for the projector and the room page: people as dots, coloured by group.

Uses ``view["opinion"]`` when the server's view carries it; otherwise computes the groups
from the surface-conflict reactions with ``deliberation.opinion`` (pure). Positions are
scaled into a 0-100 box for an inline SVG. Nobody is named on the map.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

VOTES = {"agree": 1, "disagree": -1, "pass": 0}


def _compute(state: Any) -> dict[str, Any] | None:
    from deliberation.opinion import compute_groups, to_json

    surface = state.surface
    hidden = [
        s
        for s, record in surface.statements.items()
        if getattr(record, "status", None) != "accepted"
    ]
    matrix: dict[str, dict[str, int]] = {}
    for statement, reactions in surface.reactions.items():
        for participant, reaction in reactions.items():
            matrix.setdefault(str(participant), {})[str(statement)] = VOTES[str(reaction)]
    if len(matrix) < 2:
        return None
    return to_json(compute_groups(matrix, moderated_out=hidden))


_cache: dict[str, tuple[int, dict[str, Any] | None]] = {}


def _groups(room: str, seq: int, state: Any) -> dict[str, Any] | None:
    """One computation per room and seq, however many projectors ask."""
    cached = _cache.get(room)
    if cached is None or cached[0] != seq:
        if len(_cache) > 256:
            _cache.clear()
        cached = (seq, _compute(state))
        _cache[room] = cached
    return cached[1]


def opinion_map(view: dict[str, Any], state: Any, seq: int = -1) -> dict[str, Any] | None:
    try:
        room = view["room"]["room"] if view.get("room") else ""
        data = view.get("opinion") or _groups(room, seq, state)
    except Exception:  # the map is a picture on the wall: never break the page for it
        log.exception("opinion groups could not be computed")
        return None
    if not data or not data.get("positions"):
        return None
    positions = data["positions"]
    groups = data.get("groups", {})
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    points = [
        {
            "x": round(10 + 80 * (x - min(xs)) / span_x, 2),
            "y": round(10 + 80 * (y - min(ys)) / span_y, 2),
            # None: not clustered yet (too few reactions), drawn apart from every group
            "group": None if groups.get(participant) is None else int(groups[participant]),
        }
        for participant, (x, y) in sorted(positions.items())
    ]
    sizes = {int(g): n for g, n in data.get("sizes", {}).items()}
    # The core says when its grouping is weak (close silhouettes, k unstable); the pages then say
    # so in words rather than present the colours as a finding.
    confidence = data.get("confidence") or {}
    return {
        "points": points,
        "k": data.get("k", len(sizes)),
        "sizes": sorted(sizes.items()),
        "weak": bool(confidence.get("weak")),
        "reasons": [str(r) for r in confidence.get("reasons", ())],
    }
