"""Core dataclasses <-> JSON, with pydantic at the boundary so the core never imports it."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

import deliberation

__all__ = ["ValidationError", "command_from_wire", "dump_event", "load_event"]


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(cls: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def command_from_wire(name: str, args: dict[str, Any]) -> Any:
    """Validate a command's JSON arguments into the core's command dataclass.

    Raises KeyError for an unknown command and ``ValidationError`` for bad arguments.
    """
    cls = deliberation.COMMANDS[name]
    return _adapter(cls).validate_python(args)


def dump_event(event: Any) -> tuple[str, dict[str, Any]]:
    payload = _adapter(type(event)).dump_python(event, mode="json")
    return deliberation.event_type(event), payload


def load_event(event_type: str, payload: dict[str, Any]) -> Any:
    return _adapter(deliberation.EVENTS[event_type]).validate_python(payload)
