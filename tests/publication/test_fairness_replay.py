"""The fairness replay: a format 2 log's queue replayed by both verifiers.

Meetings run through the real core (hands, replies, points of order, the cap in force,
budgets, lifted caps, overrides, members removed with hands up, the clock's cap warnings),
are projected and published, and both verifiers must confirm every grant, the same way.
Then the logs are forged as someone who holds the key would forge them (a grant given to
someone else, a hand that never was, an override without a reason) and both verifiers must
name the same grants.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from publication_helpers import (
    NODE,
    REPO,
    ROOM_KEY,
    VERIFY_JS,
    Case,
    comparable,
    dumps,
    rechain,
    verify_js,
    verify_py,
)

from deliberation import INITIAL, Context, Rejected, decide, event_type, evolve, next_deadline
from deliberation.commands import (
    AdmitMember,
    CreateRoom,
    EndSpeech,
    GiveFloor,
    LiftCap,
    LowerHand,
    NextSpeaker,
    RaiseHand,
    RemoveMember,
    RestoreCap,
    Tick,
)
from deliberation.ids import OrganisationId, ParticipantId, RoomId
from deliberation.rules import OrganisationBudget, RoomRules
from deliberation.vocabulary import PublicationPolicy, Role, SpeechKind
from server.publication.log import FORMAT_1
from server.publication.projection import publish
from server.rooms.codec import dump_event

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SECRET = b"f" * 32
FRAN = ParticipantId("u-fran")
ORGS = {
    OrganisationId("org-trust"): "Riverside Hospital Trust",
    OrganisationId("org-charity"): "Carers' Charity",
    OrganisationId("org-council"): "Borough Council",
}
TRUST, CHARITY, COUNCIL = ORGS
PEOPLE = {
    ParticipantId("u-alice"): ("Alice", TRUST),
    ParticipantId("u-amir"): ("Amir", TRUST),
    ParticipantId("u-ann"): ("Ann", TRUST),
    ParticipantId("u-bob"): ("Bob", CHARITY),
    ParticipantId("u-carol"): ("Carol", COUNCIL),
    ParticipantId("u-cato"): ("Alice", COUNCIL),  # the same name in another organisation
}
ALICE, AMIR, ANN, BOB, CAROL, CATO = PEOPLE


class Meeting:
    """A room driven through the core with a clock we move, stored as the server stores it;
    the clock ticks at every deadline on the way, as the deadline worker does."""

    def __init__(self, rules: RoomRules, policy: PublicationPolicy = PublicationPolicy.NAMES):
        self.state = INITIAL
        self.rows: list[dict[str, Any]] = []
        self.clock = T0
        board = OrganisationId("org-board")
        self.do(
            CreateRoom(
                RoomId("room-fair"),
                "Discharge transport",
                "Fund two minibuses.",
                "Fran",
                board,
                "Integrated Care Board",
                rules,
                publication=policy,
            ),
            FRAN,
        )
        for who, (name, organisation) in PEOPLE.items():
            self.do(
                AdmitMember(
                    who, name, organisation, ORGS[organisation], Role.PARTICIPANT, Fraction(1)
                ),
                None,
            )

    def do(self, command: Any, actor: ParticipantId | None = FRAN) -> bool:
        try:
            events = decide(self.state, command, Context(actor=actor, at=self.clock))
        except Rejected:
            return False
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
                    "acting_for": None,
                    "at": self.clock,
                }
            )
        return True

    def later(self, seconds: float) -> None:
        target = self.clock + timedelta(seconds=seconds)
        for _ in range(50):
            due = next_deadline(self.state)
            if due is None or due > target:
                break
            self.clock = max(self.clock, due)
            self.do(Tick(), None)
        self.clock = target

    def publish(self, policy: str = "names") -> dict[str, Any]:
        publication = publish(
            {"id": "room-fair", "title": "Discharge transport"},
            policy,  # type: ignore[arg-type]
            self.rows,
            ROOM_KEY,
            SECRET,
            signed_at=self.clock + timedelta(hours=1),
        )
        return publication.document


def a_busy_meeting(policy: PublicationPolicy = PublicationPolicy.NAMES) -> Meeting:
    """Every rule of the stack at least once, and the cap's clock."""
    m = Meeting(
        RoomRules(
            speaking_cap=Fraction(3, 10),
            cap_grace_ms=5_000,
            organisation_budgets=(OrganisationBudget(COUNCIL, 40_000),),
        ),
        policy,
    )
    m.do(RaiseHand(), ALICE)
    m.do(NextSpeaker())  # only-one-waiting
    m.do(RaiseHand(), BOB)
    m.do(RaiseHand(SpeechKind.REPLY), CAROL)
    m.later(20)
    m.do(EndSpeech(), ALICE)
    m.do(NextSpeaker())  # reply-first
    m.do(RaiseHand(), AMIR)
    m.do(RaiseHand(), CATO)
    m.later(30)  # Carol's council reaches the cap while others wait: warned, then cut
    m.do(NextSpeaker())
    m.do(RaiseHand(SpeechKind.POINT_OF_ORDER), ANN)
    m.later(5)
    m.do(NextSpeaker())  # point-of-order-first interrupts
    m.later(10)
    m.do(EndSpeech(), ANN)
    m.later(20)
    speaker = m.state.floor.speech
    if speaker is not None:
        m.do(EndSpeech(), speaker.participant)
    m.do(RemoveMember(AMIR, "Left the meeting."))  # with a hand up: withdrawn
    m.do(RaiseHand(), ANN)
    m.do(LiftCap(TRUST, "Presenting the business case."))
    m.do(NextSpeaker())  # cap-lifted or least floor time
    m.later(15)
    m.do(RestoreCap(TRUST, "Done."))
    speaker = m.state.floor.speech
    if speaker is not None:
        m.do(EndSpeech(), speaker.participant)
    m.do(RaiseHand(), ALICE)
    m.do(RaiseHand(), BOB)
    m.do(LowerHand(SpeechKind.SPEECH), BOB)
    m.do(RaiseHand(), BOB)
    m.do(GiveFloor(ALICE, "She chairs the transport group."))  # override
    m.later(8)
    m.do(EndSpeech(), ALICE)
    while m.state.floor.waiting and m.do(NextSpeaker()):
        m.later(12)
        speaker = m.state.floor.speech
        if speaker is not None:
            m.do(EndSpeech(), speaker.participant)
    # The trust speaks on unopposed, far over the cap; then its own direct reply waits
    # behind the charity's speech (cap-waits).
    m.do(RaiseHand(), ALICE)
    m.do(NextSpeaker())
    m.later(120)
    m.do(RaiseHand(SpeechKind.REPLY), ANN)
    m.do(RaiseHand(), BOB)
    m.later(1)
    m.do(EndSpeech(), ALICE)
    m.do(NextSpeaker())
    m.later(1)
    m.do(EndSpeech(), BOB)
    return m


