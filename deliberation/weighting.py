"""The one place the core calls ``voting``: weigh members the way the room's rules say.

The consent count, the objection test and the fairness report all go through the same
weighting and caps as every other vote in Evenfloor (``voting.weigh``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from voting import Mode, Voter, WeightRules, weigh

from deliberation.ids import OrganisationId, ParticipantId
from deliberation.rules import VoteMode
from deliberation.state import Member

_MODES: Mapping[VoteMode, Mode] = {
    VoteMode.CAPPED: "capped",
    VoteMode.ONE_ORG_ONE_VOTE: "one_org_one_vote",
    VoteMode.ONE_PERSON_ONE_VOTE: "one_person_one_vote",
}


@dataclass(frozen=True, slots=True)
class Weights:
    counted: Mapping[ParticipantId, Fraction] = field(default_factory=dict)
    raw_by_organisation: Mapping[OrganisationId, Fraction] = field(default_factory=dict)
    counted_by_organisation: Mapping[OrganisationId, Fraction] = field(default_factory=dict)
    cap_applied: Fraction | None = None
    explanation: tuple[str, ...] = ()


def weigh_members(members: Iterable[Member], mode: VoteMode, vote_cap: Fraction | None) -> Weights:
    """Raw and counted weight per member and per organisation under ``mode`` and ``vote_cap``.

    Pure, so memoised: every view of a room weighs the same members until someone joins,
    leaves or answers, and exact weighting is the costliest step of a view.
    """
    return _weigh(tuple(members), mode, vote_cap)


@lru_cache(maxsize=256)
def _weigh(members: tuple[Member, ...], mode: VoteMode, vote_cap: Fraction | None) -> Weights:
    voters = [Voter(m.participant, m.organisation, m.vote_weight) for m in members]
    if not voters:
        return Weights()
    cap = vote_cap if mode is VoteMode.CAPPED else None
    result = weigh(voters, WeightRules(mode=_MODES[mode], vote_cap=cap))
    organisations = result.organisations
    return Weights(
        counted={ParticipantId(k): v for k, v in result.counted.items()},
        raw_by_organisation={OrganisationId(k): v.raw_weight for k, v in organisations.items()},
        counted_by_organisation={
            OrganisationId(k): v.counted_weight for k, v in organisations.items()
        },
        cap_applied=result.cap_applied,
        explanation=tuple(result.explanation),
    )
