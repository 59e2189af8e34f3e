"""The public pages, log.json, log.md and the Atom feed, read from the published log only."""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

import pytest

from server.publication import load_json, verify_log
from tests.api import command, open_room, sign_up
from tests.publication_web.conftest import NAMES, POLICIES, World

ATOM = "{http://www.w3.org/2005/Atom}"


def _without_names(text: str) -> None:
    # As words: a short name such as "Cy" turns up inside base64 keys and signatures by chance.
    for name in NAMES:
        for part in (name, *name.split()):
            assert not re.search(rf"(?<![A-Za-z0-9_-]){re.escape(part)}(?![A-Za-z0-9_-])", text), (
                part
            )


class Outline(HTMLParser):
    """Landmarks, headings and the SVG's accessible name, for the accessibility checks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[str] = []
        self.svg_title = False
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("h1", "h2", "h3"):
            self._in = tag
        if tag == "title" and "svg" in self.tags:
            self.svg_title = True

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.headings.append(f"{self._in}:{data.strip()}")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None


@pytest.mark.parametrize("policy", POLICIES)
def test_a_decision_page_renders_under_every_policy(world: World, policy: str) -> None:
    room_id = world.rooms[policy]
    page = world.get(f"/decisions/{room_id}")
    assert page.status == 200
    assert page.content_type.startswith("text/html")
    html = page.text
    document = world.published[room_id]
    for shown in (
        "Consented, with concerns",
        "Fund a shared minibus.",
        "Evening routes matter most.",
        "Drivers are scarce.",
        "A minibus serves too few.",
        "Running costs are unclear.",
        "Not our area.",
        "Verify this record",
        document["public_key"],
        document["head"]["hash"],
        document["head"]["signed_at"],
        f"evenfloor verify log.json --key {document['public_key']}",
        f"node tools/verify-js/verify.mjs log.json --key {document['public_key']}",
        f'href="/decisions/{room_id}/log.json"',
    ):
        assert shown in html, shown
    # The withdrawn dissent is kept and marked, after the standing one.
    dissent = html[html.index('id="dissent-heading"') : html.index('id="proposal-heading"')]
    assert "Withdrawn" in dissent
    assert "Wrong year." in dissent
    assert dissent.index("A minibus serves too few.") < dissent.index("Wrong year.")
    outline = Outline()
    outline.feed(html)
    assert {"main", "header", "nav", "svg", "table", "caption"} <= set(outline.tags)
    assert outline.svg_title
    assert [h for h in outline.headings if h.startswith("h1")] == [
        f"h1:Community transport ({policy})"
    ]
    for heading in ("Outcome", "Recorded dissent", "Proposal", "Consent", "Fairness", "Rounds"):
        assert f"h2:{heading}" in outline.headings
    assert 'role="img"' in html
    assert 'aria-labelledby="fairness-svg-title fairness-svg-desc"' in html
    for organisation in ("County Council", "Food Bank", "Youth Club"):
        assert f'<th scope="row">{organisation}</th>' in html  # the fairness table
    if policy == "names":
        assert "Ben Okri (Food Bank)" in html
        assert "Cy Twombly (Youth Club)" in html
    else:
        _without_names(html)
        assert re.search(r"p-[0-9a-f]{12}", html)
    if policy == "anonymous":
        rounds = html[html.index('id="rounds-heading"') :]
        assert "Food Bank" not in rounds  # organisations only in the fairness figures


@pytest.mark.parametrize("policy", POLICIES)
def test_log_json_is_the_stored_document_byte_for_byte_and_verifies(
    world: World, policy: str
) -> None:
    room_id = world.rooms[policy]
    response = world.get(f"/decisions/{room_id}/log.json")
    assert response.status == 200
    assert response.content_type.startswith("application/json")
    assert response.body == world.stored_text(room_id).encode("utf-8")
    document = load_json(response.body)
    assert document == world.published[room_id]
    assert document["policy"] == policy
    result = verify_log(document, key=document["public_key"])
    assert result.ok, result.line()
    if policy != "names":
        _without_names(response.text)


@pytest.mark.parametrize("policy", POLICIES)
def test_markdown_tells_the_decision_and_how_to_verify_it(world: World, policy: str) -> None:
    room_id = world.rooms[policy]
    response = world.get(f"/decisions/{room_id}/log.md")
    assert response.status == 200
    assert response.content_type.startswith("text/markdown")
    text = response.text
    assert text.startswith(f"# Community transport ({policy})\n")
    for shown in (
        "**Outcome:** Consented, with concerns",
        "## Recorded dissent",
        "(withdrawn)",
        "| Concern |",
        "| Stand aside |",
        "## Fairness",
        "## Verify this record",
        f"evenfloor verify log.json --key {world.published[room_id]['public_key']}",
    ):
        assert shown in text, shown
    if policy != "names":
        _without_names(text)


def test_the_index_lists_public_published_decisions_only(world: World) -> None:
    page = world.get("/decisions")
    assert page.status == 200
    html = page.text
    for policy, room_id in world.rooms.items():
        assert f'href="/decisions/{room_id}"' in html
        assert f"Community transport ({policy})" in html
    assert html.count("Consented, with concerns") == 3
    assert world.private_room not in html
    assert "Private budget talk" not in html
    assert world.unpublished_room not in html
    _without_names(html)


def test_the_atom_feed_has_one_entry_per_published_decision(world: World) -> None:
    response = world.get("/decisions/feed.atom")
    assert response.status == 200
    assert response.content_type.startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.body)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(world.rooms)
    ids = set()
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
        link = entry.find(f"{ATOM}link")
        assert link is not None
        href = link.get("href", "")
        assert re.fullmatch(r"http://testserver\.local/decisions/[0-9a-f-]{36}", href)
        ids.add(href.rsplit("/", 1)[1])
        updated = entry.findtext(f"{ATOM}updated") or ""
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", updated)
    assert ids == set(world.rooms.values())
    _without_names(response.text)


@pytest.mark.parametrize("tail", ["", "/log.json", "/log.md"])
def test_private_and_unpublished_rooms_are_not_found(world: World, tail: str) -> None:
    for room_id in (world.private_room, world.unpublished_room):
        response = world.get(f"/decisions/{room_id}{tail}")
        assert response.status == 404, (room_id, tail)
        assert "Private budget talk" not in response.text


async def test_log_json_over_each_database(client: Any) -> None:
    """The queries on both SQLite and PostgreSQL: published, private, unknown."""
    ada = await sign_up(client, "Ada Lovelace")
    public = await open_room(client, ada, publication="anonymous")
    private = await open_room(client, ada, publication="anonymous", is_public=False)
    for room_id in (public, private):
        response = await command(client, room_id, ada, "open_round", {"round": "surface_conflict"})
        assert response.status_code == 200, response.text
        response = await client.post(
            f"/api/rooms/{room_id}/publication", json={}, headers=ada.headers
        )
        assert response.status_code == 200, response.text
    published = (await client.get(f"/api/rooms/{public}/publication", headers=ada.headers)).json()
    response = await client.get(f"/decisions/{public}/log.json")
    assert response.status_code == 200
    assert json.loads(response.content) == published["log"]
    assert verify_log(load_json(response.content)).ok
    etag = response.headers["etag"]
    again = await client.get(f"/decisions/{public}/log.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert (await client.get(f"/decisions/{private}/log.json")).status_code == 404
    assert (await client.get(f"/decisions/{private}")).status_code == 404
    page = await client.get(f"/decisions/{public}")
    assert page.status_code == 200
    assert "No decision yet" in page.text
    assert "Ada" not in page.text
    feed = ElementTree.fromstring((await client.get("/decisions/feed.atom")).content)
    assert len(feed.findall(f"{ATOM}entry")) == 1


async def test_a_log_under_a_policy_the_room_has_left_is_not_shown(client: Any, db: Any) -> None:
    """A `names` room later published `anonymous`: the names log leaves the public pages at
    once, before the anonymous log exists, and the anonymous one never shows a name."""
    from sqlalchemy import update

    from server.db.tables import Room

    ada = await sign_up(client, "Ada Lovelace")
    room_id = await open_room(client, ada, publication="names")

    async def publish() -> None:
        response = await client.post(
            f"/api/rooms/{room_id}/publication", json={}, headers=ada.headers
        )
        assert response.status_code == 200, response.text

    await publish()
    page = await client.get(f"/decisions/{room_id}")
    assert "Ada Lovelace (County Council)" in page.text
    async with db() as session, session.begin():
        await session.execute(
            update(Room).where(Room.id == uuid.UUID(room_id)).values(policy="anonymous")
        )
    for tail in ("", "/log.json", "/log.md"):
        assert (await client.get(f"/decisions/{room_id}{tail}")).status_code == 404
    assert "Ada" not in (await client.get("/decisions")).text
    await publish()
    response = await client.get(f"/decisions/{room_id}/log.json")
    assert response.status_code == 200
    assert load_json(response.content)["policy"] == "anonymous"
    for tail in ("", "/log.json", "/log.md"):
        assert "Ada" not in (await client.get(f"/decisions/{room_id}{tail}")).text