def both(document: dict[str, Any]) -> dict[str, Any]:
    case = Case(dumps(document), fairness=True)
    python = verify_py(case)
    (javascript,) = verify_js([case])
    assert comparable(python) == comparable(javascript)
    return python


def grants(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in document["entries"] if e["type"] == "floor.granted"]


@pytest.mark.parametrize("policy", ["names", "organisations"])
def test_both_verifiers_confirm_every_grant_of_a_busy_meeting(policy: str) -> None:
    document = a_busy_meeting(PublicationPolicy(policy)).publish(policy)
    kinds = {e["type"] for e in document["entries"]}
    assert {"hand.raised", "hand.lowered", "hand.withdrawn", "speech.cap_reached"} <= kinds
    rules = {e["data"]["rule"] for e in grants(document)}
    assert {
        "only-one-waiting",
        "reply-first",
        "point-of-order-first",
        "override",
        "least-floor-time-org",
        "cap-waits",
    } <= rules
    result = both(document)
    assert result["fair"], result["lines"]
    count = len(grants(document))
    assert f"fairness: {count} grants replayed, each as the rule picks, 1 of them" in result["line"]


def forged(document: dict[str, Any], change: Any) -> dict[str, Any]:
    """The log as a key holder would forge it: changed, re-hashed, re-chained, re-signed."""
    copy_ = copy.deepcopy(document)
    change(copy_)
    return rechain(copy_, ROOM_KEY)


