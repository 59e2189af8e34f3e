"""Weighting: raw weights per organisation -> counted weights, with an explanation.

The work is done per organisation (a handful of Fractions), never per ballot: every member
of an organisation has their raw weight multiplied by the same `scale`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from voting.ballots import ONE, ZERO, Voter
from voting.caps import CapAdjustment, cap_organisations
from voting.display import decimal_string, percent
from voting.errors import InvalidTallyInput, Reason
from voting.rules import WeightRules


@dataclass(frozen=True, slots=True)
class OrganisationWeight:
    """One organisation in a weighting: how many voted, with what weight, and its share."""

    voters: int
    raw_weight: Fraction
    counted_weight: Fraction
    share: Fraction  # of the counted total
    raw_share: Fraction = ZERO  # of the raw total
    scale: Fraction = ONE  # each member's counted weight = raw weight × scale


@dataclass(frozen=True, slots=True)
class OrganisationWeighting:
    """Weights decided per organisation; what `tally` uses."""

    scale: Mapping[str, Fraction]
    organisations: Mapping[str, OrganisationWeight]
    cap_applied: Fraction | None
    cap_raised_to_equal_shares: bool
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Weighting:
    """Weights decided per voter: `counted` maps each voter id to their counted weight."""

    counted: Mapping[str, Fraction]
    cap_applied: Fraction | None
    cap_raised_to_equal_shares: bool
    organisations: Mapping[str, OrganisationWeight]
    explanation: tuple[str, ...]


def weigh(voters: Sequence[Voter], rules: WeightRules) -> Weighting:
    """Counted weight of every voter under the room's rules (one entry per voter id)."""
    raw: dict[str, Fraction] = {}
    members: dict[str, int] = {}
    seen: set[str] = set()
    for voter in voters:
        if voter.id in seen:
            raise InvalidTallyInput(Reason.VOTER_TWICE, f"voter {voter.id!r} is listed twice")
        seen.add(voter.id)
        raw[voter.organisation] = raw.get(voter.organisation, ZERO) + voter.weight
        members[voter.organisation] = members.get(voter.organisation, 0) + 1
    by_org = weigh_organisations(raw, members, rules)
    counted = {voter.id: voter.weight * by_org.scale[voter.organisation] for voter in voters}
    return Weighting(
        counted=MappingProxyType(counted),
        cap_applied=by_org.cap_applied,
        cap_raised_to_equal_shares=by_org.cap_raised_to_equal_shares,
        organisations=by_org.organisations,
        explanation=by_org.explanation,
    )


def weigh_organisations(
    raw: Mapping[str, Fraction], voters: Mapping[str, int], rules: WeightRules
) -> OrganisationWeighting:
    """Counted weight per organisation from its raw total, under `rules`."""
    names = sorted(raw)
    raw_total = sum(raw.values(), ZERO)
    lines = [_listing("Raw weight by organisation", {n: raw[n] for n in names}, raw_total)]
    cap_applied: Fraction | None = None
    raised = False
    if rules.mode == "capped" and rules.vote_cap is not None:
        adjustment = cap_organisations(raw, rules.vote_cap)
        counted = dict(adjustment.counted)
        cap_applied, raised = adjustment.cap, adjustment.raised_to_equal_shares
        lines += _cap_sentences(rules.vote_cap, adjustment, raw)
    elif rules.mode == "one_org_one_vote":
        counted = {org: (ONE if weight > 0 else ZERO) for org, weight in raw.items()}
        lines.append(
            "One organisation, one vote: each organisation weighs 1, split among its voters "
            "in proportion to their raw weights."
        )
    else:
        counted = dict(raw)
        lines.append(
            "One person, one vote: raw weights count, with no cap."
            if rules.mode == "one_person_one_vote"
            else "No vote cap is set: raw weights count."
        )
    if rules.mode != "capped" and rules.vote_cap is not None:
        lines.append(f"The vote cap of {percent(rules.vote_cap)} does not apply in this mode.")
    total = sum(counted.values(), ZERO)
    scale = {org: (counted[org] / raw[org] if raw[org] else ONE) for org in names}
    organisations = {
        org: OrganisationWeight(
            voters=voters.get(org, 0),
            raw_weight=raw[org],
            counted_weight=counted[org],
            share=counted[org] / total if total else ZERO,
            raw_share=raw[org] / raw_total if raw_total else ZERO,
            scale=scale[org],
        )
        for org in names
    }
    lines.append(_listing("Counted weight by organisation", {n: counted[n] for n in names}, total))
    return OrganisationWeighting(
        scale=MappingProxyType(scale),
        organisations=MappingProxyType(organisations),
        cap_applied=cap_applied,
        cap_raised_to_equal_shares=raised,
        explanation=tuple(lines),
    )


def _cap_sentences(
    asked: Fraction, adjustment: CapAdjustment, raw: Mapping[str, Fraction]
) -> list[str]:
    lines = []
    in_force = adjustment.cap
    if adjustment.raised_to_equal_shares:
        carrying = sum(1 for weight in raw.values() if weight > 0)
        lines.append(
            f"A vote cap of {percent(asked)} cannot hold with {carrying} organisations "
            f"carrying weight ({percent(asked)} × {carrying} < 100%): it is raised to "
            f"1/{carrying}, equal shares, for this tally."
        )
    if not adjustment.capped:
        lines.append(f"No organisation is over the vote cap of {percent(in_force)}.")
    raw_total = sum(raw.values(), ZERO)
    for org in sorted(adjustment.capped):
        counted = adjustment.counted[org]
        raw_share = raw[org] / raw_total
        why = (
            f"holds {percent(raw_share)} of the raw weight, over the cap of {percent(in_force)}"
            if raw_share > in_force
            else f"holds {percent(raw_share)} of the raw weight, but would exceed the cap of "
            f"{percent(in_force)} once larger organisations are scaled down"
        )
        lines.append(
            f"{org} {why}: its members' weights are scaled by "
            f"{decimal_string(counted / raw[org])}, from {decimal_string(raw[org])} to "
            f"{decimal_string(counted)} in all, exactly {percent(in_force)} of the counted weight."
        )
    return lines


def _listing(title: str, weights: Mapping[str, Fraction], total: Fraction) -> str:
    if not weights:
        return f"{title}: none."
    parts = [
        f"{org} {decimal_string(weight)} ({percent(weight / total if total else ZERO)})"
        for org, weight in weights.items()
    ]
    return f"{title}: {', '.join(parts)}."
