"""Laws of the vote cap and of weighting, for any electorate."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from voting import Voter, WeightRules, weigh

ORGANISATIONS = ["Trust A", "Trust B", "Charity", "Council", "Board"]

weights = st.one_of(
    st.integers(min_value=0, max_value=20).map(Fraction),
    st.fractions(min_value=0, max_value=10, max_denominator=12),
)
caps = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=40)


@st.composite
def electorates(draw: st.DrawFn) -> list[Voter]:
    people = draw(st.lists(st.tuples(st.sampled_from(ORGANISATIONS), weights), max_size=25))
    return [Voter(f"v{i}", org, weight) for i, (org, weight) in enumerate(people)]


@settings(max_examples=40, deadline=None)
@given(electorates(), caps)
def test_no_counted_share_exceeds_the_cap_in_force(voters: list[Voter], cap: Fraction) -> None:
    result = weigh(voters, WeightRules(vote_cap=cap))
    if voters:
        assert result.cap_applied is not None
        assert result.cap_applied >= cap
    for org in result.organisations.values():
        assert org.share <= (result.cap_applied or 1)


@settings(max_examples=40, deadline=None)
@given(electorates(), caps)
def test_an_organisation_under_the_cap_keeps_its_weight(voters: list[Voter], cap: Fraction) -> None:
    result = weigh(voters, WeightRules(vote_cap=cap))
    for org in result.organisations.values():
        assert org.counted_weight <= org.raw_weight
        if org.share < (result.cap_applied or 1):
            assert org.counted_weight == org.raw_weight
        else:  # the largest weights possible: capped organisations sit exactly at the cap
            assert org.share == result.cap_applied or org.counted_weight == org.raw_weight


@settings(max_examples=40, deadline=None)
@given(electorates(), caps)
def test_the_ranking_within_an_organisation_is_unchanged(
    voters: list[Voter], cap: Fraction
) -> None:
    counted = weigh(voters, WeightRules(vote_cap=cap)).counted
    for a in voters:
        for b in voters:
            if a.organisation == b.organisation:
                # proportional scaling: same order, same ratios
                assert counted[a.id] * b.weight == counted[b.id] * a.weight
                if a.weight < b.weight:
                    assert counted[a.id] <= counted[b.id]


@settings(max_examples=40, deadline=None)
@given(
    electorates(),
    caps,
    st.fractions(min_value=Fraction(1, 50), max_value=100, max_denominator=50).filter(bool),
    st.sampled_from(["capped", "one_org_one_vote", "one_person_one_vote"]),
)
def test_scaling_every_raw_weight_changes_no_share(
    voters: list[Voter], cap: Fraction, factor: Fraction, mode: str
) -> None:
    rules = WeightRules(mode=mode, vote_cap=cap)  # type: ignore[arg-type]
    scaled = [Voter(v.id, v.organisation, v.weight * factor) for v in voters]
    before, after = weigh(voters, rules), weigh(scaled, rules)
    assert {o: w.share for o, w in before.organisations.items()} == {
        o: w.share for o, w in after.organisations.items()
    }
    assert before.cap_applied == after.cap_applied


@settings(max_examples=40, deadline=None)
@given(electorates(), caps)
def test_the_cap_is_raised_to_equal_shares_exactly_when_it_cannot_hold(
    voters: list[Voter], cap: Fraction
) -> None:
    result = weigh(voters, WeightRules(vote_cap=cap))
    carrying = [o for o in result.organisations.values() if o.raw_weight > 0]
    assert result.cap_raised_to_equal_shares == (bool(carrying) and cap * len(carrying) < 1)
    if result.cap_raised_to_equal_shares:
        assert {o.share for o in carrying} == {Fraction(1, len(carrying))}
    shares = sum((o.share for o in result.organisations.values()), Fraction(0))
    assert shares == (1 if carrying else 0)
