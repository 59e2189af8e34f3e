"""A room's counting rules: weighting mode, vote cap, quorum and threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, get_args

from voting.errors import InvalidTallyInput, Reason

Mode = Literal["capped", "one_org_one_vote", "one_person_one_vote"]
Threshold = Literal["simple", "two_thirds", "three_quarters"]
CountOver = Literal["cast", "eligible"]

# The share of the counted weight that a motion needs; "simple" means more than half.
THRESHOLDS: dict[str, Fraction] = {
    "simple": Fraction(1, 2),
    "two_thirds": Fraction(2, 3),
    "three_quarters": Fraction(3, 4),
}


@dataclass(frozen=True, slots=True)
class Quorum:
    """The least number of participants, and of organisations, for a tally to name a winner."""

    participants: int = 0
    organisations: int = 0

    def __post_init__(self) -> None:
        for name in ("participants", "organisations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidTallyInput(
                    Reason.BAD_RULES, f"quorum {name} must be a whole number >= 0, not {value!r}"
                )


@dataclass(frozen=True, slots=True)
class WeightRules:
    """How ballots are weighed and what a motion needs.

    - `mode`: `capped` (raw weights, then no organisation above `vote_cap` of the counted
      weight), `one_org_one_vote` (each organisation weighs 1, split among its voters in
      proportion to their raw weights) or `one_person_one_vote` (raw weights, no cap).
      `vote_cap` is used in `capped` mode only; `capped` without a cap counts raw weights.
    - `quorum`: least participants and organisations for a tally to name a winner.
    - `threshold` and `count_over`: for `majority`, the share of yes needed, over the
      weight of yes and no votes cast (`cast`) or over the whole eligible electorate
      (`eligible`: weights are then computed over the electorate, and absent or abstaining
      weight counts against the motion).
    """

    mode: Mode = "capped"
    vote_cap: Fraction | None = None
    quorum: Quorum = field(default_factory=Quorum)
    threshold: Threshold = "simple"
    count_over: CountOver = "cast"

    def __post_init__(self) -> None:
        _one_of("mode", self.mode, get_args(Mode))
        _one_of("threshold", self.threshold, get_args(Threshold))
        _one_of("count_over", self.count_over, get_args(CountOver))
        if not isinstance(self.quorum, Quorum):
            raise InvalidTallyInput(Reason.BAD_RULES, "quorum must be a Quorum")
        cap: object = self.vote_cap
        if cap is None:
            return
        if isinstance(cap, bool) or not isinstance(cap, int | Fraction):
            raise InvalidTallyInput(
                Reason.BAD_RULES, f"vote_cap must be an exact Fraction, not {cap!r}"
            )
        if not 0 < cap <= 1:
            raise InvalidTallyInput(
                Reason.BAD_RULES, f"vote_cap must be more than 0 and at most 1, not {cap}"
            )
        object.__setattr__(self, "vote_cap", Fraction(cap))


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidTallyInput(
            Reason.BAD_RULES, f"{name} must be one of {', '.join(allowed)}, not {value!r}"
        )
