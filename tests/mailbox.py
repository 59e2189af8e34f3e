"""A real SMTP server for tests (aiosmtpd, in a thread of its own), keeping what it received.

``refuse`` maps a recipient to the reply its RCPT gets (``"550 5.1.1 no such user"`` is a
bounce, ``"451 4.3.0 try later"`` a temporary refusal). ``stall`` makes DATA keep the
message and then hold the reply back, as a server would that took a message while its
client died, until ``release``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self, store: list[EmailMessage] | None = None, name: str = "") -> None:
        self.messages: list[EmailMessage] = store if store is not None else []
        self.name = name
        self.refuse: dict[str, str] = {}
        self.stall = threading.Event()
        self.stalled = threading.Event()  # set while a DATA reply is being held back
        self.mine: list[EmailMessage] = []  # what arrived on this server, of the shared store
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        reply = self.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.mine.append(message)
        if self.stall.is_set():
            import asyncio

            self.stalled.set()
            while self.stall.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"

    def release(self) -> None:
        self.stall.clear()

    def wait(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        end = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > end:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            time.sleep(0.02)
        return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class SmtpServer:
    def __init__(self, mailbox: Mailbox | None = None, port: int | None = None) -> None:
        self.mailbox = mailbox or Mailbox()
        self.port = port or free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.mailbox.release()
        self.controller.stop()

    def settings(self) -> dict[str, Any]:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_tls": "none"}

    def env(self) -> dict[str, str]:
        return {
            "EVENFLOOR_SMTP_HOST": "127.0.0.1",
            "EVENFLOOR_SMTP_PORT": str(self.port),
            "EVENFLOOR_SMTP_TLS": "none",
        }
