"""The vote cap: water filling over organisations' raw weights, in exact arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class CapAdjustment:
    """The cap in force and the counted weight of every organisation under it."""

    cap: Fraction  # the cap in force: the room's, or 1/n when that cannot hold
    raised_to_equal_shares: bool
    counted: Mapping[str, Fraction]  # organisation -> counted weight
    capped: tuple[str, ...]  # organisations scaled down to exactly `cap`, largest first


def cap_organisations(raw: Mapping[str, Fraction], cap: Fraction) -> CapAdjustment:
    """The largest weights, each at most the raw one, under which no share exceeds `cap`.

    Organisations over the cap are brought down to exactly `cap` of the counted total, the
    largest first; the total shrinks as they are, so an organisation that was under the cap
    before may have to follow. The others keep their raw weight. When `cap` × (organisations
    carrying weight) < 1 no weights can satisfy it, and the cap is raised to 1/n: equal shares.

    With the k largest organisations capped, the counted total T satisfies
    T = k·cap·T + (raw weight of the rest), so T = rest / (1 - k·cap); organisation k+1 needs
    capping when its raw weight exceeds cap·T. The loop always stops before the last one,
    and 1 - k·cap stays positive (each capped organisation took more than cap·T).
    """
    carrying = {org: weight for org, weight in raw.items() if weight > 0}
    in_force = cap
    raised = len(carrying) > 0 and cap * len(carrying) < 1
    if raised:
        in_force = Fraction(1, len(carrying))
    largest_first = sorted(carrying, key=lambda org: (-carrying[org], org))
    rest = sum(carrying.values(), Fraction(0))
    total = rest
    capped: list[str] = []
    for org in largest_first:
        total = rest / (1 - len(capped) * in_force)
        if carrying[org] <= in_force * total:
            break
        capped.append(org)
        rest -= carrying[org]
    at_cap = in_force * total
    counted = {org: (at_cap if org in capped else weight) for org, weight in raw.items()}
    return CapAdjustment(in_force, raised, counted, tuple(capped))
