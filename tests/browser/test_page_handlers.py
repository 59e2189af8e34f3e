"""The page handlers without a browser, on SQLite and PostgreSQL: who sees which page, and
room commands from plain form posts (the no-JavaScript path), refusals included."""

from __future__ import annotations

from typing import Any

from tests.api import PASSWORD, join, open_room, sign_up


async def signed_in(client: Any, person: Any) -> str:
    """Log the test client in with the session cookie; return its CSRF token."""
    response = await client.post(
        "/api/auth/login", json={"email": person.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    await client.get("/")
    return str(client.cookies.get("csrftoken"))


async def test_room_pages_by_role(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    ben = await sign_up(client, "Ben")
    stranger = await sign_up(client, "Sam")
    room = await open_room(client, fay)
    await join(client, room, fay, ben, "Charity Alliance")

    response = await client.get(f"/rooms/{room}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/rooms/{room}"

    await signed_in(client, ben)
    response = await client.get(f"/rooms/{room}")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert 'data-region="floor"' in response.text
    response = await client.get(f"/rooms/{room}/console")
    assert response.status_code == 303  # participants are sent to the room
    assert (await client.get(f"/rooms/{room}/projector")).status_code == 200

    client.cookies.clear()
    await signed_in(client, fay)
    console = await client.get(f"/rooms/{room}/console")
    assert console.status_code == 200
    assert "Act for someone in the room" in console.text

    client.cookies.clear()
    await signed_in(client, stranger)
    response = await client.get(f"/rooms/{room}")
    assert response.status_code == 404
    assert "No such room" in response.text


async def test_commands_from_forms_and_their_refusals(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    room = await open_room(client, fay)
    csrf = await signed_in(client, fay)
    form = {"_csrf_token": csrf, "next": f"/rooms/{room}/console", "round": "surface_conflict"}

    response = await client.post(f"/rooms/{room}/commands/open_round", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/rooms/{room}/console"
    page = await client.get(f"/rooms/{room}/console")
    assert 'data-round="surface_conflict"' in page.text
    assert "<p>Done.</p>" in page.text

    # Opening it again is refused; the page says why, once.
    await client.post(f"/rooms/{room}/commands/open_round", data=form)
    page = await client.get(f"/rooms/{room}/console")
    assert "<strong>That cannot be done now.</strong>" in page.text
    again = await client.get(f"/rooms/{room}/console")
    assert 'class="refusal"' not in again.text

    # A deadline from a datetime-local field is read as UTC; a bad one is refused clearly.
    await client.post(
        f"/rooms/{room}/commands/set_deadline",
        data={"_csrf_token": csrf, "closes_at": "2000-01-01T10:00", "reason": "earlier"},
    )
    page = await client.get(f"/rooms/{room}")
    assert "<strong>Please check what you entered.</strong>" in page.text

    # Without the CSRF token nothing happens.
    response = await client.post(
        f"/rooms/{room}/commands/close_round", data={"next": f"/rooms/{room}"}
    )
    assert response.status_code == 403


async def test_creating_a_room_from_the_form(client: Any) -> None:
    client.follow_redirects = False
    fay = await sign_up(client, "Fay")
    csrf = await signed_in(client, fay)
    bad = await client.post(
        "/rooms/new",
        data={
            "_csrf_token": csrf,
            "title": "T",
            "proposal": "P",
            "organisation_name": "Council",
            "rules.speaking_cap_percent": "140",
        },
    )
    assert bad.status_code == 422
    assert "Speaking cap: a percentage above 0 and at most 100." in bad.text
    response = await client.post(
        "/rooms/new",
        data={
            "_csrf_token": csrf,
            "title": "Community garden",
            "proposal": "Plant the corner.",
            "organisation_name": "Council",
            "invite": "Health Board\nCharity Alliance\n",
            "mode": "asynchronous",
            "deadline_surface_conflict": "2099-01-01T10:00",
            "deadline_weigh_perspectives": "2099-01-02T10:00",
            "deadline_record_dissent": "2099-01-03T10:00",
            "deadline_consent": "2099-01-04T10:00",
            "rules.speaking_cap_percent": "40",
            "rules.vote_mode": "capped",
            "rules.vote_cap_percent": "40",
            "is_public": "on",
        },
    )
    assert response.status_code == 303, response.text
    console = await client.get(response.headers["location"])
    assert console.text.count("/invitations/") == 2
    rooms = (await client.get("/api/rooms")).json()
    assert [r["mode"] for r in rooms] == ["asynchronous"]
    view = (await client.get(f"/api/rooms/{rooms[0]['id']}/view")).json()["view"]
    assert view["rules"]["speaking_cap"] == "2/5"
    assert view["round"]["current"] == "surface_conflict"
