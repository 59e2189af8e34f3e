"""The minutes document: facts from the meeting's log and each item room's fold, the
narrative from edit_narrative only, and the published copy under each policy."""

import json
from typing import Any

import pytest

from deliberation import Position, RoundKind
from deliberation.commands import AnswerConsent, CloseRound, OpenRound, RecordDissent
from deliberation.exclusions import Exclusion, SetExclusions, SetQuorum
from deliberation.ids import DissentId
from deliberation.meetings import (
    ActionId,
    AddAction,
    Attendance,
    CloseItem,
    CloseMeeting,
    DeclareInterest,
    DeferItem,
    EditNarrative,
    MarkAttendance,
    NameSubstitute,
    NoteItem,
    RecordDeparture,
    StartItem,
    item_decision,
    minutes,
    publish,
    published_minutes,
)
from deliberation.polls import CastBallot, CloseVote, OpenVote, PollId, VoteMethod
from deliberation.vocabulary import PublicationPolicy
from tests import builders as rooms
from tests.unit.meetings.builders import (
    ANNA,
    APOLOGIES,
    BEN,
    CARA,
    CHAIR,
    DECISION,
    DISCUSSION,
    LATER,
    NOTING,
    OFFICER,
    PRIVATE,
    SECRETARY,
    SUB,
    VICE,
    Given,
    at,
    open_with,
)

SECRET_NOTE = "Carewell Ltd scored highest; award subject to due diligence."
SECRET_ACTION = "Tell the unsuccessful bidders before Friday"
SECRET_DISSENT = "The contract exceeds the board's delegated limit"
LOG = {"room_id": "room-1", "seq": 12, "hash": "ab" * 32}


def decided_room(*, dissent: str = "Too little for young carers") -> Any:
    """An item room that reached a consent decision with a dissent and a concern."""
    room = rooms.given_room(round=RoundKind.RECORD_DISSENT)
    room.do(RecordDissent(DissentId("d1"), dissent), rooms.CAROL)
    room.do(CloseRound())
    room.do(OpenRound(RoundKind.CONSENT))
    room.do(SetExclusions((Exclusion(rooms.BOB, "Director of a bidder"),)), None)
    room.do(SetQuorum(True, (), (rooms.ALICE, rooms.AMIR, rooms.CAROL)), None)
    room.do(AnswerConsent(Position.CONSENT), rooms.ALICE)
    room.do(AnswerConsent(Position.CONCERN, "Budget not agreed"), rooms.AMIR)
    room.do(AnswerConsent(Position.STAND_ASIDE, "Will consult"), rooms.CAROL)
    room.do(CloseRound())
    return room


def full_meeting() -> Given:
    meeting = open_with(CHAIR, VICE, ANNA, CARA)
    meeting.do(MarkAttendance(BEN, Attendance.APOLOGIES))
    meeting.do(NameSubstitute(SUB, "Sue", BEN), when=at(2))
    meeting.do(DeclareInterest(ANNA, "Trustee of the bidder", PRIVATE))
    meeting.do(StartItem(APOLOGIES), when=at(3))
    meeting.do(CloseItem(APOLOGIES), when=at(5))
    meeting.do(StartItem(DECISION), when=at(10))
    meeting.do(
        AddAction(ActionId("a1"), DECISION, "Publish the fund", "Olu", at(60 * 24 * 30), OFFICER)
    )
    meeting.do(AddAction(ActionId("a3"), DECISION, "Circulate the paper", "Dev", at(30)))
    meeting.do(CloseItem(DECISION), when=at(40))
    meeting.do(NoteItem(NOTING), when=at(42))
    meeting.do(DeferItem(DISCUSSION, "Papers late", LATER))
    meeting.do(StartItem(PRIVATE), when=at(50))
    meeting.do(AddAction(ActionId("a2"), PRIVATE, SECRET_ACTION, "Olu", at(60 * 24 * 3)))
    meeting.do(RecordDeparture(CARA), when=at(55))
    meeting.do(CloseItem(PRIVATE), when=at(60))
    meeting.do(EditNarrative(SECRET_NOTE, "note", PRIVATE), SECRETARY)
    meeting.do(EditNarrative("The board agreed the fund.", "summary"), SECRETARY)
    meeting.do(CloseMeeting(), when=at(90))
    return meeting


