"""The fairness report: per organisation, floor time and share, contributions, vote weight.

Built from the folded totals (never by rescanning history), so it costs the same at any
length of meeting. Vote weight is weighed over the people who answered the current consent
round, or, before any answer, over every member taking part.
"""

from fractions import Fraction

from deliberation import balancing
from deliberation.records import FairnessReport, OrganisationFairness, OverCapTime
from deliberation.state import Member, RoomState
from deliberation.vocabulary import TAKING_PART_ROLES
from deliberation.weighting import Weights, weigh_members


def voters(state: RoomState) -> list[Member]:
    """Who the vote weight is counted over: this consent round's answerers, else everyone."""
    if state.consent.answers:
        return [state.members[p] for p in state.consent.answers]
    return [
        m
        for m in state.members.values()
        if m.active and m.role in TAKING_PART_ROLES and m.participant not in state.exclusions
    ]


def vote_weights(state: RoomState) -> Weights:
    """The room's weighting over ``voters(state)``."""
    return weigh_members(voters(state), state.rules.vote_mode, state.rules.vote_cap)


def fairness(state: RoomState, weights: Weights | None = None) -> FairnessReport:
    """Each organisation's share of the floor, statements, perspectives, points and votes.

    ``weights``: ``vote_weights(state)`` when the caller has it already.
    """
    rules = state.rules
    floor = state.floor
    if weights is None:
        weights = vote_weights(state)
    headcount: dict[str, int] = {}
    for member in state.members.values():
        if member.active:
            headcount[member.organisation] = headcount.get(member.organisation, 0) + 1
    points_received: dict[str, int] = {}
    for perspective_id, points in state.weighing.points.items():
        organisation = state.weighing.perspectives[perspective_id].organisation
        points_received[organisation] = points_received.get(organisation, 0) + points
    rows = []
    cap = balancing.cap_in_force(floor, rules)
    for organisation, name in sorted(state.organisations.items()):
        spoken = floor.floor_ms.get(organisation, 0)
        over = Fraction(0) if cap is None else max(Fraction(0), spoken - cap * floor.total_ms)
        rows.append(
            OrganisationFairness(
                organisation=organisation,
                name=name,
                members=headcount.get(organisation, 0),
                speaking_ms=spoken,
                speaking_share=Fraction(spoken, floor.total_ms) if floor.total_ms else Fraction(0),
                turns=floor.turns.get(organisation, 0),
                point_of_order_ms=floor.point_of_order_ms.get(organisation, 0),
                budget_ms=rules.budget_for(organisation),
                statements=state.surface.per_organisation.get(organisation, 0),
                perspectives=state.weighing.per_organisation.get(organisation, 0),
                points_received=points_received.get(organisation, 0),
                vote_weight_raw=weights.raw_by_organisation.get(organisation, Fraction(0)),
                vote_weight_counted=weights.counted_by_organisation.get(organisation, Fraction(0)),
                over_cap_ms=int(over),
                over_cap=floor.over_cap.get(organisation, OverCapTime()),
            )
        )
    return FairnessReport(
        speaking_cap=rules.speaking_cap,
        vote_cap=rules.vote_cap,
        vote_cap_applied=weights.cap_applied,
        total_speaking_ms=floor.total_ms,
        organisations=tuple(rows),
        overrides=state.overrides,
        vote_explanation=weights.explanation,
        speaking_cap_in_force=cap,
        organisations_asked=len(floor.asked),
        speaking_explanation=explain_speaking(rules.speaking_cap, cap, len(floor.asked), rows),
    )


def _ms(value: int) -> str:
    return f"{value:,} ms"


def explain_speaking(
    cap: Fraction | None,
    in_force: Fraction | None,
    asked: int,
    rows: list[OrganisationFairness],
) -> tuple[str, ...]:
    """Sentences for people: the cap in force, and why each organisation over it is over."""
    if cap is None:
        return (
            "No speaking cap: the queue still favours the organisation with the least floor time.",
        )
    lines = []
    if in_force is not None and in_force != cap:
        lines.append(
            f"The speaking cap of {cap} was raised to {in_force}: only {asked} organisations "
            f"asked to speak, and {asked} x {cap} is less than the whole floor."
        )
    else:
        lines.append(f"The speaking cap in force is {cap} ({asked} organisations asked to speak).")
    for row in rows:
        if row.over_cap_ms <= 0:
            continue
        o = row.over_cap
        parts = [
            f"{_ms(o.uncontested_ms)} spoken at or over the cap while nobody under it waited",
            f"{_ms(o.grace_ms)} in grace after a warning",
        ]
        if o.flagged_ms:
            parts.append(f"{_ms(o.flagged_ms)} after the grace, flagged")
        if o.lifted_ms:
            parts.append(f"{_ms(o.lifted_ms)} while a facilitator had lifted its cap")
        if o.cap_fell_ms:
            parts.append(
                f"{_ms(o.cap_fell_ms)} of excess from the cap falling as more organisations asked"
            )
        lines.append(
            f"{row.name} is {_ms(row.over_cap_ms)} over the cap in force: " + "; ".join(parts) + "."
        )
    return tuple(lines)
