"""The tally sheet: ballots reduced to integer counts before any Fraction is touched.

This is the hot path. One pass over the ballots files each one under a group (organisation,
raw weight) and a content (its approvals, scores, choice, ranking or position), keeping a
single integer code per ballot. Then, with numpy integer arrays: how many ballots each
(group, content) pair has, and each group's sum of every feature (options approved, scores,
pairwise preferences...). Every check that depends only on content runs once per distinct
content, not once per ballot. Fractions come in afterwards, per group (see `voting.tally`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from voting.ballots import ONE, Ballot
from voting.errors import InvalidBallot, Reason
from voting.methods import Count

Ints = npt.NDArray[np.int64]

_LOW = 32  # a ballot's code: group << 32 | content
_DENSE = 1 << 22  # largest (groups × contents) matrix worth building in full
_CHUNK = 1 << 16  # rows of (pair count × features) materialised at once


@dataclass(frozen=True, slots=True)
class Sheet:
    """Per group of voters sharing an organisation and a raw weight: ballots and feature sums."""

    organisation: tuple[str, ...]
    weight: tuple[Fraction, ...]
    ballots: Ints  # shape (groups,)
    features: Ints  # shape (groups, count.width)
    contents: tuple[Hashable, ...] = ()  # distinct contents, in order of first appearance
    content_counts: tuple[int, ...] = ()

    @property
    def participants(self) -> int:
        return int(self.ballots.sum())


def read_ballots(ballots: Sequence[Ballot], count: Count) -> Sheet:
    """Count `ballots` for `count`'s method, refusing the first unusable ballot."""
    key = count.key
    plain: dict[str, int] = {}  # organisation -> group, for voters of weight ONE
    weighted: dict[tuple[str, int], int] = {}  # (organisation, id(weight)) -> group
    members: list[tuple[str, Fraction]] = []
    content_of: dict[Hashable, int] = {}
    seen: set[str] = set()
    see = seen.add
    codes: list[int] = []
    code = codes.append
    try:
        for ballot in ballots:
            voter = ballot.voter
            see(voter.id)
            # Weight 1 is always the one shared ONE (see `exact_weight`): the common case is a
            # lookup by organisation. Other weights are grouped by identity here (cheap) and
            # by value in `_sum` (once per group). `members` keeps each group's weight object
            # alive, so its id cannot be reused by another weight meanwhile.
            weight = voter.weight
            if weight is ONE:
                group = plain.get(voter.organisation)
                if group is None:
                    group = plain[voter.organisation] = len(members)
                    members.append((voter.organisation, ONE))
            else:
                group = weighted.get((voter.organisation, id(weight)))
                if group is None:
                    group = weighted[(voter.organisation, id(weight))] = len(members)
                    members.append((voter.organisation, weight))
            content = key(ballot)
            index = content_of.get(content)
            if index is None:
                index = content_of[content] = len(content_of)
            code(group << _LOW | index)
    except (AttributeError, TypeError):
        raise _unreadable(ballots, count) from None
    if len(seen) != len(codes):
        raise _second_ballot(ballots)
    contents = tuple(content_of)
    for content in contents:
        problem = count.check(content)
        if problem is not None:
            at = next(i for i, ballot in enumerate(ballots) if key(ballot) == content)
            raise InvalidBallot(*problem, index=at, voter=ballots[at].voter.id)
    return _sum(codes, members, contents, count)


def _sum(
    codes: list[int],
    members: list[tuple[str, Fraction]],
    contents: tuple[Hashable, ...],
    count: Count,
) -> Sheet:
    merged: dict[tuple[str, Fraction], int] = {}
    remap = np.array([merged.setdefault(member, len(merged)) for member in members] or [0])
    groups = list(merged)
    codes_array = np.array(codes, dtype=np.int64)
    group = remap[codes_array >> _LOW]
    content = codes_array & ((1 << _LOW) - 1)
    features = np.array([count.features(c) for c in contents], dtype=np.int64)
    features = features.reshape(len(contents), count.width)
    cells = len(groups) * len(contents)
    if cells <= min(_DENSE, 4 * len(codes) + 4096):  # one small dense (group × content) grid
        grid = np.bincount(group * len(contents) + content, minlength=cells)
        grid = grid.reshape(len(groups), len(contents))
        sums = grid @ features
        per_group, per_content = grid.sum(axis=1), grid.sum(axis=0)
    else:  # many weights and contents: only the pairs that occur
        pairs, times = np.unique(group * len(contents) + content, return_counts=True)
        pair_group, pair_content = np.divmod(pairs, len(contents))
        sums = np.zeros((len(groups), count.width), dtype=np.int64)
        for start in range(0, len(pairs), _CHUNK):
            part = slice(start, start + _CHUNK)
            np.add.at(sums, pair_group[part], times[part, None] * features[pair_content[part]])
        per_group = np.zeros(len(groups), dtype=np.int64)
        np.add.at(per_group, pair_group, times)
        per_content = np.zeros(len(contents), dtype=np.int64)
        np.add.at(per_content, pair_content, times)
    return Sheet(
        organisation=tuple(org for org, _ in groups),
        weight=tuple(weight for _, weight in groups),
        ballots=per_group.astype(np.int64),
        features=sums.astype(np.int64),
        contents=contents,
        content_counts=tuple(per_content.tolist()),
    )


def _unreadable(ballots: Sequence[Ballot], count: Count) -> InvalidBallot:
    for index, item in enumerate(ballots):
        ballot: object = item
        if not isinstance(ballot, Ballot):
            return InvalidBallot(Reason.BALLOT_SHAPE, "is not a Ballot", index=index)
        try:
            hash(count.key(ballot))
        except TypeError:
            return InvalidBallot(
                Reason.BALLOT_SHAPE,
                f"its {count.method} content must list options by name",
                index=index,
                voter=ballot.voter.id,
            )
    raise AssertionError("a ballot failed to read but none is unreadable")  # pragma: no cover


def _second_ballot(ballots: Sequence[Ballot]) -> InvalidBallot:
    first: dict[str, int] = {}
    for index, ballot in enumerate(ballots):
        voter = ballot.voter.id
        if voter in first:
            return InvalidBallot(
                Reason.VOTER_TWICE,
                f"this voter already cast ballots[{first[voter]}]; keep only the last ballot "
                "(voting.latest_ballots)",
                index=index,
                voter=voter,
            )
        first[voter] = index
    raise AssertionError("a voter id repeats but no repeat was found")  # pragma: no cover
