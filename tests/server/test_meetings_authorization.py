"""Every meeting command and every boards-and-meetings route, for every kind of caller:
strangers get 404, board observers 403, nobody signed in 401 (or CSRF's 403), and nothing
is written. A new route under /api/boards or /api/meetings must be listed in ROUTES."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.db.tables import BoardInvitation, Meeting, MeetingEvent, StandingInterest
from server.meetings.commands import public_meeting_commands
from tests.api import sign_up
from tests.server.meetings_support import make_board, meeting_command, schedule

OUTPUT_SUFFIXES = (".html", ".md", ".pdf", ".json", ".ics")
OUTPUT_SUFFIXES = (".html", ".md", ".pdf", ".json", ".ics")
# (method, path) -> who may: "public" (anyone, for a public board), "member" (any board
# member), "secretariat" (chair, vice-chair, officers), "signed_in", "token" (an
# invitation token), "participant" (members who take part: not observers).
ROUTES = {
    ("POST", "/api/boards"): "signed_in",
    ("GET", "/api/boards"): "signed_in",
    ("GET", "/api/boards/{board_id:uuid}"): "public",
    ("POST", "/api/boards/{board_id:uuid}/invitations"): "secretariat",
    ("POST", "/api/boards/{board_id:uuid}/members/{member_id:uuid}/role"): "secretariat",
    ("GET", "/api/boards/{board_id:uuid}/interests"): "public",
    ("POST", "/api/boards/{board_id:uuid}/interests"): "participant",
    ("POST", "/api/boards/{board_id:uuid}/interests/{interest_id:uuid}/withdraw"): "participant",
    ("POST", "/api/boards/{board_id:uuid}/meetings"): "secretariat",
    ("GET", "/api/boards/{board_id:uuid}/meetings"): "public",
    ("POST", "/api/board-invitations/{token:str}/accept"): "token",
    ("GET", "/api/meetings/{meeting_id:uuid}"): "member",
    ("GET", "/api/meetings/{meeting_id:uuid}/view"): "member",
    ("GET", "/api/meetings/{meeting_id:uuid}/events"): "member",
    ("GET", "/api/meetings/{meeting_id:uuid}/minutes"): "public",
    ("GET", "/api/meetings/{meeting_id:uuid}/record"): "public",
    ("POST", "/api/meetings/{meeting_id:uuid}/publication"): "secretariat",
    # The outputs (server.meetings.outputs_http; tested in tests/meetings_outputs/).
    ("GET", "/meetings/{meeting_id:uuid}/minutes.html"): "public",
    ("GET", "/meetings/{meeting_id:uuid}/minutes.md"): "public",
    ("GET", "/meetings/{meeting_id:uuid}/minutes.pdf"): "public",
    ("GET", "/meetings/{meeting_id:uuid}/record.json"): "public",
    ("GET", "/meetings/{meeting_id:uuid}/meeting.ics"): "public",
    ("GET", "/boards/{board_id:uuid}/meetings.ics"): "public",
    **{
        ("POST", f"/api/meetings/{{meeting_id:uuid}}/commands/{name}"): "participant"
        for name in public_meeting_commands()
    },
}


async def test_every_boards_and_meetings_route_is_in_the_matrix(app: Any) -> None:
    found = set()
    for route in app.routes:
        path = route.path
        api = path.startswith(("/api/boards", "/api/board-invitations", "/api/meetings"))
        output = path.startswith(("/meetings/", "/boards/")) and path.endswith(OUTPUT_SUFFIXES)
        if not (api or output):  # the pages (server/web) have their own tests
            continue
        for method in getattr(route, "methods", ()):
            if method in ("HEAD", "OPTIONS"):
                continue
            found.add((method, path))
    missing = found - set(ROUTES)
    assert not missing, f"routes without an authorization rule: {sorted(missing)}"
    assert not set(ROUTES) - found, "the matrix lists routes the app no longer has"


async def _counts(db: Any) -> tuple[int, ...]:
    counts = []
    async with db() as session:
        for table in (MeetingEvent, Meeting, BoardInvitation, StandingInterest):
            counts.append(int(await session.scalar(select(func.count()).select_from(table)) or 0))
    return tuple(counts)


async def test_strangers_404_observers_403_anonymous_refused_for_every_command(
    client: Any, db: Any
) -> None:
    board = await make_board(client, {"publication": "names"})
    meeting_id = await schedule(client, board)
    eve = await sign_up(client, "Eve Stranger")
    obs = await sign_up(client, "Obi Observer")
    invitation = await client.post(
        f"/api/boards/{board.id}/invitations",
        json={"board_role": "observer"},
        headers=board["chair"].headers,
    )
    accepted = await client.post(
        f"/api/board-invitations/{invitation.json()['token']}/accept", json={}, headers=obs.headers
    )
    assert accepted.status_code == 200, accepted.text
    before = await _counts(db)
    for name in sorted(public_meeting_commands()):
        stranger = await meeting_command(client, meeting_id, eve, name, {})
        assert stranger.status_code == 404, (name, stranger.text)
        observer = await meeting_command(client, meeting_id, obs, name, {})
        assert observer.status_code == 403, (name, observer.text)
        anonymous = await client.post(f"/api/meetings/{meeting_id}/commands/{name}", json={})
        assert anonymous.status_code == 403, (name, anonymous.text)  # CSRF before anything
    for path in ("", "/view", "/events"):
        assert (
            await client.get(f"/api/meetings/{meeting_id}{path}", headers=eve.headers)
        ).status_code == 404, path
        assert (await client.get(f"/api/meetings/{meeting_id}{path}")).status_code == 401, path
        assert (
            await client.get(f"/api/meetings/{meeting_id}{path}", headers=obs.headers)
        ).status_code == 200, path
    for path, body in (
        (f"/api/boards/{board.id}/invitations", {}),
        (
            f"/api/boards/{board.id}/meetings",
            {"title": "x", "starts_at": "2027-03-01T10:00:00Z", "ends_at": "2027-03-01T11:00:00Z"},
        ),
        (f"/api/boards/{board.id}/interests", {"interest": "Shares in a care home."}),
        (f"/api/meetings/{meeting_id}/publication", {}),
    ):
        assert (await client.post(path, json=body, headers=eve.headers)).status_code == 404, path
        assert (await client.post(path, json=body, headers=obs.headers)).status_code == 403, path
    assert await _counts(db) == before


async def test_a_private_board_is_404_to_the_public_and_a_public_one_shows_its_policy(
    client: Any,
) -> None:
    board = await make_board(client, {"publication": "organisations"})
    eve = await sign_up(client, "Eve Stranger")
    shown = await client.get(f"/api/boards/{board.id}", headers=eve.headers)
    assert shown.status_code == 200, shown.text
    members = shown.json()["members"]
    assert all(m["name"] is None and m["member"] is None for m in members)
    assert {m["organisation"] for m in members} >= {"City Council", "Northgate NHS Trust"}
    private = await client.post(
        "/api/boards",
        json={"name": "Closed board", "organisation_name": "City Council", "is_public": False},
        headers=eve.headers,
    )
    closed = private.json()["id"]
    for path in ("", "/meetings", "/interests"):
        assert (await client.get(f"/api/boards/{closed}{path}")).status_code == 404, path
        assert (
            await client.get(f"/api/boards/{closed}{path}", headers=board["chair"].headers)
        ).status_code == 404, path
