"""Settings, read from the environment (prefix ``EVENFLOOR_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./evenfloor.db"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _local_secret(path: Path) -> str:
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")
    return secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVENFLOOR_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Signs sessions and CSRF tokens and keys secret ballots, so it must outlive a restart:
    # when unset, one is generated once into ./.evenfloor-secret (the embedded default).
    # Production sets it (every process must agree).
    secret_key: str = Field(default_factory=lambda: _local_secret(Path(".evenfloor-secret")))
    # "auto": in-memory on SQLite (one process), PostgreSQL LISTEN/NOTIFY on PostgreSQL.
    channels_backend: Literal["auto", "memory", "postgres", "redis"] = "auto"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Origins allowed to open room WebSockets and post forms, besides the server's own.
    allowed_origins: list[str] = Field(default_factory=list)
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Frames larger than this are refused with close code 1009 (docs/protocol.md).
    ws_max_message_bytes: int = 64 * 1024
    ws_ping_interval_s: float = 20.0
    session_max_age_s: int = 14 * 24 * 3600
    secure_cookies: bool = False
    debug: bool = False
    # How often the deadline worker looks for due rounds and speeches.
    deadline_poll_s: float = 1.0
    # Email (docs/notifications.md). Without an SMTP host, messages are written as .eml
    # files into ``mail_dir`` and logged, so the embedded default needs no mail server.
    smtp_host: str = ""
    smtp_port: int = Field(default=0, ge=0, le=65535)  # 0: 25, 587 with starttls, 465 with tls
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "Evenfloor <evenfloor@localhost>"
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    mail_dir: Path = Path("outbox-mail")
    # The outbox sender: how often it looks for due rows, how many it claims at once, how
    # long a claim lasts before another process may take the row over (a crash mid-send),
    # and the retry schedule (base * 2**attempt, capped) before a row is marked failed.
    notify_enabled: bool = True
    notify_poll_s: float = Field(default=1.0, gt=0)
    notify_batch: int = Field(default=50, ge=1, le=1000)
    notify_lease_s: float = Field(default=300.0, gt=0)
    notify_retry_base_s: float = Field(default=30.0, gt=0)
    notify_retry_max_s: float = Field(default=6 * 3600.0, gt=0)
    notify_max_attempts: int = Field(default=8, ge=1)
    notify_digest_every_s: float = Field(default=86400.0, gt=0)
    notify_digest_check_s: float = Field(default=60.0, gt=0)
    # Outcomes are written for up to this many rows at once (a crash repeats those, once).
    notify_mark_every: int = Field(default=10, ge=1, le=1000)
    # Processes that render emails off the event loop (0: on it).
    notify_render_workers: int = Field(default=1, ge=0, le=16)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    template_dir: Path = Path(__file__).resolve().parent.parent / "web" / "templates"
    static_dir: Path = Path(__file__).resolve().parent.parent / "web" / "static"

    @model_validator(mode="after")
    def _check_smtp(self) -> Settings:
        """Bad mail settings fail at start, in one sentence, not at the first send."""
        from email.headerregistry import Address
        from email.utils import parseaddr

        if any(c.isspace() for c in self.smtp_host.strip()):
            raise ValueError(f"EVENFLOOR_SMTP_HOST {self.smtp_host!r} is not a host name")
        if bool(self.smtp_user) != bool(self.smtp_password):
            raise ValueError("EVENFLOOR_SMTP_USER and EVENFLOOR_SMTP_PASSWORD go together")
        if self.smtp_user and self.smtp_tls == "none" and self.smtp_host not in LOOPBACK:
            raise ValueError(
                "EVENFLOOR_SMTP_USER over EVENFLOOR_SMTP_TLS=none would send the password "
                "in clear; use starttls or tls"
            )
        _name, address = parseaddr(self.smtp_from)
        try:
            parsed = Address(addr_spec=address)
        except (ValueError, IndexError) as error:
            raise ValueError(f"EVENFLOOR_SMTP_FROM {self.smtp_from!r} is not an address") from error
        if not address or not parsed.domain or not parsed.username:
            raise ValueError(f"EVENFLOOR_SMTP_FROM {self.smtp_from!r} is not an address")
        return self

    @property
    def resolved_smtp_port(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        return {"none": 25, "starttls": 587, "tls": 465}[self.smtp_tls]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_channels_backend(self) -> str:
        if self.channels_backend != "auto":
            return self.channels_backend
        return "memory" if self.is_sqlite else "postgres"


def describe(error: ValidationError) -> str:
    """A settings error in one line, naming the variables (for ``evenfloor serve``)."""
    parts = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"EVENFLOOR_{where.upper()}: {message}" if where else message)
    return "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
