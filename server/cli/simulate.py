"""`evenfloor simulate`: run a whole meeting against a server and write its published log;
with `--meeting`, two meetings of a board, writing the signed record of the approved minutes."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click


@click.command()
@click.option("--url", required=True, help="Base URL of a running `evenfloor serve`.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--orgs", default=4, show_default=True, type=click.IntRange(3, 50))
@click.option("--participants", default=9, show_default=True, type=click.IntRange(5, 500))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--meeting",
    "board_meeting",
    is_flag=True,
    help="Drive a board's meetings (agenda, quorum, a conflict, a private item, minutes "
    "approved, published and verified) and write the signed meeting record.",
)
def simulate(
    url: str, out: Path, orgs: int, participants: int, seed: int, board_meeting: bool
) -> None:
    """Drive a complete meeting through the public API and write the published log."""
    from rich.console import Console

    from server.simulation import Meeting, SimulationError

    console = Console(stderr=True)
    if board_meeting:
        _simulate_board(url, out, console)
        return
    meeting = Meeting(
        url,
        organisations=orgs,
        participants=participants,
        seed=seed,
        report=lambda text: console.log(text),
    )
    try:
        with console.status("Simulating a meeting…"):
            outcome = asyncio.run(meeting.run())
    except SimulationError as error:
        console.print(f"[red]evenfloor simulate: {error}[/red]")
        sys.exit(1)
    except OSError as error:
        console.print(f"[red]evenfloor simulate: cannot reach {url}: {error}[/red]")
        sys.exit(1)
    out.write_text(json.dumps(outcome.log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    decision = next(
        (e for e in reversed(outcome.log["entries"]) if e["type"] == "decision.reached"), None
    )
    refused = (
        ", ".join(f"{code} x{count}" for code, count in sorted(outcome.refusals.items())) or "none"
    )
    console.print(
        f"room {outcome.room_id}: {outcome.commands} commands, refusals {refused}; "
        f"outcome {decision['data']['outcome'] if decision else 'none'}; "
        f"{len(outcome.log['entries'])} log entries written to {out}"
    )


def _simulate_board(url: str, out: Path, console: Any) -> None:
    from server.simulation import BoardMeeting, SimulationError

    run = BoardMeeting(url, report=lambda text: console.log(text))
    try:
        with console.status("Simulating a board's meetings…"):
            outcome = asyncio.run(run.run())
    except SimulationError as error:
        console.print(f"[red]evenfloor simulate: {error}[/red]")
        sys.exit(1)
    except OSError as error:
        console.print(f"[red]evenfloor simulate: cannot reach {url}: {error}[/red]")
        sys.exit(1)
    out.write_text(json.dumps(outcome.record, ensure_ascii=False, indent=1) + "\n", "utf-8")
    for index, log in enumerate(outcome.logs, start=1):
        path = out.with_name(f"{out.stem}.log{index}.json")
        path.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", "utf-8")
    refused = ", ".join(f"{code} x{len(m)}" for code, m in sorted(outcome.refusals.items()))
    lost = sum(1 for q in outcome.quorum if not q["held"])
    console.print(
        f"meetings {', '.join(outcome.meetings)}: {outcome.commands} commands, "
        f"refusals {refused or 'none'}; quorum lost {lost} time(s); record {outcome.verified}; "
        f"written to {out} (+ {len(outcome.logs)} linked logs)"
    )
