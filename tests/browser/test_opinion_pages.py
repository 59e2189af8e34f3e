"""The opinion groups on the room page and the projector, on SQLite and PostgreSQL: the map is
drawn in the surface-conflict round, and a weak grouping is said to be weak, in words, with
its reason, instead of being presented as a finding."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import server.web.rooms
from server.web.opinion import opinion_map
from tests.api import Person, command, join, open_room, sign_up
from tests.browser.test_page_handlers import signed_in

WEAK_HEADLINE = "These groups are a weak reading of the room, not a finding."
CLOSE = "Another number of groups fits the reactions almost as well as this one."
UNSTABLE = "The number of groups kept changing as the latest reactions came in."


async def reacting_room(client: Any) -> tuple[str, Person]:
    """A room in surface conflict where four people reacted to three statements."""
    fay = await sign_up(client, "Fay")
    others = [await sign_up(client, name) for name in ("Ben", "Cleo", "Dev")]
    room = await open_room(client, fay)
    for person, org in zip(
        others, ("Charity Alliance", "Parish Council", "Bus Users"), strict=True
    ):
        await join(client, room, fay, person, org)
    response = await command(client, room, fay, "open_round", {"round": "surface_conflict"})
    assert response.status_code < 300, response.text
    for person, text in zip(
        others, ("One booking system.", "Patients first.", "Evening routes go."), strict=True
    ):
        response = await command(
            client, room, person, "add_statement", {"text": text, "statement": uuid.uuid4().hex}
        )
        assert response.status_code < 300, response.text
    view = (await client.get(f"/api/rooms/{room}/view", headers=fay.headers)).json()["view"]
    ids = [s["statement"] for s in view["statements"]]
    for person, reactions in zip(
        [fay, *others],
        (
            ("agree", "disagree", "agree"),
            ("agree", "disagree", "agree"),
            ("disagree", "agree", "disagree"),
            ("disagree", "agree", "disagree"),
        ),
        strict=True,
    ):
        for statement, reaction in zip(ids, reactions, strict=True):
            response = await command(
                client, room, person, "react", {"statement": statement, "reaction": reaction}
            )
            assert response.status_code < 300, response.text
    return room, others[0]


async def test_both_pages_draw_the_groups_in_surface_conflict(client: Any) -> None:
    room, ben = await reacting_room(client)
    await signed_in(client, ben)
    for path in (f"/rooms/{room}", f"/rooms/{room}/projector"):
        page = await client.get(path)
        assert page.status_code == 200
        assert 'class="opinion-map"' in page.text, path
        assert "Group 1:" in page.text, path


@pytest.mark.parametrize(
    ("reasons", "shown", "not_shown"),
    [
        (["close_silhouettes"], CLOSE, UNSTABLE),
        (["k_unstable"], UNSTABLE, CLOSE),
    ],
)
async def test_a_weak_grouping_is_said_to_be_weak_on_both_pages(
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    reasons: list[str],
    shown: str,
    not_shown: str,
) -> None:
    room, ben = await reacting_room(client)
    await signed_in(client, ben)
    for path in (f"/rooms/{room}", f"/rooms/{room}/projector"):
        page = await client.get(path)
        assert WEAK_HEADLINE not in page.text, path  # a clear grouping is not flagged

    def weak_map(view: dict[str, Any], state: Any, seq: int = -1) -> dict[str, Any] | None:
        # the real map of this room, as the core would give it when its grouping is weak
        drawn = opinion_map(view, state, seq)
        assert drawn is not None
        return {**drawn, "weak": True, "reasons": reasons}

    monkeypatch.setattr(server.web.rooms, "opinion_map", weak_map)
    for path in (f"/rooms/{room}", f"/rooms/{room}/projector"):
        page = await client.get(path)
        assert page.status_code == 200
        assert WEAK_HEADLINE in page.text, path
        assert shown in page.text, path
        assert not_shown not in page.text, path
        assert "Possible opinion groups" in page.text, path
        assert 'class="opinion-map"' in page.text, path  # still drawn, but not as fact
