"""Approval and score ballots as arrays, for counting in bulk (e.g. straight from a database).

Building a million `Ballot` objects costs many times what counting them does; a server that
reads ballots as columns can hand them over as a `BallotTable` and skip that. Counting a table
gives exactly the result of counting the same ballots one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from voting.ballots import ONE, SCORE_RANGE, exact_weight
from voting.errors import InvalidBallot, InvalidTallyInput, Reason, VotingError
from voting.methods import Count
from voting.sheet import Sheet

Codes = npt.NDArray[np.integer[Any]]


@dataclass(frozen=True, slots=True, eq=False)
class BallotTable:
    """One row per ballot (one voter each).

    - `organisation[i]` indexes `organisations`;
    - `marks[i, j]` is row i's mark for option j (in the tally's order of options):
      1 or 0 for approval, 0-5 for score;
    - `weight[i]` indexes `weights` (None: every row weighs `weights[0]`);
    - `voters[i]`, when given, is row i's voter id: each must be unique, and in the
      electorate when `tally` is given one. Without it, the caller vouches that every row is
      a different, eligible voter (e.g. a primary key on the voter); with an electorate,
      each row's organisation must still be in it.
    """

    organisations: Sequence[str]
    organisation: Codes
    marks: Codes
    weights: Sequence[Fraction] = (ONE,)
    weight: Codes | None = None
    voters: Sequence[str] | None = None

    def __len__(self) -> int:
        return int(self.organisation.shape[0])


def read_table(table: BallotTable, count: Count) -> Sheet:
    """The tally sheet of a table, refusing the first unusable row."""
    if count.method not in ("approval", "score"):
        raise InvalidTallyInput(Reason.BAD_TABLE, "a ballot table holds approval or score ballots")
    n, k = len(table), len(count.options)
    organisation = _codes(table.organisation, n, len(table.organisations), "organisation")
    weight_code = (
        np.zeros(n, dtype=np.int64)
        if table.weight is None
        else _codes(table.weight, n, len(table.weights), "weight")
    )
    marks = np.asarray(table.marks)
    if marks.shape != (n, k) or not np.issubdtype(marks.dtype, np.integer):
        raise InvalidTallyInput(
            Reason.BAD_TABLE,
            f"marks must be whole numbers of shape ({n}, {k}), one column per option",
        )
    top = 1 if count.method == "approval" else SCORE_RANGE.stop - 1
    if marks.size and (marks.min() < 0 or marks.max() > top):
        row = int(np.flatnonzero(((marks < 0) | (marks > top)).any(axis=1))[0])
        reason = Reason.BAD_SCORE if count.method == "score" else Reason.BALLOT_SHAPE
        raise _row(row, table, reason, f"marks must be 0 to {top}, not {marks[row].tolist()}")
    weights = []
    for index, value in enumerate(table.weights):
        try:
            weights.append(exact_weight(value))
        except VotingError as refused:
            rows = np.flatnonzero(weight_code == index)
            if rows.size:
                raise _row(int(rows[0]), table, refused.reason, refused.message) from None
            raise
    _check_voters(table)
    names = list(table.organisations)
    group = organisation * len(weights) + weight_code
    size = len(names) * len(weights)
    sums = np.zeros((size, k), dtype=np.int64)
    for option in range(k):  # integer counts only: a score s counts once at each level 1..s
        column = marks[:, option]
        for level in range(1, top + 1):
            sums[:, option] += np.bincount(group[column >= level], minlength=size)
    per_group = np.bincount(group, minlength=size)
    used = np.flatnonzero(per_group)
    return Sheet(
        organisation=tuple(names[g // len(weights)] for g in used.tolist()),
        weight=tuple(weights[g % len(weights)] for g in used.tolist()),
        ballots=per_group[used].astype(np.int64),
        features=sums[used],
    )


def _codes(values: Codes, n: int, limit: int, what: str) -> npt.NDArray[np.int64]:
    codes = np.asarray(values)
    if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer):
        raise InvalidTallyInput(Reason.BAD_TABLE, f"{what} must be {n} whole numbers, one per row")
    bad = np.flatnonzero((codes < 0) | (codes >= limit))
    if bad.size:
        raise InvalidTallyInput(
            Reason.BAD_TABLE, f"row {int(bad[0])}: {what} code {int(codes[bad[0]])} is out of range"
        )
    return codes.astype(np.int64)


def _check_voters(table: BallotTable) -> None:
    if table.voters is None:
        return
    if len(table.voters) != len(table):
        raise InvalidTallyInput(Reason.BAD_TABLE, "voters must give one id per row")
    first: dict[str, int] = {}
    for row, voter in enumerate(table.voters):
        if voter in first:
            raise _row(row, table, Reason.VOTER_TWICE, f"this voter already has row {first[voter]}")
        first[voter] = row


def _row(row: int, table: BallotTable, reason: Reason, detail: str) -> InvalidBallot:
    voter = None if table.voters is None else table.voters[row]
    return InvalidBallot(reason, detail, index=row, voter=voter)
