"""The PostgreSQL pool pings only connections that sat idle, and replaces dead ones."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from server.db import engine as engine_module

pytestmark = pytest.mark.postgres


async def backend_pid(engine: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def count_pings(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return pings


async def test_a_connection_back_in_use_at_once_is_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_module.create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        pings = count_pings(engine, monkeypatch)
        first = await backend_pid(engine)
        for _ in range(5):
            assert await backend_pid(engine) == first
        assert pings == []
    finally:
        await engine.dispose()


async def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.05)
    engine = engine_module.create_engine(postgres_url, pool_size=1, max_overflow=0)
    killer = engine_module.create_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        pings = count_pings(engine, monkeypatch)
        dead = await backend_pid(engine)
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
        await asyncio.sleep(0.1)
        assert await backend_pid(engine) != dead  # no error: the ping caught it
        assert pings
    finally:
        await engine.dispose()
        await killer.dispose()
