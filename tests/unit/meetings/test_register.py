"""The attendance register, substitutes, declarations, and the quorum the log records."""

from dataclasses import replace

from deliberation import ParticipantId, Reason
from deliberation.meetings import (
    Attendance,
    BoardRole,
    DeclareInterest,
    Excludes,
    Interest,
    MarkAttendance,
    NameSubstitute,
    OpenMeeting,
    QuorumLost,
    QuorumRestored,
    QuorumRule,
    RecordArrival,
    RecordDeparture,
    SectorQuota,
    StandingOrders,
    StartItem,
    WithdrawInterest,
    quorum,
)
from deliberation.meetings.events import MeetingOpened
from tests.unit.meetings.builders import (
    ANNA,
    BEN,
    BOARD,
    CARA,
    CHAIR,
    DECISION,
    DEV,
    NOTING,
    OFFICER,
    PRIVATE,
    QUORATE,
    SECRETARY,
    STRANGER,
    SUB,
    VICE,
    at,
    given_meeting,
    open_with,
    refused,
    types,
)


def test_the_quorum_names_everything_missing() -> None:
    meeting = given_meeting()
    status = quorum(meeting.state)
    assert not status.held
    assert status.missing == (
        "3 more voting members",
        "2 more organisations",
        "the chair or the vice-chair",
        "a member from the local authority",
        "a member from the NHS",
    )
    for person in QUORATE:
        meeting.do(RecordArrival(person))
    assert quorum(meeting.state).held
    assert quorum(meeting.state).missing == ()


def test_opening_records_the_quorum_as_it_stands() -> None:
    meeting = given_meeting()
    meeting.do(RecordArrival(ANNA))
    opened = meeting.do(OpenMeeting())
    assert types(opened) == ["meeting.opened"]
    assert isinstance(opened[0], MeetingOpened)
    assert not opened[0].quorum_held
    assert "2 more voting members" in opened[0].missing
    assert meeting.state.quorum_log[-1].held is False


def test_arrivals_restore_and_a_departure_loses_the_quorum_in_the_log() -> None:
    meeting = open_with(CHAIR, ANNA, CARA)
    assert types(meeting.do(RecordArrival(BEN))) == ["member.arrived", "quorum.restored"]
    assert quorum(meeting.state).held
    assert types(meeting.do(RecordArrival(VICE))) == ["member.arrived"]  # no change
    meeting.do(RecordDeparture(VICE))
    assert types(meeting.do(RecordDeparture(CARA))) == ["member.departed"]  # still quorate
    departed = meeting.do(RecordDeparture(BEN), when=at(50))
    assert types(departed) == ["member.departed", "quorum.lost"]
    lost = departed[-1]
    assert isinstance(lost, QuorumLost)
    assert lost.missing == ("1 more voting member", "1 more organisation", "a member from the NHS")
    back = meeting.do(RecordArrival(BEN, remote=True), when=at(60))
    assert isinstance(back[-1], QuorumRestored)
    record = meeting.state.attendance[BEN]
    assert record.status is Attendance.PRESENT_REMOTE
    assert record.left_at is None


def test_a_change_in_what_is_missing_is_logged_again() -> None:
    meeting = open_with(CHAIR, VICE, ANNA)
    first = meeting.do(RecordDeparture(ANNA))[-1]
    second = meeting.do(RecordDeparture(VICE))[-1]
    assert isinstance(first, QuorumLost)
    assert isinstance(second, QuorumLost)
    assert second.missing == (
        "2 more voting members",
        "1 more organisation",
        "a member from the NHS",
    )


def test_attendance_is_kept_by_the_clerks_only() -> None:
    meeting = given_meeting()
    assert refused(meeting, RecordArrival(ANNA), ANNA).reason is Reason.FORBIDDEN
    assert types(meeting.do(RecordArrival(ANNA), SECRETARY)) == ["member.arrived"]
    assert refused(meeting, RecordArrival(STRANGER)).reason is Reason.NOT_FOUND
    assert refused(meeting, RecordArrival(ANNA)).reason is Reason.CONFLICT
    assert refused(meeting, RecordDeparture(BEN)).reason is Reason.CONFLICT


def test_a_member_sends_only_their_own_apologies() -> None:
    meeting = given_meeting()
    assert types(meeting.do(MarkAttendance(BEN, Attendance.APOLOGIES), BEN)) == [
        "attendance.marked"
    ]
    assert meeting.state.attendance[BEN].status is Attendance.APOLOGIES
    assert refused(meeting, MarkAttendance(ANNA, Attendance.APOLOGIES), BEN).reason is (
        Reason.FORBIDDEN
    )
    assert refused(meeting, MarkAttendance(BEN, Attendance.PRESENT_IN_ROOM), BEN).reason is (
        Reason.FORBIDDEN
    )
    meeting.do(RecordArrival(ANNA), SECRETARY)
    assert refused(meeting, MarkAttendance(ANNA, Attendance.APOLOGIES), ANNA).reason is (
        Reason.FORBIDDEN
    )