def first_grant(document: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(e for e in grants(document) if e["data"]["rule"] == rule)


def test_a_grant_given_to_someone_else_is_named_by_both() -> None:
    document = a_busy_meeting().publish()
    reply = first_grant(document, "reply-first")
    waiting_bob = next(
        e["data"]["participant"]
        for e in document["entries"]
        if e["type"] == "hand.raised" and e["data"]["participant"]["name"] == "Bob"
    )

    def give_bob_the_floor(d: dict[str, Any]) -> None:
        entry = d["entries"][reply["seq"] - 1]
        entry["data"]["speaker"] = waiting_bob
        entry["data"]["kind"] = "speech"
        entry["data"]["rule"] = "least-floor-time-org"

    result = both(forged(document, give_bob_the_floor))
    assert result["ok"]  # the chain and signature are sound: only the replay can tell
    assert not result["fair"]
    line = result["lines"][0]
    assert line.startswith(
        f"FAIL entry {reply['seq']}: floor.granted to {waiting_bob['pseudonym']}"
    )
    assert line.endswith(
        "but the rule picks "
        + reply["data"]["speaker"]["pseudonym"]
        + " (reply, rule reply-first) [grant_unfair]"
    )


def test_a_wrong_rule_name_a_grant_to_nobody_waiting_and_an_override_without_reason() -> None:
    document = a_busy_meeting().publish()
    first = first_grant(document, "only-one-waiting")
    override = first_grant(document, "override")
    reply = first_grant(document, "reply-first")

    def tamper(d: dict[str, Any]) -> None:
        d["entries"][first["seq"] - 1]["data"]["rule"] = "least-floor-time-org"
        d["entries"][override["seq"] - 1]["data"]["reason"] = " "
        # The reply's hand was never raised: drop its hand.raised entry.
        raised = next(
            i
            for i, e in enumerate(d["entries"])
            if e["type"] == "hand.raised"
            and e["data"]["kind"] == "reply"
            and e["data"]["participant"] == reply["data"]["speaker"]
        )
        del d["entries"][raised]

    result = both(forged(document, tamper))
    reasons = [line.rsplit("[", 1)[1] for line in result["lines"]]
    assert reasons[0] == "grant_unfair]"
    assert "grant_not_waiting]" in reasons
    assert "override_without_reason]" in reasons
    assert result["lines"][0].startswith(f"FAIL entry {first['seq']}: ")


def test_a_format_1_log_verifies_but_cannot_be_replayed() -> None:
    m = a_busy_meeting()
    from server.publication.log import LogWriter
    from server.publication.projection import project

    writer = LogWriter(
        "room-fair", "Discharge transport", "names", ROOM_KEY, opened_at=T0, format=FORMAT_1
    )
    for item in project(m.rows, "names", SECRET, format=FORMAT_1):
        writer.append(item.draft.type, item.draft.data, at=item.draft.at, actor=item.draft.actor)
    document = writer.publish(m.clock)
    assert not {"hand.raised", "speech.cap_reached"} & {e["type"] for e in document["entries"]}
    plain = verify_py(Case(dumps(document)))
    assert plain["ok"]
    result = both(document)
    assert result["lines"] == [
        "FAIL fairness: a format 1 log does not publish the queue, so its grants cannot be "
        "replayed [fairness_unavailable]"
    ]


def test_an_anonymous_log_withholds_what_the_replay_needs() -> None:
    document = a_busy_meeting(PublicationPolicy.ANONYMOUS).publish("anonymous")
    result = both(document)
    assert result["ok"]
    assert result["lines"][0].endswith("[fairness_withheld]")


def test_the_command_lines_exit_non_zero_on_an_unfair_log(tmp_path: Path) -> None:
    document = a_busy_meeting().publish()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document))
    first = first_grant(document, "reply-first")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            forged(
                document,
                lambda d: d["entries"][first["seq"] - 1]["data"].update(rule="first-come"),
            )
        )
    )
    for path, code in ((good, 0), (bad, 1)):
        python = subprocess.run(
            [sys.executable, "-m", "server.cli", "verify", "--fairness", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        node = subprocess.run(
            [NODE, str(VERIFY_JS), str(path), "--fairness"], capture_output=True, text=True
        )
        assert python.returncode == node.returncode == code, python.stdout + node.stdout
        assert python.stdout == node.stdout
    assert "[grant_unfair]" in python.stdout
    # Without --fairness the forged log still verifies: the chain and signature are sound.
    plain = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(bad)], cwd=REPO, capture_output=True
    )
    assert plain.returncode == 0


