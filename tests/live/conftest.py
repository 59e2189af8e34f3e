from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.server import LiveServer


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    server = LiveServer(database_url).start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_file_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"
