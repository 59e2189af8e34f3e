"""Golden ballot sets: published examples, hand-worked votes and a real Polis vote stream."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from server.cli.tally import as_json, count
from voting import Ballot, Voter, WeightRules, latest_ballots, tally

HERE = Path(__file__).parent
SETS = sorted(p for p in HERE.glob("*.json") if not p.name.endswith(".expected.json"))


def test_every_golden_set_has_its_expected_figures() -> None:
    assert len(SETS) >= 6
    for path in SETS:
        assert path.with_suffix(".expected.json").exists(), path.name


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_golden_set(path: Path) -> None:
    expected: dict[str, Any] = json.loads(path.with_suffix(".expected.json").read_text())
    document = json.loads(path.read_text(), parse_float=Fraction)  # as the command reads it
    got = as_json(count(document))
    assert got["method"] == document["method"]
    for key, value in expected.items():
        assert got[key] == value, key


def test_the_last_ballot_counts_as_in_polis_own_final_vote_matrix() -> None:
    folder = HERE / "polis-15-per-hour-seattle"
    with (folder / "votes.csv").open(newline="") as handle:
        stream = sorted(csv.DictReader(handle), key=lambda row: int(row["timestamp"]))
    with (folder / "participants-votes.csv").open(newline="") as handle:
        final = list(csv.DictReader(handle))
    choice = {"1": "yes", "-1": "no", "0": "abstain"}
    cast: dict[str, list[Ballot]] = defaultdict(list)
    for row in stream:
        voter = Voter(row["voter-id"], "Seattle")
        cast[row["comment-id"]].append(Ballot(voter, choice=choice[row["vote"]]))
    changed = sum(len(b) - len(latest_ballots(b)) for b in cast.values())
    assert changed > 0  # people did change their minds in this conversation
    rules = WeightRules(mode="one_person_one_vote")
    for comment, ballots in cast.items():
        result = tally("majority", [], latest_ballots(ballots), rules)
        column = Counter(row[comment] for row in final)
        assert dict(result.counts) == {
            "yes": column["1"],
            "no": column["-1"],
            "abstain": column["0"],
        }
    assert len(cast) == 54
