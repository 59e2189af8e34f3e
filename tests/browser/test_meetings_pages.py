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
    ROUNDS,
    VOTERS,
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


def test_a_whole_meeting_from_agenda_to_approved_minutes(
    api: Api, server: LiveServer, new_context: Any
) -> None:
    """The secretariat's side in the browser (the board page, the console, the narrative),
    each item's deliberation over its room's API; the public reads the approved minutes."""
    board = make_board(api)
    chair, officer = board.people["chair"], board.people["officer"]
    ben = board.people["voting_member"]
    context = new_context()
    sign_in(context, server.url, chair)
    page = context.new_page()

    page.goto(f"/boards/{board.id}")
    page.get_by_text("Schedule a meeting").click()
    page.fill("#meeting-title", "Winter board meeting")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator("h1")).to_have_text("Console: Winter board meeting")
    meeting = page.url.split("/meetings/")[1].split("/")[0]
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    for title, kind, private in (
        ("Apologies", "apologies", False),
        ("Pooled winter fund", "decision", False),
        ("Quarterly report", "noting", False),
        ("Care contract award", "decision", True),
    ):
        page.get_by_text("Add an item", exact=True).click()
        page.fill("#add-item-title", title)
        page.select_option("#add-item-kind", kind)
        if private:
            page.check("#add-item-private")
        page.get_by_role("button", name="Add the item").click()
        expect(page.locator("tr[data-item]")).not_to_have_count(0)
        expect(page.locator("#running-caption")).to_be_visible()
    items = {
        item["title"]: item["id"]
        for item in api.call(chair, "GET", f"/api/meetings/{meeting}/view")["view"]["agenda"]
    }
    assert list(items) == [
        "Apologies",
        "Pooled winter fund",
        "Quarterly report",
        "Care contract award",
    ]
    rooms = {
        title: api.call(chair, "GET", f"/api/meetings/{meeting}/view")["view"]["items"][i]["room"]
        for title, i in items.items()
    }

    page.locator("#publish-agenda button").click()
    expect(page.locator("#publish-agenda")).to_have_count(0)
    page.locator("#open-meeting button").click()
    expect(page.locator('[data-status="open"]')).to_have_count(1)
    for key in VOTERS:
        row = page.locator(f'tr[data-member="{board.people[key].id}"]')
        row.get_by_role("button", name="Mark").click()
        expect(row.locator("[data-attendance]")).to_have_attribute(
            "data-attendance", "present_in_room"
        )
    expect(page.locator("[data-region=quorum]")).to_contain_text("Quorate.")

    page.get_by_text("Record a declaration").click()
    page.select_option("#declare-member", ben.id)
    page.select_option("#declare-item", items["Pooled winter fund"])
    page.fill("#declare-interest", "Trustee of a bidder")
    page.get_by_role("button", name="Record the declaration").click()
    expect(page.locator("[data-region=declarations]")).to_contain_text("Trustee of a bidder")

    def take(title: str, voters: tuple[str, ...]) -> None:
        item = items[title]
        page.locator(f"#start-{item} button").click()
        expect(page.locator(f'tr.current[data-item="{item}"]')).to_have_count(1)
        if rooms[title]:
            decide(api, board, rooms[title], voters)
        page.locator(f"#close-{item} button").click()
        expect(page.locator(f'tr.status-closed[data-item="{item}"]')).to_have_count(1)

    take("Apologies", ())
    take("Pooled winter fund", ("chair", "vice_chair", "nhs_member"))
    page.get_by_text("Add an action", exact=True).click()
    page.select_option("#action-item", items["Pooled winter fund"])
    page.fill("#action-what", "Sign the fund agreement")
    page.fill("#action-owner", "Olu Officer")
    page.fill("#action-due", "2030-01-31")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("[data-region=actions]")).to_contain_text("Sign the fund agreement")
    page.locator(f"#note-{items['Quarterly report']} button").click()
    expect(page.locator(f'tr[data-item="{items["Quarterly report"]}"]')).to_contain_text("noted")
    take("Care contract award", VOTERS)
    page.locator("#close-meeting button").click()
    expect(page.locator('[data-status="closed"]')).to_have_count(1)

    secretary = new_context()
    sign_in(secretary, server.url, officer)
    minutes = secretary.new_page()
    minutes.goto(f"/meetings/{meeting}/console")
    minutes.fill("#summary-text", "The board agreed the pooled winter fund.")
    minutes.get_by_role("button", name="Save the summary").click()
    expect(minutes.locator("#summary-text")).to_have_value(
        "The board agreed the pooled winter fund."
    )

    # The next meeting approves the minutes with its consent item.
    second = schedule(api, board, "Spring board meeting", days=40)
    page.goto(f"/meetings/{second}/console")
    page.get_by_text("Add an item", exact=True).click()
    page.fill("#add-item-title", "Minutes of the last meeting")
    page.select_option("#add-item-kind", "previous_minutes")
    page.get_by_role("button", name="Add the item").click()
    seen = api.call(chair, "GET", f"/api/meetings/{second}/view")["view"]
    (previous,) = seen["agenda"]
    assert seen["items"][previous["id"]]["approves"] == meeting
    page.locator("#open-meeting button").click()
    expect(page.locator('[data-status="open"]')).to_have_count(1)
    for key in VOTERS:
        run(
            api,
            officer,
            second,
            "mark_attendance",
            {"member": board.people[key].id, "status": "present_in_room"},
        )
    page.locator(f"#start-{previous['id']} button").click()
    decide(api, board, seen["items"][previous["id"]]["room"], VOTERS)
    page.locator(f"#close-{previous['id']} button").click()
    expect(page.locator(f'tr.status-closed[data-item="{previous["id"]}"]')).to_have_count(1)

    public = new_context().new_page()
    public.goto(f"/public/boards/{board.id}")
    public.get_by_role("link", name="Winter board meeting").click()
    expect(public.locator("h1")).to_have_text("Winter board meeting")
    body = public.locator("main")
    expect(body).to_contain_text("Approved minutes")
    expect(body).to_contain_text("The board agreed the pooled winter fund.")
    expect(body).to_contain_text("Trustee of a bidder")
    expect(body).to_contain_text("Sign the fund agreement")
    expect(body).to_contain_text("Taken in private.")
    expect(public.locator(f'a[href="/decisions/{rooms["Pooled winter fund"]}"]')).to_have_count(1)
    assert not axe_violations(public)


def decide(api: Api, board: BoardScene, room: str, voters: tuple[str, ...]) -> None:
    """An item's room through its rounds to consent by ``voters``."""
    chair = board.people["chair"]
    for kind in ROUNDS:
        api.command(chair, room, "open_round", {"round": kind})
        if kind != "consent":
            api.command(chair, room, "close_round")
    for key in voters:
        api.command(board.people[key], room, "answer_consent", {"position": "consent"})
    api.command(chair, room, "close_round")
