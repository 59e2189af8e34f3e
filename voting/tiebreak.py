"""Tie-breaks: deterministic strategies, recorded in the result so anyone can re-run a count."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class TieBreak(Protocol):
    def pick(self, tied: Sequence[str], options: Sequence[str]) -> str:
        """One of `tied` (at least two options, all in `options`)."""
        ...

    def describe(self) -> str:
        """How the pick was made, for the explanation: '... broken by {describe()}'."""
        ...


@dataclass(frozen=True, slots=True)
class ByOptionOrder:
    """The tied option listed first in the vote's options wins (the default).

    The order of the options is fixed and published before anyone votes, so this is
    reproducible by anyone and cannot be steered after the ballots are in.
    """

    def pick(self, tied: Sequence[str], options: Sequence[str]) -> str:
        return min(tied, key=options.index)

    def describe(self) -> str:
        return "the order in which the options are listed"


@dataclass(frozen=True, slots=True)
class ByLot:
    """Drawn by lot from a seed the room fixed in advance: a local generator over sorted input."""

    seed: int

    def pick(self, tied: Sequence[str], options: Sequence[str]) -> str:
        return random.Random(self.seed).choice(sorted(tied))

    def describe(self) -> str:
        return f"lot (seed {self.seed})"


BY_OPTION_ORDER = ByOptionOrder()
