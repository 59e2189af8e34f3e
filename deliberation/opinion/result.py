"""The frozen result of one recomputation, and its JSON-safe projection for the room page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from deliberation.opinion.clustering import FloatArray, IntArray
from deliberation.opinion.confidence import SURE, Confidence, assess
from deliberation.opinion.statements import (
    Direction,
    VoteCounts,
    consensus,
    count_votes,
    divisive,
    group_consensus,
    repness,
    representative,
)


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """How one group voted on one statement."""

    agree: int
    disagree: int
    seen: int  # votes of any kind, passes included
    p_agree: float  # (1 + agree) / (2 + seen)
    p_disagree: float  # (1 + disagree) / (2 + seen)


@dataclass(frozen=True, slots=True)
class RepresentativeStatement:
    """A statement that sets a group apart: the group agrees (or disagrees) more than the rest."""

    statement: str
    direction: Direction
    figures: GroupFigures  # this group's votes
    rest: GroupFigures  # everyone clustered outside this group
    ratio: float  # ra (or rd): p_agree in the group over p_agree outside
    ratio_z: float  # rat (or rdt): two-proportion z-test, group against the rest
    probability_z: float  # pat (or pdt): one-proportion z-test against one half
    score: float  # ratio · ratio_z · probability · probability_z, Polis's ranking
    best_agree: bool  # Polis's "best agree" statement, kept at the top


@dataclass(frozen=True, slots=True)
class ConsensusStatement:
    """A statement a majority of every group agrees with (or disagrees with)."""

    statement: str
    direction: Direction
    by_group: Mapping[int, GroupFigures]
    score: float  # product over groups of p_agree (or p_disagree): each group holds a soft veto


@dataclass(frozen=True, slots=True)
class DivisiveStatement:
    """A statement one group mostly agrees with and another mostly disagrees with."""

    statement: str
    by_group: Mapping[int, GroupFigures]
    most_agreeing: int
    most_disagreeing: int
    spread: float  # p_agree of the most agreeing group minus that of the least agreeing


@dataclass(frozen=True, slots=True)
class OpinionGroups:
    """Opinion groups of a room at one recomputation."""

    groups: Mapping[str, int | None]  # every participant with a vote; None: not clustered yet
    k: int
    positions: Mapping[str, tuple[float, float]]  # 2-D map, every participant with a vote
    sizes: Mapping[int, int]
    representative: Mapping[int, tuple[RepresentativeStatement, ...]]
    consensus: tuple[ConsensusStatement, ...]
    divisive: tuple[DivisiveStatement, ...]
    silhouettes: Mapping[int, float]  # silhouette of the best clustering for each k tried
    # whether the grouping is weak (close silhouettes, k unstable): say so, do not draw as fact
    confidence: Confidence = SURE

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe picture (floats rounded) for the room page and the event pushed to it."""
        return to_json(self)


EMPTY = OpinionGroups(
    groups=MappingProxyType({}),
    k=0,
    positions=MappingProxyType({}),
    sizes=MappingProxyType({}),
    representative=MappingProxyType({}),
    consensus=(),
    divisive=(),
    silhouettes=MappingProxyType({}),
)


def _figures(counts: VoteCounts, g: int, j: int) -> GroupFigures:
    return GroupFigures(
        agree=int(counts.agree[g, j]),
        disagree=int(counts.disagree[g, j]),
        seen=int(counts.seen[g, j]),
        p_agree=float(counts.pa[g, j]),
        p_disagree=float(counts.pd[g, j]),
    )


def _rest_figures(counts: VoteCounts, g: int, j: int) -> GroupFigures:
    a = float(counts.agree[:, j].sum() - counts.agree[g, j])
    d = float(counts.disagree[:, j].sum() - counts.disagree[g, j])
    s = float(counts.seen[:, j].sum() - counts.seen[g, j])
    return GroupFigures(int(a), int(d), int(s), (1.0 + a) / (2.0 + s), (1.0 + d) / (2.0 + s))


