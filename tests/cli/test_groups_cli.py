"""`evenfloor groups DIR` on small Polis export folders written here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from server.cli import main

N_STATEMENTS = 10


def planted_votes(n: int = 40, seed: int = 5) -> list[tuple[int, str, str, int]]:
    """Two camps (even and odd participants) that disagree on everything but statement 0."""
    rng = np.random.default_rng(seed)
    votes = []
    at = 1_500_000_000_000
    for p in range(n):
        camp = 1 if p % 2 == 0 else -1
        for s in range(N_STATEMENTS):
            at += int(rng.integers(1_000, 20_000))
            vote = 1 if s == 0 else camp * (1 if s % 2 else -1)
            if rng.random() < 0.1:
                vote = 0
            votes.append((at, str(p), str(s), vote))
    return votes


def write_export(
    folder: Path, votes: list[tuple[int, str, str, int]], *, matrix_only: bool = False
) -> Path:
    folder.mkdir()
    with (folder / "comments.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
            ]
        )
        for s in range(N_STATEMENTS + 1):
            moderated = -1 if s == N_STATEMENTS else 1
            writer.writerow([0, "", s, 0, 0, 0, moderated, f"statement {s}"])
    if matrix_only:
        last: dict[tuple[str, str], int] = {(p, s): v for _, p, s, v in votes}
        people = sorted({p for p, _ in last}, key=int)
        with (folder / "participants-votes.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "participant",
                    "group-id",
                    "n-comments",
                    "n-votes",
                    "n-agree",
                    "n-disagree",
                    *map(str, range(N_STATEMENTS)),
                ]
            )
            for p in people:
                cells = [last.get((p, str(s)), "") for s in range(N_STATEMENTS)]
                writer.writerow([p, "", 0, 0, 0, 0, *cells])
    else:
        with (folder / "votes.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
            for at, p, s, v in votes:
                writer.writerow([at, "", s, p, v])
    return folder


def run(folder: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["groups", str(folder), *args])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.output)
    return document


def camps_are_recovered(groups: dict[str, int | None]) -> bool:
    even = {groups[str(p)] for p in range(0, 40, 2)}
    odd = {groups[str(p)] for p in range(1, 40, 2)}
    return len(even) == 1 and len(odd) == 1 and even != odd and None not in even | odd


def test_a_vote_stream_gives_the_documented_json(tmp_path: Path) -> None:
    document = run(write_export(tmp_path / "room", planted_votes()))
    assert set(document) == {"groups", "consensus", "divisive", "k"}
    assert document["k"] == 2
    groups = document["groups"]
    assert isinstance(groups, dict)
    assert camps_are_recovered(groups)
    assert document["consensus"] == ["0"]  # everyone agrees with statement 0
    divisive = document["divisive"]
    assert isinstance(divisive, list)
    assert divisive
    assert "0" not in divisive
    assert str(N_STATEMENTS) not in divisive  # moderated out


def test_a_bare_matrix_is_computed_in_one_go(tmp_path: Path) -> None:
    document = run(write_export(tmp_path / "room", planted_votes(), matrix_only=True))
    groups = document["groups"]
    assert isinstance(groups, dict)
    assert document["k"] == 2
    assert camps_are_recovered(groups)


def test_full_prints_every_figure(tmp_path: Path) -> None:
    document = run(
        write_export(tmp_path / "room", planted_votes()), "--full", "--window-seconds", "60"
    )
    assert {"positions", "representative", "sizes", "silhouettes"} <= set(document)


def test_a_folder_without_votes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["groups", str(tmp_path / "empty")])
    assert result.exit_code != 0
    assert "neither votes.csv nor participants-votes.csv" in result.output
