"""Majority: yes / no / abstain on one motion, with a threshold over votes cast or eligible weight.

- over `cast`: yes must be more than half (`simple`), or at least two thirds or three quarters,
  of the counted weight voting yes or no; abstentions take part (quorum) but do not count.
- over `eligible`: the same shares of the whole electorate's counted weight, so that abstaining
  and staying away count against the motion.
A tie under `simple` does not carry; nothing carries with no yes weight.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from typing import Literal

from voting.ballots import CHOICES, Ballot
from voting.display import decimal_string, percent
from voting.errors import Reason
from voting.methods import Context, Decision, Problem, listing, wrong_method
from voting.rules import THRESHOLDS

_NAMES = {
    "simple": "more than half",
    "two_thirds": "two thirds",
    "three_quarters": "three quarters",
}


@dataclass(frozen=True, slots=True)
class MajorityCount:
    options: tuple[str, ...] = CHOICES
    method: Literal["majority"] = "majority"
    key: Callable[[Ballot], Hashable] = field(default=attrgetter("choice"))

    @property
    def width(self) -> int:
        return len(CHOICES)

    def check(self, content: Hashable) -> Problem | None:
        if content is None:
            return wrong_method(self.method, "choice")
        if content not in CHOICES:
            return (Reason.BAD_CHOICE, f"choice must be yes, no or abstain, not {content!r}")
        return None

    def features(self, content: Hashable) -> Sequence[int]:
        return [1 if content == choice else 0 for choice in CHOICES]

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision:
        by_choice: dict[str, Fraction] = dict(zip(CHOICES, totals, strict=True))
        rules = context.rules
        needed = THRESHOLDS[rules.threshold]
        yes, no = by_choice["yes"], by_choice["no"]
        if rules.count_over == "eligible":
            base, over = context.weight_total, "of the eligible counted weight"
        else:
            base, over = yes + no, "of the counted weight voting yes or no"
        share = yes / base if base else Fraction(0)
        if rules.threshold == "simple":
            carried = yes > needed * base
            rule = f"more than half {over}"
        else:
            carried = yes > 0 and yes >= needed * base
            rule = f"at least {_NAMES[rules.threshold]} {over}"
        sentences = [
            listing("Counted weight", by_choice),
            f"Yes holds {percent(share)} ({decimal_string(yes)} of {decimal_string(base)}); "
            f"the motion needs {rule}.",
        ]
        winner = outcome = None
        if context.named:
            outcome = "carried" if carried else "not_carried"
            winner = "yes" if carried else "no"
            sentences.append("The motion is carried." if carried else "The motion is not carried.")
        return Decision(
            totals=by_choice,
            counts=dict(zip(CHOICES, counts, strict=True)),
            winner=winner,
            outcome=outcome,
            sentences=tuple(sentences),
            threshold=needed,
            count_over=rules.count_over,
        )
