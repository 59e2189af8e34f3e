"""Meeting commands and events <-> JSON, with pydantic at the boundary (as ``rooms.codec``)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

import deliberation.meetings as core

__all__ = ["ValidationError", "command_from_wire", "dump_event", "load_event", "to_json"]

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def adapter(cls: Any) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(cls)
    if found is None:
        found = _ADAPTERS[cls] = TypeAdapter(cls)
    return found


def command_from_wire(name: str, args: dict[str, Any]) -> Any:
    """Raises KeyError for an unknown command and ``ValidationError`` for bad arguments."""
    return adapter(core.MEETING_COMMANDS[name]).validate_python(args)


def dump_event(event: Any) -> tuple[str, dict[str, Any]]:
    payload = adapter(type(event)).dump_python(event, mode="json")
    return core.meeting_event_type(event), payload


def load_event(event_type: str, payload: dict[str, Any]) -> Any:
    return adapter(core.MEETING_EVENTS[event_type]).validate_python(payload)


def to_json(value: Any) -> Any:
    """Any core value (a state part, a snapshot) as JSON-safe data."""
    return adapter(type(value)).dump_python(value, mode="json")
