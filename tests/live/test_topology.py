"""compose.yaml's topology without Docker: Caddy (deploy/Caddyfile) in front of two app
processes sharing one PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import unavailable
from tests.live.client import RoomClient, room_with_members
from tests.live.server import ROOT, LiveServer, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, list[LiveServer]]]:
    caddy = shutil.which("caddy")
    if caddy is None:
        unavailable("caddy (apt-get install caddy)")
    apps = [LiveServer(postgres_url).start(), LiveServer(postgres_url).start()]
    port = free_port()
    config = (ROOT / "deploy" / "Caddyfile").read_text()
    config = config.replace(":8080 {", f"{{\n\tadmin off\n}}\n:{port} {{").replace(
        "app1:8000 app2:8000", f"127.0.0.1:{apps[0].port} 127.0.0.1:{apps[1].port}"
    )
    path = tmp_path / "Caddyfile"
    path.write_text(config)
    with (tmp_path / "caddy.log").open("wb") as log:
        proxy = subprocess.Popen(
            [caddy, "run", "--config", str(path), "--adapter", "caddyfile"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                "HOME": str(tmp_path),
                "XDG_DATA_HOME": str(tmp_path),
                "XDG_CONFIG_HOME": str(tmp_path),
            },
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proxy.poll() is not None:
                raise RuntimeError((tmp_path / "caddy.log").read_text())
            time.sleep(0.2)
        yield url, apps
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for app in apps:
            app.stop()


async def test_clients_behind_the_proxy_share_one_room_across_both_processes(
    proxied: tuple[str, list[LiveServer]],
) -> None:
    url, apps = proxied
    names = [("Ada", "Council")] + [(f"P{i}", f"Org{i % 2}") for i in range(5)]
    room_id, people = await room_with_members(url, names)
    ws_url = url.replace("http://", "ws://")
    clients = [await RoomClient.open(ws_url, room_id, token) for _pid, token in people]
    # The proxy spread the sockets over both processes (least_conn).
    async with httpx.AsyncClient() as http:
        counts = [(await http.get(f"{app.url}/healthz")).json()["connections"] for app in apps]
    assert all(count > 0 for count in counts), counts
    ack = await clients[0].command("open_round", {"round": "surface_conflict"})
    acks = await asyncio.gather(
        *(c.command("add_statement", {"text": f"Statement {i}"}) for i, c in enumerate(clients[1:]))
    )
    top = max([ack["seq"], *(a["seq"] for a in acks)])
    for client in clients:
        await client.wait_for_seq(top)
        assert [e["seq"] for e in client.events] == list(range(1, top + 1))
        await client.close()
