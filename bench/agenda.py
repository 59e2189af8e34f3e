"""Meeting commands against room commands: what one agenda or register command costs.

Issue 11 asks that agenda commands cost no more than today's room commands. This builds a
board of 30 members in 10 organisations, a 15-item meeting with a history of about 2,000
events (arrivals, departures, declarations, items taken), and a live room of 30 members,
then measures `decide` plus applying its events, median of many runs, for:

- meeting: reorder the agenda, add an urgent item, start and close an item, a member
  arriving or leaving (each recounts the quorum), a declaration on the open item;
- room: raise and lower a hand, react to a statement, answer the consent question.

Prints a table, then one JSON line.

    python bench/agenda.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from deliberation import Context, ParticipantId, Position, Reaction, decide, replay
from deliberation.commands import (
    AddStatement,
    AdmitMember,
    AnswerConsent,
    CloseRound,
    CreateRoom,
    LowerHand,
    OpenRound,
    RaiseHand,
    React,
)
from deliberation.ids import OrganisationId, RoomId, StatementId
from deliberation.meetings import (
    AddItem,
    AddUrgentItem,
    Board,
    BoardId,
    BoardMember,
    BoardRole,
    CloseItem,
    DeclareInterest,
    ItemId,
    ItemKind,
    MeetingCommand,
    MeetingId,
    OpenMeeting,
    QuorumRule,
    RecordArrival,
    RecordDeparture,
    ReorderItems,
    ScheduleMeeting,
    SectorQuota,
    StandingOrders,
    StartItem,
    WithdrawInterest,
    decide_meeting,
    replay_meeting,
)
from deliberation.meetings.state import MeetingState
from deliberation.state import RoomState
from deliberation.vocabulary import RoundKind

T0 = datetime(2027, 1, 14, 10, 0, tzinfo=UTC)
CHAIR = ParticipantId("m-00")
ORGS = [OrganisationId(f"org-{i}") for i in range(10)]
MEMBERS = tuple(
    BoardMember(
        ParticipantId(f"m-{i:02d}"),
        f"Member {i}",
        ORGS[i % 10],
        f"Organisation {i % 10}",
        BoardRole.CHAIR if i == 0 else BoardRole.VOTING_MEMBER,
        "nhs" if i % 2 else "local_authority",
    )
    for i in range(30)
)
ORDERS = StandingOrders(
    QuorumRule(
        12,
        5,
        ((BoardRole.CHAIR, BoardRole.VICE_CHAIR),),
        (SectorQuota("nhs", 3, "the NHS"), SectorQuota("local_authority", 3, "the council")),
    )
)
ITEMS = [ItemId(f"item-{i:02d}") for i in range(15)]


def meeting_with_history() -> MeetingState:
    clock = T0
    state = MeetingState()

    def do(command: MeetingCommand, actor: ParticipantId | None = CHAIR) -> None:
        nonlocal state, clock
        clock += timedelta(seconds=5)
        state = replay_meeting(decide_meeting(state, command, Context(actor, clock)), start=state)

    board = Board(BoardId("board"), "Board", MEMBERS, ORDERS)
    do(ScheduleMeeting(MeetingId("m"), "January", board, T0, T0 + timedelta(hours=3), "UTC"), None)
    for n, item in enumerate(ITEMS):
        do(AddItem(item, f"Item {n}", ItemKind.DECISION if n % 3 else ItemKind.NOTING, 10))
    do(OpenMeeting())
    for m in MEMBERS:
        do(RecordArrival(m.member))
    for round_ in range(60):  # people come and go, declare and withdraw
        for m in MEMBERS[1 : 1 + round_ % 10]:
            do(RecordDeparture(m.member))
            do(RecordArrival(m.member, remote=True))
        do(DeclareInterest(MEMBERS[5].member, "Trustee", ITEMS[round_ % 15]))
        do(WithdrawInterest(MEMBERS[5].member, ITEMS[round_ % 15]))
    return state


def room_with_history() -> tuple[RoomState, RoomState]:
    """The room during its first round (a busy floor behind it), and later in consent."""
    clock = T0
    state = RoomState()

    def do(command: object, actor: ParticipantId | None) -> None:
        nonlocal state, clock
        clock += timedelta(seconds=5)
        state = replay(decide(state, command, Context(actor, clock)), start=state)  # type: ignore[arg-type]

    do(CreateRoom(RoomId("r"), "Fund", "Pool it", "Chair", ORGS[0], "Organisation 0"), CHAIR)
    for m in MEMBERS[1:]:
        do(AdmitMember(m.member, m.name, m.organisation, m.organisation_name), None)
    do(OpenRound(RoundKind.SURFACE_CONFLICT), CHAIR)
    for i, m in enumerate(MEMBERS[1:]):
        do(AddStatement(StatementId(f"s{i}"), f"Statement {i}"), m.member)
    for _ in range(20):
        for m in MEMBERS[1:]:
            do(RaiseHand(), m.member)
            do(LowerHand(), m.member)
    surfacing = state
    do(CloseRound(), CHAIR)
    for kind in (RoundKind.WEIGH_PERSPECTIVES, RoundKind.RECORD_DISSENT):
        do(OpenRound(kind), CHAIR)
        do(CloseRound(), CHAIR)
    do(OpenRound(RoundKind.CONSENT), CHAIR)
    return surfacing, state


def median_us(fn: Callable[[], None], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    runs = parser.parse_args().runs
    meeting = meeting_with_history()
    surfacing, consenting = room_with_history()
    at = Context(CHAIR, T0 + timedelta(hours=2))
    rotated = (*meeting.order[1:], meeting.order[0])
    started = replay_meeting(decide_meeting(meeting, StartItem(ITEMS[1]), at), start=meeting)
    somebody = MEMBERS[7].member

    def meeting_step(state: MeetingState, command: MeetingCommand) -> Callable[[], None]:
        return lambda: replay_meeting(decide_meeting(state, command, at), start=state) and None

    def room_step(room: RoomState, command: object, actor: ParticipantId) -> Callable[[], None]:
        ctx = Context(actor, T0 + timedelta(hours=2))
        return lambda: replay(decide(room, command, ctx), start=room) and None  # type: ignore[arg-type]

    cases = {
        "meeting: reorder_items": meeting_step(
            meeting, ReorderItems(rotated, meeting.agenda_version)
        ),
        "meeting: add_urgent_item": meeting_step(
            meeting, AddUrgentItem(ItemId("urgent"), "Grant", ItemKind.DECISION, "Deadline")
        ),
        "meeting: start_item": meeting_step(meeting, StartItem(ITEMS[1])),
        "meeting: close_item": meeting_step(started, CloseItem(ITEMS[1])),
        "meeting: record_departure": meeting_step(meeting, RecordDeparture(somebody)),
        "meeting: declare_interest": meeting_step(
            started, DeclareInterest(somebody, "Director", ITEMS[1])
        ),
        "room: raise_hand": room_step(surfacing, RaiseHand(), MEMBERS[3].member),
        "room: react": room_step(
            surfacing, React(StatementId("s1"), Reaction.AGREE), MEMBERS[3].member
        ),
        "room: answer_consent": room_step(
            consenting, AnswerConsent(Position.CONSENT), MEMBERS[3].member
        ),
    }
    results = {name: median_us(fn, runs) for name, fn in cases.items()}
    table = Table(title="decide + apply, median µs")
    table.add_column("command")
    table.add_column("µs", justify="right")
    for name, value in results.items():
        table.add_row(name, f"{value:.1f}")
    Console().print(table)
    agenda = max(v for k, v in results.items() if k.startswith("meeting: ") and "item" in k)
    rooms = max(v for k, v in results.items() if k.startswith("room: "))
    print(
        json.dumps(
            {
                "bench": "agenda",
                "meeting_events": "about 2000",
                "median_us": {k: round(v, 1) for k, v in results.items()},
                "slowest_agenda_us": round(agenda, 1),
                "slowest_room_us": round(rooms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
