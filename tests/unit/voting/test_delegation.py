"""One-vote delegation within an organisation: no chains, no cycles."""

from __future__ import annotations

import pytest

from tests.unit.voting.builders import OPEN, voter
from voting import (
    Ballot,
    InvalidBallot,
    InvalidDelegation,
    Reason,
    cast_for_delegators,
    resolve_delegations,
    tally,
)

ANNA, AMIR, ADA = voter("anna", "A"), voter("amir", "A"), voter("ada", "A")
BEN = voter("ben", "B")
EVERYONE = [ANNA, AMIR, ADA, BEN]


def test_a_delegate_casts_for_colleagues_who_delegated_to_them() -> None:
    delegated = resolve_delegations({"amir": "anna", "ada": "anna"}, EVERYONE)
    assert delegated == {"anna": (ADA, AMIR)}
    ballots = cast_for_delegators(
        [Ballot(ANNA, approve=("x",)), Ballot(BEN, approve=("y",))], delegated
    )
    assert [b.voter.id for b in ballots] == ["anna", "ben", "ada", "amir"]
    assert tally("approval", ["x", "y"], ballots, OPEN).totals == {"x": 3, "y": 1}


@pytest.mark.parametrize(
    ("delegations", "reason", "words"),
    [
        ({"amir": "anna", "anna": "ada"}, Reason.DELEGATION_CHAIN, "chain"),
        ({"amir": "anna", "anna": "amir"}, Reason.DELEGATION_CYCLE, "cycle"),
        ({"amir": "anna", "anna": "ada", "ada": "amir"}, Reason.DELEGATION_CYCLE, "cycle"),
        ({"amir": "ben"}, Reason.CROSS_ORGANISATION, "only within one organisation"),
        ({"amir": "amir"}, Reason.SELF_DELEGATION, "themselves"),
        ({"amir": "zed"}, Reason.UNKNOWN_VOTER, "'zed' is not a voter"),
    ],
)
def test_delegations_the_rules_refuse(
    delegations: dict[str, str], reason: Reason, words: str
) -> None:
    with pytest.raises(InvalidDelegation) as refused:
        resolve_delegations(delegations, EVERYONE)
    assert refused.value.reason is reason
    assert words in str(refused.value)


def test_a_chain_is_described_from_start_to_end() -> None:
    with pytest.raises(InvalidDelegation) as refused:
        resolve_delegations({"amir": "anna", "anna": "ada"}, EVERYONE)
    assert "chain amir → anna → ada" in str(refused.value) or "chain anna → ada" in str(
        refused.value
    )


def test_a_delegate_may_be_limited_to_one_delegated_vote() -> None:
    with pytest.raises(InvalidDelegation, match="more than 1 delegated vote"):
        resolve_delegations({"amir": "anna", "ada": "anna"}, EVERYONE, max_per_delegate=1)


def test_a_delegator_who_also_votes_is_refused() -> None:
    delegated = resolve_delegations({"amir": "anna"}, EVERYONE)
    ballots = [Ballot(ANNA, approve=()), Ballot(AMIR, approve=())]
    with pytest.raises(InvalidBallot) as refused:
        cast_for_delegators(ballots, delegated)
    assert refused.value.reason is Reason.DELEGATOR_VOTED
    assert (refused.value.index, refused.value.voter) == (1, "amir")
