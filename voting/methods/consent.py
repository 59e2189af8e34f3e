"""Consent: consent, concern, stand aside or object. Consent is not a majority: a single
objection blocks, whatever its weight; the weights of every position are still reported."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from voting.ballots import POSITIONS, Ballot
from voting.errors import Reason
from voting.methods import Context, Decision, Problem, listing, wrong_method
from voting.results import Remark

_NEEDS_REASON = ("concern", "stand_aside", "object")


def position_and_reason(ballot: Ballot) -> Hashable:
    return None if ballot.position is None else (ballot.position, ballot.reason)


@dataclass(frozen=True, slots=True)
class ConsentCount:
    options: tuple[str, ...] = POSITIONS
    method: Literal["consent"] = "consent"

    @property
    def key(self) -> Callable[[Ballot], Hashable]:
        return position_and_reason

    @property
    def width(self) -> int:
        return len(POSITIONS)

    def check(self, content: Hashable) -> Problem | None:
        if content is None:
            return wrong_method(self.method, "position")
        assert isinstance(content, tuple)
        position, reason = content
        if position not in POSITIONS:
            return (
                Reason.BAD_POSITION,
                f"position must be consent, concern, stand_aside or object, not {position!r}",
            )
        if position in _NEEDS_REASON and not reason.strip():
            return (Reason.MISSING_REASON, f"{position.replace('_', ' ')} needs a reason")
        return None

    def features(self, content: Hashable) -> Sequence[int]:
        assert isinstance(content, tuple)
        return [1 if content[0] == position else 0 for position in POSITIONS]

    def decide(
        self, totals: Sequence[Fraction], counts: Sequence[int], context: Context
    ) -> Decision:
        by_position: dict[str, Fraction] = dict(zip(POSITIONS, totals, strict=True))
        tally: dict[str, int] = dict(zip(POSITIONS, counts, strict=True))
        remarks = _remarks(context)
        sentences = [
            "Answers: " + ", ".join(f"{tally[p]} {p.replace('_', ' ')}" for p in POSITIONS) + ".",
            listing("Counted weight", by_position),
        ]
        outcome = None
        if context.named:
            if tally["object"]:
                outcome = "blocked"
                sentences.append(
                    f"{tally['object']} objection(s) block the proposal: consent is not a "
                    "majority, so an objection blocks whatever its weight."
                )
            elif tally["concern"]:
                outcome = "consented_with_concerns"
                sentences.append("No one objects: consented, with the concerns recorded.")
            else:
                outcome = "consented"
                sentences.append("No one objects: consented.")
        return Decision(
            totals=by_position,
            counts=tally,
            winner=None,
            outcome=outcome,
            sentences=tuple(sentences),
            remarks=remarks,
        )


def _remarks(context: Context) -> tuple[Remark, ...]:
    """Concerns, stand-asides and objections with their reasons: by position, then reason."""
    found = []
    for content, count in zip(context.contents, context.content_counts, strict=True):
        assert isinstance(content, tuple)
        position, reason = content
        if position in _NEEDS_REASON and count:
            found.append(Remark(position, reason, count))
    order: dict[str, int] = {position: index for index, position in enumerate(POSITIONS)}
    return tuple(sorted(found, key=lambda r: (order[r.position], r.reason)))
