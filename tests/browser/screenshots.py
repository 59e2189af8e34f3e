"""`make screenshots`: PNGs of every page into docs/screenshots/.

Starts its own server on a fresh SQLite file, builds rooms in telling states over the API,
and photographs each page with Debian's chromium (desktop and a 360 px phone).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from tests.browser.harness import ROOT, Api, async_deadlines, chromium_available, launch, sign_in
from tests.browser.meeting_scenes import approved_meeting, make_board, meeting_in_progress
from tests.browser.scenes import busy_room, decided_room
from tests.conftest import migrate
from tests.live.server import LiveServer

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 780}


def main() -> int:
    if not chromium_available():
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'screens.db'}"
        migrate(url)
        server = LiveServer(url).start()
        api = Api(server.url)
        try:
            people = {
                "fay": api.sign_up("Fay Okafor", "County Council"),
                "ben": api.sign_up("Ben Hughes", "Charity Alliance"),
                "cleo": api.sign_up("Cleo Marsh", "Health Board"),
                "dev": api.sign_up("Dev Patel", "Charity Alliance"),
            }
            room = busy_room(api, people)
            decided = decided_room(api, people)
            fay = people["fay"]
            asynchronous = api.create_room(
                fay,
                "Move the AGM online",
                "Hold this year's annual general meeting online, with postal votes kept.",
                mode="asynchronous",
                deadlines=async_deadlines(timedelta(days=1), timedelta(days=2)),
            )
            api.join(fay, asynchronous, people["ben"])
            api.command(
                people["ben"],
                asynchronous,
                "add_statement",
                {"text": "Online lets the rural members take part."},
            )
            invitation = api.call(
                fay, "POST", f"/api/rooms/{room}/invitations", {"role": "participant"}
            )
            board = make_board(api)
            meeting, _items = meeting_in_progress(api, board)
            approved, _next = approved_meeting(api, board)
            people.update({f"board-{key}": person for key, person in board.people.items()})
            shots = [
                ("home", None, "/", DESKTOP),
                ("login", None, "/login", DESKTOP),
                ("register", None, "/register", DESKTOP),
                ("my-rooms", "fay", "/", DESKTOP),
                ("create-room", "fay", "/rooms/new", DESKTOP),
                ("invitation", "cleo", f"/invitations/{invitation['token']}", DESKTOP),
                ("participant-room", "ben", f"/rooms/{room}", DESKTOP),
                ("participant-room-phone", "cleo", f"/rooms/{room}", PHONE),
                ("console", "fay", f"/rooms/{room}/console", DESKTOP),
                ("projector", "fay", f"/rooms/{room}/projector", DESKTOP),
                ("async-room", "ben", f"/rooms/{asynchronous}", DESKTOP),
                ("decision", "ben", f"/rooms/{decided}", DESKTOP),
                ("projector-decision", "fay", f"/rooms/{decided}/projector", DESKTOP),
                ("board", "board-chair", f"/boards/{board.id}", DESKTOP),
                ("meeting", "board-voting_member", f"/meetings/{meeting}", DESKTOP),
                ("meeting-phone", "board-voting_member", f"/meetings/{meeting}", PHONE),
                ("meeting-console", "board-officer", f"/meetings/{meeting}/console", DESKTOP),
                ("meeting-projector", "board-chair", f"/meetings/{meeting}/projector", DESKTOP),
                ("public-minutes", None, f"/public/meetings/{approved}", DESKTOP),
            ]
            with sync_playwright() as playwright:
                browser = launch(playwright)
                contexts = {}
                for name, who, path, viewport in shots:
                    key = (who, viewport["width"])
                    if key not in contexts:
                        contexts[key] = browser.new_context(
                            base_url=server.url, viewport=viewport, device_scale_factor=1
                        )
                        if who:
                            sign_in(contexts[key], server.url, people[who])
                    page = contexts[key].new_page()
                    page.goto(path)
                    if page.locator("main[data-live]").count():
                        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                    page.close()
                    print(f"docs/screenshots/{name}.png")
                browser.close()
        finally:
            api.close()
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
