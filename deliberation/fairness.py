"""The fairness report: per organisation, floor time and share, contributions, vote weight.

Built from the folded totals (never by rescanning history), so it costs the same at any
length of meeting. Vote weight is weighed over the people who answered the current consent
round, or, before any answer, over every member taking part.
"""

from fractions import Fraction

from deliberation.records import FairnessReport, OrganisationFairness
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
    for organisation, name in sorted(state.organisations.items()):
        spoken = floor.floor_ms.get(organisation, 0)
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
    )
