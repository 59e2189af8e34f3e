"""The core contract the server relies on (docs/architecture.md)."""

import dataclasses
import types
import typing
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

import deliberation
from deliberation import COMMANDS, EVENTS, event_type

ALLOWED_LEAVES = (str, int, bool, type(None), datetime, Fraction)


def allowed(hint: object) -> bool:
    """str, int, bool, None, datetime, Fraction, StrEnum, NewType of these, tuples, frozen dataclasses."""
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:
        return allowed(supertype)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return all(allowed(a) for a in typing.get_args(hint))
    if origin is tuple:
        args = typing.get_args(hint)
        return len(args) == 2 and args[1] is Ellipsis and allowed(args[0])
    if isinstance(hint, type):
        if issubclass(hint, StrEnum) or hint in ALLOWED_LEAVES:
            return True
        if dataclasses.is_dataclass(hint):
            params = getattr(hint, "__dataclass_params__", None)
            return bool(params and params.frozen) and all(
                allowed(h) for h in typing.get_type_hints(hint).values()
            )
    return False


def test_every_command_and_event_uses_only_wire_friendly_fields() -> None:
    for cls in (*COMMANDS.values(), *EVENTS.values()):
        for name, hint in typing.get_type_hints(cls).items():
            assert allowed(hint), f"{cls.__name__}.{name}: {hint}"


def test_wire_names_are_snake_case_commands_and_dotted_past_tense_events() -> None:
    assert all(name.isidentifier() and name.islower() for name in COMMANDS)
    assert all(len(name.split(".")) == 2 for name in EVENTS)
    assert len(set(COMMANDS.values())) == len(COMMANDS)
    assert len(set(EVENTS.values())) == len(EVENTS)


def test_event_type_is_the_inverse_of_events() -> None:
    from tests.builders import ALICE, T0, TRUST_A

    raised = deliberation.events.HandRaised(
        ALICE, TRUST_A, deliberation.SpeechKind.SPEECH, None, ALICE, T0
    )
    assert event_type(raised) == "hand.raised"
    assert EVENTS[event_type(raised)] is type(raised)


def test_the_public_api_is_what_the_contract_names() -> None:
    for name in (
        "RoomState",
        "INITIAL",
        "Context",
        "decide",
        "evolve",
        "replay",
        "COMMANDS",
        "EVENTS",
        "event_type",
        "Rejected",
        "Reason",
        "next_deadline",
        "view",
        "fairness",
        "is_override",
    ):
        assert name in deliberation.__all__
        assert hasattr(deliberation, name)
    assert {r.value for r in deliberation.Reason} >= {
        "wrong_round",
        "not_your_turn",
        "over_cap",
        "forbidden",
        "invalid",
        "not_found",
        "conflict",
    }


def test_events_and_commands_survive_the_servers_json_round_trip() -> None:
    """What the shell does with pydantic's TypeAdapter must lose nothing."""
    from pydantic import TypeAdapter

    from deliberation.commands import (
        AllocatePoints,
        ChangeRules,
        CreateRoom,
        OpenRound,
    )
    from deliberation.records import Allocation
    from deliberation.rules import OrganisationBudget, RoomRules, RoundDeadline
    from tests.builders import T1, TRUST_A, create_room
    from tests.unit.deliberation.test_projection import busy_room

    room = busy_room()
    from deliberation.commands import CloseRound

    room.do(CloseRound())
    rules = RoomRules(
        speaking_cap=Fraction(1, 3), organisation_budgets=(OrganisationBudget(TRUST_A, 5000),)
    )
    commands: list[object] = [
        create_room(rules, deadlines=(RoundDeadline(deliberation.RoundKind.CONSENT, T1),)),
        ChangeRules(rules, "why"),
        OpenRound(deliberation.RoundKind.CONSENT, "", T1),
        AllocatePoints((Allocation(deliberation.PerspectiveId("p"), 3),)),
    ]
    assert isinstance(commands[0], CreateRoom)
    for item in (*room.events, *commands):
        adapter: TypeAdapter[object] = TypeAdapter(type(item))
        dumped = adapter.dump_python(item, mode="json")
        assert adapter.validate_python(dumped) == item, type(item).__name__


def test_a_state_snapshot_survives_the_json_round_trip() -> None:
    """The shell may cache folded states as JSON snapshots; deleting them changes nothing."""
    from pydantic import TypeAdapter

    from deliberation import RoomState, replay
    from tests.unit.deliberation.test_projection import busy_room

    room = busy_room()
    adapter: TypeAdapter[RoomState] = TypeAdapter(RoomState)
    snapshot = adapter.validate_python(adapter.dump_python(room.state, mode="json"))
    assert snapshot == room.state
    assert replay(room.events[10:], start=replay(room.events[:10])) == snapshot


def test_docs_rules_names_every_command_and_event() -> None:
    from pathlib import Path

    rules = (Path(__file__).parents[3] / "docs" / "rules.md").read_text()
    for name in (*COMMANDS, *EVENTS):
        assert f"`{name}`" in rules, name
