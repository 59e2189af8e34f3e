"""Laws of the tally: order and labels do not matter; the fast count equals a naive one."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voting import Ballot, BallotTable, Quorum, Voter, WeightRules, tally, weigh

ORGANISATIONS = ["Trust A", "Trust B", "Charity", "Council"]
OPTIONS = ["a", "b", "c", "d"]

rules_strategy = st.builds(
    WeightRules,
    mode=st.sampled_from(["capped", "one_org_one_vote", "one_person_one_vote"]),
    vote_cap=st.one_of(
        st.none(), st.fractions(min_value=Fraction(1, 10), max_value=1, max_denominator=20)
    ),
    quorum=st.builds(Quorum, st.integers(0, 5), st.integers(0, 3)),
    threshold=st.sampled_from(["simple", "two_thirds", "three_quarters"]),
)
weights = st.sampled_from([Fraction(0), Fraction(1), Fraction(2), Fraction(1, 3), Fraction(5, 2)])
contents: dict[str, Any] = {
    "approval": st.lists(st.sampled_from(OPTIONS), unique=True).map(
        lambda xs: {"approve": tuple(xs)}
    ),
    "score": st.dictionaries(st.sampled_from(OPTIONS), st.integers(0, 5)).map(
        lambda s: {"scores": s}
    ),
    "majority": st.sampled_from(["yes", "no", "abstain"]).map(lambda c: {"choice": c}),
    "ranked": st.permutations(OPTIONS).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: {"ranking": tuple(order[:k])})
    ),
    "consent": st.sampled_from(["consent", "concern", "stand_aside", "object"]).map(
        lambda p: {"position": p, "reason": "" if p == "consent" else f"why {p}"}
    ),
}


@st.composite
def votes(draw: st.DrawFn, method: str | None = None) -> tuple[str, list[Ballot]]:
    method = method or draw(st.sampled_from(sorted(contents)))
    rows = draw(
        st.lists(st.tuples(st.sampled_from(ORGANISATIONS), weights, contents[method]), max_size=20)
    )
    ballots = [Ballot(Voter(f"v{i}", org, w), **c) for i, (org, w, c) in enumerate(rows)]
    return method, ballots


@settings(max_examples=50, deadline=None)
@given(votes(), rules_strategy, st.data())
def test_the_order_of_the_ballots_changes_nothing(
    vote: tuple[str, list[Ballot]], rules: WeightRules, data: st.DataObject
) -> None:
    method, ballots = vote
    shuffled = data.draw(st.permutations(ballots))
    assert tally(method, OPTIONS, shuffled, rules) == tally(method, OPTIONS, ballots, rules)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(votes(), rules_strategy)
def test_relabelling_voters_changes_nothing(
    vote: tuple[str, list[Ballot]], rules: WeightRules
) -> None:
    method, ballots = vote
    relabelled = [
        Ballot(
            Voter(f"someone-else-{i}", b.voter.organisation, b.voter.weight),
            approve=b.approve,
            scores=b.scores,
            choice=b.choice,
            ranking=b.ranking,
            position=b.position,
            reason=b.reason,
        )
        for i, b in enumerate(reversed(ballots))
    ]
    assert tally(method, OPTIONS, relabelled[::-1], rules) == tally(method, OPTIONS, ballots, rules)  # type: ignore[arg-type]


def naive_totals(method: str, ballots: list[Ballot], rules: WeightRules) -> dict[str, Fraction]:
    """Per ballot, with each voter's counted weight from `weigh`: the obvious, slow count."""
    counted = weigh([b.voter for b in ballots], rules).counted
    totals: dict[str, Fraction] = {}

    def add(key: str, amount: Fraction) -> None:
        totals[key] = totals.get(key, Fraction(0)) + amount

    for b in ballots:
        w = counted[b.voter.id]
        if method == "approval":
            for o in OPTIONS:
                add(o, w if o in (b.approve or ()) else Fraction(0))
        elif method == "score":
            for o in OPTIONS:
                add(o, w * (b.scores or {}).get(o, 0))
        elif method == "majority":
            for c in ("yes", "no", "abstain"):
                add(c, w if b.choice == c else Fraction(0))
        elif method == "consent":
            for p in ("consent", "concern", "stand_aside", "object"):
                add(p, w if b.position == p else Fraction(0))
        else:
            ranking = b.ranking or ()
            place = {o: i for i, o in enumerate(ranking)}
            for x in OPTIONS:
                add(x, w if ranking[:1] == (x,) else Fraction(0))
                for y in OPTIONS:
                    if x != y:
                        ahead = place.get(x, len(ranking)) < place.get(y, len(ranking))
                        add(f"{x}>{y}", w if ahead else Fraction(0))
    return totals


@settings(max_examples=60, deadline=None)
@given(votes(), rules_strategy)
def test_the_tally_sheet_counts_what_a_naive_count_counts(
    vote: tuple[str, list[Ballot]], rules: WeightRules
) -> None:
    method, ballots = vote
    result = tally(method, OPTIONS, ballots, rules)  # type: ignore[arg-type]
    expected = naive_totals(method, ballots, rules)
    got = dict(result.totals)
    if method == "ranked":
        got |= {f"{x}>{y}": v for x, row in result.pairwise.items() for y, v in row.items()}
    if ballots:
        assert got == expected
    assert result.participants == len(ballots)
    if result.winner is not None and method in ("approval", "score", "ranked"):
        assert result.quorum_met


@settings(max_examples=60, deadline=None)
@given(votes("approval"), rules_strategy)
def test_a_ballot_table_counts_like_the_ballots(
    vote: tuple[str, list[Ballot]], rules: WeightRules
) -> None:
    _, ballots = vote
    organisations = tuple(ORGANISATIONS)
    distinct = sorted({b.voter.weight for b in ballots})
    table = BallotTable(
        organisations,
        np.array([organisations.index(b.voter.organisation) for b in ballots], dtype=np.int64),
        np.array(
            [[int(o in (b.approve or ())) for o in OPTIONS] for b in ballots], dtype=np.int64
        ).reshape(-1, len(OPTIONS)),
        weights=tuple(distinct) or (Fraction(1),),
        weight=np.array([distinct.index(b.voter.weight) for b in ballots], dtype=np.int64),
    )
    assert tally("approval", OPTIONS, table, rules) == tally("approval", OPTIONS, ballots, rules)
