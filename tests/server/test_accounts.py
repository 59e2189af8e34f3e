"""Accounts: registration, login, sessions, tokens, CSRF on forms."""

from __future__ import annotations

from typing import Any

from tests.api import PASSWORD, sign_up


async def test_register_then_me_through_the_session_cookie(client: Any) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "Ada@Example.org", "display_name": "Ada", "password": PASSWORD},
    )
    assert response.status_code == 201
    me = await client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.org"


async def test_passwords_are_stored_as_argon2_hashes(client: Any, db: Any) -> None:
    from sqlalchemy import select

    from server.db.tables import User

    await sign_up(client, "Ada")
    async with db() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


async def test_a_second_account_with_the_same_email_is_refused(client: Any) -> None:
    await sign_up(client, "Ada")
    response = await client.post(
        "/api/auth/register",
        json={"email": "ada@example.org", "display_name": "Other", "password": PASSWORD},
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["message"]


async def test_a_short_password_is_refused_with_the_field_named(client: Any) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "b@example.org", "display_name": "B", "password": "short"},
    )
    assert response.status_code == 400
    assert "password" in response.text


async def test_a_wrong_password_is_refused_and_signs_nobody_in(client: Any) -> None:
    await sign_up(client, "Ada")
    response = await client.post(
        "/api/auth/login", json={"email": "ada@example.org", "password": "nope-nope-nope"}
    )
    assert response.status_code == 401
    assert (await client.get("/api/me")).status_code == 401


async def test_logout_ends_the_session(client: Any) -> None:
    await sign_up(client, "Ada")
    await client.post("/api/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert (await client.get("/api/me")).status_code == 200
    csrf = client.cookies.get("csrftoken") or (await client.get("/login")).cookies.get("csrftoken")
    response = await client.post("/api/auth/logout", headers={"x-csrftoken": csrf or ""})
    assert response.status_code == 204
    assert (await client.get("/api/me")).status_code == 401


async def test_an_api_token_authenticates_without_cookies(client: Any) -> None:
    ada = await sign_up(client, "Ada")
    client.cookies.clear()
    me = await client.get("/api/me", headers=ada.headers)
    assert me.status_code == 200
    assert me.json()["id"] == ada.id
    bad = await client.get("/api/me", headers={"Authorization": "Bearer ef_forged"})
    assert bad.status_code == 401


async def test_a_form_post_without_a_csrf_token_is_refused(client: Any) -> None:
    response = await client.post(
        "/register",
        data={"email": "c@example.org", "display_name": "C", "password": PASSWORD},
    )
    assert response.status_code == 403
    from_api = await client.post(
        "/api/auth/token", json={"email": "c@example.org", "password": PASSWORD}
    )
    assert from_api.status_code == 401  # nothing was written: the account does not exist


async def test_the_register_form_with_its_csrf_token_signs_in(client: Any) -> None:
    page = await client.get("/register")
    assert page.status_code == 200
    token = client.cookies.get("csrftoken")
    assert token
    response = await client.post(
        "/register",
        data={
            "email": "d@example.org",
            "display_name": "D",
            "password": PASSWORD,
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert (await client.get("/api/me")).json()["email"] == "d@example.org"


async def test_login_redirects_only_to_same_site_paths(client: Any) -> None:
    await sign_up(client, "Ada")
    await client.get("/login")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": PASSWORD,
            "next": "//evil.example/",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
