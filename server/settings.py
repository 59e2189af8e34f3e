"""Settings, read from the environment (prefix ``EVENFLOOR_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./evenfloor.db"


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
    template_dir: Path = Path(__file__).resolve().parent.parent / "web" / "templates"
    static_dir: Path = Path(__file__).resolve().parent.parent / "web" / "static"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolved_channels_backend(self) -> str:
        if self.channels_backend != "auto":
            return self.channels_backend
        return "memory" if self.is_sqlite else "postgres"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
