"""`evenfloor serve` on a database that is not migrated, or migrated to another revision.

The server used to start and then fail every request and deadline tick with
`no such table: room_deadlines`. PostgreSQL is refused with one line; the embedded SQLite
default migrates itself.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from server.cli import main
from server.settings import get_settings
from tests.conftest import ADMIN_URL, _admin, unavailable


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records each uvicorn.run instead of listening."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def serve(monkeypatch: pytest.MonkeyPatch, url: str) -> Result:
    monkeypatch.setenv("EVENFLOOR_DATABASE_URL", url)
    monkeypatch.setenv("EVENFLOOR_SECRET_KEY", "test-secret-for-serve")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, ["serve", "--port", "8765"])
    finally:
        get_settings.cache_clear()


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def test_the_embedded_sqlite_database_migrates_itself_on_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    path = tmp_path / "fresh.db"
    result = serve(monkeypatch, f"sqlite+aiosqlite:///{path}")
    assert result.exit_code == 0, result.output
    assert "migrated the embedded SQLite database" in result.output
    assert {"room_deadlines", "room_events", "alembic_version"} <= tables(path)
    assert len(started) == 1
    # A second start finds it current and says nothing about migrating.
    again = serve(monkeypatch, f"sqlite+aiosqlite:///{path}")
    assert again.exit_code == 0
    assert "migrated" not in again.output
    assert len(started) == 2


def test_a_current_sqlite_database_starts_untouched(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_template: Path,
    started: list[dict[str, Any]],
) -> None:
    path = tmp_path / "current.db"
    path.write_bytes(sqlite_template.read_bytes())
    result = serve(monkeypatch, f"sqlite+aiosqlite:///{path}")
    assert result.exit_code == 0, result.output
    assert "migrated" not in result.output
    assert len(started) == 1


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    name = f"evenfloor_unmigrated_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        unavailable(f"PostgreSQL at {ADMIN_URL} ({error})")
    yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
def test_an_unmigrated_postgresql_database_is_refused_with_one_line(
    monkeypatch: pytest.MonkeyPatch, empty_postgres: str, started: list[dict[str, Any]]
) -> None:
    result = serve(monkeypatch, empty_postgres)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == ["evenfloor: the database is not migrated: run `evenfloor db upgrade`"]
    assert started == []


async def _set_revision(url: str, revision: str) -> None:
    import asyncpg

    from server.broadcast import plain_dsn

    connection = await asyncpg.connect(plain_dsn(url))
    try:
        await connection.execute("UPDATE alembic_version SET version_num = $1", revision)
    finally:
        await connection.close()


def head_revision() -> str:
    """The newest migration, read from the scripts (it moves with every migration added)."""
    from alembic.script import ScriptDirectory

    from server.db.engine import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


@pytest.mark.postgres
def test_an_outdated_postgresql_database_is_refused_and_a_current_one_starts(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, started: list[dict[str, Any]]
) -> None:
    assert serve(monkeypatch, postgres_url).exit_code == 0
    assert len(started) == 1
    asyncio.run(_set_revision(postgres_url, "0000_older"))
    try:
        result = serve(monkeypatch, postgres_url)
    finally:
        asyncio.run(_set_revision(postgres_url, head_revision()))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "evenfloor: the database is at revision 0000_older, this Evenfloor needs "
        f"{head_revision()}: run `evenfloor db upgrade`"
    ]
    assert len(started) == 1


def test_an_unreachable_database_is_refused_with_one_line(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]]
) -> None:
    result = serve(monkeypatch, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("evenfloor: cannot read the database:")
    assert started == []
