"""The outbox across real server processes: kill -9 in the middle of an SMTP conversation
loses nothing and repeats at most the message in flight, with its Message-ID; unread
counts reach members' sockets, from whichever process wrote the event."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.live.client import RoomClient, http_json, sign_up_live
from tests.live.server import LiveServer
from tests.mailbox import Mailbox, SmtpServer

INVITATIONS = 40
OUTBOX_ENV = {
    "EVENFLOOR_NOTIFY_POLL_S": "0.1",
    "EVENFLOOR_NOTIFY_BATCH": "5",
    # A crashed sender's claim runs out this fast (five minutes in production).
    "EVENFLOOR_NOTIFY_LEASE_S": "3",
    "EVENFLOOR_SMTP_FROM": "Evenfloor <notices@evenfloor.test>",
}


@pytest.fixture(params=["postgres", "sqlite"])
def outbox_database_url(request: pytest.FixtureRequest) -> str:
    name = "postgres_url" if request.param == "postgres" else "sqlite_file_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def two_mailboxes() -> Iterator[tuple[SmtpServer, SmtpServer]]:
    """Two SMTP ports sharing one store, one per server process, so the test knows which
    process is talking (and stalls the one it is about to kill)."""
    store: list[EmailMessage] = []
    with SmtpServer(Mailbox(store, "one")) as one, SmtpServer(Mailbox(store, "two")) as two:
        yield one, two


async def _count_rows(database_url: str, **where: Any) -> dict[str, int]:
    from server.db.engine import create_engine
    from server.notifications.tables import Notification

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(Notification.status, func.count()).group_by(Notification.status)
            for name, value in where.items():
                query = query.where(getattr(Notification, name) == value)
            return {status: n for status, n in (await connection.execute(query)).all()}
    finally:
        await engine.dispose()


async def _until(predicate: Any, timeout: float, what: str) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_kill_9_mid_send_loses_nothing_and_repeats_at_most_the_message_in_flight(
    outbox_database_url: str, two_mailboxes: tuple[SmtpServer, SmtpServer]
) -> None:
    url = outbox_database_url
    smtp_one, smtp_two = two_mailboxes
    postgres = url.startswith("postgresql")
    # Both mail servers take the first message of each process and then hold back the reply.
    smtp_one.mailbox.stall.set()
    smtp_two.mailbox.stall.set()
    one = LiveServer(url, env={**OUTBOX_ENV, **smtp_one.env()}).start()
    # SQLite serves one process: the second starts after the first is killed.
    two = LiveServer(url, env={**OUTBOX_ENV, **smtp_two.env()}) if postgres else None
    if two is not None:
        two.start()
    try:
        _pid, token = await sign_up_live(one.url, "Ada")
        room = await http_json(
            one.url,
            "POST",
            "/api/rooms",
            token,
            {"title": "Valley minibus", "proposal": "Share it.", "organisation_name": "Council"},
        )
        for n in range(INVITATIONS):
            await http_json(
                one.url,
                "POST",
                f"/api/rooms/{room['id']}/invitations",
                token,
                {"role": "participant", "email": f"guest{n}@example.org"},
            )
        await _until(smtp_one.mailbox.stalled.is_set, 20, "process one to be mid-send")
        if two is not None:
            await _until(smtp_two.mailbox.stalled.is_set, 20, "process two to be mid-send")
        [in_flight] = smtp_one.mailbox.mine  # taken, but its 250 never reached process one
        one.kill()  # kill -9 while the mail server holds its reply back
        smtp_one.mailbox.release()
        smtp_two.mailbox.release()
        if two is None:
            two = LiveServer(url, env={**OUTBOX_ENV, **smtp_two.env()}).start()
        store = smtp_two.mailbox.messages  # shared by both mail servers

        def everyone_has_theirs() -> bool:
            return len({str(m["To"]) for m in store}) == INVITATIONS

        await _until(everyone_has_theirs, 60, "every invitation to arrive")
        await asyncio.sleep(1.0)  # a late duplicate would show up by now
        copies = Counter(str(m["X-Evenfloor-Notification"]) for m in store)
        assert len(copies) == INVITATIONS
        repeated = {nid for nid, n in copies.items() if n > 1}
        # At most the one message process one was sending when it died, exactly twice ...
        assert all(n <= 2 for n in copies.values()), copies
        # (here exactly it: its row was never marked, so the survivor had to send it again)
        assert repeated == {str(in_flight["X-Evenfloor-Notification"])}
        # ... and a repeat carries the Message-ID of the first copy: each notification has
        # one Message-ID, and no two notifications share one.
        ids: dict[str, set[str]] = {}
        for message in store:
            ids.setdefault(str(message["X-Evenfloor-Notification"]), set()).add(
                str(message["Message-ID"])
            )
        assert all(len(found) == 1 for found in ids.values())
        assert len({next(iter(found)) for found in ids.values()}) == INVITATIONS

        # Nothing lost in the table either: every row ends sent.
        async def all_sent() -> bool:
            return await _count_rows(url, kind="invitation") == {"sent": INVITATIONS}

        end = asyncio.get_running_loop().time() + 20
        while not await all_sent():
            assert asyncio.get_running_loop().time() < end, await _count_rows(url)
            await asyncio.sleep(0.1)
    finally:
        one.stop()
        if two is not None:
            two.stop()


async def test_the_unread_count_is_pushed_to_members_sockets(
    outbox_database_url: str, two_mailboxes: tuple[SmtpServer, SmtpServer]
) -> None:
    url = outbox_database_url
    smtp_one, smtp_two = two_mailboxes
    one = LiveServer(url, env={**OUTBOX_ENV, **smtp_one.env()}).start()
    # On PostgreSQL Ben's socket is on another process than the one that writes the event.
    two = (
        LiveServer(url, env={**OUTBOX_ENV, **smtp_two.env()}).start()
        if url.startswith("postgresql")
        else one
    )
    try:
        _ada_id, ada_token = await sign_up_live(one.url, "Ada")
        _ben_id, ben_token = await sign_up_live(one.url, "Ben")
        start = datetime.now(UTC)
        rounds = ["surface_conflict", "weigh_perspectives", "record_dissent", "consent"]
        room = await http_json(
            one.url,
            "POST",
            "/api/rooms",
            ada_token,
            {
                "title": "Valley minibus",
                "proposal": "Share it.",
                "organisation_name": "Council",
                "mode": "asynchronous",
                "deadlines": [
                    {"round": r, "closes_at": (start + timedelta(seconds=4 + 3600 * i)).isoformat()}
                    for i, r in enumerate(rounds)
                ],
            },
        )
        invitation = await http_json(
            one.url, "POST", f"/api/rooms/{room['id']}/invitations", ada_token, {}
        )
        await http_json(
            one.url,
            "POST",
            f"/api/invitations/{invitation['token']}/accept",
            ben_token,
            {"organisation_name": "Charity"},
        )
        ben = await RoomClient.open(two.ws_url, room["id"], ben_token)
        try:
            # The first round closes at its deadline and the next opens: two new items.
            end = asyncio.get_running_loop().time() + 20
            while True:
                frame = await ben.next_frame(
                    timeout=max(0.1, end - asyncio.get_running_loop().time())
                )
                if frame["type"] == "notifications":
                    break
            assert frame == {"type": "notifications", "unread": 2}
            listed = await http_json(two.url, "GET", "/api/notifications", ben_token)
            assert listed["unread"] == 2
            assert {i["kind"] for i in listed["items"]} == {"round_closed", "round_opened"}
        finally:
            await ben.close()
    finally:
        one.stop()
        if two is not one:
            two.stop()
