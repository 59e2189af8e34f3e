"""Votes inside a room: open, cast, delegate, close; secrecy; deadlines; the view."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation import Reason, Rejected, is_secret, next_deadline, view
from deliberation.commands import AdmitMember, Tick
from deliberation.ids import OrganisationId, ParticipantId
from deliberation.polls import (
    BallotCast,
    CastBallot,
    CloseVote,
    CountOver,
    DelegateVote,
    OpenVote,
    OptionScore,
    PollId,
    Threshold,
    VoteClosed,
    VoteMethod,
    VoteParticipated,
)
from deliberation.rules import QuorumRule, RoomRules, VoteMode
from deliberation.vocabulary import Role
from tests.builders import (
    ALICE,
    AMIR,
    BOB,
    CAROL,
    FACILITATOR,
    OLIVE,
    OWNER,
    STRANGER,
    T0,
    Room,
    given_room,
    types,
)

VOTE = PollId("v1")
OPTIONS = ("bus", "bike", "train")


def opened(
    method: VoteMethod = VoteMethod.APPROVAL,
    *,
    secret: bool = False,
    rules: RoomRules | None = None,
    **fields: object,
) -> Room:
    room = given_room(rules)
    options = () if method is VoteMethod.MAJORITY else OPTIONS
    room.do(OpenVote(VOTE, "How should we travel?", method, options, secret, **fields))  # type: ignore[arg-type]
    return room


def refused(room: Room, command: object, actor: ParticipantId | None, **kw: object) -> Rejected:
    with pytest.raises(Rejected) as caught:
        room.do(command, actor, **kw)  # type: ignore[arg-type]
    return caught.value


def closed_result(room: Room) -> VoteClosed:
    (event,) = room.do(CloseVote(VOTE))
    assert isinstance(event, VoteClosed)
    return event


# --- open_vote ----------------------------------------------------------------------------


def test_a_facilitator_opens_a_vote_with_the_rooms_counting_rules() -> None:
    rules = RoomRules(vote_mode=VoteMode.CAPPED, vote_cap=Fraction(2, 5), quorum=QuorumRule(2, 2))
    room = opened(rules=rules)
    poll = room.state.polls[VOTE]
    assert types(room.events[-1:]) == ["vote.opened"]
    assert (poll.vote_mode, poll.vote_cap, poll.quorum) == (
        VoteMode.CAPPED,
        Fraction(2, 5),
        QuorumRule(2, 2),
    )
    assert not poll.closed
    assert poll.options == OPTIONS


def test_only_a_facilitator_opens_a_vote() -> None:
    room = given_room()
    error = refused(room, OpenVote(VOTE, "Q?", VoteMethod.APPROVAL, OPTIONS), ALICE)
    assert error.reason is Reason.FORBIDDEN


@pytest.mark.parametrize(
    ("method", "options", "closes_at"),
    [
        (VoteMethod.APPROVAL, ("only one",), None),
        (VoteMethod.APPROVAL, ("a", "a"), None),
        (VoteMethod.MAJORITY, ("a", "b"), None),
        (VoteMethod.RANKED, ("a", " "), None),
        (VoteMethod.SCORE, ("a", "b"), T0 - timedelta(seconds=1)),
    ],
)
def test_a_vote_needs_usable_options_and_a_future_deadline(
    method: VoteMethod, options: tuple[str, ...], closes_at: object
) -> None:
    room = given_room()
    command = OpenVote(VOTE, "Q?", method, options, closes_at=closes_at)  # type: ignore[arg-type]
    assert refused(room, command, FACILITATOR).reason is Reason.INVALID


def test_a_vote_id_is_used_once() -> None:
    room = opened()
    error = refused(room, OpenVote(VOTE, "Again?", VoteMethod.APPROVAL, OPTIONS), FACILITATOR)
    assert error.reason is Reason.CONFLICT


# --- cast_ballot --------------------------------------------------------------------------


def test_a_participant_casts_and_a_later_ballot_replaces_the_earlier() -> None:
    room = opened()
    first = room.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    assert types(first) == ["vote.participated", "ballot.cast"]
    again = room.do(CastBallot(VOTE, approve=("bike", "train")), ALICE)
    assert types(again) == ["ballot.cast"]
    poll = room.state.polls[VOTE]
    assert list(poll.ballots) == [ALICE]
    assert poll.ballots[ALICE].approve == ("bike", "train")
    result = closed_result(room).result
    assert {t.option: t.count for t in result.totals} == {"bus": 0, "bike": 1, "train": 1}


def test_a_facilitator_casts_for_someone_in_the_room_and_a_participant_cannot() -> None:
    room = opened()
    events = room.do(CastBallot(VOTE, approve=("bus",)), FACILITATOR, acting_for=BOB)
    assert isinstance(events[-1], BallotCast)
    assert (events[-1].participant, events[-1].by) == (BOB, FACILITATOR)
    error = refused(room, CastBallot(VOTE, approve=("bus",)), ALICE, acting_for=CAROL)
    assert error.reason is Reason.FORBIDDEN


@pytest.mark.parametrize("who", [OLIVE, STRANGER])
def test_observers_and_strangers_do_not_vote(who: ParticipantId) -> None:
    room = opened()
    assert refused(room, CastBallot(VOTE, approve=("bus",)), who).reason is Reason.FORBIDDEN


@pytest.mark.parametrize(
    ("method", "ballot"),
    [
        (VoteMethod.APPROVAL, CastBallot(VOTE, approve=("plane",))),
        (VoteMethod.APPROVAL, CastBallot(VOTE, approve=("bus", "bus"))),
        (VoteMethod.APPROVAL, CastBallot(VOTE, choice="yes")),
        (VoteMethod.SCORE, CastBallot(VOTE, scores=(OptionScore("bus", 6),))),
        (VoteMethod.SCORE, CastBallot(VOTE, scores=(OptionScore("bus", -1),))),
        (VoteMethod.SCORE, CastBallot(VOTE, scores=(OptionScore("plane", 3),))),
        (VoteMethod.MAJORITY, CastBallot(VOTE, choice="maybe")),
        (VoteMethod.RANKED, CastBallot(VOTE, ranking=("bus", "plane"))),
        (VoteMethod.RANKED, CastBallot(VOTE, approve=("bus",), ranking=("bus",))),
    ],
)
def test_a_ballot_must_fit_the_vote(method: VoteMethod, ballot: CastBallot) -> None:
    room = opened(method)
    assert refused(room, ballot, ALICE).reason is Reason.INVALID


def test_no_ballot_after_close_and_no_ballot_for_an_unknown_vote() -> None:
    room = opened()
    room.do(CloseVote(VOTE))
    assert refused(room, CastBallot(VOTE, approve=("bus",)), ALICE).reason is Reason.CONFLICT
    other = CastBallot(PollId("nope"), approve=("bus",))
    assert refused(room, other, ALICE).reason is Reason.NOT_FOUND


# --- secret ballots -----------------------------------------------------------------------


def test_a_secret_ballot_carries_no_voter_but_a_key_and_replaces_by_key() -> None:
    room = opened(secret=True)
    events = room.do(CastBallot(VOTE, approve=("bus",), ballot_key="k-alice"), ALICE)
    participated, ballot = events
    assert isinstance(participated, VoteParticipated)
    assert participated.participant == ALICE
    assert not is_secret(participated)
    assert isinstance(ballot, BallotCast)
    assert is_secret(ballot)
    assert (ballot.participant, ballot.by, ballot.ballot_key) == (None, None, "k-alice")
    assert ballot.organisation == OrganisationId("trust-a")
    assert ballot.weight == 1
    room.do(CastBallot(VOTE, approve=("train",), ballot_key="k-alice"), ALICE)
    poll = room.state.polls[VOTE]
    assert list(poll.ballots) == ["k-alice"]
    assert poll.ballots["k-alice"].participant is None
    assert poll.participated == {ALICE}


def test_a_secret_ballot_needs_the_servers_key() -> None:
    room = opened(secret=True)
    assert refused(room, CastBallot(VOTE, approve=("bus",)), ALICE).reason is Reason.INVALID


def test_the_view_shows_who_voted_by_name_for_named_votes_and_counts_for_secret_ones() -> None:
    named = opened()
    named.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    (row,) = view(named.state, BOB)["votes"]
    assert [v["display_name"] for v in row["voted"]] == ["Alice"]
    assert row["mine"] is None
    assert not row["i_voted"]
    (mine,) = view(named.state, ALICE)["votes"]
    assert mine["mine"]["approve"] == ["bus"]
    assert mine["i_voted"]

    secret = opened(secret=True)
    secret.do(CastBallot(VOTE, approve=("bus",), ballot_key="k"), ALICE)
    (row,) = view(secret.state, FACILITATOR)["votes"]
    assert row["voted"] is None
    assert row["voted_count"] == 1
    assert row["mine"] is None
    assert view(secret.state, ALICE)["votes"][0]["i_voted"] is True


def test_others_see_that_a_ballot_was_cast_but_not_its_content() -> None:
    from deliberation import event_view

    room = opened(secret=True)
    (_, ballot) = room.do(CastBallot(VOTE, approve=("bus",), ballot_key="k"), ALICE)
    for viewer in (FACILITATOR, ALICE, BOB, None):
        shown = event_view(room.state, ballot, viewer)
        assert set(shown) == {"poll", "secret", "at"}


# --- delegation ---------------------------------------------------------------------------


def test_a_delegate_carries_a_colleagues_weight() -> None:
    room = opened(rules=RoomRules(quorum=QuorumRule(2, 1)))
    assert types(room.do(DelegateVote(VOTE, ALICE), AMIR)) == ["vote.delegated"]
    (_, ballot) = room.do(CastBallot(VOTE, approve=("bike",)), ALICE)
    assert isinstance(ballot, BallotCast)
    assert ballot.delegated_weights == (Fraction(1),)
    result = closed_result(room).result
    assert result.participants == 2
    assert result.winner == "bike"
    assert {t.option: t.weight for t in result.totals}["bike"] == 2


def test_a_delegator_may_not_vote_and_a_voter_may_not_delegate() -> None:
    room = opened()
    room.do(DelegateVote(VOTE, ALICE), AMIR)
    assert refused(room, CastBallot(VOTE, approve=("bus",)), AMIR).reason is Reason.CONFLICT
    room.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    other = opened()
    other.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    assert refused(other, DelegateVote(VOTE, AMIR), ALICE).reason is Reason.CONFLICT
    # and nobody delegates to someone who has voted already
    assert refused(other, DelegateVote(VOTE, ALICE), AMIR).reason is Reason.CONFLICT


def test_delegation_stays_within_one_organisation() -> None:
    room = opened()
    error = refused(room, DelegateVote(VOTE, BOB), ALICE)
    assert error.reason is Reason.INVALID
    assert "same organisation" in error.message


def test_delegation_chains_and_cycles_are_refused() -> None:
    room = given_room()
    room.do(AdmitMember(ParticipantId("ada"), "Ada", OrganisationId("trust-a"), "Trust A"), None)
    room.do(OpenVote(VOTE, "Q?", VoteMethod.APPROVAL, OPTIONS))
    room.do(DelegateVote(VOTE, AMIR), ALICE)  # Alice -> Amir
    chain = refused(room, DelegateVote(VOTE, ALICE), ParticipantId("ada"))  # Ada -> Alice
    assert chain.reason is Reason.INVALID
    assert "no chains" in chain.message
    cycle = refused(room, DelegateVote(VOTE, ALICE), AMIR)  # Amir -> Alice -> Amir
    assert cycle.reason is Reason.INVALID
    assert "cycle" in cycle.message
    assert refused(room, DelegateVote(VOTE, AMIR), AMIR).reason is Reason.INVALID
    assert refused(room, DelegateVote(VOTE, STRANGER), AMIR).reason is Reason.NOT_FOUND


# --- close_vote and the tally -------------------------------------------------------------


def test_only_a_facilitator_closes_and_only_once() -> None:
    room = opened()
    assert refused(room, CloseVote(VOTE), ALICE).reason is Reason.FORBIDDEN
    room.do(CloseVote(VOTE), OWNER)
    assert refused(room, CloseVote(VOTE), FACILITATOR).reason is Reason.CONFLICT
    assert refused(room, CloseVote(PollId("nope")), FACILITATOR).reason is Reason.NOT_FOUND


def test_quorum_unmet_names_no_winner() -> None:
    room = opened(rules=RoomRules(quorum=QuorumRule(3, 2)))
    room.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    result = closed_result(room).result
    assert not result.quorum_met
    assert result.winner is None
    assert any("not met" in line for line in result.explanation)


def test_the_cap_scales_an_organisation_down_and_the_tally_explains_it() -> None:
    rules = RoomRules(vote_mode=VoteMode.CAPPED, vote_cap=Fraction(2, 5))
    room = opened(rules=rules)
    room.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    room.do(CastBallot(VOTE, approve=("bus",)), AMIR)
    room.do(CastBallot(VOTE, approve=("train",)), BOB)
    room.do(CastBallot(VOTE, approve=("train",)), CAROL)
    result = closed_result(room).result
    assert result.cap_applied == Fraction(2, 5)
    shares = {o.name: o.share for o in result.organisations}
    assert shares["Trust A"] == Fraction(2, 5)
    assert {o.name: o.raw_weight for o in result.organisations}["Trust A"] == 2
    assert result.winner == "train"  # Trust A's two votes count as 4/3 against Bob and Carol's 2
    assert any("Trust A" in line and "scaled" in line for line in result.explanation)
    assert room.state.polls[VOTE].closed
    assert room.state.polls[VOTE].result == result


def test_majority_thresholds_over_votes_cast_and_over_the_electorate() -> None:
    room = opened(VoteMethod.MAJORITY, threshold=Threshold.TWO_THIRDS)
    for who, choice in ((ALICE, "yes"), (AMIR, "yes"), (BOB, "no"), (CAROL, "abstain")):
        room.do(CastBallot(VOTE, choice=choice), who)
    result = closed_result(room).result
    assert (result.winner, result.outcome, result.threshold) == ("yes", "carried", Fraction(2, 3))
    assert [t.option for t in result.totals] == ["yes", "no", "abstain"]

    eligible = opened(VoteMethod.MAJORITY, count_over=CountOver.ELIGIBLE)
    eligible.do(CastBallot(VOTE, choice="yes"), ALICE)
    eligible.do(CastBallot(VOTE, choice="yes"), AMIR)
    result = closed_result(eligible).result  # 2 of 5 eligible (Fran, Owner, Bob, Carol away)
    assert result.outcome == "not_carried"
    assert result.count_over is CountOver.ELIGIBLE


def test_score_and_ranked_votes() -> None:
    room = opened(VoteMethod.SCORE)
    room.do(CastBallot(VOTE, scores=(OptionScore("bus", 5), OptionScore("bike", 2))), ALICE)
    room.do(CastBallot(VOTE, scores=(OptionScore("bike", 4),)), BOB)
    result = closed_result(room).result
    assert result.winner == "bike"
    assert {t.option: t.weight for t in result.totals} == {"bus": 5, "bike": 6, "train": 0}

    ranked = opened(VoteMethod.RANKED)
    ranked.do(CastBallot(VOTE, ranking=("train", "bus")), ALICE)
    ranked.do(CastBallot(VOTE, ranking=("train", "bike")), BOB)
    ranked.do(CastBallot(VOTE, ranking=("bus", "train")), CAROL)
    result = closed_result(ranked).result
    assert result.winner == "train"
    assert result.ranking[0] == "train"


def test_a_secret_vote_counts_like_a_named_one() -> None:
    named, secret = opened(), opened(secret=True)
    for who, approve in ((ALICE, ("bus",)), (BOB, ("bike", "bus")), (CAROL, ("train",))):
        named.do(CastBallot(VOTE, approve=approve), who)
        secret.do(CastBallot(VOTE, approve=approve, ballot_key=f"key-{who}"), who)
    assert closed_result(named).result == closed_result(secret).result


def test_a_vote_can_be_closed_after_the_rooms_decision() -> None:
    from deliberation.commands import WithdrawProposal

    room = opened()
    room.do(WithdrawProposal("We found another way."))
    assert room.state.decided
    assert types(room.do(CloseVote(VOTE))) == ["vote.closed"]


# --- the clock ----------------------------------------------------------------------------


def test_the_clock_closes_a_vote_at_its_deadline_once() -> None:
    deadline = T0 + timedelta(hours=2)
    room = opened(closes_at=deadline)
    room.do(CastBallot(VOTE, approve=("bus",)), ALICE)
    assert next_deadline(room.state) == deadline
    assert room.do(Tick(), None, when=deadline - timedelta(seconds=1)) == []
    events = room.do(Tick(), None, when=deadline)
    assert types(events) == ["vote.closed"]
    assert isinstance(events[0], VoteClosed)
    assert events[0].by_deadline
    assert events[0].result.winner == "bus"
    assert next_deadline(room.state) is None
    assert room.do(Tick(), None, when=deadline + timedelta(seconds=5)) == []
    assert room.rebuilt() == room.state


# --- the cap always holds -----------------------------------------------------------------

ORGS = [OrganisationId(f"org-{i}") for i in range(4)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cap=st.sampled_from([Fraction(1, 4), Fraction(1, 3), Fraction(2, 5), Fraction(1, 2)]),
    voters=st.lists(
        st.tuples(st.integers(0, 3), st.integers(1, 5), st.sets(st.sampled_from(OPTIONS))),
        min_size=1,
        max_size=8,
    ),
)
def test_no_organisation_counts_for_more_than_the_cap(
    cap: Fraction, voters: list[tuple[int, int, set[str]]]
) -> None:
    rules = RoomRules(vote_mode=VoteMode.CAPPED, vote_cap=cap, quorum=QuorumRule(0, 0))
    room = given_room(rules, members=())
    room.do(OpenVote(VOTE, "Q?", VoteMethod.APPROVAL, OPTIONS), OWNER)
    for index, (org, weight, approve) in enumerate(voters):
        who = ParticipantId(f"p{index}")
        admitted = AdmitMember(who, who, ORGS[org], ORGS[org], Role.PARTICIPANT, Fraction(weight))
        room.do(admitted, None)
        room.do(CastBallot(VOTE, approve=tuple(sorted(approve))), who)
    (closed,) = room.do(CloseVote(VOTE), OWNER)
    assert isinstance(closed, VoteClosed)
    result = closed.result
    assert result.cap_applied is not None
    for organisation in result.organisations:
        assert organisation.share <= result.cap_applied
        assert organisation.counted_weight <= organisation.raw_weight


def test_a_room_with_votes_survives_the_json_snapshot_round_trip() -> None:
    from pydantic import TypeAdapter

    from deliberation import RoomState

    room = opened(VoteMethod.SCORE, secret=True)
    room.do(DelegateVote(VOTE, ALICE), AMIR)
    room.do(CastBallot(VOTE, scores=(OptionScore("bus", 3),), ballot_key="k"), ALICE)
    room.do(OpenVote(PollId("v2"), "Yes?", VoteMethod.MAJORITY))
    room.do(CastBallot(PollId("v2"), choice="no"), BOB)
    room.do(CloseVote(PollId("v2")))
    adapter: TypeAdapter[RoomState] = TypeAdapter(RoomState)
    assert adapter.validate_python(adapter.dump_python(room.state, mode="json")) == room.state
    for event in room.events[-6:]:
        events: TypeAdapter[object] = TypeAdapter(type(event))
        assert events.validate_python(events.dump_python(event, mode="json")) == event
