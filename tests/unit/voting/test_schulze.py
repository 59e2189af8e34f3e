"""Ranked votes: the Schulze method against published worked examples."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.voting.builders import OPEN, capped, rankings, voter
from voting import Ballot, ByLot, InvalidBallot, Quorum, Reason, WeightRules, tally

# Markus Schulze's "Example 1" (45 voters, 5 candidates), also Wikipedia's worked example.
SCHULZE_EXAMPLE_1 = "5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC"
D = {
    "A": {"B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31},
}
P = {
    "A": {"B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31},
}


def test_schulze_example_1_pairwise_paths_ranking_and_winner() -> None:
    result = tally("ranked", list("ABCDE"), rankings(SCHULZE_EXAMPLE_1), OPEN)
    assert result.pairwise == D
    assert result.strongest_paths == P
    assert result.ranking == ("E", "A", "C", "B", "D")
    assert result.winner == "E"
    assert result.totals == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}  # first preferences
    assert any(
        s.startswith("Pairwise: B beats A 25 to 20; A beats C 26 to 19;")
        for s in result.explanation
    )
    assert "Schulze ranking: E > A > C > B > D." in result.explanation


def test_the_tennessee_capital_example_elects_the_condorcet_winner_nashville() -> None:
    # 42% Memphis > Nashville > Chattanooga > Knoxville; 26% N > C > K > M;
    # 15% C > K > N > M; 17% K > C > N > M. Nashville beats every other city pairwise.
    ballots = rankings("42 MNCK, 26 NCKM, 15 CKNM, 17 KCNM")
    result = tally("ranked", list("MNCK"), ballots, OPEN)
    assert result.winner == "N"
    assert result.ranking == ("N", "C", "K", "M")
    assert result.pairwise["N"]["M"] == 58


def test_options_left_unranked_rank_below_all_ranked_ones_and_equal_among_themselves() -> None:
    ballots = [
        Ballot(voter("v1", "A"), ranking=("b",)),
        Ballot(voter("v2", "B"), ranking=("c", "a")),
    ]
    result = tally("ranked", ["a", "b", "c"], ballots, OPEN)
    assert result.pairwise["b"] == {"a": 1, "c": 1}
    assert result.pairwise["a"] == {"b": 1, "c": 0}
    assert result.pairwise["c"] == {"a": 1, "b": 1}
    # c beats a; b ties with both: b and c are unbeaten, and b is listed first.
    assert result.ranking == ("b", "c", "a")
    assert result.winner == "b"
    assert result.tie_break == "the order in which the options are listed"


def test_a_perfect_cycle_is_broken_by_the_documented_tie_break() -> None:
    ballots = rankings("1 ABC, 1 BCA, 1 CAB")
    result = tally("ranked", list("ABC"), ballots, OPEN)
    assert result.winner == "A"
    assert result.ranking == ("A", "B", "C")
    assert result.tie_break == "the order in which the options are listed"
    assert "A, B, C tie for place 1; the tie is broken by" in " ".join(result.explanation)
    by_lot = tally("ranked", list("ABC"), ballots, OPEN, tie_break=ByLot(3))
    assert by_lot.tie_break == "lot (seed 3)"
    assert set(by_lot.ranking) == set("ABC")


def test_weights_and_caps_weigh_the_pairwise_preferences() -> None:
    # Trust A's 3 members rank x first, B and C's one each rank y first; capped at 1/3 the
    # organisations weigh 1 each and y wins 2 to 1.
    ballots = [Ballot(voter(f"a{i}", "A"), ranking=("x", "y")) for i in range(3)] + [
        Ballot(voter("b", "B"), ranking=("y", "x")),
        Ballot(voter("c", "C"), ranking=("y", "x")),
    ]
    assert tally("ranked", ["x", "y"], ballots, OPEN).winner == "x"
    result = tally("ranked", ["x", "y"], ballots, capped(Fraction(1, 3)))
    assert result.pairwise == {"x": {"y": 1}, "y": {"x": 2}}
    assert result.winner == "y"


def test_empty_rankings_elect_no_one() -> None:
    ballots = [Ballot(voter("v1"), ranking=())]
    result = tally("ranked", ["a", "b"], ballots, OPEN)
    assert result.winner is None
    assert result.ranking == ()
    assert "No ballot ranks any option with weight: no winner." in result.explanation


def test_a_single_option_wins_when_ranked() -> None:
    result = tally("ranked", ["a"], [Ballot(voter("v1"), ranking=("a",))], OPEN)
    assert result.winner == "a"
    assert "Pairwise: nothing to compare." in result.explanation


@pytest.mark.parametrize(
    ("ranking", "reason"),
    [(("a", "a"), Reason.REPEATED_OPTION), (("a", "z"), Reason.UNKNOWN_OPTION)],
)
def test_a_ranking_repeating_or_inventing_an_option_is_refused(
    ranking: tuple[str, ...], reason: Reason
) -> None:
    with pytest.raises(InvalidBallot) as refused:
        tally("ranked", ["a", "b"], [Ballot(voter("v1"), ranking=ranking)], OPEN)
    assert refused.value.reason is reason


def test_without_quorum_the_pairwise_figures_are_shown_but_no_ranking() -> None:
    rules = WeightRules(quorum=Quorum(participants=100))
    result = tally("ranked", list("ABCDE"), rankings(SCHULZE_EXAMPLE_1), rules)
    assert result.winner is None
    assert result.ranking == ()
    assert result.pairwise == D
