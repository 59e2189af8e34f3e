"""view(state, viewer): JSON-safe, and shows each viewer only what they may see."""

import json
from fractions import Fraction

from deliberation import (
    INITIAL,
    Position,
    PublicationPolicy,
    RoomRules,
    RoundKind,
    SpeechKind,
    view,
)
from deliberation.commands import AnswerConsent, EndSpeech, NextSpeaker, RaiseHand
from tests.builders import ALICE, BOB, CAROL, FACILITATOR, TRUST_A, TRUST_B, Room, given_room


def json_safe(value: object) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, list):
        return all(json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v) for k, v in value.items())
    return False


def busy_room() -> Room:
    room = given_room(RoomRules(speaking_cap=Fraction(3, 10)), round=RoundKind.CONSENT)
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.later(42)
    room.do(EndSpeech(), ALICE)
    room.do(RaiseHand(), BOB)
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), CAROL)
    room.do(AnswerConsent(Position.CONCERN, "Costs."), BOB)
    return room


def test_the_view_is_json_safe_for_everyone() -> None:
    room = busy_room()
    for viewer in (None, ALICE, FACILITATOR):
        picture = view(room.state, viewer)
        assert json_safe(picture)
        json.dumps(picture)
    assert json_safe(view(INITIAL, None))


def test_the_view_shows_the_round_the_queue_and_each_organisations_share() -> None:
    picture = view(busy_room().state, ALICE)
    assert picture["round"]["current"] == "consent"
    assert picture["round"]["asks"].startswith("Can you live with the proposal?")
    assert [h["participant"] for h in picture["floor"]["queue"]] == [BOB, CAROL]
    assert picture["floor"]["next"] == {
        "participant": CAROL,
        "kind": "point_of_order",
        "rule": "point-of-order-first",
    }
    shares = {s["organisation"]: s for s in picture["floor"]["shares"]}
    assert shares[TRUST_A]["speaking_ms"] == 42_000
    assert shares[TRUST_A]["share"] == "1/1"
    assert shares[TRUST_A]["at_or_over_cap"] is True
    assert shares[TRUST_B]["waiting"] is True


def test_consent_answers_follow_the_publication_policy() -> None:
    for policy, alice_sees in (
        (PublicationPolicy.NAMES, {"participant": BOB}),
        (PublicationPolicy.ORGANISATIONS, {"organisation": TRUST_B}),
        (PublicationPolicy.ANONYMOUS, None),
    ):
        room = given_room(publication=policy, round=RoundKind.CONSENT)
        room.do(AnswerConsent(Position.CONCERN, "Costs."), BOB)
        answers = view(room.state, ALICE)["consent"]["answers"]
        if alice_sees is None:
            assert answers == []
        else:
            [answer] = answers
            for key, value in alice_sees.items():
                assert answer[key] == value
            assert ("participant" in answer) is (policy is PublicationPolicy.NAMES)
        assert view(room.state, ALICE)["consent"]["counts"] == {"concern": 1}
        assert view(room.state, BOB)["consent"]["mine"]["text"] == "Costs."
        assert view(room.state, FACILITATOR)["consent"]["answers"][0]["participant"] == BOB


def test_the_view_carries_the_fairness_report() -> None:
    fairness = view(busy_room().state, None)["fairness"]
    rows = {row["organisation"]: row for row in fairness["organisations"]}
    assert rows[TRUST_A]["speaking_ms"] == 42_000
    assert rows[TRUST_A]["speaking_share"] == "1/1"
    assert fairness["speaking_cap"] == "3/10"


def test_relayed_events_pass_the_same_gate_as_the_view() -> None:
    from deliberation import event_view
    from deliberation.commands import AddStatement, HideStatement
    from deliberation.ids import StatementId

    room = given_room(
        RoomRules(premoderate_statements=True),
        publication=PublicationPolicy.ANONYMOUS,
        round=RoundKind.SURFACE_CONFLICT,
    )
    [pending] = room.do(AddStatement(StatementId("s1"), "Names a patient."), ALICE)
    assert event_view(room.state, pending, BOB) is None
    assert event_view(room.state, pending, ALICE)["text"] == "Names a patient."
    assert event_view(room.state, pending, FACILITATOR) is not None
    [hidden] = room.do(HideStatement(StatementId("s1"), "Identifies a patient."))
    assert "reason" not in event_view(room.state, hidden, BOB)
    assert event_view(room.state, hidden, FACILITATOR)["reason"] == "Identifies a patient."


def test_relayed_consent_answers_follow_the_publication_policy() -> None:
    from deliberation import event_view

    for policy, bob_sees in (
        (PublicationPolicy.NAMES, {"participant", "organisation", "position", "text"}),
        (PublicationPolicy.ORGANISATIONS, {"organisation", "position", "text"}),
        (PublicationPolicy.ANONYMOUS, set()),
    ):
        room = given_room(publication=policy, round=RoundKind.CONSENT)
        [answered] = room.do(AnswerConsent(Position.OBJECT, "Carers lose out."), CAROL)
        seen = event_view(room.state, answered, BOB)
        assert json_safe(seen)
        assert {"participant", "organisation", "position", "text"} & set(seen) == bob_sees
        assert event_view(room.state, answered, CAROL)["participant"] == CAROL
        assert event_view(room.state, answered, FACILITATOR)["participant"] == CAROL


def test_the_view_shows_a_speech_paused_by_a_point_of_order() -> None:
    room = given_room()
    room.do(RaiseHand(), ALICE)
    room.do(NextSpeaker())
    room.later(40)
    room.do(RaiseHand(SpeechKind.POINT_OF_ORDER), CAROL)
    room.do(NextSpeaker())
    floor = view(room.state, None)["floor"]
    assert floor["speech"]["participant"] == CAROL
    assert floor["paused"]["participant"] == ALICE
    assert floor["paused"]["elapsed_ms"] == 40_000
