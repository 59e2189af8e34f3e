"""`evenfloor simulate --meeting` against a real server: two meetings of a board, and the
signed record of the approved minutes checked by both verifiers (Python and JavaScript)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import unavailable
from tests.live.server import ROOT, LiveServer


def test_simulate_meeting_runs_a_board_and_writes_a_record_that_verifies(
    live_server: LiveServer, tmp_path: Path
) -> None:
    out = tmp_path / "RECORD.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "simulate",
            "--meeting",
            "--url",
            live_server.url,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # The refusals the scenario provokes, each with its reason.
    assert "forbidden x2" in run.stdout + run.stderr  # the conflicted vote, the edited fact
    assert "no_quorum x2" in run.stdout + run.stderr  # the room's close, the item's close
    assert re.search(r"quorum lost [1-9]\d* time", run.stdout + run.stderr)
    record = json.loads(out.read_text())
    minutes = record["minutes"]
    assert minutes["status"] == "approved"
    items = {
        item["kind"] + ("/private" if item["private"] else ""): item for item in minutes["items"]
    }
    fund = items["decision"]["decision"]
    assert fund["outcome"] == "consented_with_concerns"
    assert [e["reason"] for e in fund["excluded"]] == [
        "declared an interest: My spouse manages the lounge's provider."
    ]
    assert "Preferred bidder" not in out.read_text()
    assert set(items["decision/private"]) <= {"id", "number", "kind", "private", "title", "log"}
    lost = [q for q in minutes["quorum"] if not q["held"]]
    assert lost
    assert all(q["missing"] for q in lost)
    assert minutes["quorum"][-1]["held"] is True
    logs = sorted(tmp_path.glob("RECORD.log*.json"))
    assert len(logs) == len(record["links"]) == 1
    verify = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    node = shutil.which("node")
    if node is None:
        unavailable("node")
    assert node is not None
    js = subprocess.run(
        [node, str(ROOT / "tools" / "verify-js" / "verify.mjs"), str(out)],
        capture_output=True,
        text=True,
    )
    assert js.returncode == 0, js.stdout + js.stderr
