"""Room fan-out: Evenfloor against a bare `websockets` broadcast and a raw asyncpg append.

    python bench/fanout.py [--clients 100,500,1000] [--commands 100] [--seconds 5]

The server under test is `evenfloor serve` on PostgreSQL (a fresh database), pinned to
CPU 0; the load process (a thin WebSocket client) is pinned to CPU 1. Latency is from
the moment a command is written to the socket to the moment the last of N clients reads
its event. Baseline: a minimal `websockets` server that broadcast()s each message it
receives to the same N clients (same frame size), plus one raw asyncpg append (insert
the next seq and commit). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "EVENFLOOR_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
MARK = re.compile(r'"(b-\d+)"')


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    return (
        ["taskset", "-c", str(cpu)]
        if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1
        else []
    ) + argv


def rss_kib(pid: int) -> int:
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


# ------------------------------------------------------------------ the load process


async def load(args: argparse.Namespace) -> dict[str, Any]:
    from bench.thin_ws import ThinConnection, connect

    n = args.n
    pending: dict[
        str, tuple[int, set[int], list[int]]
    ] = {}  # mark -> (sent ns, who has it, latencies)
    done: dict[str, asyncio.Future[None]] = {}
    welcomed = 0
    welcome_event = asyncio.Event()
    ids: dict[int, int] = {}
    delivered = 0

    def on_text(conn: ThinConnection, text: str, now: int) -> None:
        nonlocal welcomed, delivered
        if text.startswith('{"type":"welcome"'):
            welcomed += 1
            if welcomed == n:
                welcome_event.set()
            return
        found = MARK.search(text)
        if not found:
            return
        mark = found.group(1)
        entry = pending.get(mark)
        if entry is None:
            return
        sent, who, latencies = entry
        who_id = ids[id(conn)]
        if who_id in who:
            return
        if text.startswith('{"type":"ack"') or text.startswith('{"type":"error"'):
            return
        who.add(who_id)
        latencies.append(now - sent)
        delivered += 1
        if len(who) == n:
            future = done.pop(mark, None)
            if future is not None and not future.done():
                future.set_result(None)

    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    path = f"/ws/rooms/{args.room}" if args.target == "evenfloor" else "/"
    connections: list[ThinConnection] = []
    for index in range(n):
        conn = await connect("127.0.0.1", args.port, path, on_text, headers)
        ids[id(conn)] = index
        connections.append(conn)
        if args.target == "evenfloor":
            conn.send_text(json.dumps({"type": "hello", "last_seq": args.head}))
    if args.target == "evenfloor":
        await asyncio.wait_for(welcome_event.wait(), 60)
    else:
        await asyncio.sleep(0.5)
    print(json.dumps({"connected": n}), flush=True)
    await asyncio.sleep(args.settle)  # the orchestrator samples the server's memory now

    sender = connections[0]
    counter = 0
    pad = "x" * max(0, args.size - 60)

    def send_one() -> str:
        nonlocal counter
        counter += 1
        mark = f"b-{counter}"
        if args.target == "evenfloor":
            message = {
                "type": "command",
                "id": uuid.uuid4().hex,
                "name": "add_statement",
                "args": {"statement": mark, "text": "Bench statement " + str(counter)},
            }
        else:
            message = {"type": "event", "id": mark, "pad": pad}
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done[mark] = future
        pending[mark] = (time.monotonic_ns(), set(), [])
        sender.send_text(json.dumps(message))
        return mark

    # Latency: one command at a time, spaced out.
    all_n: list[float] = []
    per_delivery: list[float] = []
    for _ in range(args.commands):
        mark = send_one()
        await asyncio.wait_for(done[mark], 30)
        _sent, _who, latencies = pending.pop(mark)
        all_n.append(max(latencies) / 1e6)
        per_delivery.extend(v / 1e6 for v in latencies)
        await asyncio.sleep(0.02)

    # Throughput: closed loop with four commands in flight.
    delivered = 0
    deadline = time.monotonic() + args.seconds
    in_flight: set[asyncio.Future[None]] = set()
    started = time.monotonic()
    while time.monotonic() < deadline:
        while len(in_flight) < 4:
            mark = send_one()
            in_flight.add(done[mark])
        finished, in_flight = await asyncio.wait(
            in_flight, timeout=30, return_when=asyncio.FIRST_COMPLETED
        )
        if not finished:
            raise RuntimeError("deliveries stalled")
    elapsed = time.monotonic() - started
    throughput = delivered / elapsed
    for conn in connections:
        conn.close()
    return {
        "n": n,
        "all_n_p50_ms": statistics.median(all_n),
        "all_n_p99_ms": pct(all_n, 99),
        "delivery_p50_ms": statistics.median(per_delivery),
        "delivery_p99_ms": pct(per_delivery, 99),
        "deliveries_per_s": throughput,
    }


async def bare_server(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    clients: set[Any] = set()

    async def handler(ws: Any) -> None:
        clients.add(ws)
        try:
            async for message in ws:
                broadcast(clients, message)
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()


# ------------------------------------------------------------------ the orchestrator


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} never opened")


def run_load(
    target: str, port: int, n: int, args: argparse.Namespace, server_pid: int, **extra: Any
) -> dict[str, Any]:
    argv = pinned(
        1,
        [
            sys.executable,
            __file__,
            "--role",
            "load",
            "--target",
            target,
            "--port",
            str(port),
            "--n",
            str(n),
            "--commands",
            str(args.commands),
            "--seconds",
            str(args.seconds),
            "--size",
            str(args.size),
            "--settle",
            "1.0",
        ]
        + [item for k, v in extra.items() for item in (f"--{k}", str(v))],
    )
    before = rss_kib(server_pid)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    first = process.stdout.readline()
    if not first:
        raise RuntimeError(f"load process for {target} failed")
    time.sleep(0.8)
    after = rss_kib(server_pid)
    out, _ = process.communicate(timeout=600)
    if process.returncode != 0:
        raise RuntimeError(f"load process for {target} exited {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["kib_per_conn"] = max(0, after - before) / n
    return result


async def raw_append_p99(database_url: str, count: int = 300) -> dict[str, float]:
    import asyncpg

    from server.broadcast import plain_dsn

    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_append (room uuid, seq bigint, payload jsonb, PRIMARY KEY (room, seq))"
        )
        room = uuid.uuid4()
        times = []
        for seq in range(1, count + 1):
            started = time.perf_counter()
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO bench_append VALUES ($1, $2, $3)",
                    room,
                    seq,
                    json.dumps({"text": "x" * 150}),
                )
            times.append((time.perf_counter() - started) * 1000)
        return {"p50_ms": statistics.median(times), "p99_ms": pct(times, 99)}
    finally:
        await conn.close()


async def set_up_room(base: str) -> tuple[str, str, int]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
        r = await http.post(
            "/api/auth/register",
            json={"email": email, "display_name": "Bench", "password": "bench-password-123"},
        )
        r.raise_for_status()
        r = await http.post(
            "/api/auth/token", json={"email": email, "password": "bench-password-123"}
        )
        token = r.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        r = await http.post(
            "/api/rooms",
            json={
                "title": "Bench",
                "proposal": "Measure.",
                "organisation_name": "Bench Org",
                "rules": {"statement_max_length": 280},
            },
            headers=headers,
        )
        r.raise_for_status()
        room = r.json()["id"]
        r = await http.post(
            f"/api/rooms/{room}/commands/open_round",
            json={"round": "surface_conflict"},
            headers=headers,
        )
        r.raise_for_status()
        return room, token, r.json()["seq"]


def orchestrate(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    sys.path.insert(0, str(ROOT))
    from tests.conftest import _admin, migrate

    name = f"evenfloor_bench_{os.getpid()}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    database_url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    migrate(database_url)
    results = []
    try:
        append = asyncio.run(raw_append_p99(database_url))
        for n in [int(x) for x in args.clients.split(",")]:
            port = free_port()
            env = {
                **os.environ,
                "EVENFLOOR_DATABASE_URL": database_url,
                "EVENFLOOR_SECRET_KEY": "bench-secret-0123456789",
            }
            server = subprocess.Popen(
                pinned(
                    0,
                    [
                        sys.executable,
                        "-m",
                        "server.cli",
                        "serve",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                ),
                cwd=ROOT,
                env=env,
            )
            try:
                wait_port(port)
                room, token, head = asyncio.run(set_up_room(f"http://127.0.0.1:{port}"))
                ours = run_load(
                    "evenfloor", port, n, args, server.pid, room=room, token=token, head=head
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
            port = free_port()
            bare = subprocess.Popen(
                pinned(0, [sys.executable, __file__, "--role", "bare", "--port", str(port)]),
                cwd=ROOT,
            )
            try:
                wait_port(port)
                baseline = run_load("bare", port, n, args, bare.pid)
            finally:
                bare.terminate()
                bare.wait(timeout=30)
            budget = baseline["all_n_p99_ms"] + append["p99_ms"]
            results.append(
                {
                    "n": n,
                    "evenfloor": ours,
                    "bare": baseline,
                    "raw_append": append,
                    "p99_ratio": ours["all_n_p99_ms"] / budget,
                    "deliveries_ratio": ours["deliveries_per_s"] / baseline["deliveries_per_s"],
                }
            )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    table = Table(title="Room fan-out (PostgreSQL; server CPU 0, load CPU 1)")
    for column in (
        "N",
        "server",
        "all-N p50 ms",
        "all-N p99 ms",
        "delivery p99 ms",
        "deliveries/s",
        "KiB/conn",
        "p99 / (bare+append)",
        "deliveries / bare",
    ):
        table.add_column(column, justify="right")
    for r in results:
        for label, row in (("bare websockets", r["bare"]), ("evenfloor", r["evenfloor"])):
            table.add_row(
                str(r["n"]),
                label,
                f"{row['all_n_p50_ms']:.2f}",
                f"{row['all_n_p99_ms']:.2f}",
                f"{row['delivery_p99_ms']:.2f}",
                f"{row['deliveries_per_s']:,.0f}",
                f"{row['kib_per_conn']:.1f}",
                f"{r['p99_ratio']:.2f}" if label == "evenfloor" else "",
                f"{r['deliveries_ratio']:.2f}" if label == "evenfloor" else "",
            )
        table.add_row(
            str(r["n"]),
            "raw asyncpg append",
            f"{r['raw_append']['p50_ms']:.2f}",
            f"{r['raw_append']['p99_ms']:.2f}",
            "",
            "",
            "",
            "",
            "",
        )
    Console(width=160).print(table)
    print(
        json.dumps(
            {
                "bench": "fanout",
                "results": [
                    {
                        "n": r["n"],
                        "p99_ms": round(r["evenfloor"]["all_n_p99_ms"], 2),
                        "bare_p99_ms": round(r["bare"]["all_n_p99_ms"], 2),
                        "append_p99_ms": round(r["raw_append"]["p99_ms"], 2),
                        "p99_ratio": round(r["p99_ratio"], 2),
                        "deliveries_per_s": round(r["evenfloor"]["deliveries_per_s"]),
                        "bare_deliveries_per_s": round(r["bare"]["deliveries_per_s"]),
                        "deliveries_ratio": round(r["deliveries_ratio"], 2),
                        "kib_per_conn": round(r["evenfloor"]["kib_per_conn"], 1),
                        "targets": {
                            "p99_ratio_max": 1.5,
                            "deliveries_ratio_min": 0.6,
                            "kib_per_conn_max": 50,
                        },
                    }
                    for r in results
                ],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=["orchestrate", "load", "bare"], default="orchestrate")
    parser.add_argument("--clients", default="100,500,1000")
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--size", type=int, default=330, help="bare frame size, about an Evenfloor event's"
    )
    parser.add_argument("--target", default="evenfloor")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--room", default="")
    parser.add_argument("--token", default="")
    parser.add_argument("--head", type=int, default=0)
    parser.add_argument("--settle", type=float, default=1.0)
    args = parser.parse_args()
    if args.role == "load":
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        print(json.dumps(asyncio.run(load(args))), flush=True)
    elif args.role == "bare":
        asyncio.run(bare_server(args.port))
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
