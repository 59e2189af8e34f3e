"""axe-core on the decision pages, as the static site writes them (file:// URLs, no server):
the same templates as the live pages, with a realistic simulated meeting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.settings import Settings
from server.static_site import write_site
from tests.browser.harness import axe_violations, chromium_available, launch
from tests.conftest import unavailable

pytestmark = pytest.mark.browser
LOG = Path(__file__).parent / "simulated-log.json"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not chromium_available():
        unavailable("chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


def test_the_decision_pages_have_no_serious_accessibility_violations(
    browser: Any, tmp_path: Path
) -> None:
    settings = Settings()
    text = LOG.read_text(encoding="utf-8")
    write_site(tmp_path, [text], template_dir=settings.template_dir, static_dir=settings.static_dir)
    room = next(p.name for p in tmp_path.iterdir() if (p / "log.json").exists())
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        for path in (tmp_path / "index.html", tmp_path / room / "index.html"):
            page.goto(path.as_uri())
            assert axe_violations(page) == [], path
            # Nothing wider than a phone: the chart scales, long keys and hashes wrap.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, overflow)
    finally:
        page.close()
