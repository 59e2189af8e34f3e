"""Statement statistics per opinion group: representative, consensus and divisive statements.

Reproduces `polismath.math.repness` and `polismath.math.stats`, with the vote sign of this
project (agree = 1; Polis counts agree as -1 internally, which changes nothing here since every
count below is by kind of vote):

- per group and statement: agree, disagree and seen counts (A, D, S); `pa = (1+A)/(2+S)`,
  `pd = (1+D)/(2+S)` (Laplace prior); `pat`, `pdt` one-proportion z-tests against one half;
- against all other groups: `ra = pa / pa_rest`, `rd`, and the two-proportion z-tests `rat`, `rdt`;
- representative for a group: `rat` and `pat` (or `rdt` and `pdt`) significant at 90% one-sided
  (z > 1.2816), ranked by `ra·rat·pa·pat`, at most 5, with Polis's "best agree" statement first,
  agreements before disagreements; if none passes, the single best one;
- consensus (group-informed, Polis's `group-aware-consensus`): the product over groups of
  `(A_g+1)/(S_g+2)`; a statement is shown as consensus when a majority of *every* group agrees
  (each `pa_g > 0.5`), best product first (and the same for shared disagreement);
- divisive (not in Polis's math; Evenfloor's): some group mostly agrees (`pa_g > 0.5`) while another
  mostly disagrees (`pd_h > 0.5`), and their agreement rates differ significantly (two-proportion
  z > 1.2816); scored by the spread `max pa_g - min pa_g`, widest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from deliberation.opinion.clustering import FloatArray, IntArray

Z_90 = 1.2816  # one-sided 90% (Polis's z-sig-90?)
TOP = 5

Direction = Literal["agree", "disagree"]


def prop_test(successes: FloatArray, trials: FloatArray) -> FloatArray:
    """Polis's one-proportion z-test against 1/2, with a pseudo-count of one."""
    s, n = successes + 1.0, trials + 1.0
    result: FloatArray = 2.0 * np.sqrt(n) * (s / n - 0.5)
    return result


def two_prop_test(
    succ_in: FloatArray, succ_out: FloatArray, n_in: FloatArray, n_out: FloatArray
) -> FloatArray:
    """Polis's two-proportion z-test (group against the rest), with pseudo-counts of one."""
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, n_in + 1.0, n_out + 1.0
    p1, p2 = s1 / n1, s2 / n2
    p = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2))
    result: FloatArray = np.divide(p1 - p2, denom, out=np.zeros_like(p1), where=denom > 0)
    return result


@dataclass(frozen=True, slots=True)
class VoteCounts:
    """Agree, disagree and seen (any vote, pass included) counts: groups × statements, and
    Polis's Laplace-smoothed probabilities `pa = (1+A)/(2+S)`, `pd = (1+D)/(2+S)`."""

    agree: FloatArray
    disagree: FloatArray
    seen: FloatArray
    pa: FloatArray = field(init=False)
    pd: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pa", (1.0 + self.agree) / (2.0 + self.seen))
        object.__setattr__(self, "pd", (1.0 + self.disagree) / (2.0 + self.seen))


def count_votes(raw: FloatArray, labels: IntArray, k: int) -> VoteCounts:
    """Counts per group (rows with label 0..k-1) for every statement (columns of `raw`)."""
    agree = np.zeros((k, raw.shape[1]))
    disagree = np.zeros((k, raw.shape[1]))
    seen = np.zeros((k, raw.shape[1]))
    for g in range(k):
        rows = raw[labels == g]
        agree[g] = (rows == 1).sum(axis=0)
        disagree[g] = (rows == -1).sum(axis=0)
        seen[g] = rows.shape[0] - np.isnan(rows).sum(axis=0)
    return VoteCounts(agree, disagree, seen)


@dataclass(frozen=True, slots=True)
class Repness:
    """Polis's comparative figures for each group × statement."""

    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def repness(counts: VoteCounts) -> Repness:
    a, d, s = counts.agree, counts.disagree, counts.seen
    a_rest = a.sum(axis=0, keepdims=True) - a
    d_rest = d.sum(axis=0, keepdims=True) - d
    s_rest = s.sum(axis=0, keepdims=True) - s
    return Repness(
        pat=prop_test(a, s),
        pdt=prop_test(d, s),
        ra=counts.pa / ((1.0 + a_rest) / (2.0 + s_rest)),
        rd=counts.pd / ((1.0 + d_rest) / (2.0 + s_rest)),
        rat=two_prop_test(a, a_rest, s, s_rest),
        rdt=two_prop_test(d, d_rest, s, s_rest),
    )


@dataclass(frozen=True, slots=True)
class Pick:
    """A statement chosen for a group, with the side it represents and its score."""

    column: int
    direction: Direction
    score: float
    best_agree: bool = False


