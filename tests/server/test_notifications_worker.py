"""``evenfloor send-notifications``: the outbox delivered by a process of its own."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.notifications import outbox
from server.notifications.outbox import Outgoing
from server.notifications.tables import Notification
from tests.mailbox import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def start_worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "send-notifications"],
        cwd=cwd,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_the_worker_delivers_what_is_queued_and_stops_cleanly(
    database_url: str, db: Any, smtp: SmtpServer, tmp_path: Path
) -> None:
    item = Outgoing(
        "email",
        "invitation",
        {
            "title": "Valley minibus",
            "room": "",
            "link": "http://x/invitations/t",
            "role": "participant",
            "inviter": "Ada",
            "expires_at": None,
        },
        address="guest@example.org",
        locale="en",
    )
    async with db() as session, session.begin():
        await outbox.enqueue(session, [item], datetime.now(UTC), "Evenfloor <n@evenfloor.test>")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EVENFLOOR_DATABASE_URL": database_url,
        "EVENFLOOR_SECRET_KEY": "test-secret-key-0123456789abcdef",
        "EVENFLOOR_SMTP_FROM": "Evenfloor <n@evenfloor.test>",
        "EVENFLOOR_NOTIFY_POLL_S": "0.1",
        "EVENFLOOR_NOTIFY_RENDER_WORKERS": "0",
        **smtp.env(),
    }
    worker = start_worker(env, tmp_path)
    try:
        end = asyncio.get_running_loop().time() + 60
        while not smtp.mailbox.messages:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert asyncio.get_running_loop().time() < end, "nothing was delivered"
            await asyncio.sleep(0.1)
        [message] = smtp.mailbox.messages
        assert message["To"] == "guest@example.org"
        async with db() as session:
            for _ in range(50):
                status = await session.scalar(
                    select(Notification.status).where(Notification.id == item.id)
                )
                if status == "sent":
                    break
                await asyncio.sleep(0.1)
                session.expunge_all()
        assert status == "sent"
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert f"SMTP 127.0.0.1:{smtp.port} (none)" in err


def test_the_worker_refuses_bad_settings(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "send-notifications"],
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "EVENFLOOR_SECRET_KEY": "x" * 32,
            "EVENFLOOR_NOTIFY_BATCH": "0",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("evenfloor: bad settings: EVENFLOOR_NOTIFY_BATCH")
