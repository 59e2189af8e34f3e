"""Approval: approve any number of options; the most approved weight wins."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Literal

from voting.ballots import Ballot
from voting.methods import (
    Context,
    Decision,
    Problem,
    check_options,
    most_weight,
    wrong_method,
)


@dataclass(frozen=True, slots=True)
class ApprovalCount:
    options: tuple[str, ...]
    method: Literal["approval"] = "approval"
    key: Callable[[Ballot], Hashable] = field(default=attrgetter("approve"))
    _known: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_known", frozenset(self.options))

    @property
    def width(self) -> int:
        return len(self.options)

    def check(self, content: Hashable) -> Problem | None:
        if content is None:
            return wrong_method(self.method, "approve")
        return check_options(content, self._known, what="approve")

    def features(self, content: Hashable) -> Sequence[int]:
        assert isinstance(content, tuple)
        return [1 if option in content else 0 for option in self.options]

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision:
        return most_weight(self.options, totals, counts, context, what="approving weight")
