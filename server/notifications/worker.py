"""``evenfloor send-notifications``: a process that only delivers the outbox.

Every ``evenfloor serve`` process runs a sender by default. Where room commands must not
share a CPU with rendering and SMTP at all, run the app processes with
``EVENFLOOR_NOTIFY_ENABLED=false`` and one or more of these beside them (PostgreSQL: they
share the outbox like any senders; SQLite: one, on the same machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Any

import click


async def _run(settings: Any) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from server.clock import SystemClock
    from server.db.engine import create_engine
    from server.notifications.service import Notifications
    from server.rooms.service import RoomService

    engine = create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def publish(_room: Any, _stored: Any) -> None:
        return None  # this process writes no room events

    rooms = RoomService(sessions, publish)
    notifications = Notifications(settings, sessions, rooms.state, clock=SystemClock())
    task = asyncio.create_task(notifications.sender.run())
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, task.cancel)
    click.echo(f"evenfloor: sending notifications to {notifications.mailer.describe()}", err=True)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await notifications.sender.close()
        await engine.dispose()


@click.command("send-notifications")
def send_notifications() -> None:
    """Deliver the notification outbox (email, webhooks) until stopped, serving nothing."""
    from pydantic import ValidationError

    from server.settings import describe, get_settings

    try:
        settings = get_settings()
    except ValidationError as error:
        click.echo(f"evenfloor: bad settings: {describe(error)}", err=True)
        sys.exit(2)
    asyncio.run(_run(settings))
