"""Fold and decide benchmark for the deliberation core.

Builds a realistic live room through `decide` itself (60 members in 12 organisations,
hundreds of statements, a busy floor with the progressive stack, a cap and overrides,
perspectives, points, dissent, consent), then measures:

- folding 100,000 events into state (`replay`), and the rate in events per second;
- deciding one command (and applying its events) on rooms of 1,000, 10,000 and 100,000
  events: a reaction, a raised hand, the next speaker, and closing a consent round with its
  decision and fairness report, warm (the voters' weighting memoised by an earlier view, as
  in a live room) and cold. The decision must not grow with history.

Prints a table, then one JSON line.

    python bench/fold.py [--events 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from deliberation import (
    INITIAL,
    Context,
    ParticipantId,
    PerspectiveKind,
    Position,
    Reaction,
    Rejected,
    RoomRules,
    RoomState,
    RoundKind,
    SpeechKind,
    VoteMode,
    decide,
    replay,
    weighting,
)
from deliberation.commands import (
    AddStatement,
    AdmitMember,
    AllocatePoints,
    AnswerConsent,
    CloseRound,
    Command,
    CreateRoom,
    EndSpeech,
    ExtendSpeech,
    LowerHand,
    NextSpeaker,
    OpenRound,
    RaiseHand,
    React,
    RecordDissent,
    TablePerspective,
    Tick,
)
from deliberation.events import Event
from deliberation.ids import (
    DissentId,
    OrganisationId,
    PerspectiveId,
    RoomId,
    StatementId,
)
from deliberation.records import Allocation

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
OWNER = ParticipantId("p-owner")
FACILITATOR = ParticipantId("p-chair")
ORGANISATIONS = [OrganisationId(f"org-{i:02d}") for i in range(12)]
MEMBERS = [ParticipantId(f"p-{i:03d}") for i in range(60)]
RULES = RoomRules(
    speaking_cap=Fraction(3, 10),
    speech_limit_ms=120_000,
    vote_mode=VoteMode.CAPPED,
    vote_cap=Fraction(1, 4),
)


class Simulation:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.state: RoomState = INITIAL
        self.events: list[Event] = []
        self.clock = T0
        self.statements: list[StatementId] = []
        self.perspectives: list[PerspectiveId] = []

    def do(self, command: Command, actor: ParticipantId | None) -> bool:
        try:
            new = decide(self.state, command, Context(actor, self.clock))
        except Rejected:
            return False
        self.state = replay(new, start=self.state)
        self.events.extend(new)
        return True

    def step(self, seconds: float) -> None:
        self.clock += timedelta(seconds=seconds)

    def open_room(self) -> None:
        self.do(
            CreateRoom(
                RoomId("bench"),
                "Bench",
                "Pool the funds.",
                "Owen",
                ORGANISATIONS[0],
                "Org 0",
                RULES,
            ),
            OWNER,
        )
        self.do(
            AdmitMember(FACILITATOR, "Chair", ORGANISATIONS[0], "Org 0", role=_facilitator()), None
        )
        for i, member in enumerate(MEMBERS):
            org = ORGANISATIONS[i % len(ORGANISATIONS)]
            self.do(AdmitMember(member, f"Member {i}", org, f"Org {org}"), None)

    def floor_activity(self) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            self.do(RaiseHand(rng.choice(list(SpeechKind))), rng.choice(MEMBERS))
        elif roll < 0.6:
            if self.state.floor.speech is None:
                self.do(NextSpeaker(), FACILITATOR)
            else:
                self.step(rng.uniform(5, 150))
                if not self.do(Tick(), None):
                    self.do(EndSpeech(), FACILITATOR)
        elif roll < 0.62:
            self.do(ExtendSpeech(30_000, "Finishing the point."), FACILITATOR)

    def surface(self, until: int) -> None:
        rng = self.rng
        self.do(OpenRound(RoundKind.SURFACE_CONFLICT), FACILITATOR)
        while len(self.events) < until:
            self.step(rng.uniform(0.2, 3))
            roll = rng.random()
            if roll < 0.04 and len(self.statements) < 600:
                sid = StatementId(f"s-{len(self.statements)}")
                if self.do(AddStatement(sid, f"Statement {sid}"), rng.choice(MEMBERS)):
                    self.statements.append(sid)
            elif roll < 0.8 and self.statements:
                statement = rng.choice(self.statements)
                self.do(React(statement, rng.choice(list(Reaction))), rng.choice(MEMBERS))
            else:
                self.floor_activity()
        self.do(CloseRound(), FACILITATOR)

    def weigh(self, until: int) -> None:
        rng = self.rng
        self.do(OpenRound(RoundKind.WEIGH_PERSPECTIVES), FACILITATOR)
        while len(self.events) < until:
            self.step(rng.uniform(1, 5))
            who = rng.choice(MEMBERS)
            if rng.random() < 0.1 and len(self.perspectives) < 80:
                pid = PerspectiveId(f"v-{len(self.perspectives)}")
                if self.do(
                    TablePerspective(pid, rng.choice(list(PerspectiveKind)), "A view."), who
                ):
                    self.perspectives.append(pid)
            elif self.perspectives and rng.random() < 0.7:
                chosen = rng.sample(self.perspectives, min(3, len(self.perspectives)))
                split = [rng.randint(0, 3) for _ in chosen]
                self.do(
                    AllocatePoints(
                        tuple(Allocation(p, n) for p, n in zip(chosen, split, strict=True))
                    ),
                    who,
                )
            else:
                self.floor_activity()
        self.do(CloseRound(), FACILITATOR)

    def dissent_and_consent(self, until: int) -> None:
        rng = self.rng
        self.do(OpenRound(RoundKind.RECORD_DISSENT), FACILITATOR)
        for n in range(20):
            self.do(RecordDissent(DissentId(f"d-{n}"), "Not like this."), rng.choice(MEMBERS))
        self.do(CloseRound(), FACILITATOR)
        self.do(OpenRound(RoundKind.CONSENT), FACILITATOR)
        while len(self.events) < until:
            self.step(rng.uniform(1, 5))
            if rng.random() < 0.5:
                position = rng.choice(
                    [Position.CONSENT, Position.CONSENT, Position.CONCERN, Position.STAND_ASIDE]
                )
                text = "" if position is Position.CONSENT else f"Reason {rng.random():.3f}"
                self.do(AnswerConsent(position, text), rng.choice(MEMBERS))
            else:
                self.floor_activity()


def _facilitator():  # type: ignore[no-untyped-def]
    from deliberation import Role

    return Role.FACILITATOR


def build(total: int, seed: int) -> list[Event]:
    sim = Simulation(seed)
    sim.open_room()
    sim.surface(int(total * 0.6))
    sim.weigh(int(total * 0.85))
    sim.dissent_and_consent(total)
    return sim.events[:total]


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def per_call_us(fn: Callable[[], object], calls: int = 2000) -> float:
    """Median CPU microseconds per call (CPU time: a busy shared machine inflates it less)."""
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls):
            fn()
        samples.append((time.process_time() - start) / calls)
    return statistics.median(samples) * 1e6


def decide_costs(events: list[Event], size: int) -> dict[str, float]:
    """Microseconds to decide and apply one command on the room after ``size`` events."""
    state = replay(events[:size])
    at = max(getattr(e, "at", T0) for e in events[:size]) + timedelta(seconds=1)
    members = [m for m in MEMBERS if not any(h.participant == m for h in state.floor.waiting)]
    statements = list(state.surface.statements)
    costs: dict[str, float] = {}
    samples: dict[str, tuple[Command, ParticipantId | None]] = {}
    if members:
        samples["raise_hand"] = (RaiseHand(), members[0])
    else:
        waiting = state.floor.waiting[0]
        samples["lower_hand"] = (LowerHand(waiting.kind), waiting.participant)
    if statements and state.rounds.current is RoundKind.SURFACE_CONFLICT:
        samples["react"] = (React(statements[0], Reaction.PASS), MEMBERS[-1])
    if state.rounds.current is RoundKind.CONSENT:
        samples["answer_consent"] = (AnswerConsent(Position.CONCERN, "Bench."), MEMBERS[-1])
    if state.floor.speech is None:
        samples["next_speaker"] = (NextSpeaker(), FACILITATOR)
    else:
        samples["end_speech"] = (EndSpeech(), FACILITATOR)
    if state.rounds.current is RoundKind.CONSENT and state.rounds.is_open:
        samples["close_consent"] = (CloseRound(), FACILITATOR)
    for name, (command, actor) in samples.items():
        ctx = Context(actor, at)
        try:
            decide(state, command, ctx)
        except Rejected:
            continue

        def once(command: Command = command, ctx: Context = ctx) -> None:
            replay(decide(state, command, ctx), start=state)

        calls = 200 if name == "close_consent" else 2000
        costs[name] = per_call_us(once, calls)
        if name == "close_consent":
            # Cold: as if no view had weighed these voters since the last answer.
            def cold(command: Command = command, ctx: Context = ctx) -> None:
                weighting._weigh.cache_clear()
                replay(decide(state, command, ctx), start=state)

            costs["close_consent_cold"] = per_call_us(cold, calls)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    console = Console(stderr=True)

    started = time.perf_counter()
    events = build(args.events, args.seed)
    built_s = time.perf_counter() - started
    fold_wall_s, fold_s = best_of(3, lambda: replay(events))
    final = replay(events)

    sizes = sorted({1_000, 10_000, len(events)})
    costs = {str(size): decide_costs(events, size) for size in sizes}
    # A whole meeting of 10,000 events that ends in its consent round (answers in, open).
    short = build(10_000, args.seed)
    costs["10000-consent"] = decide_costs(short, len(short))

    table = Table(title=f"deliberation: fold and decide ({len(events):,} events, seed {args.seed})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("build through decide (set-up)", f"{built_s:.2f} s")
    table.add_row(f"fold {len(events):,} events (CPU)", f"{fold_s * 1000:.0f} ms")
    table.add_row(f"fold {len(events):,} events (wall)", f"{fold_wall_s * 1000:.0f} ms")
    table.add_row("fold rate (CPU)", f"{len(events) / fold_s:,.0f} events/s")
    table.add_row("load average (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    table.add_row(
        "statements / reactions",
        f"{len(final.surface.statements)} / {sum(len(r) for r in final.surface.reactions.values())}",
    )
    table.add_row(
        "floor time / overrides", f"{final.floor.total_ms / 60000:.0f} min / {len(final.overrides)}"
    )
    console.print(table)

    decisions = Table(title="decide + apply one command (CPU µs, median)")
    decisions.add_column("command")
    for label in costs:
        decisions.add_column(label.replace("-consent", " in consent"), justify="right")
    for name in sorted({n for c in costs.values() for n in c}):
        decisions.add_row(
            name, *(f"{row[name]:.0f}" if name in row else "-" for row in costs.values())
        )
    console.print(decisions)

    at_10k = {**costs["10000"], **costs["10000-consent"]}
    worst_10k_us = max(at_10k.values())
    result = {
        "bench": "deliberation.fold",
        "events": len(events),
        "fold_ms": round(fold_s * 1000, 1),
        "fold_wall_ms": round(fold_wall_s * 1000, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "fold_events_per_s": round(len(events) / fold_s),
        "decide_us": {
            str(size): {k: round(v, 1) for k, v in c.items()} for size, c in costs.items()
        },
        "decide_10k_worst_us": round(worst_10k_us, 1),
        "decide_10k_worst_command": max(at_10k, key=lambda k: at_10k[k]),
        "decide_10k_under_1ms": worst_10k_us < 1000,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