def items() -> dict[str, Any]:
    return {
        DECISION: item_decision(decided_room().state, LOG),
        PRIVATE: item_decision(decided_room(dissent=SECRET_DISSENT).state, {**LOG, "seq": 30}),
    }


def test_the_minutes_carry_attendance_quorum_declarations_and_items_from_the_log() -> None:
    meeting = full_meeting()
    doc = minutes(meeting.state, items())
    assert doc["status"] == "draft"
    assert doc["meeting"]["starts_at"] == "2026-12-10T14:00:00Z"
    rows = {r["member"]["id"]: r for r in doc["attendance"]}
    assert rows[BEN]["status"] == "apologies"
    assert rows[SUB]["substitute_for"] == BEN
    assert rows[SUB]["member"]["name"] == "Sue"
    assert rows[CARA]["left_at"] == "2026-12-10T14:55:00Z"
    assert rows[CHAIR]["member"] == {
        "id": CHAIR,
        "name": "Chloe",
        "organisation": "Borough Council",
        "board_role": "chair",
    }
    logged = meeting.state.quorum_log
    assert [(q["held"], q["missing"]) for q in doc["quorum"]] == [
        (r.held, list(r.missing)) for r in logged
    ]
    assert doc["quorum"][0]["missing"][0] == "3 more voting members"  # opened before arrivals
    assert doc["quorum"][-1] == {"at": "2026-12-10T14:00:00Z", "held": True, "missing": []}
    assert doc["declarations"] == [
        {"member": ANNA, "item": PRIVATE, "interest": "Trustee of the bidder", "excludes": "vote"}
    ]
    by_id = {i["id"]: i for i in doc["items"]}
    assert [i["number"] for i in doc["items"]] == list(range(1, 8))
    assert by_id[APOLOGIES]["started_at"] == "2026-12-10T14:03:00Z"
    assert by_id[APOLOGIES]["ended_at"] == "2026-12-10T14:05:00Z"
    assert by_id[NOTING]["noted"] is True
    assert by_id[DISCUSSION]["deferred_to"] == LATER
    assert by_id[DECISION]["actions"][0]["due"] == "2027-01-09"
    assert by_id[DECISION]["actions"][0]["status"] == "open"
    assert by_id[PRIVATE]["actions"][0]["private"] is True
    assert by_id[DECISION]["actions"][1]["status"] == "overdue"  # due before the meeting closed
    assert doc["narrative"] == {"summary": "The board agreed the fund."}


def test_the_decision_is_what_the_rooms_fold_says() -> None:
    doc = minutes(full_meeting().state, items())
    decision = next(i for i in doc["items"] if i["id"] == DECISION)["decision"]
    assert decision["outcome"] == "consented_with_concerns"
    assert decision["present"] == [rooms.ALICE, rooms.AMIR, rooms.CAROL]
    assert decision["excluded"] == [
        {"member": rooms.BOB, "reason": "Director of a bidder", "discussion": False}
    ]
    assert [d["text"] for d in decision["dissents"]] == ["Too little for young carers"]
    assert decision["concerns"] == [
        {"member": rooms.AMIR, "organisation": "Trust A", "text": "Budget not agreed"}
    ]
    assert [s["member"] for s in decision["stand_asides"]] == [rooms.CAROL]
    assert {v["member"]: (v["raw"], v["counted"]) for v in decision["votes"]} == {
        rooms.ALICE: ("1", "1"),
        rooms.AMIR: ("1", "1"),
        rooms.CAROL: ("1", "1"),
    }
    assert decision["log"] == LOG


