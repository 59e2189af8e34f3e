"""The board and meeting pages in a real browser: axe-core finds no serious or critical
violation on any of them, nothing overflows a 360 px phone, the console is driven by
keyboard alone, and the member's page follows the meeting live over its socket."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Api, axe_violations, sign_in
from tests.browser.meeting_scenes import (
    BoardScene,
    approved_meeting,
    make_board,
    meeting_in_progress,
    run,
    schedule,
)
from tests.browser.test_pages import check_page
from tests.live.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def board(api: Api) -> BoardScene:
    return make_board(api)


def test_every_meeting_page_passes_axe_and_fits_a_phone(
    api: Api, server: LiveServer, new_context: Any, board: BoardScene
) -> None:
    problems: list[str] = []
    meeting, _items = meeting_in_progress(api, board)
    first, _second = approved_meeting(api, board)
    chair, member = board.people["chair"], board.people["voting_member"]
    invitation = api.call(
        chair, "POST", f"/api/boards/{board.id}/invitations", {"board_role": "observer"}
    )

    anonymous = new_context().new_page()
    for path in (f"/public/boards/{board.id}", f"/public/meetings/{first}"):
        check_page(anonymous, path, problems)

    context = new_context()
    sign_in(context, server.url, chair)
    page = context.new_page()
    for path in (
        "/",
        "/boards/new",
        f"/boards/{board.id}",
        f"/meetings/{meeting}",
        f"/meetings/{meeting}/console",
        f"/meetings/{meeting}/projector",
        f"/meetings/{first}/console",
        f"/board-invitations/{invitation['token']}",
        f"/meetings/{uuid.uuid4()}",
    ):
        check_page(page, path, problems)
    # The console with every form open, as a secretary uses it.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/meetings/{meeting}/console")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    for violation in axe_violations(page):
        problems.append(f"console, forms open: axe {violation['id']} at {violation['nodes']}")
    page.set_viewport_size({"width": 360, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        problems.append(f"console, forms open: {width} px wide at a 360 px viewport")

    member_context = new_context()
    sign_in(member_context, server.url, member)
    member_page = member_context.new_page()
    check_page(member_page, f"/meetings/{meeting}", problems)
    member_page.goto(f"/meetings/{meeting}/console")
    assert member_page.locator("h1").inner_text() == "Not allowed"
    assert not problems, "\n".join(problems)


def test_the_console_by_keyboard_alone(
    api: Api, server: LiveServer, new_context: Any, board: BoardScene
) -> None:
    chair = board.people["chair"]
    meeting = schedule(api, board, "Keyboard meeting", days=3)
    run(api, chair, meeting, "add_item", {"title": "Apologies", "kind": "apologies"})
    context = new_context()
    sign_in(context, server.url, chair)
    page = context.new_page()
    page.goto(f"/meetings/{meeting}/console")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    def tab_to(selector: str) -> None:
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    tab_to("#open-meeting button")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator('[data-status="open"]')).to_have_count(1)
    # The register: choose "Present in the room" for the chair with the keyboard, and mark.
    tab_to("#mark-status-1")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    row = page.locator(f'tr[data-member="{chair.id}"]')
    expect(row.locator("[data-attendance]")).to_have_attribute("data-attendance", "present_in_room")
    # Start the first item; the running order marks it as the current one.
    tab_to("form[id^='start-'] button")
    page.keyboard.press("Enter")
    expect(page.locator("tr.current")).to_have_count(1)


def test_the_member_page_follows_the_meeting_live(
    api: Api, server: LiveServer, new_context: Any, board: BoardScene
) -> None:
    chair, member = board.people["chair"], board.people["voting_member"]
    meeting = schedule(api, board, "Live meeting", days=4)
    ids = run(api, chair, meeting, "add_item", {"title": "Winter plan", "kind": "noting"})["ids"]
    run(api, chair, meeting, "open_meeting")
    context = new_context()
    sign_in(context, server.url, member)
    page = context.new_page()
    page.goto(f"/meetings/{meeting}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-current-item]")).to_have_count(0)
    run(api, chair, meeting, "start_item", {"item": ids["item"]})
    expect(page.locator("[data-current-item]")).to_have_attribute(
        "data-current-item", ids["item"], timeout=5000
    )
    # A member declares an interest from their page over the socket; it shows at once.
    page.get_by_text("Declare an interest").first.click()
    page.locator(f"#interest-{ids['item']}").fill("Employed by a provider")
    page.locator(f"#declare-{ids['item']} button[type=submit]").click()
    expect(page.locator("[data-region=mine]")).to_contain_text("Employed by a provider")
