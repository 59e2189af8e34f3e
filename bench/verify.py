"""Build, serialise, read and verify one large published decision log; report the rates.

    .venv/bin/python bench/verify.py [--entries 1000000] [--js]

Prints a table, then exactly one JSON line. Peak memory is the process's maximum resident
set size (everything: the document in memory, its text, the parsed copy). `--js` also
times the independent JavaScript verifier on the same file (slower; off by default).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.publication import LogWriter, decimal_string, load_json, serialize_log, verify_log
from server.publication.keys import SigningKey

ORGANISATIONS = ["North Health Board", "Bridge Trust", "Citizens' Panel", "Søndre Care"]
TEXTS = [
    "Waiting lists are long; the clinic cannot wait.",
    "The bridge is unsafe in winter — fix it first.",
    "Could we phase it: clinic this year, bridge next?",
    "Zoë's figures leave out the maintenance costs.",
]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(entries: int) -> dict[str, Any]:
    from fractions import Fraction

    key = SigningKey(bytes(range(32)))
    t0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    writer = LogWriter("bench-room", "A very long meeting", "organisations", key, opened_at=t0)
    for i in range(1, entries):
        moment = t0 + timedelta(milliseconds=250 * i)
        kind = i % 4
        actor = {"organisation": ORGANISATIONS[i % 4], "pseudonym": f"p-{i % 997:04x}"}
        if kind == 0:
            writer.append(
                "statement.added",
                {"statement": f"s{i}", "text": TEXTS[i % 4]},
                at=moment,
                actor=actor,
            )
        elif kind == 1:
            writer.append(
                "reaction.recorded",
                {"statement": f"s{i - 1}", "reaction": "agree"},
                at=moment,
                actor=actor,
            )
        elif kind == 2:
            writer.append(
                "speech.ended",
                {
                    "duration_ms": 1000 + i % 60000,
                    "kind": "speech",
                    "share": decimal_string(Fraction(i % 7, 7)),
                },
                at=moment,
                actor=actor,
            )
        else:
            writer.append(
                "consent.answered",
                {"position": "consent", "text": "", "consent_round": 1},
                at=moment,
                actor=actor,
            )
    return writer.publish(t0 + timedelta(days=1))


def node_verify(path: Path) -> str:
    completed = subprocess.run(
        ["node", "--max-old-space-size=8192", "tools/verify-js/verify.mjs", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return (completed.stdout or completed.stderr).strip()


class Steps:
    """Wall-clock and CPU seconds of each step (the machine may be shared: CPU is steadier)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def run(self, name: str, work: Any, *args: Any) -> Any:
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = work(*args)
        self.rows.append((name, time.perf_counter() - wall, cpu_seconds() - cpu))
        return result


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it waited for (node)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--js", action="store_true", help="also time the JavaScript verifier")
    parser.add_argument(
        "--walk", action="store_true", help="also verify the writer's dicts (the full walk)"
    )
    options = parser.parse_args()
    n = options.entries
    steps = Steps()

    document = steps.run("build + sign (LogWriter)", build, n)
    gc.freeze()  # the document is long-lived: keep the collector from rescanning it
    if options.walk:
        result = steps.run("verify the writer's dicts (full walk)", verify_log, document)
        assert result.ok, result.line()
    text = steps.run("serialise", serialize_log, document).encode("utf-8")
    del document
    gc.unfreeze()
    gc.collect()
    loaded = steps.run("read (strict JSON)", load_json, text)
    gc.freeze()
    result = steps.run("verify what was read", verify_log, loaded)
    assert result.ok, result.line()
    if options.js:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "log.json"
            path.write_bytes(text)
            line = steps.run("JavaScript verifier (node, read + verify)", node_verify, path)
            assert line.startswith("OK "), line

    timings = {name: (wall, cpu) for name, wall, cpu in steps.rows}
    read_wall, read_cpu = timings["read (strict JSON)"]
    verify_wall, verify_cpu = timings["verify what was read"]
    build_wall, build_cpu = timings["build + sign (LogWriter)"]
    figures: dict[str, Any] = {
        "bench": "verify",
        "entries": n,
        "bytes": len(text),
        "verify_entries_per_s": round(n / verify_wall),
        "verify_entries_per_cpu_s": round(n / verify_cpu),
        "read_and_verify_entries_per_s": round(n / (read_wall + verify_wall)),
        "read_and_verify_entries_per_cpu_s": round(n / (read_cpu + verify_cpu)),
        "build_entries_per_s": round(n / build_wall),
        "build_entries_per_cpu_s": round(n / build_cpu),
        "steps": {name: {"wall_s": round(w, 2), "cpu_s": round(c, 2)} for name, w, c in steps.rows},
        "peak_rss_mib": round(peak_mib()),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    table = Table(title=f"Decision log of {n:,} entries ({len(text) / 2**20:,.0f} MiB)")
    for column in ("step", "wall s", "entries/s", "CPU s", "entries/CPU s"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for name, wall, cpu in steps.rows:
        table.add_row(name, f"{wall:.2f}", f"{n / wall:,.0f}", f"{cpu:.2f}", f"{n / cpu:,.0f}")
    console = Console()
    console.print(table)
    console.print(
        f"peak memory (max RSS): {figures['peak_rss_mib']:,} MiB; "
        f"load average {figures['load_average_1min']} on {figures['cpus']} CPUs"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
