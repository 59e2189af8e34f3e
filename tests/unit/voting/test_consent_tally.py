"""Consent rounds: an objection blocks whatever its weight; weights are still reported."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import capped, members, voter
from voting import Ballot, InvalidBallot, Quorum, Reason, Remark, WeightRules, tally


def answers(*pairs: tuple[str, str]) -> list[Ballot]:
    return [
        Ballot(voter(f"v{i}", f"Org {i % 3}"), position=position, reason=reason)
        for i, (position, reason) in enumerate(pairs)
    ]


def test_all_consent_is_consented() -> None:
    result = tally("consent", [], answers(("consent", ""), ("consent", "")), WeightRules())
    assert result.outcome == "consented"
    assert result.winner is None
    assert result.counts == {"consent": 2, "concern": 0, "stand_aside": 0, "object": 0}


def test_a_concern_without_objection_is_consented_with_concerns_and_recorded() -> None:
    ballots = answers(("consent", ""), ("concern", "budget"), ("stand_aside", "conflict"))
    result = tally("consent", [], ballots, WeightRules())
    assert result.outcome == "consented_with_concerns"
    assert result.remarks == (Remark("concern", "budget", 1), Remark("stand_aside", "conflict", 1))


def test_one_light_objection_blocks_a_heavy_consent() -> None:
    heavy = [Ballot(v, position="consent") for v in members("Big Trust", 40, weight=5)]
    light = Ballot(
        voter("tiny", "Small Charity", Fraction(1, 10)), position="object", reason="unsafe"
    )
    result = tally("consent", [], [*heavy, light], capped(Fraction(1, 2)))
    assert result.outcome == "blocked"
    assert result.totals["object"] == Fraction(1, 10)
    assert result.totals["consent"] == Fraction(1, 10)  # Big Trust capped to Small Charity's weight
    assert result.remarks == (Remark("object", "unsafe", 1),)
    assert "an objection blocks whatever its weight" in result.explanation[-1]


def test_remarks_carry_no_voter_ids_and_group_identical_reasons() -> None:
    ballots = answers(("concern", "cost"), ("concern", "cost"), ("object", "legal"))
    result = tally("consent", [], ballots, WeightRules())
    assert result.remarks == (Remark("concern", "cost", 2), Remark("object", "legal", 1))


def test_without_quorum_there_is_no_outcome() -> None:
    rules = WeightRules(quorum=Quorum(organisations=3))
    result = tally(
        "consent",
        [],
        answers(
            ("consent", ""),
        ),
        rules,
    )
    assert result.outcome is None
    assert not result.quorum_met


@pytest.mark.parametrize("position", ["concern", "stand_aside", "object"])
def test_a_concern_a_stand_aside_or_an_objection_needs_a_reason(position: str) -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally("consent", [], answers(("consent", ""), (position, "  ")), WeightRules())
    assert refused.value.reason is Reason.MISSING_REASON
    assert refused.value.index == 1


def test_an_unknown_position_is_refused() -> None:
    with pytest.raises(InvalidBallot, match="position must be consent, concern"):
        tally("consent", [], answers(("block", "no")), WeightRules())
