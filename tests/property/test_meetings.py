"""Laws of a board meeting under any sequence of commands (hypothesis).

- The quorum, for the meeting and for an item, equals a brute-force recount from the raw
  events, and the log's latest quorum record always says what the quorum is now.
- A conflicted member's consent answer or named ballot never counts, whenever the exclusion
  came.
- No published copy, under any policy, holds any of a private item's content.
- The minutes are what the log says: a replay gives the same document, and narrative edits
  change the narrative and nothing else.
"""

import contextlib
import json
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from deliberation import ParticipantId, Position, Rejected, RoundKind
from deliberation.commands import AnswerConsent, CloseRound
from deliberation.events import DecisionReached
from deliberation.exclusions import Exclusion, SetExclusions
from deliberation.meetings import (
    ActionId,
    AddAction,
    AddItem,
    ArisingAction,
    Attendance,
    BoardRole,
    CloseItem,
    DeclareInterest,
    EditNarrative,
    Excludes,
    ItemId,
    ItemKind,
    MarkAttendance,
    MeetingCommand,
    MeetingEvent,
    NameSubstitute,
    NarrativeEdited,
    OpenMeeting,
    RecordArrival,
    RecordDeparture,
    StartItem,
    WithdrawInterest,
    item_relay,
    minutes,
    present_members,
    published_minutes,
    quorum,
    replay_meeting,
)
from deliberation.meetings import events as ev
from deliberation.polls import CastBallot, CloseVote, OpenVote, PollId, VoteMethod
from deliberation.vocabulary import PublicationPolicy
from tests import builders as rooms
from tests.unit.meetings.builders import (
    BOARD,
    DECISION,
    EARLIER,
    FACILITATOR,
    MEMBERS,
    PRIVATE,
    QUORATE,
    QUORUM,
    SECRETARY,
    Given,
    at,
    given_meeting,
)

PEOPLE = tuple(m.member for m in MEMBERS)
SUBSTITUTES = (ParticipantId("sub-1"), ParticipantId("sub-2"))
EVERYONE = PEOPLE + SUBSTITUTES
ITEMS = (DECISION, PRIVATE)
ROLE_PHRASES = {"chair": "the chair", "vice_chair": "the vice-chair"}

register_op = st.one_of(
    st.tuples(st.just("arrive"), st.sampled_from(EVERYONE), st.booleans()),
    st.tuples(st.just("depart"), st.sampled_from(EVERYONE), st.booleans()),
    st.tuples(st.just("mark"), st.sampled_from(EVERYONE), st.sampled_from(list(Attendance))),
    st.tuples(st.just("substitute"), st.sampled_from(SUBSTITUTES), st.sampled_from(PEOPLE)),
    st.tuples(st.just("declare"), st.sampled_from(EVERYONE), st.sampled_from(ITEMS)),
    st.tuples(st.just("withdraw"), st.sampled_from(EVERYONE), st.sampled_from(ITEMS)),
    st.tuples(st.just("start"), st.sampled_from(ITEMS), st.booleans()),
    st.tuples(st.just("close"), st.sampled_from(ITEMS), st.booleans()),
)


def command_for(op: tuple[Any, ...]) -> MeetingCommand:
    kind, a, b = op
    if kind == "arrive":
        return RecordArrival(a, remote=b)
    if kind == "depart":
        return RecordDeparture(a)
    if kind == "mark":
        return MarkAttendance(a, b)
    if kind == "substitute":
        return NameSubstitute(a, f"Substitute {a}", b)
    if kind == "declare":
        return DeclareInterest(a, f"Interest of {a}", b)
    if kind == "withdraw":
        return WithdrawInterest(a, b)
    if kind == "start":
        return StartItem(a)
    return CloseItem(a)


def run(ops: Sequence[tuple[Any, ...]], *, open_first: bool = True) -> Given:
    meeting = given_meeting()
    if open_first:
        meeting.do(OpenMeeting())
    for minute, op in enumerate(ops, start=1):
        with contextlib.suppress(Rejected):
            meeting.do(command_for(op), when=at(minute))
    return meeting


