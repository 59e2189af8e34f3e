"""Shared fixtures: database URLs (SQLite and a real PostgreSQL), apps, live servers.

PostgreSQL is 127.0.0.1:5432 database ``test`` (or EVENFLOOR_TEST_DATABASE_URL). Each
test session creates its own database there and drops it at the end. Under CI=true a
missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ADMIN_URL = os.environ.get(
    "EVENFLOOR_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


# Property tests: "dev" explores new examples on every run; "ci" is derandomised so that a
# red CI run is reproducible and a green one is not luck (tests still set their own sizes).
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if IN_CI else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def unavailable(what: str) -> None:
    """Fail in CI, skip elsewhere: a developer may lack PostgreSQL, CI may not."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not available")


def migrate(database_url: str) -> None:
    from advanced_alchemy.alembic.commands import AlembicCommands

    import server.db.tables  # noqa: F401
    from server.db.engine import alchemy_config, create_engine

    engine = create_engine(database_url)
    AlembicCommands(sqlalchemy_config=alchemy_config(engine)).upgrade("head")


async def _admin(sql: str) -> None:
    import asyncpg

    from server.broadcast import plain_dsn

    connection = await asyncpg.connect(plain_dsn(ADMIN_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated database of our own on the shared server, for the whole session."""
    name = f"evenfloor_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        yield f"unreachable: {error}"
        return
    base = ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    migrate(url)
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    import asyncpg

    from server.broadcast import plain_dsn

    connection = await asyncpg.connect(plain_dsn(url))
    try:
        await connection.execute(
            "TRUNCATE receipts, room_events, room_deadlines, published_logs, signing_keys, invitations, "
            "memberships, rooms, api_tokens, organisations, users, sessions CASCADE"
        )
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "evenfloor.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    yield from _postgres(request)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _postgres(request)


def _postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    url = request.getfixturevalue("postgres_template")
    if url.startswith("unreachable"):
        unavailable(f"PostgreSQL at {ADMIN_URL} ({url})")
    asyncio.run(_truncate(url))
    yield url


def make_settings(database_url: str, **overrides: Any) -> Any:
    from server.settings import Settings

    overrides.setdefault("mail_dir", Path(tempfile.gettempdir()) / "evenfloor-test-mail")
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-0123456789abcdef",
        deadline_poll_s=0.05,
        **overrides,
    )


@pytest.fixture
def clock() -> Any:
    from server.clock import ManualClock

    return ManualClock()


@pytest.fixture
async def app(database_url: str, clock: Any) -> AsyncIterator[Any]:
    from server.app import create_app

    return create_app(make_settings(database_url), clock=clock)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Any]:
    """A session factory of the test's own (the app under AsyncTestClient runs in
    another event loop, whose pooled connections this loop must not touch)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlalchemy.pool import NullPool

    from server.db.engine import create_engine

    engine = create_engine(database_url, poolclass=NullPool)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()