def test_a_room_that_decided_by_vote_gives_the_votes_outcome() -> None:
    room = rooms.given_room()
    room.do(OpenVote(PollId("v"), "Fund the hub?", VoteMethod.MAJORITY))
    room.do(CastBallot(PollId("v"), choice="yes"), rooms.ALICE)
    room.do(CastBallot(PollId("v"), choice="no"), rooms.BOB)
    room.do(CastBallot(PollId("v"), choice="yes"), rooms.CAROL)
    room.do(CloseVote(PollId("v")))
    found = item_decision(room.state, LOG)
    decision = found["decision"]
    assert decision is not None
    assert decision["outcome"] == room.state.polls[PollId("v")].result.outcome  # type: ignore[union-attr]
    assert {v["member"]: v["position"] for v in decision["votes"]} == {
        rooms.ALICE: "yes",
        rooms.BOB: "no",
        rooms.CAROL: "yes",
    }
    assert item_decision(rooms.given_room().state, LOG) == {"decision": None, "log": LOG}


def test_narrative_edits_change_the_narrative_and_nothing_else() -> None:
    meeting = full_meeting()
    before = minutes(meeting.state, items())
    meeting.do(EditNarrative("A different summary.", "summary"), SECRETARY)
    meeting.do(EditNarrative("Introduced by Anna.", "note", DECISION), SECRETARY)
    after = minutes(meeting.state, items())
    assert after["narrative"]["summary"] == "A different summary."
    for doc in (before, after):
        doc.pop("narrative")
        for item in doc["items"]:
            item.pop("note")
    assert before == after


def test_approved_minutes_say_so() -> None:
    from deliberation.meetings import ApproveMinutes, ItemId

    meeting = full_meeting()
    meeting.do(ApproveMinutes(LATER, ItemId("minutes-item")), None, at(60 * 24 * 30))
    doc = minutes(meeting.state, items())
    assert (doc["status"], doc["approved_in"]) == ("approved", LATER)
    assert doc["approved_at"] == "2027-01-09T14:00:00Z"


@pytest.mark.parametrize("policy", list(PublicationPolicy))
@pytest.mark.parametrize("private_titles", [True, False])
def test_a_published_copy_holds_nothing_of_a_private_item(
    policy: PublicationPolicy, private_titles: bool
) -> None:
    doc = minutes(full_meeting().state, items())
    published = published_minutes(doc, policy, private_titles)
    text = json.dumps(published)
    for secret in (SECRET_NOTE, SECRET_ACTION, SECRET_DISSENT, "Trustee of the bidder"):
        assert secret not in text
    private = next(i for i in published["items"] if i["id"] == PRIVATE)
    expected = {"id", "number", "kind", "private", "log"} | ({"title"} if private_titles else set())
    assert set(private) == expected
    assert private["log"] == {"seq": 30, "hash": LOG["hash"]}
    assert (SECRET_NOTE in json.dumps(doc)) is True  # the members' copy keeps it


def test_organisations_and_anonymous_policies_hide_who_but_keep_the_facts() -> None:
    doc = minutes(full_meeting().state, items())
    for policy in (PublicationPolicy.ORGANISATIONS, PublicationPolicy.ANONYMOUS):
        published = published_minutes(doc, policy, True)
        text = json.dumps(published)
        for person in ("Chloe", "Victor", '"anna"', "Sue", rooms.AMIR, rooms.CAROL):
            assert person not in text, (policy, person)
        rows = published["attendance"]
        assert rows[0]["member"]["pseudonym"] == "Member 1"
        assert rows[0]["member"]["board_role"] == "chair"
        assert [r["status"] for r in rows] == [r["status"] for r in doc["attendance"]]
        sub = next(r for r in rows if r["substitute_for"])
        ben = next(r for r in rows if r["status"] == "apologies")
        assert sub["substitute_for"] == ben["member"]["id"]
        decision = next(i for i in published["items"] if i["id"] == DECISION)["decision"]
        assert decision["outcome"] == "consented_with_concerns"
        assert len(decision["votes"]) == 3
        has_org = rows[0]["member"]["organisation"] == "Borough Council"
        assert has_org is (policy is PublicationPolicy.ORGANISATIONS)
    assert published_minutes(doc, PublicationPolicy.NAMES, True)["attendance"] == doc["attendance"]


def test_publish_applies_the_boards_own_standing_orders() -> None:
    meeting = full_meeting()
    assert publish(meeting.state, items()) == published_minutes(
        minutes(meeting.state, items()), PublicationPolicy.NAMES, True
    )
