"""The standalone minutes page in a real Chromium: axe-core finds no serious or critical
violation, it fits a 360 px phone, it reads by keyboard alone, and it needs no script."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from server.meetings.minutes_render import render_html
from tests.browser.harness import axe_violations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "meetings_outputs"))

from minutes_fixtures import approved, draft, published

pytestmark = [pytest.mark.browser]

DOCUMENTS = {
    "draft": draft(),
    "published": published(approved(), private_titles=False),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_the_minutes_page_passes_axe_and_fits_a_phone(chromium: Any, name: str) -> None:
    links = {"pdf": "minutes.pdf", "markdown": "minutes.md", "record": "record.json"}
    html = render_html(DOCUMENTS[name], links=links)
    context = chromium.new_context(java_script_enabled=True)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.set_content(html)
        violations = axe_violations(page)
        assert violations == [], violations
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_the_minutes_page_reads_by_keyboard_and_without_script(chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_content(render_html(draft(), links={"pdf": "minutes.pdf"}))
        assert page.locator("h1").inner_text() == "Health and Wellbeing Board, 14 January 2027"
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Skip to content"
        page.keyboard.press("Enter")
        # The skip link lands on the main content; the next stops are the video link and
        # the scrollable tables, each reachable and named.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == (
            "https://meet.example.org/hwb-2027-01"
        )
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
        assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == (
            "attendance-caption"
        )
        assert page.locator("text=Taken in private.").count() == 1
    finally:
        context.close()
