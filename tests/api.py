"""Test helpers that speak the public HTTP API, like a script would (bearer tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PASSWORD = "correct horse battery"


@dataclass
class Person:
    name: str
    email: str
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def sign_up(client: Any, name: str) -> Person:
    email = f"{name.lower().replace(' ', '.')}@example.org"
    response = await client.post(
        "/api/auth/register", json={"email": email, "display_name": name, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    response = await client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    client.cookies.clear()
    return Person(name=name, email=email, id=user_id, token=response.json()["token"])


async def open_room(
    client: Any, owner: Person, organisation: str = "County Council", **fields: Any
) -> str:
    body = {
        "title": "Community transport",
        "proposal": "Fund a shared minibus.",
        "organisation_name": organisation,
    }
    body.update(fields)
    response = await client.post("/api/rooms", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def join(
    client: Any,
    room_id: str,
    facilitator: Person,
    person: Person,
    organisation: str | None,
    role: str = "participant",
) -> None:
    response = await client.post(
        f"/api/rooms/{room_id}/invitations", json={"role": role}, headers=facilitator.headers
    )
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    response = await client.post(
        f"/api/invitations/{token}/accept",
        json={"organisation_name": organisation},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text


async def command(
    client: Any,
    room_id: str,
    person: Person,
    name: str,
    args: dict[str, Any] | None = None,
    **kw: Any,
) -> Any:
    headers = dict(person.headers)
    if "key" in kw:
        headers["Idempotency-Key"] = kw.pop("key")
    return await client.post(
        f"/api/rooms/{room_id}/commands/{name}", json=args or {}, headers=headers, **kw
    )