def test_mark_attendance_records_apologies_arrivals_and_leaving() -> None:
    meeting = given_meeting()
    meeting.do(MarkAttendance(BEN, Attendance.APOLOGIES))
    assert meeting.state.attendance[BEN].status is Attendance.APOLOGIES
    same = refused(meeting, MarkAttendance(BEN, Attendance.APOLOGIES))
    assert same.reason is Reason.CONFLICT
    assert "apologies already" in same.message
    meeting.do(MarkAttendance(ANNA, Attendance.PRESENT_IN_ROOM), when=at(1))
    meeting.do(MarkAttendance(ANNA, Attendance.ABSENT), when=at(40))
    record = meeting.state.attendance[ANNA]
    assert (record.arrived_at, record.left_at, record.present) == (at(1), at(40), False)
    meeting.do(MarkAttendance(ANNA, Attendance.PRESENT_REMOTE), when=at(45))
    record = meeting.state.attendance[ANNA]
    assert (record.arrived_at, record.left_at, record.present) == (at(1), None, True)


def test_a_substitute_carries_the_members_vote_organisation_and_sector() -> None:
    meeting = open_with(CHAIR, VICE, ANNA, CARA)
    meeting.do(MarkAttendance(BEN, Attendance.APOLOGIES))
    assert quorum(meeting.state).held  # Victor is from the NHS
    meeting.do(RecordDeparture(VICE))
    assert "a member from the NHS" in quorum(meeting.state).missing
    named = meeting.do(NameSubstitute(SUB, "Sue", BEN))
    assert types(named) == ["substitute.named", "quorum.restored"]
    assert meeting.state.attendance[SUB].substitute_for == BEN
    assert meeting.state.substitutes[SUB].organisation == BOARD.members[3].organisation


def test_a_substitute_never_stands_in_for_a_required_role() -> None:
    orders = StandingOrders(QuorumRule(1, 1, required_roles=((BoardRole.CHAIR,),)))
    meeting = open_with(ANNA, board=replace(BOARD, standing_orders=orders))
    meeting.do(NameSubstitute(SUB, "Sue", CHAIR))
    status = quorum(meeting.state)
    assert status.missing == ("the chair",)


def test_substitutes_are_refused_when_they_cannot_be() -> None:
    meeting = open_with(CHAIR, ANNA)
    assert refused(meeting, NameSubstitute(SUB, "Sue", STRANGER)).reason is Reason.NOT_FOUND
    assert refused(meeting, NameSubstitute(SUB, "Sue", DEV)).reason is Reason.INVALID  # adviser
    assert refused(meeting, NameSubstitute(ANNA, "Anna", BEN)).reason is Reason.INVALID
    assert refused(meeting, NameSubstitute(SUB, "", BEN)).reason is Reason.INVALID
    assert refused(meeting, NameSubstitute(SUB, "Sue", CHAIR)).reason is Reason.CONFLICT
    meeting.do(NameSubstitute(SUB, "Sue", BEN))
    again = refused(meeting, NameSubstitute(ParticipantId("sub-2"), "Sid", BEN))
    assert again.reason is Reason.CONFLICT
    twice = refused(meeting, NameSubstitute(SUB, "Sue", CARA))
    assert twice.reason is Reason.CONFLICT


def test_the_member_arriving_takes_the_seat_back_and_the_substitute_cannot_rejoin() -> None:
    meeting = open_with(CHAIR, VICE, ANNA)
    meeting.do(NameSubstitute(SUB, "Sue", BEN))
    assert quorum(meeting.state).held
    meeting.do(RecordDeparture(SUB))
    meeting.do(RecordArrival(BEN))
    assert quorum(meeting.state).held
    blocked = refused(meeting, RecordArrival(SUB))
    assert blocked.reason is Reason.CONFLICT
    assert "Ben is present" in blocked.message


def test_non_voting_members_never_count() -> None:
    meeting = open_with(DEV, OFFICER, CHAIR)
    assert quorum(meeting.state).missing[0] == "2 more voting members"


def test_sector_sentences_count_what_is_short() -> None:
    orders = StandingOrders(QuorumRule(0, 0, required_sectors=(SectorQuota("nhs", 2, "the NHS"),)))
    meeting = open_with(board=replace(BOARD, standing_orders=orders))
    assert quorum(meeting.state).missing == ("2 more members from the NHS",)
    meeting.do(RecordArrival(BEN))
    assert quorum(meeting.state).missing == ("1 more member from the NHS",)


