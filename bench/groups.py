"""Opinion groups: one recomputation on synthetic rooms of 1,000 × 200 and 10,000 × 1,000.

    python bench/groups.py [--sizes 1000x200,10000x1000] [--repeat 3] [--threads N]

Each room is seeded: participants in 3 planted camps, about half the statements unseen by each
participant, 10% passes and 10% noise. Three timings per size:

- cold: the first recomputation (no earlier components or clusters to start from);
- warm: a recomputation after 1% more votes arrived (the live case: warm-started PCA,
  base clusters and groups), median of --repeat;
- step: the same warm update without the statement figures (what a replay does per window).

Peak memory is tracemalloc's peak (numpy's buffers included) during the timed recomputations,
and the process's maximum resident size. BLAS threads: 1 by default, as the server and the CLI
run it (--threads 0 leaves numpy's default).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deliberation.opinion import OpinionEngine

TARGETS_MS = {(1_000, 200): 200.0, (10_000, 1_000): 5_000.0}


def room(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stance = rng.choice([-1.0, 1.0], size=(3, m))
    camp = rng.integers(0, 3, size=n)
    votes = stance[camp]
    draw = rng.random((n, m))
    votes = np.where(draw < 0.1, -votes, votes)
    votes = np.where((draw >= 0.1) & (draw < 0.2), 0.0, votes)
    votes[rng.random((n, m)) < 0.5] = np.nan
    return votes


def measure(n: int, m: int, repeat: int, seed: int) -> dict[str, Any]:
    votes = room(n, m, seed)
    people = [f"p{i}" for i in range(n)]
    statements = [f"s{j}" for j in range(m)]
    # hold back 1% of the cast votes for the warm updates
    rng = np.random.default_rng(seed + 1)
    cast = np.argwhere(~np.isnan(votes))
    held = cast[rng.random(len(cast)) < 0.01]
    first = votes.copy()
    first[held[:, 0], held[:, 1]] = np.nan
    engine = OpinionEngine()
    engine.add_matrix(people, statements, first)
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    result = engine.recompute()
    cold_ms = (time.perf_counter() - started) * 1000
    warm: list[float] = []
    step: list[float] = []
    chunks = np.array_split(held, 2 * repeat)
    for index, chunk in enumerate(chunks):
        for i, j in chunk:
            engine.add_vote(people[i], statements[j], int(votes[i, j]))
        started = time.perf_counter()
        if index % 2 == 0:
            result = engine.recompute()
            warm.append((time.perf_counter() - started) * 1000)
        else:
            engine.step()
            step.append((time.perf_counter() - started) * 1000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "participants": n,
        "statements": m,
        "votes": int((~np.isnan(votes)).sum()),
        "k": result.k,
        "cold_ms": round(cold_ms, 1),
        "warm_ms": round(statistics.median(warm), 1),
        "step_ms": round(statistics.median(step), 1),
        "target_ms": TARGETS_MS.get((n, m)),
        "peak_traced_mib": round(peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x200,10000x1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (0: numpy's default)")
    args = parser.parse_args()
    sizes = [tuple(int(x) for x in size.split("x")) for size in args.sizes.split(",")]
    rows = []
    for n, m in sizes:
        if args.threads:
            with threadpool_limits(args.threads):
                rows.append(measure(n, m, args.repeat, args.seed))
        else:
            rows.append(measure(n, m, args.repeat, args.seed))
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    threads = args.threads or max((i["num_threads"] for i in threadpool_info()), default=1)
    table = Table(title=f"Opinion groups: one recomputation (BLAS threads: {threads})")
    for column in (
        "participants × statements",
        "votes",
        "k",
        "cold ms",
        "warm ms",
        "step ms",
        "target ms",
        "peak MiB",
    ):
        table.add_column(column, justify="right")
    for row in rows:
        ok = row["target_ms"] is None or max(row["cold_ms"], row["warm_ms"]) <= row["target_ms"]
        table.add_row(
            f"{row['participants']:,} × {row['statements']:,}",
            f"{row['votes']:,}",
            str(row["k"]),
            f"{row['cold_ms']:,.1f}",
            f"{row['warm_ms']:,.1f}",
            f"{row['step_ms']:,.1f}",
            ""
            if row["target_ms"] is None
            else f"{row['target_ms']:,.0f}" + ("" if ok else " (missed)"),
            f"{row['peak_traced_mib']:,.1f}",
        )
    console = Console(stderr=True)
    console.print(table)
    console.print(f"max resident size of the process: {max_rss_mib:,.0f} MiB")
    print(
        json.dumps(
            {
                "bench": "groups",
                "blas_threads": threads,
                "max_rss_mib": round(max_rss_mib, 1),
                "results": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