def _beats_best_agree(stats: dict[str, list[float]], j: int, best: int | None) -> bool:
    """Polis's `beats-best-agr?`: the statement the group agrees with most convincingly."""
    na, nd = stats["na"][j], stats["nd"][j]
    pa, pat, ra, rat = stats["pa"][j], stats["pat"][j], stats["ra"][j], stats["rat"][j]
    if na == 0 and nd == 0:
        return False
    if best is not None:
        b_pa, b_pat, b_ra, b_rat = (stats[key][best] for key in ("pa", "pat", "ra", "rat"))
        if b_ra > 1.0:
            return ra * rat * pa * pat > b_ra * b_rat * b_pa * b_pat
        return pa * pat > b_pa * b_pat
    return pat > Z_90 or (ra > 1.0 and pa > 0.5)


def _pick(stats: dict[str, list[float]], j: int, best_agree: bool = False) -> Pick:
    """Polis's `finalize-cmt-stats`: the side (agree or disagree) with the stronger test."""
    if stats["rat"][j] > stats["rdt"][j]:
        score = stats["ra"][j] * stats["rat"][j] * stats["pa"][j] * stats["pat"][j]
        return Pick(j, "agree", score, best_agree)
    score = stats["rd"][j] * stats["rdt"][j] * stats["pd"][j] * stats["pdt"][j]
    return Pick(j, "disagree", score, best_agree)


def representative(counts: VoteCounts, rep: Repness, g: int, columns: list[int]) -> list[Pick]:
    """Polis's `select-rep-comments` for group g over the given (not moderated-out) columns."""
    stats = {
        "na": counts.agree[g].tolist(),
        "nd": counts.disagree[g].tolist(),
        "pa": counts.pa[g].tolist(),
        "pd": counts.pd[g].tolist(),
        "pat": rep.pat[g].tolist(),
        "pdt": rep.pdt[g].tolist(),
        "ra": rep.ra[g].tolist(),
        "rd": rep.rd[g].tolist(),
        "rat": rep.rat[g].tolist(),
        "rdt": rep.rdt[g].tolist(),
    }
    sufficient: list[Pick] = []
    best: Pick | None = None
    best_z: float | None = None
    best_agree: int | None = None
    for j in columns:
        if (stats["rat"][j] > Z_90 and stats["pat"][j] > Z_90) or (
            stats["rdt"][j] > Z_90 and stats["pdt"][j] > Z_90
        ):
            sufficient.append(_pick(stats, j))
        z = max(stats["rat"][j], stats["rdt"][j])
        if not sufficient and (best_z is None or z > best_z):
            best, best_z = _pick(stats, j), z
        if _beats_best_agree(stats, j, best_agree):
            best_agree = j
    head = [_pick(stats, best_agree, True)] if best_agree is not None else []
    if not sufficient:
        return head or ([best] if best is not None else [])
    rest = sorted(
        (p for p in sufficient if p.column != best_agree), key=lambda p: (-p.score, p.column)
    )
    chosen = (head + rest)[:TOP]
    return [p for p in chosen if p.direction == "agree"] + [
        p for p in chosen if p.direction == "disagree"
    ]


def group_consensus(counts: VoteCounts) -> tuple[FloatArray, FloatArray]:
    """Polis's group-informed consensus for agreement and for disagreement, per statement."""
    agree: FloatArray = np.prod(counts.pa, axis=0)
    disagree: FloatArray = np.prod(counts.pd, axis=0)
    return agree, disagree


def consensus(counts: VoteCounts, columns: list[int]) -> list[Pick]:
    """Statements a majority of every group agrees with (or disagrees with), best first."""
    agree, disagree = group_consensus(counts)
    picks: list[Pick] = []
    for j in columns:
        if counts.pa.shape[0] == 0:
            break
        if bool(np.all(counts.pa[:, j] > 0.5)):
            picks.append(Pick(j, "agree", float(agree[j])))
        elif bool(np.all(counts.pd[:, j] > 0.5)):
            picks.append(Pick(j, "disagree", float(disagree[j])))
    agreeing = sorted(
        (p for p in picks if p.direction == "agree"), key=lambda p: (-p.score, p.column)
    )
    disagreeing = sorted(
        (p for p in picks if p.direction == "disagree"), key=lambda p: (-p.score, p.column)
    )
    return agreeing[:TOP] + disagreeing[:TOP]


def divisive(counts: VoteCounts, columns: list[int]) -> list[Pick]:
    """Statements on which one group mostly agrees and another mostly disagrees, widest first."""
    if counts.pa.shape[0] < 2 or not columns:
        return []
    cols = np.asarray(columns, dtype=np.int64)
    pa, pd = counts.pa[:, cols], counts.pd[:, cols]
    hi, lo = pa.argmax(axis=0), pa.argmin(axis=0)
    at = np.arange(len(cols))
    z = two_prop_test(
        counts.agree[hi, cols], counts.agree[lo, cols], counts.seen[hi, cols], counts.seen[lo, cols]
    )
    chosen = (pa[hi, at] > 0.5) & (pd[lo, at] > 0.5) & (z > Z_90)
    spread = pa[hi, at] - pa[lo, at]
    picks = [Pick(int(cols[i]), "agree", float(spread[i])) for i in np.flatnonzero(chosen)]
    return sorted(picks, key=lambda p: (-p.score, p.column))[:TOP]