def recount(events: Sequence[MeetingEvent], item: ItemId | None) -> tuple[bool, list[str]]:
    """The quorum from the raw events, written the long way round."""
    present: dict[str, bool] = {}
    stands_for: dict[str, str] = {}
    declared: dict[tuple[str, str | None], bool] = {}
    for e in events:
        if isinstance(e, ev.MemberArrived):
            present[e.member] = True
        elif isinstance(e, ev.MemberDeparted):
            present[e.member] = False
        elif isinstance(e, ev.AttendanceMarked):
            present[e.member] = e.status in (Attendance.PRESENT_IN_ROOM, Attendance.PRESENT_REMOTE)
        elif isinstance(e, ev.SubstituteNamed):
            stands_for[e.substitute] = e.for_member
            present[e.substitute] = e.status in (
                Attendance.PRESENT_IN_ROOM,
                Attendance.PRESENT_REMOTE,
            )
        elif isinstance(e, ev.InterestDeclared):
            declared[(e.member, e.item)] = e.excludes is not Excludes.NONE
        elif isinstance(e, ev.InterestWithdrawn):
            declared[(e.member, e.item)] = False
    out = {who for (who, on), excluded in declared.items() if excluded and item and on == item}
    counted = []
    for m in MEMBERS:
        if m.role not in (BoardRole.CHAIR, BoardRole.VICE_CHAIR, BoardRole.VOTING_MEMBER):
            continue
        sitting = None
        if present.get(m.member):
            sitting = m.member
        else:
            for sub, member in stands_for.items():
                if member == m.member and present.get(sub):
                    sitting = sub
        if sitting is not None and sitting not in out:
            counted.append(m)
    missing = []
    if len(counted) < QUORUM.min_voting_members:
        short = QUORUM.min_voting_members - len(counted)
        missing.append(f"{short} more voting member" + ("s" if short > 1 else ""))
    organisations = {m.organisation for m in counted}
    if len(organisations) < QUORUM.min_organisations:
        short = QUORUM.min_organisations - len(organisations)
        missing.append(f"{short} more organisation" + ("s" if short > 1 else ""))
    in_person = {m.role for m in MEMBERS if present.get(m.member) and m.member not in out}
    for roles in QUORUM.required_roles:
        if not in_person & set(roles):
            missing.append(" or ".join(ROLE_PHRASES[r.value] for r in roles))
    for quota in QUORUM.required_sectors:
        if not any(m.sector == quota.sector for m in counted):
            missing.append(f"a member from {quota.name}")
    return (not missing, missing)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(register_op, max_size=40))
def test_quorum_equals_a_brute_force_recount_and_the_log_says_it(
    ops: list[tuple[Any, ...]],
) -> None:
    meeting = run(ops)
    state = meeting.state
    for item in (None, *ITEMS):
        held, missing = recount(meeting.events, item)
        status = quorum(state, item)
        assert (status.held, list(status.missing)) == (held, missing), item
    now = quorum(state, state.current)
    assert state.quorum_log[-1].held == now.held
    assert state.quorum_log[-1].missing == now.missing
    for a, b in zip(state.quorum_log, state.quorum_log[1:], strict=False):
        assert (a.held, a.missing) != (b.held, b.missing)  # a record is a change


@settings(max_examples=60, deadline=None)
@given(st.lists(register_op, max_size=30))
def test_a_decision_item_never_closes_without_quorum(ops: list[tuple[Any, ...]]) -> None:
    meeting = given_meeting()
    meeting.do(OpenMeeting())
    for minute, op in enumerate(ops, start=1):
        before = meeting.state
        try:
            events = meeting.do(command_for(op), when=at(minute))
        except Rejected:
            continue
        for e in events:
            if isinstance(e, ev.ItemClosed):
                assert quorum(before, e.item).held


# --- a conflicted member's vote never counts -----------------------------------------------

ROOM_PEOPLE = (rooms.ALICE, rooms.AMIR, rooms.BOB, rooms.CAROL)
room_op = st.one_of(
    st.tuples(st.just("answer"), st.sampled_from(ROOM_PEOPLE), st.sampled_from(list(Position))),
    st.tuples(st.just("ballot"), st.sampled_from(ROOM_PEOPLE), st.sampled_from(["yes", "no"])),
    st.tuples(st.just("exclude"), st.frozensets(st.sampled_from(ROOM_PEOPLE)), st.booleans()),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(room_op, max_size=25))
def test_a_conflicted_members_consent_or_ballot_never_counts(ops: list[tuple[Any, ...]]) -> None:
    room = rooms.given_room(round=RoundKind.CONSENT)
    room.do(OpenVote(PollId("v"), "Award?", VoteMethod.MAJORITY))
    answered: dict[str, bool] = {}  # who has an answer that still counts, by the long way
    voted: dict[str, str] = {}
    excluded: frozenset[str] = frozenset()
    for kind, a, b in ops:
        try:
            if kind == "answer":
                text = "" if b is Position.CONSENT else "Because"
                room.do(AnswerConsent(b, text), a)
                answered[a] = True
            elif kind == "ballot":
                room.do(CastBallot(PollId("v"), choice=b), a)
                voted[a] = b
            else:
                room.do(SetExclusions(tuple(Exclusion(p, "Declared") for p in sorted(a))), None)
                for p in a - excluded:
                    answered.pop(p, None)
                    voted.pop(p, None)
                excluded = a
        except Rejected:
            assert a in excluded or kind == "answer"
    counted = set(room.state.consent.answers)
    assert counted.isdisjoint(excluded)
    assert counted == set(answered)
    closed = room.do(CloseVote(PollId("v")))[-1]
    totals = {t.option: t.count for t in closed.result.totals}  # type: ignore[union-attr]
    assert totals["yes"] == sum(1 for c in voted.values() if c == "yes")
    assert totals["no"] == sum(1 for c in voted.values() if c == "no")
    try:
        events = room.do(CloseRound())
    except Rejected:
        return  # no quorum among those who may answer
    decision = events[-1]
    assert isinstance(decision, DecisionReached)
    assert {a.participant for a in decision.answers}.isdisjoint(excluded)
    assert {x.participant for x in decision.excluded} == excluded
    assert sum(row.participants for row in decision.tally) == len(counted)


