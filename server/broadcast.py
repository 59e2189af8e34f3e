"""Cross-process notifications that a room advanced, over Litestar Channels.

The payload is only ``{"room": id, "seq": n}`` (well under PostgreSQL's 8,000-byte NOTIFY
limit); each process reads the events themselves from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import asyncpg
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from server.meetings.fanout import MEETINGS_CHANNEL
from server.rooms.fanout import ROOMS_CHANNEL
from server.settings import Settings

log = logging.getLogger(__name__)


class PooledAsyncPgChannelsBackend(AsyncPgChannelsBackend):
    """The stock backend opens a new connection for every publish; this one keeps a pool."""

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn=dsn)
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def on_startup(self) -> None:
        await super().on_startup()
        self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=4)
        self._watchdog = asyncio.create_task(self._watch_listener(), name="listen-watchdog")

    async def on_shutdown(self) -> None:
        self._watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watchdog
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await super().on_shutdown()

    async def _watch_listener(self, every_s: float = 2.0) -> None:
        """The stock backend never reconnects its LISTEN connection (MagicStack/asyncpg#519):
        after a database restart this process would go deaf. Reconnect and re-LISTEN."""
        while True:
            await asyncio.sleep(every_s)
            if not self._listener_conn.is_closed():
                continue
            try:
                async with self._listener_lock:
                    self._listener_conn = await self._connect()
                    for channel in self._subscribed_channels:
                        await self._listener_conn.add_listener(channel, self._listener)
                log.warning("reconnected the LISTEN connection")
            except (OSError, asyncpg.PostgresError):
                log.warning("LISTEN connection is down; retrying", exc_info=True)

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        if self._pool is None:
            raise RuntimeError("channels backend not started")
        text = data.decode("utf-8")
        if len(data) >= 8000:
            raise ValueError("notification payload over PostgreSQL's 8,000-byte limit")
        async with self._pool.acquire() as connection:
            for channel in channels:
                await connection.execute("SELECT pg_notify($1, $2)", channel, text)


def build_channels(settings: Settings) -> ChannelsPlugin:
    backend: ChannelsBackend
    kind = settings.resolved_channels_backend
    if kind == "postgres":
        backend = PooledAsyncPgChannelsBackend(dsn=plain_dsn(settings.database_url))
    elif kind == "redis":
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        channels=[ROOMS_CHANNEL, MEETINGS_CHANNEL],
        subscriber_max_backlog=10_000,
        subscriber_backlog_strategy="dropleft",
    )


def plain_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def announce(channels: ChannelsPlugin, message: str, channel: str = ROOMS_CHANNEL) -> None:
    """Publish and wait: a failed publish is logged here instead of killing the plugin's
    background publisher (litestar-org/litestar#5008). Clients still catch up from the
    table on their next message or reconnect."""
    try:
        await asyncio.wait_for(channels.wait_published(message, [channel]), timeout=5)
    except Exception:
        log.exception("could not announce %s", message)
