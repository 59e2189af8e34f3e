"""A whole hybrid meeting in four browsers: the facilitator's console, two remote
participants from different organisations, and the projector. Every action shows up in
the other browsers within a second, without reloading.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import Api, sign_in
from tests.live.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WITHIN_MS = 1000  # the issue: each action shows up in the other contexts within a second
# On a machine busier than its cores (a shared CI runner), allow proportionally longer.
LOAD = min(3.0, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)))


def seen_everywhere(pages: list[Page], locate: Any, started: float) -> float:
    """Wait until ``locate(page)`` is visible on every page; return the slowest delay."""
    for page in pages:
        expect(locate(page)).to_be_visible(timeout=5 * WITHIN_MS)
    elapsed = time.monotonic() - started
    print(f"seen everywhere after {elapsed:.3f} s")
    assert elapsed < WITHIN_MS / 1000 * LOAD, f"took {elapsed:.2f} s (load factor {LOAD:.1f})"
    return elapsed


def live(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


@pytest.fixture
def meeting(api: Api, server: LiveServer, new_context: Any) -> dict[str, Any]:
    fay = api.sign_up("Fay", "County Council")
    ben = api.sign_up("Ben", "Charity Alliance")
    cleo = api.sign_up("Cleo", "Health Board")
    wall = api.sign_up("Wall", "")
    room = api.create_room(
        fay,
        "Shared minibus",
        "Pool the three minibuses into one booking system.",
        rules={"speaking_cap": "2/5", "quorum": {"participants": 2, "organisations": 2}},
    )
    api.join(fay, room, ben)
    api.join(fay, room, cleo)
    api.join(fay, room, wall, role="observer")
    pages = {}
    for key, person, path in (
        ("fay", fay, f"/rooms/{room}/console"),
        ("ben", ben, f"/rooms/{room}"),
        ("cleo", cleo, f"/rooms/{room}"),
        ("wall", wall, f"/rooms/{room}/projector"),
    ):
        context = new_context(viewport={"width": 360, "height": 800} if key == "cleo" else None)
        sign_in(context, server.url, person)
        pages[key] = live(context.new_page(), path)
    return {"room": room, "people": {"fay": fay, "ben": ben, "cleo": cleo}, **pages}


def click(page: Page, selector: str) -> float:
    page.locator(selector).click()
    return time.monotonic()


def test_a_whole_meeting_in_four_browsers(meeting: dict[str, Any]) -> None:
    fay, ben, cleo, wall = meeting["fay"], meeting["ben"], meeting["cleo"], meeting["wall"]
    everyone = [fay, ben, cleo, wall]

    # The facilitator opens the first round.
    t = click(fay, "#open-next")
    seen_everywhere(
        everyone, lambda p: p.locator('[data-region="round"] [data-round="surface_conflict"]'), t
    )
    expect(ben.locator("#announcer")).to_contain_text("Round open: Surface conflict")
    expect(ben.locator(".asks")).to_contain_text("short statements")

    # Ben and Cleo raise their hands; everyone sees the queue and each their own place.
    t = click(ben, "#raise-speech")
    seen_everywhere(
        [fay, cleo, wall],
        lambda p: p.locator('[data-region="floor"] .queue li', has_text="Ben (Charity Alliance)"),
        t,
    )
    expect(ben.locator(".my-place")).to_contain_text("number 1")
    t = click(cleo, "#raise-speech")
    seen_everywhere(
        [fay, ben, wall],
        lambda p: p.locator('[data-region="floor"] .queue li', has_text="Cleo (Health Board)"),
        t,
    )
    expect(cleo.locator(".my-place")).to_contain_text("number 2")

    # The console calls the next speaker: the speaker and the timer show everywhere.
    t = click(fay, "#next-speaker")
    seen_everywhere(
        everyone, lambda p: p.locator("[data-speaker]", has_text="Ben (Charity Alliance)"), t
    )
    expect(wall.locator(".timer-big")).to_have_text(re.compile(r"^(3:00|2:[45]\d)$"))
    expect(ben.get_by_text("You have the floor.")).to_be_visible()
    expect(cleo.locator("#announcer")).to_contain_text("Now speaking: Ben (Charity Alliance)")
    expect(cleo.locator(".my-place")).to_contain_text("number 1")

    # The speaker yields; the floor is free and the share bars moved.
    t = click(ben, "#yield")
    for page in everyone:
        expect(page.locator("[data-speaker]")).to_have_count(0, timeout=5 * WITHIN_MS)
    assert time.monotonic() - t < WITHIN_MS / 1000 * LOAD
    expect(fay.locator(".share", has_text="Charity Alliance")).to_contain_text(
        "100.0% of the floor"
    )
    expect(wall.locator(".share", has_text="Charity Alliance")).to_contain_text("at the cap")

    # Statements and reactions.
    ben.locator("#statement-text").fill("One booking system saves us two drivers.")
    t = click(ben, "#add-statement button[type=submit]")
    seen_everywhere(
        [fay, cleo],
        lambda p: p.locator(".statement-text", has_text="One booking system saves us two drivers."),
        t,
    )
    t = click(cleo, ".statement [id^=react-agree-]")
    seen_everywhere([fay, ben], lambda p: p.get_by_text("agree 1, disagree 0, pass 0"), t)
    expect(cleo.locator(".statement [id^=react-agree-]")).to_have_attribute("aria-pressed", "true")

    # The facilitator acts for Cleo, who raised her hand in the room (hand still up from
    # before, so it is a point of order this time).
    fay.locator("#act-hand-who").select_option(label="Cleo (Health Board)")
    fay.locator("#act-hand-kind").select_option("point_of_order")
    t = click(fay, "#act-hand button[type=submit]")
    seen_everywhere(
        [cleo, ben, wall],
        lambda p: p.locator('[data-region="floor"] .queue li', has_text="Point of order"),
        t,
    )

    # Weigh perspectives.
    click(fay, "#close-round")
    expect(fay.locator("#open-next")).to_contain_text("Weigh perspectives")
    t = click(fay, "#open-next")
    seen_everywhere(everyone, lambda p: p.locator('[data-round="weigh_perspectives"]'), t)
    ben.locator("#perspective-kind").select_option("benefit")
    ben.locator("#perspective-text").fill("Fewer empty seats on rural routes.")
    t = click(ben, "#table-perspective button[type=submit]")
    seen_everywhere(
        [cleo, fay],
        lambda p: p.locator(".perspectives", has_text="Fewer empty seats on rural routes."),
        t,
    )
    cleo.locator("#allocate input[type=number]").first.fill("6")
    t = click(cleo, "#allocate button[type=submit]")
    seen_everywhere([ben, fay], lambda p: p.locator(".perspectives", has_text="6 points"), t)

    # Record dissent.
    click(fay, "#close-round")
    expect(fay.locator("#open-next")).to_contain_text("Record dissent")
    t = click(fay, "#open-next")
    seen_everywhere(everyone, lambda p: p.locator('[data-round="record_dissent"]'), t)
    cleo.locator("#dissent-kind").select_option("minority_view")
    cleo.locator("#dissent-text").fill("Evening routes need their own bus.")
    t = click(cleo, "#record-dissent button[type=submit]")
    seen_everywhere(
        [ben, fay],
        lambda p: p.locator(".dissents", has_text="Evening routes need their own bus."),
        t,
    )

    # Consent: the room refuses to close without quorum, with a clear message.
    click(fay, "#close-round")
    expect(fay.locator("#open-next")).to_contain_text("Consent")
    t = click(fay, "#open-next")
    seen_everywhere(everyone, lambda p: p.locator('[data-round="consent"]'), t)
    ben.locator("label[for=position-consent]").click()
    t = click(ben, "#answer-consent button[type=submit]")
    seen_everywhere([fay], lambda p: p.locator(".counts", has_text="Consent: 1"), t)
    click(fay, "#close-round")
    expect(fay.locator("#refusal")).to_contain_text("No quorum yet", timeout=WITHIN_MS * LOAD)
    cleo.locator("label[for=position-concern]").click()
    cleo.locator("#consent-text").fill("Keep the evening service under review.")
    t = click(cleo, "#answer-consent button[type=submit]")
    seen_everywhere(
        [fay, ben], lambda p: p.locator(".counts", has_text="Consent with a concern: 1"), t
    )

    # The decision shows in every browser, on the projector as the result.
    t = click(fay, "#close-round")
    seen_everywhere(everyone, lambda p: p.locator('[data-outcome="consented_with_concerns"]'), t)
    expect(fay.locator("#refusal")).to_be_empty()
    # Nothing above reloaded a page: the live client kept one socket per page.
    for page in everyone:
        assert page.evaluate("window.evenfloorLive.connected")


def test_a_dropped_connection_catches_up_without_reloading(
    api: Api, server: LiveServer, new_context: Any
) -> None:
    fay = api.sign_up("Fay", "County Council")
    ben = api.sign_up("Ben", "Charity Alliance")
    room = api.create_room(fay, "Library hours", "Open the library on Sundays.")
    api.join(fay, room, ben)
    api.command(fay, room, "open_round", {"round": "surface_conflict"})
    context = new_context()
    sign_in(context, server.url, ben)
    page = live(context.new_page(), f"/rooms/{room}")
    page.evaluate("window.sameDocument = true")

    # The network goes away in the middle of the meeting.
    context.set_offline(True)
    page.evaluate("window.evenfloorLive.drop()")
    expect(page.locator("#connection")).not_to_have_attribute("data-state", "live")
    api.command(fay, room, "add_statement", {"text": "Sunday staff need weekday rest."})
    api.command(fay, room, "raise_hand", {"kind": "speech"})
    page.wait_for_timeout(500)
    expect(page.locator(".statement-text")).to_have_count(0)

    # It comes back: the page reconnects by itself and catches up on what it missed.
    context.set_offline(False)
    expect(page.locator("#connection")).to_have_attribute("data-state", "caught_up", timeout=10_000)
    expect(page.locator(".statement-text")).to_have_text("Sunday staff need weekday rest.")
    expect(page.locator('[data-region="floor"] .queue')).to_contain_text("Fay (County Council)")
    assert page.evaluate("window.sameDocument") is True  # no reload

    # And it stays live afterwards.
    api.command(fay, room, "next_speaker")
    expect(page.locator("[data-speaker]")).to_have_text(
        "Fay (County Council)", timeout=WITHIN_MS * LOAD
    )


def test_the_last_minute_is_announced(api: Api, server: LiveServer, new_context: Any) -> None:
    fay = api.sign_up("Fay", "County Council")
    room = api.create_room(
        fay, "Short speeches", "Keep it brief.", rules={"speech_limit_ms": 62_000}
    )
    context = new_context()
    sign_in(context, server.url, fay)
    page = live(context.new_page(), f"/rooms/{room}/projector")
    api.command(fay, room, "raise_hand", {"kind": "speech"})
    api.command(fay, room, "next_speaker")
    expect(page.locator(".timer-big")).to_have_text(re.compile(r"^[01]:\d\d$"), timeout=3000)
    expect(page.locator("#urgent")).to_have_text("One minute left for the speaker.", timeout=6000)
    expect(page.locator(".timer-big")).to_have_class(re.compile("last-minute"))
