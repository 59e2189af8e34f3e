"""Ranked: the Schulze method (beatpath), exactly as Schulze defines it.

d[x][y] is the counted weight ranking x above y (an unranked option is below every ranked
one). A link x→y exists when d[x][y] > d[y][x], with strength d[x][y]; p[x][y] is the
strength of the strongest path (its weakest link), found with Floyd-Warshall. x is better
than y when p[x][y] > p[y][x]; that relation is transitive. The ranking takes, again and
again, the options that no remaining option is better than; when there are several, the tie
is broken by the tally's tie-break (by default the order of the options). The winner is the
first of the ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Literal

from voting.ballots import Ballot
from voting.display import decimal_string
from voting.methods import (
    Context,
    Decision,
    Problem,
    check_options,
    listing,
    tie,
    wrong_method,
)

Matrix = dict[str, dict[str, Fraction]]


@dataclass(frozen=True, slots=True)
class RankedCount:
    options: tuple[str, ...]
    method: Literal["ranked"] = "ranked"
    key: Callable[[Ballot], Hashable] = field(default=attrgetter("ranking"))
    _known: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_known", frozenset(self.options))

    @property
    def width(self) -> int:
        k = len(self.options)
        return k * k + k  # pairwise preferences, then first preferences

    def check(self, content: Hashable) -> Problem | None:
        if content is None:
            return wrong_method(self.method, "ranking")
        return check_options(content, self._known, what="ranking")

    def features(self, content: Hashable) -> Sequence[int]:
        assert isinstance(content, tuple)
        place = {option: index for index, option in enumerate(content)}
        unranked = len(content)
        pairs = [
            1 if place.get(x, unranked) < place.get(y, unranked) else 0
            for x in self.options
            for y in self.options
        ]
        first = [1 if content and content[0] == option else 0 for option in self.options]
        return pairs + first

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision:
        options, k = self.options, len(self.options)
        d: Matrix = {
            x: {y: totals[i * k + j] for j, y in enumerate(options) if y != x}
            for i, x in enumerate(options)
        }
        p = strongest_paths(d)
        first = dict(zip(options, totals[k * k :], strict=True))
        sentences = [listing("Counted weight ranking each option first", first), _contests(d)]
        if any(p[x][y] for x in options for y in options if x != y):
            sentences.append(
                "Strongest paths: "
                + "; ".join(
                    f"{x}→{y} {decimal_string(p[x][y])}"
                    for x in options
                    for y in options
                    if x != y and p[x][y]
                )
                + "."
            )
        winner: str | None = None
        ranking: tuple[str, ...] = ()
        tie_break: str | None = None
        if context.named and any(first.values()):
            ranking, tie_break, ties = _ranking(p, options, context)
            winner = ranking[0]
            sentences.append("Schulze ranking: " + " > ".join(ranking) + ".")
            sentences.extend(ties)
            sentences.append(
                f"{winner} wins: no option has a stronger path to it than it has back."
            )
        elif context.named:
            sentences.append("No ballot ranks any option with weight: no winner.")
        return Decision(
            totals=first,
            counts=dict(zip(options, counts[k * k :], strict=True)),
            winner=winner,
            outcome=None,
            sentences=tuple(sentences),
            tie_break=tie_break,
            ranking=ranking,
            pairwise=d,
            strongest_paths=p,
        )


def strongest_paths(d: Mapping[str, Mapping[str, Fraction]]) -> Matrix:
    """p[x][y]: the strength of the strongest path from x to y (0 when there is none)."""
    options = list(d)
    zero = Fraction(0)
    p = {x: {y: (d[x][y] if d[x][y] > d[y][x] else zero) for y in d[x]} for x in options}
    for i in options:
        for j in options:
            if j == i:
                continue
            for k in options:
                if k in (i, j):
                    continue
                through = min(p[j][i], p[i][k])
                if through > p[j][k]:
                    p[j][k] = through
    return p


def _ranking(
    p: Matrix, options: tuple[str, ...], context: Context
) -> tuple[tuple[str, ...], str | None, list[str]]:
    """Schulze order, with the tie-break used (if any) and a sentence for each tie broken."""
    remaining = list(options)
    order: list[str] = []
    notes: list[str] = []
    tie_break: str | None = None
    while remaining:
        unbeaten = [x for x in remaining if all(p[x][y] >= p[y][x] for y in remaining if y != x)]
        if len(unbeaten) == 1:
            chosen = unbeaten[0]
        else:
            chosen, sentences, tie_break = tie(
                unbeaten, options, context, f"for place {len(order) + 1}"
            )
            notes.extend(sentences)
        order.append(chosen)
        remaining.remove(chosen)
    return tuple(order), tie_break, notes


def _contests(d: Matrix) -> str:
    options = list(d)
    parts = []
    for i, x in enumerate(options):
        for y in options[i + 1 :]:
            a, b = d[x][y], d[y][x]
            if a == b:
                parts.append(f"{x} and {y} tie {decimal_string(a)} to {decimal_string(b)}")
            else:
                win, lose = (x, y) if a > b else (y, x)
                parts.append(
                    f"{win} beats {lose} {decimal_string(max(a, b))} to {decimal_string(min(a, b))}"
                )
    return "Pairwise: " + ("; ".join(parts) if parts else "nothing to compare") + "."
