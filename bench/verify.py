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


def node_verify(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    completed = subprocess.run(
        ["node", "--max-old-space-size=8192", "tools/verify-js/verify.mjs", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return time.perf_counter() - start, (completed.stdout or completed.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--js", action="store_true", help="also time the JavaScript verifier")
    options = parser.parse_args()
    n = options.entries
    gc.freeze()  # the document is long-lived: keep the collector from rescanning it

    start = time.perf_counter()
    document = build(n)
    build_s = time.perf_counter() - start

    start = time.perf_counter()
    result = verify_log(document)
    verify_dict_s = time.perf_counter() - start
    assert result.ok, result.line()

    start = time.perf_counter()
    text = serialize_log(document).encode("utf-8")
    serialize_s = time.perf_counter() - start
    del document
    gc.collect()

    start = time.perf_counter()
    loaded = load_json(text)
    load_s = time.perf_counter() - start

    start = time.perf_counter()
    result = verify_log(loaded)
    verify_loaded_s = time.perf_counter() - start
    assert result.ok, result.line()

    js_s: float | None = None
    if options.js:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "log.json"
            path.write_bytes(text)
            js_s, line = node_verify(path)
            assert line.startswith("OK "), line

    figures: dict[str, Any] = {
        "bench": "verify",
        "entries": n,
        "bytes": len(text),
        "build_entries_per_s": round(n / build_s),
        "verify_entries_per_s": round(n / verify_loaded_s),
        "verify_unchecked_dict_entries_per_s": round(n / verify_dict_s),
        "read_and_verify_entries_per_s": round(n / (load_s + verify_loaded_s)),
        "build_s": round(build_s, 2),
        "serialize_s": round(serialize_s, 2),
        "load_s": round(load_s, 2),
        "verify_s": round(verify_loaded_s, 2),
        "js_verify_s": None if js_s is None else round(js_s, 2),
        "peak_rss_mib": round(peak_mib()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    table = Table(title=f"Decision log of {n:,} entries ({len(text) / 2**20:,.0f} MiB)")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("entries/s", justify="right")
    rows = [
        ("build + sign (LogWriter)", build_s),
        ("verify the writer's dicts (full walk)", verify_dict_s),
        ("serialise", serialize_s),
        ("read (strict JSON)", load_s),
        ("verify what was read", verify_loaded_s),
        ("read + verify", load_s + verify_loaded_s),
    ]
    if js_s is not None:
        rows.append(("JavaScript verifier (node, whole file)", js_s))
    for name, seconds in rows:
        table.add_row(name, f"{seconds:.2f}", f"{n / seconds:,.0f}")
    console = Console()
    console.print(table)
    console.print(f"peak memory (max RSS): {figures['peak_rss_mib']:,} MiB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
