"""Where email goes: a real SMTP server (aiosmtplib), or a folder of .eml files.

A send either returns (the server took the message), raises ``TemporaryFailure`` (worth
another try later: a 4xx answer, a dropped connection, a timeout, refused credentials) or
``PermanentFailure`` (the server refused this message for good: a 5xx answer to the
sender, the recipient or the data, as a bounce would say). Credentials and connection
problems are temporary on purpose: they are the operator's to fix, and every message
waiting behind them should still go out once they are.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiosmtplib

log = logging.getLogger(__name__)


class DeliveryFailure(Exception):
    pass


class TemporaryFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


@dataclass(frozen=True, slots=True)
class Outbound:
    """A rendered message: the envelope and the bytes (flattened once, off the event loop)."""

    sender: str  # the envelope's MAIL FROM (a bare address)
    recipient: str
    message_id: str
    subject: str
    data: bytes


class Connection(Protocol):
    async def send(self, message: Outbound) -> None: ...


class Mailer(Protocol):
    def connect(self) -> AbstractAsyncContextManager[Connection]: ...

    def describe(self) -> str: ...


class _SmtpConnection:
    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, message: Outbound) -> None:
        try:
            if self.client is None or not self.client.is_connected:
                self.client = self.mailer.client()
                await self.client.connect()
            errors, _response = await self.client.sendmail(
                message.sender, [message.recipient], message.data
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refused.code for refused in error.recipients]
            text = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
            raise _classify(min(codes) if codes else 550, f"recipient refused: {text}") from error
        except aiosmtplib.SMTPAuthenticationError as error:
            await self.close()
            raise TemporaryFailure(f"SMTP login refused: {error.code} {error.message}") from error
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500:
                # The connection is still good after a refused message; keep it.
                raise PermanentFailure(f"SMTP {error.code} {error.message}") from error
            await self.close()
            raise TemporaryFailure(f"SMTP {error.code} {error.message}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise TemporaryFailure(f"SMTP {type(error).__name__}: {error}") from error
        if errors:  # some recipients refused (each message here has one, so: none took it)
            codes = [response.code for response in errors.values()]
            text = "; ".join(f"{rcpt}: {r.code} {r.message}" for rcpt, r in errors.items())
            raise _classify(min(codes), f"recipient refused: {text}")

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


def _classify(code: int, text: str) -> DeliveryFailure:
    return PermanentFailure(text) if code >= 500 else TemporaryFailure(text)


class SmtpMailer:
    """One SMTP connection per batch of messages, opened on the first send."""

    def __init__(
        self,
        host: str,
        port: int,
        tls: str,
        user: str = "",
        password: str = "",
        timeout_s: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password = user, password
        self.timeout_s = timeout_s
        self.tls_context = tls_context

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.user or None,
            password=self.password or None,
            timeout=self.timeout_s,
            use_tls=self.tls == "tls",
            start_tls=self.tls == "starttls",
            tls_context=self.tls_context,
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        connection = _SmtpConnection(self)
        try:
            yield connection
        finally:
            await connection.close()

    def describe(self) -> str:
        return f"SMTP {self.host}:{self.port} ({self.tls})"


class _FolderConnection:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: Outbound) -> None:
        # Named by Message-ID and written by rename: a resend after a crash replaces the
        # file with the same message instead of adding a second one.
        name = message.message_id.strip("<>").replace("/", "_") + ".eml"
        path = self.folder / name
        temporary = path.with_suffix(".tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(message.data)
            os.replace(temporary, path)
        except OSError as error:
            raise TemporaryFailure(f"cannot write {path}: {error}") from error
        log.info("mail to %s written to %s (%s)", message.recipient, path, message.subject)


class FolderMailer:
    """The embedded default: no mail server, each message a file (and a log line)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        yield _FolderConnection(self.folder)

    def describe(self) -> str:
        return f"the folder {self.folder}"