# --- no published record holds a private item's content ------------------------------------

secret = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=6, max_size=14).map(lambda s: "Q" + s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.booleans(), secret, secret, secret, secret), min_size=1, max_size=5),
    st.sampled_from(list(PublicationPolicy)),
    st.booleans(),
    secret,
)
def test_no_published_record_holds_a_private_items_content(
    items: list[tuple[bool, str, str, str, str]],
    policy: PublicationPolicy,
    private_titles: bool,
    carried: str,
) -> None:
    meeting = given_meeting(BOARD, items=False)
    carried = f"[c{carried}]"
    arising = ArisingAction(
        ActionId("old"), carried, "Olu", at(-60), EARLIER, ItemId("old-item"), True, private=True
    )
    meeting.do(
        AddItem(ItemId("arising"), "Matters arising", ItemKind.MATTERS_ARISING, arising=(arising,))
    )
    meeting.do(OpenMeeting())
    private_content: list[str] = [carried]
    public_content: list[str] = []
    decisions: dict[str, Any] = {}
    for n, texts in enumerate(items):
        private = texts[0]
        # brackets and the index keep any two generated contents from being substrings
        title, note, action, interest = (
            f"[{n}{k}{t}]" for k, t in zip("tnai", texts[1:], strict=True)
        )
        item = ItemId(f"item-{n}")
        meeting.do(AddItem(item, title, ItemKind.DECISION, private=private))
        meeting.do(AddAction(ActionId(f"a-{n}"), item, action, "Olu"))
        meeting.do(DeclareInterest(MEMBERS[2].member, interest, item))
        meeting.do(EditNarrative(note, "note", item), SECRETARY)
        decisions[item] = {
            "decision": {
                "outcome": "consented",
                "dissents": [{"member": "x", "text": f"[{n}d{note}]"}],
                "log": {"room_id": f"room-{n}", "seq": n, "hash": "0" * 64},
            },
            "log": {"room_id": f"room-{n}", "seq": n, "hash": "0" * 64},
        }
        contents = [note, action, interest, f"[{n}d{note}]"]
        if private:
            private_content += contents if private_titles else [*contents, title]
        else:
            public_content += contents
    published = json.dumps(
        published_minutes(minutes(meeting.state, decisions), policy, private_titles),
        ensure_ascii=False,
    )
    for content in private_content:
        assert content not in published
    for content in public_content:  # the check would see content if it were there
        assert content in published


# --- the minutes are what the log says ------------------------------------------------------

narrative_op = st.tuples(st.just("narrate"), st.sampled_from([None, *ITEMS]), st.text(max_size=20))
action_op = st.tuples(st.just("act"), st.sampled_from(ITEMS), st.integers(0, 5))


def run_all(ops: Sequence[tuple[Any, ...]]) -> Given:
    meeting = given_meeting()
    meeting.do(OpenMeeting())
    for minute, op in enumerate(ops, start=1):
        kind, a, b = op
        command: MeetingCommand
        if kind == "narrate":
            command = EditNarrative(b, "summary" if a is None else "note", a)
        elif kind == "act":
            command = AddAction(ActionId(f"a{minute}"), a, f"Action {b}", "Olu", at(b * 60))
        else:
            command = command_for(op)
        with contextlib.suppress(Rejected):
            meeting.do(
                command, SECRETARY if kind in ("narrate", "act") else FACILITATOR, at(minute)
            )
    return meeting


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(register_op, narrative_op, action_op), max_size=40))
def test_minutes_are_what_the_log_says(ops: list[tuple[Any, ...]]) -> None:
    meeting = run_all(ops)
    doc = minutes(meeting.state)
    assert minutes(replay_meeting(meeting.events)) == doc
    facts_only = replay_meeting(e for e in meeting.events if not isinstance(e, NarrativeEdited))
    stripped = minutes(facts_only)
    assert stripped["narrative"] == {"summary": ""}
    for document in (doc, stripped):
        document.pop("narrative")
        for item in document["items"]:
            item.pop("note")
    assert doc == stripped
    edits = [e for e in meeting.events if isinstance(e, NarrativeEdited)]
    summary = next((e.text for e in reversed(edits) if e.item is None), "")
    assert minutes(meeting.state)["narrative"]["summary"] == summary
    present = {
        r["member"]["id"]
        for r in doc["attendance"]
        if r["left_at"] is None and r["status"].startswith("present")
    }
    assert present == {p for p, r in meeting.state.attendance.items() if r.present}


