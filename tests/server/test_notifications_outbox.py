"""The outbox's own guarantees, driven step by step with a manual clock: claims never
overlap, leases run out, retries back off, refusals are final, rows commit with their
events, webhooks are signed; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import deliberation
from server.clock import ManualClock
from server.notifications import outbox
from server.notifications.outbox import Outgoing
from server.notifications.render import Templates
from server.notifications.sender import Policy, Sender
from server.notifications.tables import Notification
from server.notifications.transports import FolderMailer, SmtpMailer
from server.notifications.webhooks import SIGNATURE_HEADER, verify_signature
from server.rooms.codec import command_from_wire
from server.rooms.service import RoomService
from tests.api import join, open_room, sign_up
from tests.conftest import make_settings
from tests.mailbox import SmtpServer

SENDER = "Evenfloor <notices@evenfloor.test>"
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def app(database_url: str, clock: Any, smtp: SmtpServer) -> Any:
    """The app without its own sender: the tests run senders themselves."""
    from server.app import create_app

    settings = make_settings(
        database_url, notify_enabled=False, smtp_from=SENDER, **smtp.settings()
    )
    return create_app(settings, clock=clock)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def templates() -> Templates:
    return Templates(TEMPLATES, "http://evenfloor.test", SENDER, "test-secret-key-0123456789abcdef")


async def no_state(_room: uuid.UUID) -> Any:
    raise AssertionError("no room state is needed here")


def make_sender(db: Any, clock: Any, mailer: Any, owner: str = "a", **policy: Any) -> Sender:
    return Sender(
        db,
        templates(),
        mailer,
        no_state,
        clock=clock,
        policy=Policy(**{"retry_base_s": 10.0, "retry_max_s": 25.0, "max_attempts": 4, **policy}),
        owner=owner,
    )


def invitation(address: str) -> Outgoing:
    payload = {
        "title": "Valley minibus",
        "room": "",
        "link": "http://evenfloor.test/invitations/secret-token",
        "role": "participant",
        "inviter": "Ada",
        "expires_at": None,
    }
    return Outgoing("email", "invitation", payload, address=address, locale="en")


async def queue(db: Any, items: list[Outgoing], now: Any) -> None:
    async with db() as session, session.begin():
        await outbox.enqueue(session, items, now, SENDER)


async def row(db: Any, notification_id: uuid.UUID) -> Notification:
    async with db() as session:
        found = await session.get(Notification, notification_id)
        assert found is not None
        return found


async def test_a_temporary_refusal_is_retried_with_exponential_backoff_then_given_up(
    db: Any, smtp: SmtpServer
) -> None:
    clock = ManualClock()
    smtp.mailbox.refuse["busy@example.org"] = "451 4.3.0 mailbox busy, try later"
    mailer = SmtpMailer("127.0.0.1", smtp.port, "none")
    sender = make_sender(db, clock, mailer)
    item = invitation("busy@example.org")
    await queue(db, [item], clock.now())
    waits = []
    for attempt in range(1, 4):
        assert await sender.run_once(clock.now()) == 1
        found = await row(db, item.id)
        assert found.status == "pending"
        assert found.attempts == attempt
        assert "451" in (found.last_error or "")
        wait = (found.next_attempt_at - clock.now()).total_seconds()
        waits.append(wait)
        clock.advance(seconds=wait - 1)
        assert await sender.run_once(clock.now()) == 0  # not yet due
        clock.advance(seconds=1)
    assert waits == [10.0, 20.0, 25.0]  # doubling, capped
    assert await sender.run_once(clock.now()) == 1
    found = await row(db, item.id)
    assert found.status == "failed"
    assert found.attempts == 4
    assert "gave up after 4 tries" in (found.last_error or "")
    assert smtp.mailbox.messages == []


async def test_a_server_that_recovers_gets_the_message_with_its_message_id(
    db: Any, smtp: SmtpServer
) -> None:
    clock = ManualClock()
    smtp.mailbox.refuse["busy@example.org"] = "421 4.7.0 too busy"
    sender = make_sender(db, clock, SmtpMailer("127.0.0.1", smtp.port, "none"))
    item = invitation("busy@example.org")
    await queue(db, [item], clock.now())
    await sender.run_once(clock.now())
    del smtp.mailbox.refuse["busy@example.org"]
    clock.advance(seconds=10)
    assert await sender.run_once(clock.now()) == 1
    [message] = smtp.mailbox.messages
    found = await row(db, item.id)
    assert found.status == "sent"
    assert found.sent_at == clock.now()
    assert message["Message-ID"] == found.message_id
    assert found.payload["link"] == ""  # the admitting link is forgotten once delivered


async def test_an_unreachable_server_is_a_temporary_failure(db: Any) -> None:
    clock = ManualClock()
    from tests.mailbox import free_port

    sender = make_sender(db, clock, SmtpMailer("127.0.0.1", free_port(), "none", timeout_s=2))
    item = invitation("someone@example.org")
    await queue(db, [item], clock.now())
    await sender.run_once(clock.now())
    found = await row(db, item.id)
    assert found.status == "pending"
    assert found.attempts == 1
    assert "SMTP" in (found.last_error or "")


async def test_two_senders_never_claim_the_same_row(db: Any) -> None:
    clock = ManualClock()
    items = [invitation(f"person{n}@example.org") for n in range(40)]
    await queue(db, items, clock.now())

    async def claim(owner: str) -> list[uuid.UUID]:
        async with db() as session, session.begin():
            claimed = await outbox.claim(session, clock.now(), owner=owner, lease_s=60, limit=25)
            await asyncio.sleep(0.05)  # hold the transaction while the other one claims
            return [c.id for c in claimed]

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not set(first) & set(second)
    assert set(first) | set(second) == {item.id for item in items}
    assert sorted((len(first), len(second))) == [15, 25]
    # Both leases stand: a third sender finds nothing.
    assert await claim("c") == []


async def test_a_lease_that_ran_out_is_taken_over_and_the_late_mark_is_refused(db: Any) -> None:
    clock = ManualClock()
    item = invitation("someone@example.org")
    await queue(db, [item], clock.now())
    async with db() as session, session.begin():
        [mine] = await outbox.claim(session, clock.now(), owner="a", lease_s=60, limit=10)
    clock.advance(seconds=59)
    async with db() as session, session.begin():
        assert await outbox.claim(session, clock.now(), owner="b", lease_s=60, limit=10) == []
    clock.advance(seconds=2)
    async with db() as session, session.begin():
        [theirs] = await outbox.claim(session, clock.now(), owner="b", lease_s=60, limit=10)
    assert theirs.id == mine.id
    assert theirs.message_id == mine.message_id  # the resend carries the same Message-ID
    assert theirs.attempts == 2
    async with db() as session, session.begin():
        assert not await outbox.mark(session, mine.id, "a", outbox.SENT, clock.now())
        assert await outbox.mark(session, mine.id, "b", outbox.SENT, clock.now())
    assert (await row(db, item.id)).status == "sent"


async def test_the_embedded_default_writes_each_message_once_into_a_folder(
    db: Any, tmp_path: Path
) -> None:
    clock = ManualClock()
    folder = tmp_path / "outbox-mail"
    sender = make_sender(db, clock, FolderMailer(folder))
    item = invitation("someone@example.org")
    await queue(db, [item], clock.now())
    assert await sender.run_once(clock.now()) == 1
    [written] = list(folder.glob("*.eml"))
    assert written.name == f"{item.id.hex}@evenfloor.test.eml"
    text = written.read_text()
    assert "To: someone@example.org" in text
    assert "secret-token" in text
    # A resend after a crash (same Message-ID) replaces the file instead of adding one.
    async with db() as session:
        claimed = await _as_claimed(session, item.id)
    async with sender.mailer.connect() as connection:
        await sender._mail(claimed, await sender._recipients([claimed]), connection)
    assert len(list(folder.glob("*.eml"))) == 1


async def _as_claimed(session: Any, notification_id: uuid.UUID) -> Any:
    from server.notifications.outbox import _CLAIMED_COLUMNS, NOTIFICATIONS, Claimed

    found = (
        await session.execute(
            select(*_CLAIMED_COLUMNS).where(NOTIFICATIONS.c.id == notification_id)
        )
    ).one()
    return Claimed(*found)


async def test_notification_rows_commit_with_their_event_or_not_at_all(
    client: Any, db: Any, clock: Any
) -> None:
    ada = await sign_up(client, "Ada")
    room_id = uuid.UUID(await open_room(client, ada))
    opened = []

    async def enqueue_then_fail(session: Any, room: uuid.UUID, state: Any, stored: Any) -> None:
        await outbox.enqueue(session, [invitation("x@example.org")], clock.now(), SENDER)
        opened.append(stored[0].type)
        raise RuntimeError("the notification step broke")

    async def publish(_room: uuid.UUID, _stored: Any) -> None:
        return None

    service = RoomService(
        db, publish, on_append=enqueue_then_fail, on_append_types=frozenset({"round.opened"})
    )
    command = command_from_wire("open_round", {"round": "surface_conflict"})
    ctx = deliberation.Context(actor=deliberation.ParticipantId(ada.id), at=clock.now())
    with pytest.raises(RuntimeError):
        await service.execute(room_id, command, ctx)
    assert opened == ["round.opened"]  # the hook ran after the append ...
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
    events = (await client.get(f"/api/rooms/{room_id}/events", headers=ada.headers)).json()
    assert "round.opened" not in [e["event"] for e in events]  # ... and took the event with it

    async def enqueue(session: Any, room: uuid.UUID, state: Any, stored: Any) -> None:
        await outbox.enqueue(session, [invitation("x@example.org")], clock.now(), SENDER)

    service.on_append = enqueue
    service.cache.forget(room_id)
    await service.execute(room_id, command, ctx)
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 1
    events = (await client.get(f"/api/rooms/{room_id}/events", headers=ada.headers)).json()
    assert [e["event"] for e in events].count("round.opened") == 1


class Receiver:
    """A local HTTP endpoint standing for an integration: records POSTs, answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.requests.append((dict(self.headers.items()), self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/evenfloor"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_webhooks_are_signed_retried_and_refusals_are_final(
    client: Any, db: Any, clock: Any
) -> None:
    ada, ben = await sign_up(client, "Ada"), await sign_up(client, "Ben")
    room_id = await open_room(client, ada, title="Valley minibus")
    await join(client, room_id, ada, ben, "Charity")
    with Receiver() as receiver:
        response = await client.post(
            f"/api/rooms/{room_id}/webhooks", json={"url": receiver.url}, headers=ada.headers
        )
        assert response.status_code == 201, response.text
        secret = response.json()["secret"]
        listed = (await client.get(f"/api/rooms/{room_id}/webhooks", headers=ada.headers)).json()
        assert [h["url"] for h in listed] == [receiver.url]
        assert "secret" not in listed[0]
        response = await client.post(
            f"/api/rooms/{room_id}/webhooks", json={"url": receiver.url}, headers=ben.headers
        )
        assert response.status_code == 403
        response = await client.post(
            f"/api/rooms/{room_id}/webhooks", json={"url": "ftp://nowhere"}, headers=ada.headers
        )
        assert response.status_code == 400
        deadline = (clock.now() + timedelta(days=2)).isoformat()
        response = await client.post(
            f"/api/rooms/{room_id}/commands/open_round",
            json={"round": "surface_conflict", "deadline": deadline},
            headers=ada.headers,
        )
        assert response.status_code == 200, response.text
        sender = make_sender(db, clock, FolderMailer(Path("/nonexistent")))
        receiver.status = 503
        async with db() as session:
            [hook_row] = (
                await session.scalars(select(Notification).where(Notification.channel == "webhook"))
            ).all()
        await sender.run_once(clock.now())
        assert len(receiver.requests) == 1
        found = await row(db, hook_row.id)
        assert found.status == "pending"
        assert "503" in (found.last_error or "")
        receiver.status = 204
        clock.advance(seconds=10)
        await sender.run_once(clock.now())
        assert (await row(db, hook_row.id)).status == "sent"
        assert len(receiver.requests) == 2
        headers, body = receiver.requests[-1]
        assert (
            headers["Evenfloor-Delivery"]
            == str(hook_row.id)
            == receiver.requests[0][0]["Evenfloor-Delivery"]
        )
        assert headers["Evenfloor-Event"] == "round_opened"
        now = clock.now().timestamp()
        assert verify_signature(secret, headers[SIGNATURE_HEADER], body, now)
        assert not verify_signature(secret, headers[SIGNATURE_HEADER], body + b" ", now)
        assert not verify_signature("whsec_other", headers[SIGNATURE_HEADER], body, now)
        assert not verify_signature(secret, headers[SIGNATURE_HEADER], body, now + 3600)
        sent = json.loads(body)
        assert sent["kind"] == "round_opened"
        assert sent["room"] == room_id
        assert sent["data"]["title"] == "Valley minibus"
        sent_deadline = datetime.fromisoformat(sent["data"]["closes_at"])
        assert sent_deadline == datetime.fromisoformat(deadline)
        # A receiver that says the request is wrong or gone is not asked again.
        receiver.status = 410
        response = await client.post(
            f"/api/rooms/{room_id}/commands/close_round", json={}, headers=ada.headers
        )
        assert response.status_code == 200, response.text
        response = await client.post(
            f"/api/rooms/{room_id}/commands/open_round",
            json={"round": "weigh_perspectives", "deadline": deadline},
            headers=ada.headers,
        )
        assert response.status_code == 200, response.text
        await sender.run_once(clock.now())
        async with db() as session:
            statuses = (
                await session.execute(
                    select(Notification.status, Notification.last_error).where(
                        Notification.channel == "webhook", Notification.id != hook_row.id
                    )
                )
            ).all()
        assert [s for s, _e in statuses] == ["failed"]
        assert "410" in statuses[0][1]
        # A delivery queued for a webhook that is then removed is skipped, not called.
        response = await client.post(
            f"/api/rooms/{room_id}/commands/close_round", json={}, headers=ada.headers
        )
        assert response.status_code == 200
        response = await client.post(
            f"/api/rooms/{room_id}/commands/open_round",
            json={"round": "record_dissent", "deadline": deadline},
            headers=ada.headers,
        )
        assert response.status_code == 200, response.text
        response = await client.delete(
            f"/api/rooms/{room_id}/webhooks/{listed[0]['id']}", headers=ada.headers
        )
        assert response.status_code == 204
        count = len(receiver.requests)
        await sender.run_once(clock.now())
        assert len(receiver.requests) == count
        async with db() as session:
            outcomes = (
                await session.execute(
                    select(Notification.status, Notification.last_error).where(
                        Notification.channel == "webhook"
                    )
                )
            ).all()
        assert sorted(status for status, _error in outcomes) == ["failed", "sent", "skipped"]
        assert ("skipped", "the webhook was removed or turned off") in outcomes


async def test_a_meeting_event_is_queued_once_and_arrives_with_its_calendar_file(
    client: Any, db: Any, clock: Any, smtp: SmtpServer, database_url: str
) -> None:
    from server.notifications import Meeting, Notifications

    ada = await sign_up(client, "Ada")
    notifications = Notifications(
        make_settings(database_url, smtp_from=SENDER, **smtp.settings()), db, no_state, clock=clock
    )
    meeting = Meeting(
        id="meeting-1",
        title="Board",
        start=clock.now() + timedelta(days=3),
        end=clock.now() + timedelta(days=3, hours=2),
        tz="Europe/Paris",
    )
    for expected in (2, 0):  # an email and an in-app item; the repeat adds nothing
        async with db() as session, session.begin():
            queued = await notifications.enqueue_for_meeting_event(
                session, meeting, "meeting_scheduled", [uuid.UUID(ada.id)], now=clock.now()
            )
        assert queued == expected
    sender = make_sender(db, clock, SmtpMailer("127.0.0.1", smtp.port, "none"))
    assert await sender.run_once(clock.now()) == 1
    [message] = smtp.mailbox.messages
    assert message["Subject"] == "Meeting scheduled: Board"
    [calendar] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = calendar.get_content()
    assert "UID:meeting-1" in (content if isinstance(content, str) else content.decode())
