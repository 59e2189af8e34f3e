"""The policy projection over a real room: events from the deliberation core, stored as the
server stores them (the core's event dumped to JSON), projected, published and verified."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from publication_helpers import ROOM_KEY, ROOM_PUBLIC, Case, comparable, dumps, verify_js, verify_py

from deliberation import INITIAL, Context, decide, event_type, evolve
from deliberation.commands import (
    AddStatement,
    AdmitMember,
    AllocatePoints,
    AnswerConsent,
    CloseRound,
    CreateRoom,
    EndSpeech,
    ExtendSpeech,
    GiveFloor,
    HideStatement,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    TablePerspective,
)
from deliberation.ids import (
    DissentId,
    OrganisationId,
    ParticipantId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.records import Allocation
from deliberation.rules import RoomRules
from deliberation.vocabulary import (
    PerspectiveKind,
    Position,
    PublicationPolicy,
    Reaction,
    Role,
    RoundKind,
)
from server.publication import verify_log
from server.publication.projection import project, pseudonym, publish
from server.rooms.codec import dump_event

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SECRET = b"s" * 32

OWNER, FRAN, ALICE, AMIR, BOB, CAROL = (
    ParticipantId(p) for p in ("u-owner", "u-fran", "u-alice", "u-amir", "u-bob", "u-carol")
)
BOARD, TRUST, CHARITY = (OrganisationId(o) for o in ("org-board", "org-trust", "org-charity"))
ORGANISATIONS = {
    BOARD: "Integrated Care Board",
    TRUST: "Riverside Hospital Trust",
    CHARITY: "Carers' Charity",
}
PEOPLE = {
    OWNER: ("Owen Okonkwo-Smythe", BOARD),
    FRAN: ("Françoise Delacroix", BOARD),
    ALICE: ("Alice Aardvark", TRUST),
    AMIR: ("Amir Haddad-Lindqvist", TRUST),
    BOB: ("Bogdan Wiśniewski", CHARITY),
    CAROL: ("Carolyn Zoë Mbeki", CHARITY),
}
HIDDEN_TEXT = "This statement is abusive and will be hidden."


class Meeting:
    """A room driven through the real core; its events kept as the server stores them."""

    def __init__(self, policy: PublicationPolicy, rules: RoomRules) -> None:
        self.state = INITIAL
        self.rows: list[dict[str, Any]] = []
        self.clock = T0
        self.do(
            CreateRoom(
                room=RoomId("room-42"),
                title="Winter pressures",
                proposal="Pool the winter-pressure funds across the partners.",
                owner_name=PEOPLE[OWNER][0],
                organisation=BOARD,
                organisation_name=ORGANISATIONS[BOARD],
                rules=rules,
                publication=policy,
            ),
            OWNER,
        )
        for who in (FRAN, ALICE, AMIR, BOB, CAROL):
            name, organisation = PEOPLE[who]
            role = Role.FACILITATOR if who == FRAN else Role.PARTICIPANT
            self.do(
                AdmitMember(
                    who, name, organisation, ORGANISATIONS[organisation], role, Fraction(1)
                ),
                None,
            )

    def do(self, command: Any, actor: ParticipantId | None = FRAN, acting_for: Any = None) -> None:
        self.clock += timedelta(seconds=37)
        events = decide(
            self.state, command, Context(actor=actor, at=self.clock, acting_for=acting_for)
        )
        for event in events:
            self.state = evolve(self.state, event)
            kind, payload = dump_event(event)
            assert kind == event_type(event)
            self.rows.append(
                {
                    "seq": len(self.rows) + 1,
                    "type": kind,
                    "payload": payload,
                    "actor_id": actor,
                    "acting_for": acting_for,
                    "at": self.clock,
                }
            )


def run_meeting(policy: PublicationPolicy, *, split: bool = False) -> tuple[Meeting, int]:
    """A whole decision. Returns the meeting and the seq of the last event of its first half."""
    rules = RoomRules(speaking_cap=Fraction(2, 5), premoderate_statements=False)
    m = Meeting(policy, rules)
    m.do(OpenRound(RoundKind.SURFACE_CONFLICT))
    m.do(AddStatement(StatementId("st-1"), "Waiting lists are too long in winter."), ALICE)
    m.do(AddStatement(StatementId("st-2"), HIDDEN_TEXT), BOB)
    m.do(React(StatementId("st-1"), Reaction.AGREE), CAROL)
    m.do(React(StatementId("st-1"), Reaction.DISAGREE), BOB)
    m.do(RaiseHand(), ALICE)
    m.do(RaiseHand(), BOB)
    m.do(NextSpeaker())
    m.do(ExtendSpeech(30_000, "A detailed answer to a question."))
    m.do(EndSpeech())
    m.do(RaiseHand(), CAROL)
    m.do(GiveFloor(CAROL, "The charity has not spoken yet."))
    m.do(EndSpeech())
    half = len(m.rows)
    m.do(HideStatement(StatementId("st-2"), "Abusive."))
    m.do(CloseRound())
    m.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES))
    m.do(
        TablePerspective(PerspectiveId("pe-1"), PerspectiveKind.RISK, "Rural sites lose out."), AMIR
    )
    m.do(AllocatePoints((Allocation(PerspectiveId("pe-1"), 5),)), CAROL)
    m.do(CloseRound())
    m.do(OpenRound(RoundKind.RECORD_DISSENT))
    m.do(RecordDissent(DissentId("di-1"), "Pooling hides who pays."), BOB)
    m.do(CloseRound())
    m.do(OpenRound(RoundKind.CONSENT))
    for who in (OWNER, FRAN, ALICE, AMIR, CAROL):
        m.do(AnswerConsent(Position.CONSENT), who)
    m.do(AnswerConsent(Position.CONCERN, "Review it in a year."), FRAN, acting_for=BOB)
    m.do(CloseRound())
    return m, half


def names_of_everyone() -> list[str]:
    return [name for name, _ in PEOPLE.values()]


@pytest.fixture(scope="module")
def meetings() -> dict[str, tuple[Meeting, int]]:
    return {policy.value: run_meeting(policy) for policy in PublicationPolicy}


@pytest.fixture(scope="module")
def published(meetings: dict[str, tuple[Meeting, int]]) -> dict[str, Any]:
    result = {}
    for policy, (meeting, _) in meetings.items():
        result[policy] = publish(
            {"id": "room-42", "title": "Winter pressures"},
            policy,  # type: ignore[arg-type]
            meeting.rows,
            ROOM_KEY,
            SECRET,
            signed_at=T0 + timedelta(hours=3),
        )
    return result


def types(document: dict[str, Any]) -> list[str]:
    return [entry["type"] for entry in document["entries"]]


@pytest.mark.parametrize("policy", [p.value for p in PublicationPolicy])
def test_every_policy_publishes_a_log_both_verifiers_accept(
    policy: str, published: dict[str, Any]
) -> None:
    publication = published[policy]
    document = publication.document
    receipts = [r for rs in publication.receipts.values() for r in rs]
    case = Case(dumps(document), key=ROOM_PUBLIC, receipts=[dumps(r) for r in receipts])
    python = verify_py(case)
    (javascript,) = verify_js([case])
    assert comparable(python) == comparable(javascript)
    assert python["ok"], python["line"]
    assert document["policy"] == policy
    kinds = types(document)
    for required in (
        "log.opened",
        "proposal.tabled",
        "round.opened",
        "round.closed",
        "statement.added",
        "perspective.tabled",
        "dissent.recorded",
        "consent.answered",
        "decision.reached",
    ):
        assert required in kinds, required
    assert "hand.raised" in kinds  # format 2 publishes the queue
    assert "speech.started" not in kinds
    # The fairness replay confirms every grant, in both verifiers; under `anonymous` it
    # cannot run, and both say why.
    fair = Case(dumps(document), fairness=True)
    python = verify_py(fair)
    (javascript,) = verify_js([fair])
    assert comparable(python) == comparable(javascript)
    if policy == "anonymous":
        assert python["lines"] == [
            "FAIL fairness: the anonymous policy withholds organisations, so the grants "
            "cannot be replayed [fairness_withheld]"
        ]
    else:
        assert python["fair"], python["lines"]
        assert python["lines"][0].endswith(
            "fairness: 2 grants replayed, each as the rule picks, 1 of them logged overrides"
        )


@pytest.mark.parametrize("policy", [p.value for p in PublicationPolicy])
def test_decision_reached_has_the_specs_shape(policy: str, published: dict[str, Any]) -> None:
    document = published[policy].document
    (decision,) = [e for e in document["entries"] if e["type"] == "decision.reached"]
    data = decision["data"]
    assert data["outcome"] in {
        "consented",
        "consented_with_concerns",
        "blocked",
        "withdrawn",
        "passed",
        "failed",
    }
    assert data["outcome"] == "consented_with_concerns"
    assert data["rules"] == {"speaking_cap": "0.4", "vote_cap": None}
    assert set(data["fairness"]) == set(ORGANISATIONS.values())
    for row in data["fairness"].values():
        assert set(row) == {  # format 1's four, and format 2's account of the cap
            "speaking_ms",
            "speaking_share",
            "vote_weight_raw",
            "vote_weight_counted",
            "over_cap_ms",
            "uncontested_ms",
            "grace_ms",
            "flagged_ms",
            "lifted_ms",
            "cap_fell_ms",
        }
        assert type(row["speaking_ms"]) is int
        for name in ("speaking_share", "vote_weight_raw", "vote_weight_counted"):
            assert isinstance(row[name], str)
            Fraction(row[name])
    shares = [Fraction(r["speaking_share"]) for r in data["fairness"].values()]
    assert abs(sum(shares) - 1) <= Fraction(3, 1_000_000)
    # Every override is cited by seq, and the cited entries say they are overrides.
    cited = {e["seq"]: e for e in document["entries"] if e["seq"] in data["overrides"]}
    assert data["overrides"], "the meeting extended a speech and gave the floor by hand"
    assert set(cited) == set(data["overrides"])
    assert all(entry["data"]["override"] is True for entry in cited.values())
    assert {entry["type"] for entry in cited.values()} >= {"speech.extended"}


def test_names_policy_shows_names_and_organisations(published: dict[str, Any]) -> None:
    document = published["names"].document
    statement = next(e for e in document["entries"] if e["type"] == "statement.added")
    assert statement["actor"] == {
        "name": "Alice Aardvark",
        "organisation": "Riverside Hospital Trust",
    }


@pytest.mark.parametrize("policy", ["organisations", "anonymous"])
def test_no_name_appears_anywhere_in_a_pseudonymous_log(
    policy: str, published: dict[str, Any]
) -> None:
    publication = published[policy]
    # What the public and each participant receive (receipts are keyed by participant id
    # only in the server's hands).
    text = dumps(publication.document) + dumps(list(publication.receipts.values()))
    for name in names_of_everyone():
        assert name not in text
        for part in name.replace("-", " ").split():
            if len(part) > 3:
                assert part not in text, part
    assert json.dumps(publication.document, ensure_ascii=True).count("Fran") == 0
    for participant in PEOPLE:
        assert participant not in text  # ids would link people across logs


def test_anonymous_log_shows_organisations_only_in_the_fairness_report(
    published: dict[str, Any],
) -> None:
    document = published["anonymous"].document
    decision = next(e for e in document["entries"] if e["type"] == "decision.reached")
    without_fairness = json.loads(json.dumps(document))
    for entry in without_fairness["entries"]:
        if entry["type"] == "decision.reached":
            entry["data"]["fairness"] = {}
    text = dumps(without_fairness)
    for organisation in ORGANISATIONS.values():
        assert organisation in decision["data"]["fairness"]
        assert organisation not in text
    for entry in document["entries"][1:]:
        if entry["actor"] is not None:
            assert set(entry["actor"]) == {"pseudonym"}


def test_the_owner_is_known_from_the_first_entry_on(published: dict[str, Any]) -> None:
    tabled = next(
        e for e in published["organisations"].document["entries"] if e["type"] == "proposal.tabled"
    )
    assert tabled["actor"] == {
        "organisation": "Integrated Care Board",
        "pseudonym": pseudonym(SECRET, OWNER),
    }
    tabled = next(
        e for e in published["names"].document["entries"] if e["type"] == "proposal.tabled"
    )
    assert tabled["actor"] == {
        "name": "Owen Okonkwo-Smythe",
        "organisation": "Integrated Care Board",
    }


def test_organisations_log_pairs_each_organisation_with_a_pseudonym(
    published: dict[str, Any],
) -> None:
    document = published["organisations"].document
    answers = [e for e in document["entries"] if e["type"] == "consent.answered"]
    for entry in answers:
        assert set(entry["actor"]) == {"organisation", "pseudonym"}
    bob = pseudonym(SECRET, BOB)
    recorded = next(e for e in answers if e["actor"]["pseudonym"] == bob)
    assert recorded["actor"]["organisation"] == "Carers' Charity"
    assert recorded["data"]["recorded_by"] == {
        "organisation": "Integrated Care Board",
        "pseudonym": pseudonym(SECRET, FRAN),
    }


def test_pseudonyms_are_stable_within_a_log_and_differ_across_logs(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    meeting, _ = meetings["anonymous"]
    one = publish(
        {"id": "room-42", "title": "W"},
        "anonymous",
        meeting.rows,
        ROOM_KEY,
        b"1" * 32,
        signed_at=T0,
    )
    two = publish(
        {"id": "room-42", "title": "W"},
        "anonymous",
        meeting.rows,
        ROOM_KEY,
        b"2" * 32,
        signed_at=T0,
    )

    def aliases(document: dict[str, Any]) -> list[str]:
        return [
            e["actor"]["pseudonym"] for e in document["entries"] if e["type"] == "consent.answered"
        ]

    first, second = aliases(one.document), aliases(two.document)
    assert len(set(first)) == len(first) == 6  # six people, six pseudonyms
    assert set(first).isdisjoint(second)
    statements = [e for e in one.document["entries"] if e["type"] == "statement.added"]
    alice = pseudonym(b"1" * 32, ALICE)
    assert statements[0]["actor"] == {"pseudonym": alice}
    assert alice in first  # the same person keeps one pseudonym through the log


def test_a_statement_hidden_before_publication_is_published_without_its_text(
    published: dict[str, Any],
) -> None:
    for publication in published.values():
        text = dumps(publication.document)
        assert HIDDEN_TEXT not in text
        hidden = [
            e for e in publication.document["entries"] if e["data"].get("statement") == "st-2"
        ]
        assert [e["type"] for e in hidden] == ["statement.added", "statement.hidden"]
        assert hidden[0]["data"]["text"] is None


def test_each_contributor_gets_a_receipt_for_each_contribution(published: dict[str, Any]) -> None:
    publication = published["anonymous"]
    document = publication.document
    kinds = {
        r["seq"]: document["entries"][r["seq"] - 1]["type"]
        for rs in publication.receipts.values()
        for r in rs
    }
    assert set(kinds.values()) == {
        "statement.added",
        "perspective.tabled",
        "dissent.recorded",
        "consent.answered",
    }
    bob = publication.receipts[BOB]
    assert {document["entries"][r["seq"] - 1]["type"] for r in bob} == {
        "statement.added",
        "dissent.recorded",
        "consent.answered",
    }


@pytest.mark.parametrize("policy", [p.value for p in PublicationPolicy])
def test_publishing_in_two_steps_extends_the_first_log(
    policy: str, meetings: dict[str, tuple[Meeting, int]]
) -> None:
    meeting, half = meetings[policy]
    room = {"id": "room-42", "title": "Winter pressures"}
    first = publish(
        room, policy, meeting.rows[:half], ROOM_KEY, SECRET, signed_at=T0 + timedelta(hours=1)
    )  # type: ignore[arg-type]
    assert first.through_event_seq == half
    # The hidden statement was published before the moderation: its text stays, and the
    # moderation is recorded (entries are final once published).
    assert HIDDEN_TEXT in dumps(first.document)
    stored = json.loads(dumps(first.document))
    second = publish(
        room,
        policy,  # type: ignore[arg-type]
        meeting.rows,
        ROOM_KEY,
        SECRET,
        signed_at=T0 + timedelta(hours=3),
        previous=stored,
        through_event_seq=first.through_event_seq,
    )
    result = verify_log(second.document, previous=stored, key=ROOM_PUBLIC)
    assert result.ok, result.line()
    assert result.extends == len(first.document["entries"])
    one_step = publish(room, policy, meeting.rows, ROOM_KEY, SECRET, signed_at=T0)  # type: ignore[arg-type]
    assert types(second.document) == types(one_step.document)
    decision = second.document["entries"][-1]
    assert decision["type"] == "decision.reached"
    assert decision["data"]["overrides"] == one_step.document["entries"][-1]["data"]["overrides"]


def test_project_leaves_out_what_was_already_published(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    meeting, half = meetings["names"]
    everything = project(meeting.rows, "names", SECRET)
    later = project(meeting.rows, "names", SECRET, after_seq=half)
    assert all(item.event_seq > half for item in later)
    assert [i.draft.type for i in everything if i.event_seq > half][1:] == [
        i.draft.type for i in later
    ][1:]
    assert len(later) < len(everything)


def test_republishing_without_new_events_only_signs_again(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    meeting, _ = meetings["names"]
    room = {"id": "room-42", "title": "Winter pressures"}
    first = publish(room, "names", meeting.rows, ROOM_KEY, SECRET, signed_at=T0)
    stored = json.loads(dumps(first.document))
    again = publish(
        room,
        "names",
        meeting.rows,
        ROOM_KEY,
        SECRET,
        signed_at=T0 + timedelta(days=1),
        previous=stored,
        through_event_seq=first.through_event_seq,
    )
    assert again.document["entries"] == stored["entries"]
    assert again.document["head"]["signed_at"] != stored["head"]["signed_at"]
    assert again.receipts == {}
    assert verify_log(again.document, previous=stored).ok


def test_the_policy_cannot_change_between_publications(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    from server.publication.projection import ProjectionError

    meeting, half = meetings["names"]
    room = {"id": "room-42", "title": "Winter pressures"}
    first = publish(room, "names", meeting.rows[:half], ROOM_KEY, SECRET, signed_at=T0)
    with pytest.raises(ProjectionError, match="policy"):
        publish(
            room,
            "anonymous",
            meeting.rows,
            ROOM_KEY,
            SECRET,
            signed_at=T0,
            previous=first.document,
            through_event_seq=half,
        )
    with pytest.raises(ProjectionError, match="policy"):
        project(meeting.rows, "public", SECRET)  # type: ignore[arg-type]


def test_a_members_directory_overrides_names_from_the_stream(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    meeting, _ = meetings["names"]
    directory = {ALICE: {"name": "Dr Alice Aardvark", "organisation": "Riverside Trust"}}
    drafts = project(meeting.rows, "names", SECRET, members=directory)
    statement = next(d.draft for d in drafts if d.draft.type == "statement.added")
    assert statement.actor == {"name": "Dr Alice Aardvark", "organisation": "Riverside Trust"}


def test_a_log_never_shows_more_than_the_room_promised(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    from server.publication.projection import ProjectionError

    meeting, _ = meetings["anonymous"]
    for policy in ("names", "organisations"):
        with pytest.raises(ProjectionError, match="promised 'anonymous'"):
            project(meeting.rows, policy, SECRET)  # type: ignore[arg-type]
    named, _ = meetings["names"]
    drafts = project(named.rows, "anonymous", SECRET)  # more private than promised: fine
    assert all(d.draft.actor is None or set(d.draft.actor) == {"pseudonym"} for d in drafts)


@pytest.mark.parametrize("policy", ["names", "anonymous"])
def test_publishing_after_any_event_grows_the_log(
    policy: str, meetings: dict[str, tuple[Meeting, int]]
) -> None:
    meeting, _ = meetings[policy]
    room = {"id": "room-42", "title": "Winter pressures"}
    final_types = types(
        publish(room, policy, meeting.rows, ROOM_KEY, SECRET, signed_at=T0).document
    )  # type: ignore[arg-type]
    for split in range(1, len(meeting.rows)):
        first = publish(room, policy, meeting.rows[:split], ROOM_KEY, SECRET, signed_at=T0)  # type: ignore[arg-type]
        stored = json.loads(dumps(first.document))
        second = publish(
            room,
            policy,  # type: ignore[arg-type]
            meeting.rows,
            ROOM_KEY,
            SECRET,
            signed_at=T0 + timedelta(hours=1),
            previous=stored,
            through_event_seq=first.through_event_seq,
        )
        result = verify_log(second.document, previous=stored, key=ROOM_PUBLIC)
        assert result.ok, (split, result.line())
        # The same entries whenever one publishes, except that moderation which comes
        # after a statement's first publication adds its entry instead of removing text.
        assert types(second.document) == final_types, split
        overrides = second.document["entries"][-1]["data"]["overrides"]
        assert all(second.document["entries"][s - 1]["data"]["override"] for s in overrides)


def test_budgets_are_published_by_organisation_name_never_by_id() -> None:
    from deliberation.rules import OrganisationBudget

    rules = RoomRules(organisation_budgets=(OrganisationBudget(TRUST, 600_000),))
    for policy, expected in (("names", {"Riverside Hospital Trust": 600_000}), ("anonymous", None)):
        meeting = Meeting(PublicationPolicy(policy), rules)
        drafts = project(meeting.rows, policy, SECRET)  # type: ignore[arg-type]
        (rules_set,) = [d.draft for d in drafts if d.draft.type == "rules.set"]
        assert rules_set.data["rules"].get("organisation_budgets_ms") == expected
        assert TRUST not in json.dumps([d.draft.data for d in drafts])


def test_an_unknown_override_is_published_and_cited(
    meetings: dict[str, tuple[Meeting, int]],
) -> None:
    meeting, _ = meetings["names"]
    rows = [dict(row) for row in meeting.rows]
    decision = rows.pop()
    assert decision["type"] == "decision.reached"
    unknown = {
        "seq": decision["seq"],
        "type": "quorum.waived",
        "payload": {
            "reason": "Two members stuck in traffic.",
            "by": FRAN,
            "is_override": True,
            "secret_detail": "x",
        },
        "actor_id": FRAN,
        "acting_for": None,
        "at": decision["at"],
    }
    quiet = {**unknown, "type": "presence.marked", "payload": {"participant": ALICE, "by": None}}
    rows += [
        unknown,
        {**quiet, "seq": decision["seq"] + 1},
        {**decision, "seq": decision["seq"] + 2},
    ]
    document = publish(
        {"id": "room-42", "title": "W"}, "names", rows, ROOM_KEY, SECRET, signed_at=T0
    ).document
    (waived,) = [e for e in document["entries"] if e["type"] == "quorum.waived"]
    assert waived["data"] == {"reason": "Two members stuck in traffic.", "override": True}
    assert waived["actor"] == {
        "name": "Françoise Delacroix",
        "organisation": "Integrated Care Board",
    }
    assert "presence.marked" not in types(document)
    assert waived["seq"] in document["entries"][-1]["data"]["overrides"]


def vote_meeting(policy: PublicationPolicy) -> Meeting:
    from deliberation.polls import (
        CastBallot,
        CloseVote,
        DelegateVote,
        OpenVote,
        PollId,
        VoteMethod,
    )

    m = Meeting(policy, RoomRules(speaking_cap=Fraction(1, 2)))
    m.do(RaiseHand(), ALICE)
    m.do(NextSpeaker())
    m.do(EndSpeech())
    m.do(OpenVote(PollId("motion"), "Pool the funds?", VoteMethod.MAJORITY))
    m.do(DelegateVote(PollId("motion"), AMIR), ALICE)
    for who, choice in ((AMIR, "yes"), (BOB, "no"), (CAROL, "yes"), (FRAN, "yes")):
        m.do(CastBallot(PollId("motion"), choice=choice), who)
    m.do(CloseVote(PollId("motion")))
    m.do(
        OpenVote(PollId("secret"), "Who chairs?", VoteMethod.APPROVAL, ("Ann", "Ben"), secret=True)
    )
    for index, (who, approve) in enumerate(
        ((ALICE, ("Ann",)), (BOB, ("Ben",)), (CAROL, ("Ann", "Ben")), (ALICE, ("Ben",)))
    ):
        m.do(CastBallot(PollId("secret"), approve=approve, ballot_key=f"key-{who}"), who)
        assert index < 4
    m.do(CloseVote(PollId("secret")))
    return m


@pytest.mark.parametrize("policy", [p.value for p in PublicationPolicy])
def test_votes_are_published_and_secret_ballots_cannot_be_linked_to_voters(policy: str) -> None:
    meeting = vote_meeting(PublicationPolicy(policy))
    publication = publish(
        {"id": "room-42", "title": "W"}, policy, meeting.rows, ROOM_KEY, SECRET, signed_at=T0
    )  # type: ignore[arg-type]
    document = publication.document
    case = Case(
        dumps(document), receipts=[dumps(r) for rs in publication.receipts.values() for r in rs]
    )
    python = verify_py(case)
    (javascript,) = verify_js([case])
    assert comparable(python) == comparable(javascript)
    assert python["ok"], python["line"]
    entries = document["entries"]
    named = [e for e in entries if e["type"] == "ballot.cast" and e["data"]["poll"] == "motion"]
    assert [e["data"]["choice"] for e in named] == ["yes", "no", "yes", "yes"]
    assert all(e["actor"] is not None for e in named)
    assert named[0]["data"]["weight"] == "1"
    assert named[0]["data"]["delegated_weights"] == ["1"]  # Alice delegated to Amir
    (decision,) = [e for e in entries if e["type"] == "decision.reached"]
    assert decision["data"]["outcome"] == "passed"
    assert decision["data"]["rules"]["speaking_cap"] == "0.5"
    assert set(decision["data"]["fairness"]) == set(ORGANISATIONS.values())
    trust = decision["data"]["fairness"]["Riverside Hospital Trust"]
    assert trust["speaking_share"] == "1"  # Alice spoke, nobody else did
    # The secret vote: participation is public, ballots come only at the close, without a
    # voter, one per voter (Alice's second ballot replaced her first), in no cast order.
    kinds = [e["type"] for e in entries if e["data"].get("poll") == "secret"]
    assert kinds == [
        "vote.opened",
        "vote.participated",
        "vote.participated",
        "vote.participated",
        "ballot.cast",
        "ballot.cast",
        "ballot.cast",
        "vote.closed",
    ]
    secret = [e for e in entries if e["type"] == "ballot.cast" and e["data"]["poll"] == "secret"]
    assert all(e["actor"] is None for e in secret)
    assert sorted(tuple(e["data"]["approve"]) for e in secret) == [
        ("Ann", "Ben"),
        ("Ben",),
        ("Ben",),
    ]
    assert {e["at"] for e in secret} == {entries[-1]["at"]}
    assert "key-u-" not in dumps(document)
    receipts = publication.receipts
    secret_receipts = {k: v for k, v in receipts.items() if k.startswith("ballot:")}
    assert set(secret_receipts) == {f"ballot:key-{who}" for who in (ALICE, BOB, CAROL)}
    assert {r["seq"] for rs in secret_receipts.values() for r in rs} == {e["seq"] for e in secret}


def test_publishing_during_a_secret_vote_keeps_its_ballots_for_the_close() -> None:
    meeting = vote_meeting(PublicationPolicy.ANONYMOUS)
    room = {"id": "room-42", "title": "W"}
    final = publish(room, "anonymous", meeting.rows, ROOM_KEY, SECRET, signed_at=T0).document
    for split in range(1, len(meeting.rows)):
        first = publish(room, "anonymous", meeting.rows[:split], ROOM_KEY, SECRET, signed_at=T0)
        stored = json.loads(dumps(first.document))
        second = publish(
            room,
            "anonymous",
            meeting.rows,
            ROOM_KEY,
            SECRET,
            signed_at=T0,
            previous=stored,
            through_event_seq=first.through_event_seq,
        )
        assert verify_log(second.document, previous=stored).ok, split
        assert second.document["entries"] == final["entries"], split