# -- any sequence ------------------------------------------------------------------------

PERSON = st.sampled_from(list(PEOPLE))
KIND = st.sampled_from(
    [SpeechKind.SPEECH, SpeechKind.SPEECH, SpeechKind.REPLY, SpeechKind.POINT_OF_ORDER]
)
RAISE = st.tuples(st.just("raise"), st.lists(PERSON, min_size=1, max_size=4), KIND)
NEXT = st.tuples(st.just("next"), st.none(), st.none())
END = st.tuples(st.just("end"), st.none(), st.none())
WAIT = st.tuples(st.just("wait"), st.integers(0, 90), st.none())
SHAPES = {
    "raise": RAISE,
    "next": NEXT,
    "end": END,
    "wait": WAIT,
    "lower": st.tuples(st.just("lower"), PERSON, KIND),
    "give": st.tuples(st.just("give"), PERSON, KIND),
    "lift": st.tuples(st.just("lift"), st.sampled_from(list(ORGS)), st.booleans()),
    "remove": st.tuples(st.just("remove"), PERSON, st.none()),
}
# Weighted towards a busy queue: hands, grants and speeches; overrides and removals rarer.
NAMES = ["raise"] * 4 + ["next"] * 3 + ["end"] * 3 + ["wait"] * 3 + ["lower", "give", "lift"]
STEP = st.sampled_from([*NAMES, "remove"]).flatmap(SHAPES.__getitem__)
LOGS: list[str] = []


def run(steps: list[tuple[Any, Any, Any]], rules: RoomRules) -> Meeting:
    m = Meeting(rules)
    for name, a, b in steps:
        if name == "raise":
            for person in a:
                m.do(RaiseHand(b), person)
        elif name == "lower":
            m.do(LowerHand(b), a)
        elif name == "next":
            m.do(NextSpeaker())
        elif name == "end" and m.state.floor.speech is not None:
            m.do(EndSpeech(), m.state.floor.speech.participant)
        elif name == "give":
            m.do(GiveFloor(a, "The chair's call.", b))
        elif name == "lift":
            m.do(LiftCap(a, "Presenting.") if b else RestoreCap(a, "Done."))
        elif name == "remove":
            m.do(RemoveMember(a, "Left."))
        elif name == "wait":
            m.later(a)
    return m


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(STEP, min_size=10, max_size=60),
    cap=st.sampled_from([None, Fraction(1, 4), Fraction(3, 10), Fraction(1, 2)]),
    budget=st.sampled_from([(), (OrganisationBudget(CHARITY, 30_000),)]),
)
def test_the_replay_confirms_every_grant_under_any_sequence(
    steps: list[tuple[Any, Any, Any]], cap: Fraction | None, budget: tuple[OrganisationBudget, ...]
) -> None:
    m = run(steps, RoomRules(speaking_cap=cap, cap_grace_ms=10_000, organisation_budgets=budget))
    document = m.publish()
    result = verify_py(Case(dumps(document), fairness=True))
    assert result["fair"], result["lines"]
    LOGS.append(dumps(document))


def test_the_javascript_replay_agrees_on_every_sequence_tried() -> None:
    """The logs of the property test above, replayed by the JavaScript verifier at once."""
    if not LOGS:
        test_the_replay_confirms_every_grant_under_any_sequence()
    cases = [Case(text, fairness=True) for text in LOGS]
    for case, javascript in zip(cases, verify_js(cases), strict=True):
        assert comparable(javascript) == comparable(verify_py(case))
