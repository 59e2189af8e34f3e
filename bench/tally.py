"""Tally benchmark: approval ballots over 200 organisations and 10 options, with a vote cap.

Times `voting.tally` alone (making the ballots is set-up, reported apart), as a
`BallotTable` (columns, as a server reading a database hands them over) at 100k, 1M and 5M
ballots, and as `Ballot` objects at 100k and 1M (5M objects take minutes to build: --full).
Checks that both forms give the same result and that the time per ballot stays flat (linear
scaling). Prints a table, then one JSON line.

    python bench/tally.py [--table-sizes ...] [--object-sizes ...] [--full] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from voting import Ballot, BallotTable, Quorum, TallyResult, Voter, WeightRules, tally

ORGANISATIONS = tuple(f"org{i:03d}" for i in range(200))
OPTIONS = [f"option{j}" for j in range(10)]
RULES = WeightRules(mode="capped", vote_cap=Fraction(1, 20), quorum=Quorum(100, 10))
WEIGHTS = (Fraction(1), Fraction(2), Fraction(1, 2))
TARGET_S = 1.0


def make_table(n: int, seed: int) -> BallotTable:
    """A skewed electorate: organisation i has ~1/i of the members (Zipf), so caps bite."""
    rng = np.random.default_rng(seed)
    sizes = 1 / np.arange(1, len(ORGANISATIONS) + 1)
    organisation = rng.choice(len(ORGANISATIONS), size=n, p=sizes / sizes.sum())
    popularity = np.linspace(0.15, 0.6, len(OPTIONS))
    marks = (rng.random((n, len(OPTIONS))) < popularity).astype(np.int8)
    weight = rng.choice(len(WEIGHTS), size=n, p=[0.9, 0.05, 0.05])
    return BallotTable(ORGANISATIONS, organisation, marks, WEIGHTS, weight)


def make_ballots(t: BallotTable) -> list[Ballot]:
    """The same ballots as objects; equal approval sets share one tuple, as a decoder's would."""
    subsets: dict[bytes, tuple[str, ...]] = {}
    out = []
    assert t.weight is not None
    rows = zip(t.organisation.tolist(), t.weight.tolist(), t.marks, strict=True)
    for i, (o, w, row) in enumerate(rows):
        key = row.tobytes()
        approve = subsets.get(key)
        if approve is None:
            approve = subsets[key] = tuple(OPTIONS[j] for j in np.flatnonzero(row))
        out.append(Ballot(Voter(f"v{i}", ORGANISATIONS[o], WEIGHTS[w]), approve=approve))
    return out


def best_of(repeat: int, count: Callable[[], TallyResult]) -> tuple[float, float, TallyResult]:
    """Best wall-clock and best CPU seconds of `repeat` runs (CPU time is what a busy machine
    distorts least: other processes take the core away, they do not add to it)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = count()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    assert result is not None
    return best, best_cpu, result


def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table-sizes", default="100000,1000000,5000000")
    parser.add_argument("--object-sizes", default="100000,1000000")
    parser.add_argument("--full", action="store_true", help="objects at 5M too (minutes)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    object_sizes = sizes(args.object_sizes) + ([5_000_000] if args.full else [])
    console = Console(width=130)
    rows: list[dict[str, Any]] = []
    for n in sorted(set(sizes(args.table_sizes)) | set(object_sizes)):
        start = time.perf_counter()
        t = make_table(n, seed=n)
        row: dict[str, Any] = {"ballots": n, "table_build_s": round(time.perf_counter() - start, 3)}
        table_s, table_cpu, by_table = best_of(
            args.repeat, partial(tally, "approval", OPTIONS, t, RULES)
        )
        row |= {"table_s": round(table_s, 4), "table_cpu_s": round(table_cpu, 4)}
        row["winner"] = by_table.winner
        row["capped_organisations"] = sum(
            1 for o in by_table.organisations.values() if o.counted_weight < o.raw_weight
        )
        if n in object_sizes:
            start = time.perf_counter()
            ballots = make_ballots(t)
            row["objects_build_s"] = round(time.perf_counter() - start, 3)
            objects_s, objects_cpu, by_objects = best_of(
                args.repeat, partial(tally, "approval", OPTIONS, ballots, RULES)
            )
            row |= {"objects_s": round(objects_s, 4), "objects_cpu_s": round(objects_cpu, 4)}
            row["same_result"] = by_objects == by_table
            del ballots
        rows.append(row)
        del t
        gc.collect()

    table = Table(
        title="voting.tally: approval, 200 organisations, 10 options, cap 5% (best of runs)"
    )
    columns = ("ballots", "table s", "table cpu s", "µs/ballot", "objects s", "objects cpu s")
    for column in (*columns, "µs/ballot", "objects built s", "same result"):
        table.add_column(column, justify="right")
    for r in rows:
        n = r["ballots"]
        has = "objects_s" in r
        table.add_row(
            f"{n:,}",
            f"{r['table_s']:.3f}",
            f"{r['table_cpu_s']:.3f}",
            f"{r['table_cpu_s'] / n * 1e6:.3f}",
            f"{r['objects_s']:.3f}" if has else "-",
            f"{r['objects_cpu_s']:.3f}" if has else "-",
            f"{r['objects_cpu_s'] / n * 1e6:.3f}" if has else "-",
            f"{r['objects_build_s']:.1f}" if has else "-",
            str(r.get("same_result", "-")),
        )
    console.print(table)

    def scaling(key: str) -> float | None:
        timed = [r for r in rows if key in r]
        if len(timed) < 2:
            return None
        small, large = timed[0], timed[-1]
        ratio: float = (large[key] / large["ballots"]) / (small[key] / small["ballots"])
        return round(ratio, 3)

    at_1m = next((r for r in rows if r["ballots"] == 1_000_000), {})
    summary = {
        "bench": "tally",
        "target_s_at_1m": TARGET_S,
        "table_s_at_1m": at_1m.get("table_s"),
        "table_cpu_s_at_1m": at_1m.get("table_cpu_s"),
        "objects_s_at_1m": at_1m.get("objects_s"),
        "objects_cpu_s_at_1m": at_1m.get("objects_cpu_s"),
        "per_ballot_ratio_table": scaling("table_cpu_s"),
        "per_ballot_ratio_objects": scaling("objects_cpu_s"),
        "load_average": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "rows": rows,
    }
    console.print(
        f"per-ballot CPU time, largest over smallest run (1.0 = linear): table "
        f"x{summary['per_ballot_ratio_table']}, objects x{summary['per_ballot_ratio_objects']}; "
        f"load average {summary['load_average']} on {summary['cores']} cores"
    )
    print(json.dumps(summary))
    if not all(r.get("same_result", True) for r in rows):
        raise SystemExit("a table and the same ballots as objects gave different results")


if __name__ == "__main__":
    main()