# --- bad input is refused, never a crash ----------------------------------------------------


def any_meeting_command() -> st.SearchStrategy[MeetingCommand]:
    """Every meeting command with arbitrary fields (naive times, odd ids, negative numbers)."""
    from deliberation.meetings import MEETING_COMMANDS

    return st.one_of(*(st.from_type(cls) for cls in MEETING_COMMANDS.values()))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["fresh", "scheduled", "open"]),
    st.lists(
        st.tuples(any_meeting_command(), st.sampled_from([None, FACILITATOR, SECRETARY, *PEOPLE])),
        max_size=6,
    ),
)
def test_decide_meeting_refuses_only_with_rejected_and_evolve_applies_what_it_emits(
    start: str, commands: list[tuple[MeetingCommand, ParticipantId | None]]
) -> None:
    meeting = Given() if start == "fresh" else given_meeting()
    if start == "open":
        meeting.do(OpenMeeting())
    for minute, (command, actor) in enumerate(commands, start=1):
        with contextlib.suppress(Rejected):
            meeting.do(command, actor, at(minute))
    assert replay_meeting(meeting.events) == meeting.state
    if meeting.state.meeting is not None:
        json.dumps(minutes(meeting.state))


# --- end to end: the meeting relays into the item's room ------------------------------------

arrival = st.tuples(st.just("arrive"), st.sampled_from(EVERYONE), st.booleans())
meeting_or_room_op = st.one_of(
    arrival,
    st.tuples(st.just("depart"), st.sampled_from(EVERYONE), st.booleans()),
    st.tuples(st.just("substitute"), st.sampled_from(SUBSTITUTES), st.sampled_from(PEOPLE)),
    st.tuples(st.just("declare"), st.sampled_from(EVERYONE), st.just(DECISION)),
    st.tuples(st.just("withdraw"), st.sampled_from(EVERYONE), st.just(DECISION)),
    st.tuples(st.just("answer"), st.sampled_from(PEOPLE), st.sampled_from(list(Position))),
    st.tuples(st.just("answer"), st.sampled_from(PEOPLE), st.just(Position.CONSENT)),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans(), st.lists(meeting_or_room_op, max_size=30))
def test_through_the_relay_a_conflicted_member_never_counts_and_quorum_gates_the_decision(
    quorate: bool, ops: list[tuple[Any, ...]]
) -> None:
    meeting = given_meeting()
    meeting.do(OpenMeeting())
    for person in QUORATE if quorate else ():
        meeting.do(RecordArrival(person))
    meeting.do(StartItem(DECISION))
    room = rooms.given_room(
        members=[
            (rooms.FACILITATOR, "Fran", rooms.BOARD, rooms.Role.FACILITATOR),
            *((m.member, m.name, m.organisation, rooms.Role.PARTICIPANT) for m in MEMBERS),
        ],
        round=RoundKind.CONSENT,
    )

    def relay() -> None:
        for command in item_relay(meeting.state, DECISION):
            room.do(command, None)

    relay()
    for minute, op in enumerate(ops, start=1):
        if op[0] == "answer":
            with contextlib.suppress(Rejected):
                room.do(AnswerConsent(op[2], "" if op[2] is Position.CONSENT else "Why"), op[1])
            continue
        with contextlib.suppress(Rejected):
            meeting.do(command_for(op), when=at(minute))
        relay()
    out = {d.member for d in meeting.state.declarations if d.active and d.item == DECISION}
    assert set(room.state.consent.answers).isdisjoint(out)
    status = quorum(meeting.state, DECISION)
    refusal: Rejected | None = None
    try:
        events = room.do(CloseRound())
    except Rejected as error:
        refusal = error
    if refusal is not None:
        hypothesis_event("refused")
        assert not status.held or not room.state.consent.answers
        assert status.held or "; ".join(status.missing) in refusal.message
        return
    hypothesis_event("decided")
    assert status.held
    decision = events[-1]
    assert isinstance(decision, DecisionReached)
    assert {x.participant for x in decision.excluded} == out
    assert decision.present == present_members(meeting.state)
