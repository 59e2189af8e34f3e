"""The meeting WebSocket against a real uvicorn server: the room socket's conventions (hello,
catch-up by seq, ack or error per command) over a meeting's stream."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.live.client import RoomClient, http_json, sign_up_live
from tests.live.server import LiveServer


class MeetingClient(RoomClient):
    @classmethod
    async def open(  # type: ignore[override]
        cls, ws_url: str, meeting_id: str, token: str, last_seq: int = 0, **kw: Any
    ) -> MeetingClient:
        ws = await connect(
            f"{ws_url}/ws/meetings/{meeting_id}",
            additional_headers={"Authorization": f"Bearer {token}"},
            **kw,
        )
        client = cls(ws)
        client.last_seq = last_seq
        await client.send({"type": "hello", "last_seq": last_seq})
        welcome = await client.next_frame()
        assert welcome["type"] == "welcome", welcome
        assert welcome["meeting"] == meeting_id
        return client


async def a_meeting(base: str) -> tuple[str, dict[str, tuple[str, str]]]:
    people = {name: await sign_up_live(base, name) for name in ("Cara", "Vic", "Lou", "Eve")}
    chair = people["Cara"][1]
    board = await http_json(
        base,
        "POST",
        "/api/boards",
        chair,
        {"name": "Live board", "organisation_name": "City Council", "sector": "local_authority"},
    )
    for name, role, org in (
        ("Vic", "vice_chair", "NHS Trust"),
        ("Lou", "voting_member", "Charity"),
    ):
        invitation = await http_json(
            base,
            "POST",
            f"/api/boards/{board['id']}/invitations",
            chair,
            {"board_role": role, "organisation_name": org},
        )
        await http_json(
            base,
            "POST",
            f"/api/board-invitations/{invitation['token']}/accept",
            people[name][1],
            {},
        )
    meeting = await http_json(
        base,
        "POST",
        f"/api/boards/{board['id']}/meetings",
        chair,
        {
            "title": "Live meeting",
            "starts_at": "2027-01-10T10:00:00Z",
            "ends_at": "2027-01-10T12:00:00Z",
        },
    )
    return meeting["id"], people


async def test_meeting_commands_are_acked_relayed_refused_and_resumed(
    live_server: LiveServer,
) -> None:
    meeting_id, people = await a_meeting(live_server.url)
    cara = await MeetingClient.open(live_server.ws_url, meeting_id, people["Cara"][1])
    lou = await MeetingClient.open(live_server.ws_url, meeting_id, people["Lou"][1])
    ack = await cara.command("add_item", {"title": "Winter fund", "kind": "decision"})
    assert ack["type"] == "ack", ack
    assert set(ack["ids"]) == {"item", "room"}
    await lou.wait_for_seq(ack["seq"])
    assert lou.events[-1]["event"] == "item.added"
    assert lou.events[-1]["data"]["room"] == ack["ids"]["room"]
    assert [e["seq"] for e in lou.events] == list(range(1, ack["seq"] + 1))
    # Refusals come back as error frames with the core's reason; the socket stays open.
    refused = await lou.command("publish_agenda")
    assert (refused["type"], refused["code"]) == ("error", "forbidden"), refused
    missing = await cara.command("start_item", {"item": "nope"})
    assert (missing["type"], missing["code"]) == ("error", "not_found"), missing
    unknown = await cara.command("seize_power")
    assert (unknown["type"], unknown["code"]) == ("error", "unknown_command"), unknown
    # The same id twice: the first ack again, nothing appended.
    again = await cara.command("add_item", {"title": "Winter fund", "kind": "decision"}, id="k1")
    replay = await cara.command("add_item", {"title": "Winter fund", "kind": "decision"}, id="k1")
    assert replay["replayed"] is True
    assert replay["seqs"] == again["seqs"]
    # Lou leaves; the meeting moves on; Lou resumes with exactly what was missed.
    seen = lou.last_seq
    await lou.close()
    for title in ("Report", "AOB"):
        last = await cara.command("add_item", {"title": title, "kind": "noting"})
    lou = await MeetingClient.open(live_server.ws_url, meeting_id, people["Lou"][1], last_seq=seen)
    await lou.wait_for_seq(last["seq"])
    assert [e["seq"] for e in lou.events] == list(range(seen + 1, last["seq"] + 1))
    await lou.send({"type": "view"})
    view = await lou.next_reply()
    assert view["type"] == "view"
    assert len(view["view"]["agenda"]) == 4
    # Someone not on the board is turned away.
    with pytest.raises(ConnectionClosed) as closed:
        stranger = await MeetingClient.open(live_server.ws_url, meeting_id, people["Eve"][1])
        await stranger.next_frame()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4404
    await cara.close()
    await lou.close()


@pytest.fixture
def two_servers(postgres_url: str) -> Any:
    first = LiveServer(postgres_url).start()
    second = LiveServer(postgres_url).start()
    yield first, second
    first.stop()
    second.stop()


@pytest.mark.postgres
async def test_a_meeting_command_on_one_process_reaches_sockets_on_the_other_and_the_chain_holds(
    two_servers: tuple[LiveServer, LiveServer], postgres_url: str
) -> None:
    one, two = two_servers
    meeting_id, people = await a_meeting(one.url)
    cara = await MeetingClient.open(one.ws_url, meeting_id, people["Cara"][1])
    vic = await MeetingClient.open(two.ws_url, meeting_id, people["Vic"][1])
    acks = []
    for title in ("Apologies", "Declarations", "Fund"):
        acks.append(await cara.command("add_item", {"title": title, "kind": "noting"}))
    acks.append(await vic.command("add_item", {"title": "AOB", "kind": "any_other_business"}))
    top = max(a["seq"] for a in acks)
    for client in (cara, vic):
        await client.wait_for_seq(top, timeout=10)
        assert [e["seq"] for e in client.events] == list(range(1, top + 1))
        await client.close()
    from sqlalchemy import select

    from server.db.engine import create_engine
    from server.db.tables import MeetingEvent
    from server.rooms.chain import verify_chain

    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(MeetingEvent.__table__)
                    .where(MeetingEvent.meeting_id == uuid.UUID(meeting_id))
                    .order_by(MeetingEvent.seq)
                )
            ).all()
    finally:
        await engine.dispose()
    assert verify_chain(meeting_id, rows, stream="meeting") == top
