"""Approval votes, worked by hand."""

from __future__ import annotations

from fractions import Fraction

from tests.unit.voting.builders import OPEN, approvals, capped, members, voter
from voting import Ballot, ByLot, Quorum, WeightRules, tally


def test_the_cap_turns_a_dominant_organisations_approval_into_its_fair_share() -> None:
    # Trust A has 3 members approving a; B and C one each approving b.
    # Uncapped a wins 3 to 2. Capped at 40%: A counts 4/3 (T = 2/0.6), so b wins 2 to 4/3.
    ballots = (
        approvals(members("Trust A", 3), "a")
        + approvals(members("Trust B", 1), "b")
        + approvals(members("Charity", 1), "b")
    )
    assert tally("approval", ["a", "b"], ballots, OPEN).winner == "a"
    result = tally("approval", ["a", "b"], ballots, capped(Fraction(2, 5)))
    assert result.totals == {"a": Fraction(4, 3), "b": 2}
    assert result.counts == {"a": 3, "b": 2}
    assert result.winner == "b"
    assert result.cap_applied == Fraction(2, 5)
    assert result.organisations["Trust A"].counted_weight == Fraction(4, 3)
    assert result.explanation[-1] == "b has the most approving weight (2): it wins."


def test_a_voter_may_approve_several_options_or_none() -> None:
    ballots = [
        Ballot(voter("v1", "A"), approve=("a", "b")),
        Ballot(voter("v2", "B"), approve=()),
        Ballot(voter("v3", "C"), approve=("b",)),
    ]
    result = tally("approval", ["a", "b", "c"], ballots, OPEN)
    assert result.totals == {"a": 1, "b": 2, "c": 0}
    assert result.winner == "b"
    assert result.participants == 3


def test_a_tie_is_broken_by_the_order_of_the_options_by_default() -> None:
    ballots = [Ballot(voter("v1", "A"), approve=("b",)), Ballot(voter("v2", "B"), approve=("a",))]
    result = tally("approval", ["b", "a"], ballots, OPEN)
    assert result.winner == "b"
    assert result.tie_break == "the order in which the options are listed"
    assert any("the tie is broken by" in s for s in result.explanation)


def test_a_tie_can_be_broken_by_lot_from_a_seed_fixed_in_advance() -> None:
    ballots = [Ballot(voter(f"v{o}", o), approve=(o,)) for o in "abcd"]
    picks = {
        tally("approval", list("abcd"), ballots, OPEN, tie_break=ByLot(s)).winner for s in range(20)
    }
    assert picks <= set("abcd")
    assert len(picks) > 1  # the seed matters...
    again = tally("approval", list("abcd"), ballots, OPEN, tie_break=ByLot(7))
    assert again == tally(
        "approval", list("abcd"), ballots, OPEN, tie_break=ByLot(7)
    )  # ...and only it
    assert again.tie_break == "lot (seed 7)"


def test_without_quorum_the_totals_are_shown_but_no_winner_is_named() -> None:
    ballots = approvals(members("A", 2), "a")
    rules = WeightRules(quorum=Quorum(participants=3, organisations=2))
    result = tally("approval", ["a"], ballots, rules)
    assert not result.quorum_met
    assert result.winner is None
    assert result.totals == {"a": 2}
    assert "took part: not met: no winner is named" in result.explanation[1]


def test_the_organisation_quorum_counts_distinct_organisations() -> None:
    ballots = approvals(members("A", 5), "a")
    rules = WeightRules(quorum=Quorum(participants=5, organisations=2))
    assert not tally("approval", ["a"], ballots, rules).quorum_met
    more = ballots + approvals(members("B", 1), "a")
    assert tally("approval", ["a"], more, rules).quorum_met


def test_no_ballots_means_no_winner() -> None:
    result = tally("approval", ["a"], [], OPEN)
    assert result.winner is None
    assert result.participants == 0
    assert result.explanation[-1] == "No ballots were cast: no result."


def test_no_approval_at_all_means_no_winner() -> None:
    result = tally("approval", ["a", "b"], approvals(members("A", 2)), OPEN)
    assert result.winner is None
    assert "No option received any approving weight: no winner." in result.explanation


def test_a_result_carries_no_ranked_details_unless_ranked() -> None:
    result = tally("approval", ["a"], approvals(members("A", 1), "a"), OPEN)
    assert result.pairwise == {}
    assert result.ranking == ()
