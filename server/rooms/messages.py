"""WebSocket messages from clients (see docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(_Message):
    type: Literal["hello"]
    last_seq: int = Field(default=0, ge=0)


class Command(_Message):
    type: Literal["command"]
    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)
    acting_for: str | None = Field(default=None, max_length=64)


class View(_Message):
    type: Literal["view"]


class Ping(_Message):
    type: Literal["ping"]


KNOWN_TYPES = ("hello", "command", "view", "ping")

ClientMessage = TypeAdapter(Annotated[Hello | Command | View | Ping, Field(discriminator="type")])
