"""Notifications end to end: rooms and invitations queue rows, the app's sender delivers
them to a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from server.notifications.tables import Notification
from tests.api import join, open_room, sign_up
from tests.conftest import make_settings
from tests.mailbox import SmtpServer

PUBLIC = "http://evenfloor.test"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def app(database_url: str, clock: Any, smtp: SmtpServer, tmp_path: Any) -> Any:
    from server.app import create_app

    settings = make_settings(
        database_url,
        public_url=PUBLIC,
        notify_poll_s=0.05,
        notify_digest_every_s=3600,
        notify_digest_check_s=0.1,
        notify_render_workers=0,  # test_notifications_templates covers the render process
        smtp_from="Evenfloor <notices@evenfloor.test>",
        mail_dir=tmp_path / "mail",
        **smtp.settings(),
    )
    return create_app(settings, clock=clock)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


async def wait_mail(smtp: SmtpServer, count: int, timeout: float = 60.0) -> list[EmailMessage]:
    end = asyncio.get_running_loop().time() + timeout
    while len(smtp.mailbox.messages) < count:
        if asyncio.get_running_loop().time() > end:
            subjects = [m["Subject"] for m in smtp.mailbox.messages]
            raise AssertionError(f"{len(subjects)} of {count} messages arrived: {subjects}")
        await asyncio.sleep(0.05)
    return list(smtp.mailbox.messages)


async def rows(db: Any, **where: Any) -> list[Notification]:
    async with db() as session:
        query = select(Notification).order_by(Notification.created_at)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list((await session.scalars(query)).all())


def deadlines(clock: Any, hours: list[int]) -> list[dict[str, str]]:
    rounds = ["surface_conflict", "weigh_perspectives", "record_dissent", "consent"]
    return [
        {"round": name, "closes_at": (clock.now() + timedelta(hours=h)).isoformat()}
        for name, h in zip(rounds, hours, strict=True)
    ]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


async def test_an_invitation_with_an_address_is_emailed_with_its_link(
    client: Any, smtp: SmtpServer, db: Any
) -> None:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada, title="Minibus for the valley")
    response = await client.post(
        f"/api/rooms/{room_id}/invitations",
        json={"role": "participant", "email": "newcomer@example.org"},
        headers=ada.headers,
    )
    assert response.status_code == 201, response.text
    link = response.json()["url"]
    [message] = await wait_mail(smtp, 1)
    assert message["To"] == "newcomer@example.org"
    assert message["From"] == "Evenfloor <notices@evenfloor.test>"
    assert "Minibus for the valley" in message["Subject"]
    assert link in text_of(message)
    assert link in html_of(message)
    assert "Ada" in text_of(message)
    [row] = await rows(db, kind="invitation")
    assert message["Message-ID"] == row.message_id == f"<{row.id.hex}@evenfloor.test>"
    assert message["X-Evenfloor-Notification"] == str(row.id)
    # An address without an account has no preferences: no unsubscribe header.
    assert message["List-Unsubscribe"] is None

    # Delivered, the admitting link leaves the outbox.
    async def settled() -> bool:
        return (await rows(db, kind="invitation"))[0].status == "sent"

    await wait_until(settled)
    assert (await rows(db, kind="invitation"))[0].payload["link"] == ""


async def test_a_bad_address_is_refused_before_anything_is_stored(client: Any, db: Any) -> None:
    ada = await sign_up(client, "Ada")
    room_id = await open_room(client, ada)
    response = await client.post(
        f"/api/rooms/{room_id}/invitations",
        json={"role": "participant", "email": "not an address"},
        headers=ada.headers,
    )
    assert response.status_code == 400, response.text
    assert "email" in response.text
    assert await rows(db) == []


async def wait_until(predicate: Any, timeout: float = 60.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > end:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_rounds_closing_and_opening_at_deadlines_reach_every_member(
    client: Any, clock: Any, smtp: SmtpServer, db: Any
) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(
        client,
        ada,
        title="Valley minibus",
        mode="asynchronous",
        deadlines=deadlines(clock, [24, 48, 72, 96]),
    )
    await join(client, room_id, ada, ben, "Charity")
    clock.advance(hours=24, minutes=1)  # the first round closes; the second opens
    messages = await wait_mail(smtp, 4)
    for person in (ada, ben):
        subjects = sorted(str(m["Subject"]) for m in smtp.mailbox.to(person.email))
        assert subjects == [
            "A round closed in Valley minibus",
            "A round opened in Valley minibus",
        ], subjects
    opened = next(m for m in messages if "opened" in str(m["Subject"]))
    assert "Weigh perspectives" in text_of(opened)
    assert f"{PUBLIC}/rooms/{room_id}" in text_of(opened)
    # Each member has both as unread in-app items.
    response = await client.get("/api/notifications", headers=ben.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["unread"] == 2
    assert {item["kind"] for item in body["items"]} == {"round_opened", "round_closed"}
    response = await client.post(
        "/api/notifications/read", json={"ids": [body["items"][0]["id"]]}, headers=ben.headers
    )
    assert response.json() == {"unread": 1}
    # Someone else's ids mark nothing of theirs.
    response = await client.post(
        "/api/notifications/read", json={"ids": [body["items"][1]["id"]]}, headers=ada.headers
    )
    assert response.json()["unread"] == 2
    assert (await client.get("/api/notifications", headers=ben.headers)).json()["unread"] == 1


async def test_reminders_go_only_to_members_who_have_not_taken_part(
    client: Any, clock: Any, smtp: SmtpServer, db: Any
) -> None:
    ada, ben, cy = (
        await sign_up(client, "Ada"),
        await sign_up(client, "Ben"),
        await sign_up(client, "Cy"),
    )
    room_id = await open_room(
        client,
        ada,
        title="Valley minibus",
        mode="asynchronous",
        deadlines=deadlines(clock, [48, 72, 96, 120]),
    )
    await join(client, room_id, ada, ben, "Charity")
    await join(client, room_id, ada, cy, "Parish")
    response = await client.post(
        f"/api/rooms/{room_id}/commands/add_statement",
        json={"text": "The minibus must reach the farms."},
        headers=ben.headers,
    )
    assert response.status_code == 200, response.text
    clock.advance(hours=24, minutes=1)  # the 24 h reminder is due; the round is still open
    await wait_mail(smtp, 2)
    await asyncio.sleep(0.3)  # nothing else is on its way
    reminded = sorted(str(m["To"]) for m in smtp.mailbox.messages)
    assert reminded == sorted([f"Ada <{ada.email}>", f"Cy <{cy.email}>"])
    [message] = smtp.mailbox.to(cy.email)
    assert message["Subject"] == "Reminder: Valley minibus closes soon"
    assert "you have not taken part yet" in text_of(message)
    # The statement's text is nobody's business in an email.
    assert "farms" not in text_of(message)
    assert "farms" not in html_of(message)
    # Cy takes part; the 1 h reminder then goes to Ada alone.
    response = await client.post(
        f"/api/rooms/{room_id}/commands/add_statement",
        json={"text": "Evenings too."},
        headers=cy.headers,
    )
    assert response.status_code == 200, response.text
    clock.advance(hours=23)
    await wait_mail(smtp, 3)
    await asyncio.sleep(0.3)
    assert [str(m["To"]) for m in smtp.mailbox.messages[2:]] == [f"Ada <{ada.email}>"]


async def test_a_bounce_is_recorded_and_shown_to_facilitators_only(
    client: Any, smtp: SmtpServer, db: Any
) -> None:
    smtp.mailbox.refuse["gone@example.org"] = "550 5.1.1 no such user here"
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    response = await client.post(
        f"/api/rooms/{room_id}/invitations",
        json={"email": "gone@example.org"},
        headers=ada.headers,
    )
    assert response.status_code == 201

    async def failed() -> bool:
        found = await rows(db, kind="invitation")
        return bool(found) and found[0].status == "failed"

    await wait_until(failed)
    [row] = await rows(db, kind="invitation")
    assert row.attempts == 1  # a 5xx is final: no retry
    assert "550" in (row.last_error or "")
    response = await client.get(f"/api/rooms/{room_id}/notifications/failures", headers=ada.headers)
    assert response.status_code == 200
    [shown] = response.json()
    assert shown["recipient"] == "gone@example.org"
    assert shown["status"] == "failed"
    assert "no such user" in shown["error"]
    response = await client.get(f"/api/rooms/{room_id}/notifications/failures", headers=ben.headers)
    assert response.status_code == 403
    page = await client.get(f"/rooms/{room_id}/notifications", headers=ada.headers)
    assert page.status_code == 200
    assert "gone@example.org" in page.text
    assert "no such user" in page.text
    # Retrying (after fixing the mail server's mind) sends it.
    del smtp.mailbox.refuse["gone@example.org"]
    response = await client.post(
        f"/api/rooms/{room_id}/notifications/{row.id}/retry", headers=ada.headers
    )
    assert response.status_code == 200
    [message] = await wait_mail(smtp, 1)
    assert message["Message-ID"] == row.message_id
    response = await client.post(
        f"/api/rooms/{room_id}/notifications/{row.id}/retry", headers=ada.headers
    )
    assert response.status_code == 404  # only failed rows can be retried


async def test_preferences_turn_kinds_off_or_into_a_daily_digest(
    client: Any, clock: Any, smtp: SmtpServer, db: Any
) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    response = await client.put(
        "/api/notifications/preferences",
        json={"kinds": {"round_opened": "off", "round_closed": "digest"}},
        headers=ben.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["kinds"]["round_opened"] == "off"
    assert response.json()["kinds"]["decision_reached"] == "instant"
    response = await client.put(
        "/api/notifications/preferences", json={"kinds": {"gossip": "off"}}, headers=ben.headers
    )
    assert response.status_code == 400
    assert "gossip" in response.text
    response = await client.put(
        "/api/notifications/preferences",
        json={"kinds": {"round_opened": "loud"}},
        headers=ben.headers,
    )
    assert response.status_code == 400
    room_id = await open_room(
        client,
        ada,
        title="Valley minibus",
        mode="asynchronous",
        deadlines=deadlines(clock, [24, 48, 72, 96]),
    )
    await join(client, room_id, ada, ben, "Charity")
    clock.advance(hours=24, minutes=1)
    await wait_mail(smtp, 2)  # Ada's two
    await asyncio.sleep(0.3)
    assert [m["Subject"] for m in smtp.mailbox.to(ben.email)] == []

    async def held() -> bool:
        return [
            r.status
            for r in await rows(db, kind="round_closed", channel="email")
            if str(r.user_id) == ben.id
        ] == ["held"]

    await wait_until(held)
    skipped = [
        r for r in await rows(db, kind="round_opened", channel="email") if str(r.user_id) == ben.id
    ]
    assert [r.status for r in skipped] == ["skipped"]
    # In-app items ignore email preferences.
    assert (await client.get("/api/notifications", headers=ben.headers)).json()["unread"] == 2
    clock.advance(hours=1, minutes=1)  # a digest period (an hour here) later
    [digest] = await _digest(smtp, ben.email)
    assert digest["Subject"] == "Your Evenfloor digest: 1 update"
    assert "A round closed in Valley minibus" in text_of(digest)


async def _digest(smtp: SmtpServer, address: str, timeout: float = 60.0) -> list[EmailMessage]:
    end = asyncio.get_running_loop().time() + timeout
    while not smtp.mailbox.to(address):
        if asyncio.get_running_loop().time() > end:
            raise AssertionError("no digest")
        await asyncio.sleep(0.1)
    return smtp.mailbox.to(address)


async def test_one_click_unsubscribe_needs_no_login_and_a_forged_link_does_nothing(
    client: Any, clock: Any, smtp: SmtpServer, db: Any
) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(
        client,
        ada,
        title="Valley minibus",
        mode="asynchronous",
        deadlines=deadlines(clock, [24, 48, 72, 96]),
    )
    await join(client, room_id, ada, ben, "Charity")
    clock.advance(hours=24, minutes=1)
    await wait_mail(smtp, 4)
    message = next(m for m in smtp.mailbox.to(ben.email) if "opened" in str(m["Subject"]))
    header = str(message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.startswith(f"<{PUBLIC}/unsubscribe/")
    assert header.endswith(">")
    path = header[1:-1].removeprefix(PUBLIC)
    assert path in text_of(message).replace(PUBLIC, "")
    client.cookies.clear()
    # A GET (a link scanner) only shows the button.
    page = await client.get(path)
    assert page.status_code == 200
    assert "A round opened" in page.text
    prefs = (await client.get("/api/notifications/preferences", headers=ben.headers)).json()
    assert prefs["kinds"]["round_opened"] == "instant"
    client.cookies.clear()
    # RFC 8058: the mail provider POSTs this body, with no cookie and no CSRF token.
    response = await client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    prefs = (await client.get("/api/notifications/preferences", headers=ben.headers)).json()
    assert prefs["kinds"]["round_opened"] == "off"
    assert prefs["kinds"]["round_closed"] == "instant"  # only the kind of that message
    # A token for Ada made by changing Ben's id is refused.
    token = path.rsplit("/", 1)[1]
    forged = f"{uuid.UUID(ada.id).hex}.{token.split('.', 1)[1]}"
    client.cookies.clear()
    response = await client.post(
        f"/unsubscribe/{forged}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 404
    prefs = (await client.get("/api/notifications/preferences", headers=ada.headers)).json()
    assert prefs["kinds"]["round_opened"] == "instant"


async def test_facilitators_set_the_reminder_offsets_of_their_room(client: Any) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada)
    await join(client, room_id, ada, ben, "Charity")
    url = f"/api/rooms/{room_id}/notifications/settings"
    assert (await client.get(url, headers=ben.headers)).json() == {
        "reminder_offsets_s": [86400, 3600]
    }
    response = await client.put(url, json={"reminder_offsets_s": [600, 7200]}, headers=ada.headers)
    assert response.status_code == 200
    assert (await client.get(url, headers=ben.headers)).json()["reminder_offsets_s"] == [7200, 600]
    response = await client.put(url, json={"reminder_offsets_s": [5]}, headers=ada.headers)
    assert response.status_code == 400
    assert "60 seconds" in response.text
    response = await client.put(url, json={"reminder_offsets_s": [600]}, headers=ben.headers)
    assert response.status_code == 403
