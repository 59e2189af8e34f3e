"""The one place the core calls ``voting``: weigh members the way the room's rules say.

The consent count, the objection test and the fairness report all go through the same
weighting and caps as every other vote in Evenfloor (``voting.weigh``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from deliberation.ids import OrganisationId, ParticipantId
from deliberation.rules import VoteMode
from deliberation.state import Member


@dataclass(frozen=True, slots=True)
class Weights:
    counted: Mapping[ParticipantId, Fraction] = field(default_factory=dict)
    raw_by_organisation: Mapping[OrganisationId, Fraction] = field(default_factory=dict)
    counted_by_organisation: Mapping[OrganisationId, Fraction] = field(default_factory=dict)
    cap_applied: Fraction | None = None
    explanation: tuple[str, ...] = ()


def weigh_members(members: Iterable[Member], mode: VoteMode, vote_cap: Fraction | None) -> Weights:
    """Raw and counted weight per member and per organisation under ``mode`` and ``vote_cap``."""
    from voting import Voter, WeightRules, weigh

    voters = [Voter(m.participant, m.organisation, m.vote_weight) for m in members]
    if not voters:
        return Weights()
    cap = vote_cap if mode is VoteMode.CAPPED else None
    result = weigh(voters, WeightRules(mode=mode.value, vote_cap=cap))
    organisations = result.organisations
    return Weights(
        counted={ParticipantId(k): Fraction(v) for k, v in result.counted.items()},
        raw_by_organisation={
            OrganisationId(k): Fraction(v.raw_weight) for k, v in organisations.items()
        },
        counted_by_organisation={
            OrganisationId(k): Fraction(v.counted_weight) for k, v in organisations.items()
        },
        cap_applied=result.cap_applied,
        explanation=tuple(result.explanation),
    )
