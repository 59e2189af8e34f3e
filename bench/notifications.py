"""Notification outbox benchmark: delivery throughput, and what the sender costs commands.

Runs against a local SMTP server (aiosmtpd, in a process of its own, as a real mail server
would be) and the embedded SQLite database (or ``--database-url``):

- throughput: 10,000 notifications queued (as the write path queues them, in transactions),
  then delivered by one sender to the SMTP server, each marked sent;
- the room command latency (p50, p99) of a stream of ``add_statement`` commands through the
  write path (``RoomService.execute``), in alternating runs without and with the sender
  delivering a backlog in the same event loop, as it does in a server process (the target:
  within 10%), and with the sender in a process of its own (``evenfloor
  send-notifications``).

Prints a table, then one JSON line.

    python bench/notifications.py [--notifications 10000] [--commands 1500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

import deliberation
from server.db.engine import create_engine
from server.db.tables import User
from server.notifications import outbox
from server.notifications.outbox import Outgoing
from server.notifications.render import Templates
from server.notifications.sender import Policy, Sender
from server.notifications.tables import Notification
from server.notifications.transports import SmtpMailer
from server.rooms.codec import command_from_wire
from server.rooms.service import RoomService

ROOT = Path(__file__).resolve().parent.parent
SENDER = "Evenfloor <notices@evenfloor.test>"
SMTP_SERVER = """
import sys, time
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def migrate(url: str) -> None:
    from advanced_alchemy.alembic.commands import AlembicCommands

    from server.db.engine import alchemy_config

    AlembicCommands(sqlalchemy_config=alchemy_config(create_engine(url))).upgrade("head")


@dataclass
class Owner:
    id: uuid.UUID
    display_name: str = "Ada"

    @property
    def participant_id(self) -> deliberation.ParticipantId:
        return deliberation.ParticipantId(str(self.id))


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def invitation(n: int) -> Outgoing:
    payload = {
        "title": "Valley minibus",
        "room": "",
        "link": f"http://evenfloor.test/invitations/token-{n}",
        "role": "participant",
        "inviter": "Ada",
        "expires_at": None,
    }
    return Outgoing("email", "invitation", payload, address=f"guest{n}@example.org", locale="en")


async def queue(sessions: Any, count: int, per_transaction: int = 200) -> float:
    started = time.perf_counter()
    for first in range(0, count, per_transaction):
        async with sessions() as session, session.begin():
            items = [invitation(n) for n in range(first, min(count, first + per_transaction))]
            await outbox.enqueue(session, items, datetime.now(UTC), SENDER)
    return time.perf_counter() - started


async def sent_count(sessions: Any) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Notification).where(Notification.status == "sent")
            )
            or 0
        )


async def room(service: RoomService, sessions: Any) -> tuple[uuid.UUID, Owner]:
    from server.rooms.api_models import RoomCreate
    from server.rooms.http import create_room

    owner = Owner(uuid.uuid4())
    async with sessions() as session, session.begin():
        session.add(
            User(id=owner.id, email="ada@example.org", display_name="Ada", password_hash="x")
        )
    data = RoomCreate(title="Bench", proposal="Share the minibus.", organisation_name="Council")
    created = await create_room(service, owner, data, datetime.now(UTC))  # type: ignore[arg-type]
    ctx = deliberation.Context(actor=owner.participant_id, at=datetime.now(UTC))
    await service.execute(
        created.id, command_from_wire("open_round", {"round": "surface_conflict"}), ctx
    )
    return created.id, owner


async def commands(
    service: RoomService, room_id: uuid.UUID, owner: Owner, count: int
) -> list[float]:
    latencies = []
    for _ in range(count):
        command = command_from_wire(
            "add_statement",
            {"statement": uuid.uuid4().hex, "text": "The minibus should stop at the farms."},
        )
        started = time.perf_counter()
        ctx = deliberation.Context(actor=owner.participant_id, at=datetime.now(UTC))
        await service.execute(room_id, command, ctx)
        latencies.append(time.perf_counter() - started)
    return latencies


