"""Minutes of a 15-item meeting whose log holds 10,000 events: draw them, render HTML and PDF.

    .venv/bin/python bench/minutes.py [--events 10000] [--members 24] [--repeat 3]

The meeting is built through the cores' own `decide`, as the server would: a board of 60
members in 12 organisations; an agenda of 15 items (apologies, declarations, the previous
minutes, matters arising, eight items for decision, one for noting, one private item, any
other business); attendance, apologies, declarations, actions and notes in the meeting's
stream; and each item for decision deliberated in a room of its own (`bench/fold.py`'s
live room: statements, reactions, a busy floor, perspectives and points, dissent, consent)
until the rooms and the meeting together hold `--events` events. `--members` sets the
board's size (24 by default, a large health and wellbeing board; 60 for a stress test):
every member is in every room, so it sets how many named votes and answers the minutes
print. Then, best of `--repeat`:

- drawing the minutes: folding every room (`replay`) and the meeting, `item_decision` per
  room and `minutes()` (what `evenfloor minutes` does after reading the tables);
- rendering that document as the HTML page, as Markdown, and as a PDF (WeasyPrint);
- signing it as a meeting record (as if approved: the published copy, a link per decided
  item) and verifying that record.

Targets (issue 11): under 1 s for the HTML and 3 s for the PDF. Prints a table, then
exactly one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

import bench.fold as live_room
import deliberation.meetings as core
from bench.fold import FACILITATOR, ORGANISATIONS, T0, Simulation
from deliberation import Context, ParticipantId, replay
from deliberation.commands import CloseRound
from deliberation.events import Event
from deliberation.ids import RoomId
from deliberation.meetings import (
    AddAction,
    AddItem,
    Attendance,
    Board,
    BoardId,
    BoardMember,
    BoardRole,
    DeclareInterest,
    EditNarrative,
    Excludes,
    ItemId,
    ItemKind,
    MarkAttendance,
    MeetingId,
    NoteItem,
    OpenMeeting,
    QuorumRule,
    RecordArrival,
    ScheduleMeeting,
    StandingOrders,
    StartItem,
)
from deliberation.vocabulary import PublicationPolicy
from server.meetings.minutes_render import render_html, render_markdown, render_pdf
from server.publication.keys import SigningKey
from server.publication.meeting_record import build_record, verify_record

DECISIONS = 8


def role(index: int, size: int) -> BoardRole:
    if index < 2:
        return (BoardRole.CHAIR, BoardRole.VICE_CHAIR)[index]
    if index >= size - 2:
        return (BoardRole.ADVISER, BoardRole.OFFICER)[index - size + 2]
    return BoardRole.VOTING_MEMBER


def board(people: list[ParticipantId]) -> Board:
    members = tuple(
        BoardMember(
            member,
            f"Member {i}",
            ORGANISATIONS[i % len(ORGANISATIONS)],
            f"Org {ORGANISATIONS[i % len(ORGANISATIONS)]}",
            role(i, len(people)),
            "nhs" if i % 2 else "local_authority",
        )
        for i, member in enumerate(people)
    )
    orders = StandingOrders(quorum=QuorumRule(min_voting_members=10, min_organisations=4))
    return Board(BoardId("bench-board"), "Bench Health and Wellbeing Board", members, orders)


class Meeting:
    """The meeting's stream, built through `decide_meeting`."""

    def __init__(self) -> None:
        self.state = core.INITIAL_MEETING
        self.events: list[Any] = []
        self.clock = T0

    def do(self, command: Any, actor: ParticipantId | None = FACILITATOR) -> None:
        self.clock += timedelta(seconds=30)
        new = core.decide_meeting(self.state, command, Context(actor, self.clock))
        self.state = core.replay_meeting(new, start=self.state)
        self.events.extend(new)


def agenda() -> list[AddItem]:
    items = [
        AddItem(ItemId("apologies"), "Apologies for absence", ItemKind.APOLOGIES, 2),
        AddItem(ItemId("declarations"), "Declarations of interest", ItemKind.DECLARATIONS, 3),
        AddItem(ItemId("minutes"), "Minutes of the last meeting", ItemKind.PREVIOUS_MINUTES, 5),
        AddItem(ItemId("arising"), "Matters arising", ItemKind.MATTERS_ARISING, 10),
    ]
    items += [
        AddItem(
            ItemId(f"decision-{n}"),
            f"Decision {n}: pool the winter-pressure funds, phase {n}",
            ItemKind.DECISION,
            20,
            room=RoomId(f"room-{n}"),
        )
        for n in range(1, DECISIONS + 1)
    ]
    items += [
        AddItem(ItemId("report"), "Quarterly performance report", ItemKind.NOTING, 5),
        AddItem(ItemId("contract"), "Contract award", ItemKind.DECISION, 15, private=True),
        AddItem(ItemId("aob"), "Any other business", ItemKind.ANY_OTHER_BUSINESS, 5),
    ]
    return items


