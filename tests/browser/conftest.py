"""Browser fixtures: one chromium for the session, one live server per module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import Api, chromium_available, launch
from tests.conftest import unavailable
from tests.live.server import LiveServer


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Per module, not per session: while Playwright's sync API is open it runs an event
    loop on this thread, and the async tests of other modules need the thread free."""
    if not chromium_available():
        unavailable("chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("browser") / "evenfloor.db"
    shutil.copy(sqlite_template, path)
    live = LiveServer(f"sqlite+aiosqlite:///{path}").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def api(server: LiveServer) -> Iterator[Api]:
    client = Api(server.url)
    yield client
    client.close()


@pytest.fixture
def new_context(chromium: Any, server: LiveServer) -> Iterator[Any]:
    """Make isolated browser contexts (each its own cookies); closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = chromium.new_context(base_url=server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
