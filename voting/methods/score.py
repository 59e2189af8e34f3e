"""Score: 0-5 per option (an option left out scores 0); the highest weighted sum wins."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from voting.ballots import SCORE_RANGE, Ballot
from voting.errors import Reason
from voting.methods import Context, Decision, Problem, most_weight, wrong_method


def score_items(ballot: Ballot) -> Hashable:
    return None if ballot.scores is None else tuple(ballot.scores.items())


@dataclass(frozen=True, slots=True)
class ScoreCount:
    options: tuple[str, ...]
    method: Literal["score"] = "score"
    key: Callable[[Ballot], Hashable] = field(default=score_items)

    @property
    def width(self) -> int:
        return len(self.options)

    def check(self, content: Hashable) -> Problem | None:
        if content is None:
            return wrong_method(self.method, "scores")
        assert isinstance(content, tuple)
        for option, score in content:
            if option not in self.options:
                return (Reason.UNKNOWN_OPTION, f"{option!r} is not one of the options")
            if score not in SCORE_RANGE:  # an integer: `Ballot` checks the type
                return (Reason.BAD_SCORE, f"the score for {option!r} must be 0 to 5, not {score!r}")
        return None

    def features(self, content: Hashable) -> Sequence[int]:
        assert isinstance(content, tuple)
        scores = dict(content)
        return [scores.get(option, 0) for option in self.options]

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision:
        return most_weight(self.options, totals, counts, context, what="weighted score")