def build_meeting(people: list[ParticipantId]) -> Meeting:
    meeting = Meeting()
    meeting.do(
        ScheduleMeeting(
            MeetingId("bench-meeting"),
            "Board meeting, bench",
            board(people),
            T0,
            T0 + timedelta(hours=3),
            "Europe/London",
            place="Council Chamber",
            video_url="https://meet.example.org/bench",
            facilitators=(FACILITATOR,),
        ),
        actor=None,
    )
    for item in agenda():
        meeting.do(item)
    meeting.do(OpenMeeting())
    for i, member in enumerate(people):
        if i % 12 == 11:
            meeting.do(MarkAttendance(member, Attendance.APOLOGIES))
        else:
            meeting.do(RecordArrival(member, remote=i % 3 == 0))
    for n in range(1, 4):
        meeting.do(
            DeclareInterest(
                people[n * 5], f"Trustee of a bidder ({n})", ItemId(f"decision-{n}"), Excludes.VOTE
            )
        )
    for number, item in meeting.state.numbered():
        if item.private or item.kind is ItemKind.DECISION:
            continue  # decided in their rooms; the meeting's own close needs the room's result
        meeting.do(StartItem(item.item))
        if item.kind is ItemKind.NOTING:
            meeting.do(NoteItem(item.item))
        meeting.do(
            AddAction(core.ActionId(f"a-{number}"), item.item, f"Follow up item {number}", "Olu")
        )
        meeting.do(EditNarrative(f"Discussed item {number}.", part="note", item=item.item))
        meeting.do(core.CloseItem(item.item))
    meeting.do(EditNarrative("A long meeting, recorded in full."))
    return meeting


def build_rooms(budget: int, seed: int) -> dict[str, list[Event]]:
    per_room = max(200, budget // DECISIONS)
    rooms = {}
    for n in range(1, DECISIONS + 1):
        sim = Simulation(seed + n)
        sim.open_room()
        sim.surface(int(per_room * 0.6))
        sim.weigh(int(per_room * 0.85))
        sim.dissent_and_consent(per_room - 1)
        sim.do(CloseRound(), FACILITATOR)
        rooms[f"decision-{n}"] = sim.events
    return rooms


def draw(meeting: Meeting, rooms: dict[str, list[Event]]) -> dict[str, Any]:
    """What the server does from the tables: fold every stream, then `minutes()`."""
    state = core.replay_meeting(meeting.events)
    items = {}
    for item_id, events in rooms.items():
        room = replay(events)
        log = {"room_id": f"room-{item_id}", "seq": len(events), "hash": "0" * 64}
        items[item_id] = core.item_decision(room, log)
    return core.minutes(state, items)


def record_of(document: dict[str, Any]) -> dict[str, Any]:
    """The signed record of these minutes, as if approved, linking each decided room."""
    approved = {**document, "status": "approved", "approved_at": "2027-01-20T10:00:00Z"}
    public = core.published_minutes(approved, PublicationPolicy.NAMES, True)
    links = [
        {"item": i["id"], "room_id": i["decision"]["log"]["room_id"], "seq": 1, "hash": "0" * 64}
        for i in public["items"]
        if not i["private"] and i.get("decision")
    ]
    return build_record(public, links, SigningKey(bytes(32)), signed_at="2027-01-20T10:05:00Z")


def best(repeat: int, work: Callable[[], object]) -> tuple[float, float, object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--members",
        type=int,
        default=24,
        choices=range(12, 61),
        metavar="12-60",
        help="board members, all in every room (24: a large health and wellbeing board)",
    )
    options = parser.parse_args()

    people = live_room.MEMBERS[: options.members]
    live_room.MEMBERS = people  # the rooms' actors are the board's members
    meeting = build_meeting(people)
    rooms = build_rooms(options.events - len(meeting.events), options.seed)
    total = len(meeting.events) + sum(len(events) for events in rooms.values())
    items = len(meeting.state.order)
    render_pdf(draw(meeting, rooms))  # load WeasyPrint and its fonts once, as a server has

    figures: dict[str, tuple[float, float]] = {}
    wall, cpu, document = best(options.repeat, lambda: draw(meeting, rooms))
    figures["draw the minutes (fold + minutes())"] = (wall, cpu)
    assert isinstance(document, dict)
    wall, cpu, html = best(options.repeat, lambda: render_html(document))
    figures["render HTML"] = (wall, cpu)
    wall, cpu, _ = best(options.repeat, lambda: render_markdown(document))
    figures["render Markdown"] = (wall, cpu)
    wall, cpu, pdf = best(options.repeat, lambda: render_pdf(document))
    figures["render PDF"] = (wall, cpu)
    wall, cpu, record = best(options.repeat, lambda: record_of(document))
    figures["publish and sign the record"] = (wall, cpu)
    assert isinstance(record, dict)
    wall, cpu, verified = best(options.repeat, lambda: verify_record(record))
    figures["verify the record (Python)"] = (wall, cpu)
    assert getattr(verified, "ok", False), verified
    assert isinstance(html, str)
    assert isinstance(pdf, bytes)

    table = Table(title=f"Minutes of {items} items from {total:,} events")
    table.add_column("step")
    table.add_column("wall s", justify="right")
    table.add_column("CPU s", justify="right")
    for step, (wall, cpu) in figures.items():
        table.add_row(step, f"{wall:.3f}", f"{cpu:.3f}")
    Console().print(table)
    votes = sum(len((i.get("decision") or {}).get("votes") or []) for i in document["items"])
    print(
        json.dumps(
            {
                "bench": "minutes",
                "items": items,
                "events": total,
                "members": len(people),
                "votes": votes,
                "html_bytes": len(html),
                "pdf_bytes": len(pdf),
                "record_bytes": len(json.dumps(record, ensure_ascii=False)),
                "seconds": {step: round(wall, 4) for step, (wall, _cpu) in figures.items()},
                "cpu_seconds": {step: round(cpu, 4) for step, (_wall, cpu) in figures.items()},
                "html_under_1s": figures["render HTML"][0] < 1,
                "pdf_under_3s": figures["render PDF"][0] < 3,
                "load": os.getloadavg()[0],
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
