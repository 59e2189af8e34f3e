"""The meeting core's contract with the shell: wire names, wire-friendly fields, JSON round
trips through pydantic (as the server stores and validates), and the docs naming it all."""

import typing
from pathlib import Path

from pydantic import TypeAdapter

import deliberation.meetings as core
from deliberation.meetings import MEETING_COMMANDS, MEETING_EVENTS, MeetingState, meeting_event_type
from tests.unit.deliberation.test_contract import allowed
from tests.unit.meetings.test_minutes import full_meeting

DOCS = Path(__file__).parents[3] / "docs" / "meetings.md"


def test_every_meeting_command_and_event_uses_only_wire_friendly_fields() -> None:
    for cls in (*MEETING_COMMANDS.values(), *MEETING_EVENTS.values()):
        for name, hint in typing.get_type_hints(cls).items():
            assert allowed(hint), f"{cls.__name__}.{name}: {hint}"


def test_wire_names_are_snake_case_commands_and_dotted_events() -> None:
    assert all(name.isidentifier() and name.islower() for name in MEETING_COMMANDS)
    assert all(len(name.split(".")) == 2 for name in MEETING_EVENTS)
    assert len(set(MEETING_COMMANDS.values())) == len(MEETING_COMMANDS)
    assert len(set(MEETING_EVENTS.values())) == len(MEETING_EVENTS)


def test_docs_name_every_meeting_command_and_the_public_api() -> None:
    docs = DOCS.read_text()
    for name in MEETING_COMMANDS:
        assert f"`{name}`" in docs, name
    for name in ("decide_meeting", "evolve_meeting", "quorum", "matters_arising", "minutes"):
        assert name in core.__all__
        assert f"`{name}(" in docs, name


def test_every_name_in_all_exists() -> None:
    for name in core.__all__:
        assert hasattr(core, name), name


def test_events_survive_the_servers_json_round_trip() -> None:
    meeting = full_meeting()
    kinds = {meeting_event_type(e) for e in meeting.events}
    assert {"meeting.scheduled", "quorum.lost", "substitute.named", "action.added"} <= kinds
    for event in meeting.events:
        adapter: TypeAdapter[object] = TypeAdapter(type(event))
        assert adapter.validate_python(adapter.dump_python(event, mode="json")) == event


def test_a_meeting_snapshot_survives_the_json_round_trip_and_equals_a_replay() -> None:
    meeting = full_meeting()
    adapter: TypeAdapter[MeetingState] = TypeAdapter(MeetingState)
    snapshot = adapter.validate_python(adapter.dump_python(meeting.state, mode="json"))
    assert snapshot == meeting.state
    half = len(meeting.events) // 2
    resumed = core.replay_meeting(
        meeting.events[half:], start=core.replay_meeting(meeting.events[:half])
    )
    assert resumed == meeting.state


def test_docs_catalogue_every_meeting_event_with_its_fields() -> None:
    import dataclasses

    docs = DOCS.read_text()
    for name, cls in MEETING_EVENTS.items():
        row = next((line for line in docs.splitlines() if line.startswith(f"| `{name}` |")), "")
        assert row, name
        for field in dataclasses.fields(cls):
            assert f"`{field.name}`" in row, (name, field.name)