def start_worker(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EVENFLOOR_DATABASE_URL": url,
        "EVENFLOOR_SECRET_KEY": "bench-secret-0123456789abcdef0123",
        "EVENFLOOR_SMTP_HOST": "127.0.0.1",
        "EVENFLOOR_SMTP_PORT": str(port),
        "EVENFLOOR_SMTP_TLS": "none",
        "EVENFLOOR_SMTP_FROM": SENDER,
        "EVENFLOOR_NOTIFY_POLL_S": "0.05",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "send-notifications"],
        cwd=tempfile.gettempdir(),
        env=env,
        stderr=subprocess.DEVNULL,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def run(args: argparse.Namespace, url: str, port: int) -> dict[str, Any]:
    engine = create_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        templates = Templates(ROOT / "web" / "templates", "http://evenfloor.test", SENDER, "bench")
        mailer = SmtpMailer("127.0.0.1", port, "none")
        sender = Sender(
            sessions,
            templates,
            mailer,
            None,
            clock=Clock(),
            policy=Policy(batch=args.batch, poll_s=0.05, render_workers=args.render_workers),  # type: ignore[arg-type]
        )
        # Throughput: queue, then deliver everything.
        queued_s = await queue(sessions, args.notifications)
        started = time.perf_counter()
        while await sender.run_once(datetime.now(UTC)):
            pass
        delivered_s = time.perf_counter() - started
        delivered = await sent_count(sessions)
        assert delivered == args.notifications, (delivered, args.notifications)

        # Latency: alternate runs without and with the sender delivering a fresh backlog.
        async def publish(_room: uuid.UUID, _stored: list[Any]) -> None:
            return None

        service = RoomService(sessions, publish)
        room_id, owner = await room(service, sessions)
        await commands(service, room_id, owner, 200)  # warm up
        without: list[float] = []
        with_sender: list[float] = []
        apart: list[float] = []
        backlog_sent = apart_sent = 0
        rounds = args.rounds
        per_round = args.commands // rounds
        for _ in range(rounds):
            without += await commands(service, room_id, owner, per_round)
            await queue(sessions, args.backlog)
            before = await sent_count(sessions)
            task = asyncio.create_task(sender.run())
            await asyncio.sleep(0.2)  # the sender is mid-backlog
            with_sender += await commands(service, room_id, owner, per_round)
            backlog_sent += await sent_count(sessions) - before
            still_busy = await sent_count(sessions) - before < args.backlog
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if not still_busy:
                print(
                    "warning: the sender finished its backlog before the commands did",
                    file=sys.stderr,
                )
            while await sender.run_once(datetime.now(UTC)):  # drain before the next run
                pass
            # The same, with the sender in a process of its own (evenfloor send-notifications).
            await queue(sessions, args.backlog)
            before = await sent_count(sessions)
            worker = start_worker(url, port)
            while await sent_count(sessions) == before:  # noqa: ASYNC110 (another process)
                await asyncio.sleep(0.1)
            apart += await commands(service, room_id, owner, per_round)
            apart_sent += await sent_count(sessions) - before
            worker.terminate()
            await asyncio.to_thread(worker.wait, 30)
            while await sender.run_once(datetime.now(UTC)):
                pass
        await sender.close()
    finally:
        await engine.dispose()
    p50_without, p50_with = percentile(without, 50), percentile(with_sender, 50)
    p99_without, p99_with = percentile(without, 99), percentile(with_sender, 99)
    return {
        "bench": "notifications",
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "notifications": args.notifications,
        "queue_per_s": round(args.notifications / queued_s),
        "deliver_s": round(delivered_s, 2),
        "deliver_per_s": round(args.notifications / delivered_s),
        "commands_per_run": len(without),
        "command_p50_ms": {
            "without": round(p50_without * 1000, 3),
            "with": round(p50_with * 1000, 3),
        },
        "command_p99_ms": {
            "without": round(p99_without * 1000, 3),
            "with": round(p99_with * 1000, 3),
        },
        "command_mean_ms": {
            "without": round(statistics.fmean(without) * 1000, 3),
            "with": round(statistics.fmean(with_sender) * 1000, 3),
        },
        "worker_process_ms": {
            "p50": round(percentile(apart, 50) * 1000, 3),
            "p99": round(percentile(apart, 99) * 1000, 3),
            "mean": round(statistics.fmean(apart) * 1000, 3),
            "sent_during_commands": apart_sent,
        },
        "sent_during_commands": backlog_sent,
        "p50_change": round(p50_with / p50_without - 1, 3),
        "p99_change": round(p99_with / p99_without - 1, 3),
        "within_10_percent": p50_with <= 1.1 * p50_without and p99_with <= 1.1 * p99_without,
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--commands", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--backlog", type=int, default=3000, help="queued before each run with the sender"
    )
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--render-workers", type=int, default=1, help="0: render on the loop")
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: a new SQLite file)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="evenfloor-bench-notify-"))
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    migrate(url)  # idempotent: brings a given database to the current schema
    port = free_port()
    smtp = subprocess.Popen(
        [sys.executable, "-c", SMTP_SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert smtp.stdout is not None
    assert smtp.stdout.readline().strip() == "ready"
    try:
        result = asyncio.run(run(args, url, port))
    finally:
        assert smtp.stdin is not None
        smtp.stdin.close()
        smtp.wait(timeout=10)
    console = Console(stderr=True)
    table = Table(
        title=f"notifications: outbox to SMTP ({result['database']}, {os.cpu_count()} CPUs)"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("queued (in transactions of 200)", f"{result['queue_per_s']:,} /s")
    table.add_row(
        f"delivered {result['notifications']:,} to SMTP, each marked", f"{result['deliver_s']} s"
    )
    table.add_row("delivery rate", f"{result['deliver_per_s']:,} messages/s")
    table.add_row("load average (1 min)", f"{result['load_average']}")
    console.print(table)
    latency = Table(title=f"room command latency ({result['commands_per_run']} add_statement each)")
    latency.add_column("")
    latency.add_column("without sender", justify="right")
    latency.add_column("with sender", justify="right")
    latency.add_column("change", justify="right")
    for name, key in (
        ("p50", "command_p50_ms"),
        ("p99", "command_p99_ms"),
        ("mean", "command_mean_ms"),
    ):
        a, b = result[key]["without"], result[key]["with"]
        latency.add_row(name, f"{a:.2f} ms", f"{b:.2f} ms", f"{(b / a - 1) * 100:+.1f}%")
    latency.add_row("messages sent meanwhile", "", f"{result['sent_during_commands']:,}", "")
    apart = result["worker_process_ms"]
    base = result["command_p50_ms"]["without"], result["command_p99_ms"]["without"]
    latency.add_row(
        "sender in its own process: p50 / p99",
        "",
        f"{apart['p50']:.2f} / {apart['p99']:.2f} ms",
        f"{(apart['p50'] / base[0] - 1) * 100:+.1f}% / {(apart['p99'] / base[1] - 1) * 100:+.1f}%",
    )
    latency.add_row(
        "messages sent meanwhile (own process)", "", f"{apart['sent_during_commands']:,}", ""
    )
    console.print(latency)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