def test_a_declaration_on_the_open_item_loses_its_quorum() -> None:
    meeting = open_with(CHAIR, ANNA, BEN, CARA)
    meeting.do(StartItem(DECISION))
    events = meeting.do(DeclareInterest(BEN, "Trustee of a bidder", DECISION))
    assert types(events) == ["interest.declared", "quorum.lost"]
    assert isinstance(events[-1], QuorumLost)
    assert events[-1].item == DECISION
    assert events[-1].missing == ("a member from the NHS",)
    assert quorum(meeting.state).held  # the meeting's own quorum is untouched
    assert not quorum(meeting.state, DECISION).held
    withdrawn = meeting.do(WithdrawInterest(BEN, DECISION))
    assert types(withdrawn) == ["interest.withdrawn", "quorum.restored"]


def test_the_default_exclusion_follows_the_standing_orders() -> None:
    meeting = open_with()
    meeting.do(DeclareInterest(BEN, "Bidder", DECISION))
    assert meeting.state.declarations[-1].excludes is Excludes.VOTE
    strict = replace(BOARD.standing_orders, conflicted_leave_discussion=True)
    other = open_with(board=replace(BOARD, standing_orders=strict))
    other.do(DeclareInterest(BEN, "Bidder", DECISION))
    assert other.state.declarations[-1].excludes is Excludes.VOTE_AND_DISCUSSION
    other.do(DeclareInterest(ANNA, "Knows the author", DECISION, Excludes.NONE))
    assert quorum(other.state, DECISION).missing == quorum(other.state).missing


def test_declaration_refusals() -> None:
    meeting = open_with(*QUORATE)
    assert refused(meeting, DeclareInterest(BEN, "x", DECISION), ANNA).reason is Reason.FORBIDDEN
    assert types(meeting.do(DeclareInterest(BEN, "Bidder", DECISION), BEN)) == ["interest.declared"]
    assert refused(meeting, DeclareInterest(BEN, "Again", DECISION)).reason is Reason.CONFLICT
    assert refused(meeting, DeclareInterest(BEN, " ", PRIVATE)).reason is Reason.INVALID
    assert refused(meeting, DeclareInterest(STRANGER, "x", PRIVATE)).reason is Reason.NOT_FOUND
    standing = refused(meeting, DeclareInterest(ANNA, "Trustee", None, Excludes.VOTE))
    assert standing.reason is Reason.INVALID
    assert refused(meeting, WithdrawInterest(ANNA, NOTING)).reason is Reason.NOT_FOUND
    assert types(meeting.do(DeclareInterest(ANNA, "Trustee of the Carers' Centre"))) == [
        "interest.declared"
    ]


def test_standing_interests_come_with_the_snapshot_and_exclude_nobody() -> None:
    board = replace(BOARD, interests=(Interest(ANNA, "Councillor for Ward 3"),))
    meeting = open_with(*QUORATE, board=board)
    assert [d.interest for d in meeting.state.declarations] == ["Councillor for Ward 3"]
    assert quorum(meeting.state, DECISION).held
    assert refused(meeting, WithdrawInterest(ANNA)).reason is Reason.NOT_FOUND


def test_the_snapshots_register_holds_standing_interests_of_members_only() -> None:
    from deliberation.meetings import ItemId
    from tests.unit.meetings.builders import Given, schedule

    former = replace(BOARD, interests=(Interest(STRANGER, "Left the board in May"),))
    meeting = Given()
    meeting.do(schedule(former), None)
    assert meeting.state.declarations == ()
    item_bound = replace(BOARD, interests=(Interest(ANNA, "Bidder", ItemId("x"), Excludes.VOTE),))
    assert refused(Given(), schedule(item_bound), None).reason is Reason.INVALID


def test_the_relay_tells_the_items_room_who_is_out_and_whether_it_is_quorate() -> None:
    from deliberation.exclusions import Exclusion
    from deliberation.meetings import item_relay

    strict = replace(BOARD.standing_orders, conflicted_leave_discussion=True)
    meeting = open_with(CHAIR, ANNA, BEN, CARA, board=replace(BOARD, standing_orders=strict))
    meeting.do(DeclareInterest(BEN, "Director of a bidder", DECISION))
    exclusions, status = item_relay(meeting.state, DECISION)
    assert exclusions.exclusions == (
        Exclusion(BEN, "declared an interest: Director of a bidder", discussion=True),
    )
    assert (status.held, status.missing) == (False, ("a member from the NHS",))
    assert status.present == tuple(sorted((CHAIR, ANNA, BEN, CARA)))
    other_exclusions, other_status = item_relay(meeting.state, PRIVATE)
    assert other_exclusions.exclusions == ()
    assert other_status.held
