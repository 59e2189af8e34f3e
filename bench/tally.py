"""Tally benchmark: approval ballots over 200 organisations and 10 options, with a vote cap.

Times `voting.tally` alone (building the ballots is set-up, reported apart), for
100k, 1M and 5M ballots, both as `Ballot` objects and as a `BallotTable` (columns, as a
server reading a database would hand them over). Checks that both give the same result,
and that time per ballot stays flat (linear scaling). Prints a table, then one JSON line.

    python bench/tally.py [--sizes 100000,1000000,5000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from fractions import Fraction

import numpy as np

from voting import Ballot, BallotTable, Quorum, Voter, WeightRules, tally

ORGANISATIONS = [f"org{i:03d}" for i in range(200)]
OPTIONS = [f"option{j}" for j in range(10)]
RULES = WeightRules(mode="capped", vote_cap=Fraction(1, 20), quorum=Quorum(100, 10))
TARGET_S = 1.0


def table(n: int, seed: int) -> BallotTable:
    """A skewed electorate: the first organisations hold far more members (Zipf-like)."""
    rng = np.random.default_rng(seed)
    sizes = 1 / np.arange(1, len(ORGANISATIONS) + 1)
    organisation = rng.choice(len(ORGANISATIONS), size=n, p=sizes / sizes.sum())
    popularity = np.linspace(0.15, 0.6, len(OPTIONS))
    marks = (rng.random((n, len(OPTIONS))) < popularity).astype(np.int8)
    weights = (Fraction(1), Fraction(2), Fraction(1, 2))
    weight = rng.choice(3, size=n, p=[0.9, 0.05, 0.05])
    return BallotTable(tuple(ORGANISATIONS), organisation, marks, weights, weight)


def ballots(t: BallotTable) -> list[Ballot]:
    """The same ballots as objects; equal approval sets share one tuple, as a decoder's would."""
    names, weights = t.organisations, t.weights
    subsets: dict[bytes, tuple[str, ...]] = {}
    out = []
    assert t.weight is not None
    rows = zip(t.organisation.tolist(), t.weight.tolist(), t.marks, strict=True)
    for i, (o, w, row) in enumerate(rows):
        key = row.tobytes()
        approve = subsets.get(key)
        if approve is None:
            approve = subsets[key] = tuple(OPTIONS[j] for j in np.flatnonzero(row))
        out.append(Ballot(Voter(f"v{i}", names[o], weights[w]), approve=approve))
    return out


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    random.seed(0)
    rows = []
    print(
        f"{'ballots':>10} {'build s':>9} {'objects s':>10} {'us/ballot':>10} "
        f"{'table s':>9} {'us/ballot':>10}  same result"
    )
    for n in sizes:
        t = table(n, seed=n)
        start = time.perf_counter()
        objects = ballots(t)
        build = time.perf_counter() - start
        by_object = tally("approval", OPTIONS, objects, RULES)
        by_table = tally("approval", OPTIONS, t, RULES)
        same = by_object == by_table
        obj_s = timed(lambda b=objects: tally("approval", OPTIONS, b, RULES), args.repeat)
        tab_s = timed(lambda b=t: tally("approval", OPTIONS, b, RULES), args.repeat)
        rows.append(
            {
                "ballots": n,
                "build_s": round(build, 3),
                "objects_s": round(obj_s, 4),
                "table_s": round(tab_s, 4),
                "same_result": same,
                "winner": by_object.winner,
                "cap": str(by_object.cap_applied),
            }
        )
        print(
            f"{n:>10} {build:>9.2f} {obj_s:>10.3f} {obj_s / n * 1e6:>10.3f} "
            f"{tab_s:>9.3f} {tab_s / n * 1e6:>10.3f}  {same}"
        )
        del objects, t
        gc.collect()
    first, last = rows[0], rows[-1]
    ratio = (last["objects_s"] / last["ballots"]) / (first["objects_s"] / first["ballots"])
    at_1m = next((r for r in rows if r["ballots"] == 1_000_000), None)
    print(f"per-ballot time, largest vs smallest run: x{ratio:.2f} (1.0 = perfectly linear)")
    if at_1m:
        print(
            f"1M ballots: objects {at_1m['objects_s']:.3f} s, table {at_1m['table_s']:.3f} s "
            f"(target {TARGET_S} s)"
        )
    print(json.dumps({"bench": "tally", "rows": rows, "per_ballot_ratio": round(ratio, 3)}))
    if not all(r["same_result"] for r in rows):
        raise SystemExit("objects and table disagree")


if __name__ == "__main__":
    main()
