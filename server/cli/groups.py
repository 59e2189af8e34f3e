"""`evenfloor groups DIR`: opinion groups of a Polis export folder, offline.

Reads `comments.csv` (for statements moderated out) and `votes.csv` (every vote with its time),
or, when there is no `votes.csv`, `participants-votes.csv` (the final participant × comment
matrix). A timed vote stream is replayed through the incremental engine, recomputing once per
time window as a live room does; a bare matrix is computed in one go. No database, no settings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
from threadpoolctl import threadpool_limits

from deliberation.opinion import (
    EngineSettings,
    OpinionGroups,
    TimedVote,
    compute_groups,
)
from deliberation.opinion.replay import DEFAULT_WINDOW_MS


@dataclass(frozen=True, slots=True)
class PolisExport:
    """What a Polis export folder says, as the engine takes it."""

    votes: tuple[TimedVote, ...] | None  # from votes.csv, in file order
    matrix: dict[str, dict[str, int]] | None  # from participants-votes.csv, if no votes.csv
    moderated_out: tuple[str, ...]  # comments with moderated = -1


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def load_polis_export(folder: Path) -> PolisExport:
    """Read a Polis export folder (comments.csv, votes.csv and/or participants-votes.csv)."""
    comments = folder / "comments.csv"
    moderated_out = (
        tuple(r["comment-id"] for r in _rows(comments) if r.get("moderated", "").strip() == "-1")
        if comments.exists()
        else ()
    )
    votes_csv = folder / "votes.csv"
    if votes_csv.exists():
        votes = tuple(
            TimedVote(int(r["timestamp"]), r["voter-id"], r["comment-id"], int(r["vote"]))
            for r in _rows(votes_csv)
        )
        return PolisExport(votes, None, moderated_out)
    matrix_csv = folder / "participants-votes.csv"
    if not matrix_csv.exists():
        raise FileNotFoundError(f"{folder} has neither votes.csv nor participants-votes.csv")
    matrix: dict[str, dict[str, int]] = {}
    for row in _rows(matrix_csv):
        cells = {
            column: int(value)
            for column, value in row.items()
            if column and column.isdigit() and value not in ("", None)
        }
        if cells:
            matrix[row["participant"]] = cells
    return PolisExport(None, matrix, moderated_out)


def groups_of_export(
    export: PolisExport,
    *,
    window_ms: int = DEFAULT_WINDOW_MS,
    settings: EngineSettings | None = None,
) -> OpinionGroups:
    """Compute the groups of a loaded export (single-threaded BLAS: the matrices are small, and
    threads only add overhead)."""
    source = export.votes if export.votes is not None else export.matrix
    assert source is not None
    with threadpool_limits(1):
        return compute_groups(
            source, moderated_out=export.moderated_out, window_ms=window_ms, settings=settings
        )


def summary(result: OpinionGroups) -> dict[str, object]:
    """The document `evenfloor groups` prints."""
    return {
        "groups": dict(sorted(result.groups.items(), key=lambda kv: _natural(kv[0]))),
        "consensus": [c.statement for c in result.consensus],
        "divisive": [d.statement for d in result.divisive],
        "k": result.k,
    }


def _natural(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


@click.command("groups")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option(
    "--window-seconds",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_WINDOW_MS / 1000,
    show_default=True,
    help="Replay: one recomputation per window of this many seconds that saw a vote.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the engine.")
@click.option(
    "--full", is_flag=True, help="Print every figure (positions, representative statements...)."
)
def groups(folder: Path, window_seconds: float, seed: int, full: bool) -> None:
    """Print the opinion groups of the Polis export folder FOLDER as one JSON document."""
    try:
        export = load_polis_export(folder)
    except (FileNotFoundError, KeyError, ValueError) as problem:
        raise click.ClickException(f"cannot read {folder}: {problem}") from problem
    result = groups_of_export(
        export, window_ms=round(window_seconds * 1000), settings=EngineSettings(seed=seed)
    )
    document = result.to_json() if full else summary(result)
    click.echo(json.dumps(document, sort_keys=False, ensure_ascii=False))
