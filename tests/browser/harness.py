"""What the browser tests and `make screenshots` share: chromium, a live server, people.

Everything here is synchronous (Playwright's sync API, httpx): browser tests are plain
sync tests, so no event loop runs while Playwright drives the browser.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LIVE_JS = ROOT / "web" / "static" / "js" / "live.js"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
        args=CHROMIUM_ARGS,
    )


@dataclass
class Person:
    name: str
    email: str
    id: str
    token: str
    organisation: str = ""


class Api:
    """The JSON API as a script uses it (bearer tokens)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=15)

    def close(self) -> None:
        self.http.close()

    def sign_up(self, name: str, organisation: str = "") -> Person:
        email = f"{name.lower().replace(' ', '.')}-{uuid.uuid4().hex[:6]}@example.org"
        response = self.http.post(
            "/api/auth/register",
            json={"email": email, "display_name": name, "password": PASSWORD},
        )
        response.raise_for_status()
        user_id = response.json()["id"]
        self.http.cookies.clear()
        response = self.http.post("/api/auth/token", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        return Person(name, email, user_id, response.json()["token"], organisation)

    def call(self, person: Person, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {person.token}"}, **kw
        )
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        self.http.cookies.clear()
        return response.json() if response.content else None

    def create_room(self, owner: Person, title: str, proposal: str, **extra: Any) -> str:
        body = {
            "title": title,
            "proposal": proposal,
            "organisation_name": owner.organisation,
            **extra,
        }
        return str(self.call(owner, "POST", "/api/rooms", body)["id"])

    def join(self, owner: Person, room: str, person: Person, role: str = "participant") -> None:
        invitation = self.call(
            owner, "POST", f"/api/rooms/{room}/invitations", {"role": role, "single_use": True}
        )
        self.call(
            person,
            "POST",
            f"/api/invitations/{invitation['token']}/accept",
            {"organisation_name": person.organisation or None},
        )

    def command(
        self, person: Person, room: str, name: str, args: Any = None, acting_for: str | None = None
    ) -> Any:
        query = f"?acting_for={acting_for}" if acting_for else ""
        return self.call(person, "POST", f"/api/rooms/{room}/commands/{name}{query}", args or {})


def async_deadlines(first_in: timedelta, then_every: timedelta) -> list[dict[str, str]]:
    now = datetime.now(UTC)
    rounds = ["surface_conflict", "weigh_perspectives", "record_dissent", "consent"]
    return [
        {"round": kind, "closes_at": (now + first_in + then_every * i).isoformat()}
        for i, kind in enumerate(rounds)
    ]


def sign_in(context: Any, base_url: str, person: Person) -> None:
    """Log the browser context in (the API shares the context's cookie jar)."""
    response = context.request.post(
        f"{base_url}/api/auth/login", data={"email": person.email, "password": PASSWORD}
    )
    assert response.ok, response.text()


AXE_BLOCKING = ("serious", "critical")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})); }"
    )
    return [v for v in result if v["impact"] in AXE_BLOCKING]
