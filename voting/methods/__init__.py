"""One module per method. Each turns a ballot's content into integer features (counted per
group of equal weight by `voting.sheet`) and decides from the weighted feature totals."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from voting.ballots import Ballot, Method
from voting.display import decimal_string
from voting.errors import Reason
from voting.results import Remark
from voting.rules import WeightRules
from voting.tiebreak import TieBreak

Problem = tuple[Reason, str]


@dataclass(frozen=True, slots=True)
class Context:
    """What a method may need to decide, besides the totals."""

    rules: WeightRules
    tie_break: TieBreak
    named: bool  # False without quorum or without ballots: compute, but name no winner
    weight_total: Fraction  # counted weight of everyone weighed (the electorate for "eligible")
    contents: Sequence[Hashable]  # distinct ballot contents...
    content_counts: Sequence[int]  # ...and how many ballots gave each


@dataclass(frozen=True, slots=True)
class Decision:
    totals: Mapping[str, Fraction]
    counts: Mapping[str, int]
    winner: str | None
    outcome: str | None
    sentences: tuple[str, ...]
    tie_break: str | None = None
    threshold: Fraction | None = None
    count_over: str | None = None
    ranking: tuple[str, ...] = ()
    pairwise: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    strongest_paths: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    remarks: tuple[Remark, ...] = ()


class Count(Protocol):
    """How one method reads and decides a vote over given options."""

    @property
    def method(self) -> Method: ...

    @property
    def options(self) -> tuple[str, ...]: ...

    @property
    def width(self) -> int:
        """How many integer features each ballot content yields."""
        ...

    @property
    def key(self) -> Callable[[Ballot], Hashable]:
        """The ballot's content for this method (None when the ballot is for another one)."""
        ...

    def check(self, content: Hashable) -> Problem | None: ...

    def features(self, content: Hashable) -> Sequence[int]: ...

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision: ...


def wrong_method(method: str, field_name: str) -> Problem:
    article = "an" if method[0] in "aeiou" else "a"
    return (Reason.WRONG_METHOD, f"{article} {method} ballot needs {field_name!r}")


def check_options(content: object, options: frozenset[str], *, what: str) -> Problem | None:
    """A tuple (as `Ballot` keeps it) of known options, none repeated."""
    assert isinstance(content, tuple)
    for item in content:
        if item not in options:
            return (Reason.UNKNOWN_OPTION, f"{item!r} is not one of the options")
    if len(set(content)) != len(content):
        repeated = next(item for item in content if content.count(item) > 1)
        return (Reason.REPEATED_OPTION, f"{repeated!r} appears twice in {what}")
    return None


def most_weight(
    options: Sequence[str],
    totals: Sequence[Fraction],
    counts: Sequence[int],
    context: Context,
    *,
    what: str,
) -> Decision:
    """The option with the greatest total wins (approval, score); ties go to the tie-break.

    No winner when nothing is to be named (no quorum, no ballots), or when no option
    received any weight.
    """
    by_option = dict(zip(options, totals, strict=True))
    winner, sentences, tie_break = _greatest(options, by_option, context, what)
    return Decision(
        totals=by_option,
        counts=dict(zip(options, counts, strict=True)),
        winner=winner,
        outcome=None,
        sentences=(listing(f"Counted {what}", by_option), *sentences),
        tie_break=tie_break,
    )


def _greatest(
    options: Sequence[str], totals: Mapping[str, Fraction], context: Context, what: str
) -> tuple[str | None, tuple[str, ...], str | None]:
    if not context.named:
        return None, (), None
    best = max(totals.values(), default=Fraction(0))
    if best <= 0:
        return None, (f"No option received any {what}: no winner.",), None
    tied = [option for option in options if totals[option] == best]
    if len(tied) == 1:
        return tied[0], (f"{tied[0]} has the most {what} ({decimal_string(best)}): it wins.",), None
    winner, sentences, described = tie(
        tied, options, context, f"with {decimal_string(best)} {what} each"
    )
    return winner, (*sentences, f"{winner} wins."), described


def tie(
    tied: Sequence[str], options: Sequence[str], context: Context, how: str
) -> tuple[str, tuple[str, ...], str]:
    winner = context.tie_break.pick(tied, options)
    described = context.tie_break.describe()
    sentence = (
        f"{', '.join(tied)} tie {how}; the tie is broken by {described}, which picks {winner}."
    )
    return winner, (sentence,), described


def listing(title: str, totals: Mapping[str, Fraction]) -> str:
    return f"{title}: " + ", ".join(f"{k} {decimal_string(v)}" for k, v in totals.items()) + "."
