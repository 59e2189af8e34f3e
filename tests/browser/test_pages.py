"""Every page in a real browser: axe-core finds no serious or critical violation, nothing
overflows a 360 px phone, forms work without JavaScript, and an asynchronous round closes
at its deadline while the page watches.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import Api, Person, async_deadlines, axe_violations, sign_in
from tests.browser.scenes import busy_room, decided_room
from tests.live.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def check_page(page: Page, path: str, problems: list[str]) -> None:
    """axe-core at a desktop width, then overflow at 360 px; collect problems for the end."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    if page.locator("main[data-live]").count():
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    for violation in axe_violations(page):
        problems.append(
            f"{path}: axe {violation['impact']} {violation['id']} ({violation['help']}) "
            f"at {violation['nodes']}"
        )
    page.set_viewport_size({"width": 360, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        problems.append(f"{path}: {width} px wide at a 360 px viewport")


@pytest.fixture(scope="module")
def people(api: Api) -> dict[str, Person]:
    return {
        "fay": api.sign_up("Fay", "County Council"),
        "ben": api.sign_up("Ben", "Charity Alliance"),
        "cleo": api.sign_up("Cleo", "Health Board"),
        "dev": api.sign_up("Dev", "Charity Alliance"),
    }


def test_every_page_passes_axe_and_fits_a_phone(
    api: Api, server: LiveServer, new_context: Any, people: dict[str, Person]
) -> None:
    problems: list[str] = []
    anonymous = new_context().new_page()
    for path in ("/", "/login", "/register"):
        check_page(anonymous, path, problems)

    fay, ben = people["fay"], people["ben"]
    room = busy_room(api, people)
    decided = decided_room(api, people)
    consent = api.create_room(fay, "Consent room", "Adopt the shared rota.")
    api.join(fay, consent, ben)
    api.command(fay, consent, "open_round", {"round": "surface_conflict"})
    for kind in ("weigh_perspectives", "record_dissent", "consent"):
        api.command(fay, consent, "close_round")
        api.command(fay, consent, "open_round", {"round": kind})
    api.command(ben, consent, "answer_consent", {"position": "object", "text": "No weekend cover."})
    asynchronous = api.create_room(
        fay,
        "Async room",
        "Move the AGM online.",
        mode="asynchronous",
        deadlines=async_deadlines(timedelta(hours=1), timedelta(hours=1)),
    )
    invitation = api.call(
        fay, "POST", f"/api/rooms/{room}/invitations", {"role": "participant", "single_use": True}
    )

    context = new_context()
    sign_in(context, server.url, fay)
    page = context.new_page()
    for path in (
        "/",
        "/rooms/new",
        f"/rooms/{room}",
        f"/rooms/{room}/console",
        f"/rooms/{room}/projector",
        f"/rooms/{consent}",
        f"/rooms/{consent}/console",
        f"/rooms/{decided}",
        f"/rooms/{decided}/projector",
        f"/rooms/{asynchronous}",
        f"/rooms/{asynchronous}/console",
        f"/invitations/{invitation['token']}",
        "/invitations/no-such-invitation",
        f"/rooms/{uuid.uuid4()}",
    ):
        check_page(page, path, problems)
    ben_page = new_context()
    sign_in(ben_page, server.url, ben)
    check_page(ben_page.new_page(), f"/rooms/{room}", problems)
    assert not problems, "\n".join(problems)


def test_an_asynchronous_round_closes_at_its_deadline(
    api: Api, server: LiveServer, new_context: Any, people: dict[str, Person]
) -> None:
    fay, ben = people["fay"], people["ben"]
    room = api.create_room(
        fay,
        "Move the AGM online",
        "Hold this year's AGM online.",
        mode="asynchronous",
        deadlines=async_deadlines(timedelta(seconds=6), timedelta(hours=1)),
    )
    api.join(fay, room, ben)
    context = new_context()
    sign_in(context, server.url, ben)
    page = context.new_page()
    page.goto(f"/rooms/{room}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator('[data-round="surface_conflict"]')).to_be_visible()
    expect(page.locator(".step-open")).to_contain_text("Surface conflict")
    expect(page.locator(".missing")).to_contain_text("Ben has not written a statement.")

    page.locator("#statement-text").fill("Online lets the rural members vote.")
    page.locator("#add-statement button[type=submit]").click()
    expect(page.locator(".statement-text")).to_have_text("Online lets the rural members vote.")
    expect(page.locator(".missing")).not_to_contain_text("Ben has not")

    # Nobody closes it: the deadline does, and the page follows without a reload.
    expect(page.locator('[data-round="weigh_perspectives"]')).to_be_visible(timeout=15_000)
    expect(page.locator(".step-closed")).to_contain_text("Surface conflict")
    expect(page.locator(".step-open")).to_contain_text("Weigh perspectives")
    expect(page.locator(".missing")).to_contain_text("has tabled no perspective")


def test_forms_work_without_javascript(
    api: Api, server: LiveServer, new_context: Any, people: dict[str, Person]
) -> None:
    fay, ben = people["fay"], people["ben"]
    room = api.create_room(fay, "No script", "Keep paper ballots as a fallback.")
    api.join(fay, room, ben)
    api.command(fay, room, "open_round", {"round": "surface_conflict"})
    context = new_context(java_script_enabled=False)
    sign_in(context, server.url, ben)
    page = context.new_page()
    page.goto(f"/rooms/{room}")
    page.locator("#statement-text").fill("Paper works when the network does not.")
    page.locator("#add-statement button[type=submit]").click()
    expect(page.locator(".statement-text")).to_have_text("Paper works when the network does not.")
    expect(page.locator(".notice")).to_contain_text("Done.")

    # A refusal from the server comes back as a clear message.
    page.locator("#statement-text").fill("   ")
    page.locator("#add-statement button[type=submit]").click()
    expect(page.locator("#refusal")).to_contain_text("Please check what you entered")
    page.locator("#raise-speech").click()
    expect(page.locator(".my-place")).to_contain_text("number 1")


def test_creating_a_room_and_joining_by_invitation(
    server: LiveServer, new_context: Any, people: dict[str, Person]
) -> None:
    fay, cleo = people["fay"], people["cleo"]
    context = new_context()
    sign_in(context, server.url, fay)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Create a room").click()
    page.locator("#title").fill("Community garden")
    page.locator("#proposal").fill("Turn the car park corner into a garden.")
    page.locator("#organisation_name").fill("County Council")
    page.locator("#invite").fill("Health Board\nCharity Alliance")
    page.get_by_role("button", name="Create the room").click()
    expect(page.locator("h1")).to_contain_text("Console: Community garden")
    link = page.get_by_label("Invitation link for Health Board").input_value()
    assert "/invitations/" in link

    guest = new_context()
    sign_in(guest, server.url, cleo)
    cleo_page = guest.new_page()
    cleo_page.goto(link)
    cleo_page.get_by_role("button", name="Join the room").click()
    expect(cleo_page.locator("h1")).to_have_text("Community garden")
    expect(cleo_page.locator(".room-head .meta")).to_contain_text("Health Board")


def test_a_participant_can_take_part_by_keyboard_alone(
    api: Api, server: LiveServer, new_context: Any, people: dict[str, Person]
) -> None:
    fay, ben = people["fay"], people["ben"]
    room = api.create_room(fay, "Keyboard", "Publish the minutes within a week.")
    api.join(fay, room, ben)
    api.command(fay, room, "open_round", {"round": "surface_conflict"})
    context = new_context()
    sign_in(context, server.url, ben)
    page = context.new_page()
    page.goto(f"/rooms/{room}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "raise-speech":
            break
    else:
        pytest.fail("Tab never reached the raise-hand button")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.locator(".my-place")).to_contain_text("number 1")
    # The button changed into "Lower my hand" and kept the focus, so Enter undoes it.
    expect(page.locator("#lower-speech")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".my-place")).to_have_count(0)
    expect(page.locator("#raise-speech")).to_be_focused()
