"""Events reach each viewer as deliberation.event_view lets them see it, never more."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import deliberation
from server.rooms.codec import command_from_wire, dump_event
from server.rooms.event_store import StoredEvent
from server.rooms.redaction import Renderer, frame
from tests.api import command, join, open_room, sign_up

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ADA, BEN, CY, DEV = (deliberation.ParticipantId(p) for p in ("ada", "ben", "cy", "dev"))


def _history(policy: str) -> list[Any]:
    state, events = deliberation.INITIAL, []
    clock = iter(T0 + timedelta(seconds=s) for s in range(1000))

    def run(actor: Any, name: str, args: dict[str, Any], acting_for: Any = None) -> None:
        nonlocal state
        ctx = deliberation.Context(actor=actor, at=next(clock), acting_for=acting_for)
        for event in deliberation.decide(state, command_from_wire(name, args), ctx):
            state = deliberation.evolve(state, event)
            events.append(event)

    run(
        ADA,
        "create_room",
        {
            "room": "r",
            "title": "T",
            "proposal": "P",
            "owner_name": "Ada",
            "organisation": "o1",
            "organisation_name": "Council",
            "publication": policy,
            "rules": {"premoderate_statements": True},
        },
    )
    for who, org in ((BEN, "o2"), (CY, "o3"), (DEV, "o2")):
        run(
            None,
            "admit_member",
            {
                "participant": who,
                "display_name": who.title(),
                "organisation": org,
                "organisation_name": f"Org {org}",
                "role": "participant",
            },
        )
    run(ADA, "open_round", {"round": "surface_conflict"})
    run(BEN, "add_statement", {"statement": "s1", "text": "Pending until accepted"})
    run(CY, "add_statement", {"statement": "s2", "text": "Another"})
    run(ADA, "accept_statement", {"statement": "s2"})
    run(BEN, "react", {"statement": "s2", "reaction": "agree"})
    run(ADA, "react", {"statement": "s2", "reaction": "disagree"}, acting_for=DEV)
    run(ADA, "hide_statement", {"statement": "s2", "reason": "Off topic: about parking"})
    run(ADA, "close_round", {})
    for round_name in ("weigh_perspectives", "record_dissent"):
        run(ADA, "open_round", {"round": round_name})
        run(ADA, "close_round", {})
    run(ADA, "open_round", {"round": "consent"})
    run(BEN, "answer_consent", {"position": "concern", "text": "Costs"})
    run(CY, "answer_consent", {"position": "consent"})
    return events


def _stored(events: list[Any]) -> list[StoredEvent]:
    room = uuid.uuid4()
    out = []
    for seq, event in enumerate(events, start=1):
        kind, payload = dump_event(event)
        out.append(StoredEvent(room, seq, kind, payload, None, None, T0, None, "0" * 64, "0" * 64))
    return out


def test_frames_by_viewer_class_equal_the_gate_for_every_viewer_under_every_policy() -> None:
    for policy in ("names", "organisations", "anonymous"):
        events = _history(policy)
        state = deliberation.replay(events)
        for stored, event in zip(_stored(events), events, strict=True):
            renderer = Renderer(state, stored)
            for viewer in (ADA, BEN, CY, DEV, None):
                assert renderer.for_viewer(viewer) == frame(
                    stored, deliberation.event_view(state, event, viewer)
                ), (
                    policy,
                    stored.type,
                    viewer,
                )


async def test_a_pending_statement_is_hidden_from_other_participants_over_http(client: Any) -> None:
    ada, ben, cy = (
        await sign_up(client, "Ada"),
        await sign_up(client, "Ben"),
        await sign_up(client, "Cy"),
    )
    room_id = await open_room(client, ada, rules={"premoderate_statements": True})
    await join(client, room_id, ada, ben, "Charity")
    await join(client, room_id, ada, cy, "Trust")
    await command(client, room_id, ada, "open_round", {"round": "surface_conflict"})
    response = await command(
        client, room_id, ben, "add_statement", {"statement": "s1", "text": "Secret draft"}
    )
    assert response.status_code == 200, response.text
    seq = response.json()["seq"]

    async def seen_by(person: Any) -> dict[str, Any]:
        events = (await client.get(f"/api/rooms/{room_id}/events", headers=person.headers)).json()
        return next(e for e in events if e["seq"] == seq)

    assert (await seen_by(ben))["data"]["text"] == "Secret draft"
    assert (await seen_by(ada))["data"]["text"] == "Secret draft"
    hidden = await seen_by(cy)
    assert hidden["event"] == "redacted"
    assert "Secret draft" not in str(hidden)