def build_groups(
    *,
    participants: tuple[str, ...],
    statements: tuple[str, ...],
    raw: FloatArray,
    moderated_out: frozenset[str],
    projection: FloatArray,
    labels: IntArray,
    silhouettes: Mapping[int, float],
    recent_k: tuple[int, ...] = (),
) -> OpinionGroups:
    """Assemble the result from per-row labels (0..k-1, -1 for not clustered); `recent_k` is the
    best k of the last updates, oldest first (for `Confidence`)."""
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    columns = [j for j, s in enumerate(statements) if s not in moderated_out]
    groups = {p: (int(labels[i]) if labels[i] >= 0 else None) for i, p in enumerate(participants)}
    positions = {
        p: (float(projection[i, 0]), float(projection[i, 1])) for i, p in enumerate(participants)
    }
    sizes = {g: int(np.sum(labels == g)) for g in range(k)}
    counts = count_votes(raw, labels, k)
    rep = repness(counts)
    reps: dict[int, tuple[RepresentativeStatement, ...]] = {}
    for g in range(k):
        chosen = []
        for pick in representative(counts, rep, g, columns) if k > 1 else []:
            j = pick.column
            agree = pick.direction == "agree"
            chosen.append(
                RepresentativeStatement(
                    statement=statements[j],
                    direction=pick.direction,
                    figures=_figures(counts, g, j),
                    rest=_rest_figures(counts, g, j),
                    ratio=float(rep.ra[g, j] if agree else rep.rd[g, j]),
                    ratio_z=float(rep.rat[g, j] if agree else rep.rdt[g, j]),
                    probability_z=float(rep.pat[g, j] if agree else rep.pdt[g, j]),
                    score=pick.score,
                    best_agree=pick.best_agree,
                )
            )
        reps[g] = tuple(chosen)
    # Without groups yet, consensus is over everyone who voted, as one group.
    whole = counts if k > 0 else count_votes(raw, np.zeros(raw.shape[0], dtype=np.int64), 1)
    n_groups = max(k, 1)
    agree_score, disagree_score = group_consensus(whole)
    cons = tuple(
        ConsensusStatement(
            statement=statements[p.column],
            direction=p.direction,
            by_group=MappingProxyType({g: _figures(whole, g, p.column) for g in range(n_groups)}),
            score=float(
                agree_score[p.column] if p.direction == "agree" else disagree_score[p.column]
            ),
        )
        for p in consensus(whole, columns)
    )
    div = tuple(
        DivisiveStatement(
            statement=statements[p.column],
            by_group=MappingProxyType({g: _figures(counts, g, p.column) for g in range(k)}),
            most_agreeing=int(np.argmax(counts.pa[:, p.column])),
            most_disagreeing=int(np.argmin(counts.pa[:, p.column])),
            spread=p.score,
        )
        for p in divisive(counts, columns)
    )
    return OpinionGroups(
        groups=MappingProxyType(groups),
        k=k,
        positions=MappingProxyType(positions),
        sizes=MappingProxyType(sizes),
        representative=MappingProxyType(reps),
        consensus=cons,
        divisive=div,
        silhouettes=MappingProxyType(dict(silhouettes)),
        confidence=assess(k, silhouettes, recent_k),
    )


def organisations_across_groups(
    groups: Mapping[str, int | None] | OpinionGroups, organisation_of: Mapping[str, str]
) -> dict[str, dict[int | None, int]]:
    """How each organisation's members spread over the opinion groups.

    Returns organisation -> group (None: not clustered yet) -> number of members. Participants
    without an organisation are left out; organisations whose members have not voted are absent.
    """
    assignment = groups.groups if isinstance(groups, OpinionGroups) else groups
    spread: dict[str, dict[int | None, int]] = {}
    for participant, group in assignment.items():
        organisation = organisation_of.get(participant)
        if organisation is None:
            continue
        per_group = spread.setdefault(organisation, {})
        per_group[group] = per_group.get(group, 0) + 1
    return {
        org: dict(sorted(by.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
        for org, by in sorted(spread.items())
    }


def _r(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def _figures_json(f: GroupFigures) -> dict[str, Any]:
    return {
        "agree": f.agree,
        "disagree": f.disagree,
        "seen": f.seen,
        "p_agree": _r(f.p_agree),
        "p_disagree": _r(f.p_disagree),
    }


def to_json(result: OpinionGroups) -> dict[str, Any]:
    """JSON-safe dict: string keys, rounded floats, lists in rank order."""
    return {
        "k": result.k,
        "groups": dict(result.groups),
        "positions": {p: [_r(x), _r(y)] for p, (x, y) in result.positions.items()},
        "sizes": {str(g): n for g, n in result.sizes.items()},
        "representative": {
            str(g): [
                {
                    "statement": r.statement,
                    "direction": r.direction,
                    "group": _figures_json(r.figures),
                    "rest": _figures_json(r.rest),
                    "ratio": _r(r.ratio),
                    "ratio_z": _r(r.ratio_z),
                    "probability_z": _r(r.probability_z),
                    "score": _r(r.score),
                    "best_agree": r.best_agree,
                }
                for r in reps
            ]
            for g, reps in result.representative.items()
        },
        "consensus": [
            {
                "statement": c.statement,
                "direction": c.direction,
                "score": _r(c.score),
                "groups": {str(g): _figures_json(f) for g, f in c.by_group.items()},
            }
            for c in result.consensus
        ],
        "divisive": [
            {
                "statement": d.statement,
                "spread": _r(d.spread),
                "most_agreeing": d.most_agreeing,
                "most_disagreeing": d.most_disagreeing,
                "groups": {str(g): _figures_json(f) for g, f in d.by_group.items()},
            }
            for d in result.divisive
        ],
        "silhouettes": {str(k): _r(s) for k, s in result.silhouettes.items()},
        "confidence": {
            "weak": result.confidence.weak,
            "reasons": list(result.confidence.reasons),
            "silhouette_gap": (
                None
                if result.confidence.silhouette_gap is None
                else _r(result.confidence.silhouette_gap)
            ),
            "recent_k": list(result.confidence.recent_k),
        },
    }
