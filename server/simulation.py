"""A whole meeting driven through the public HTTP and WebSocket API, as real clients would.

It is the demo, the end-to-end test and a load driver in one. It creates accounts,
organisations and a room with a speaking cap and a vote cap; one organisation holds most
members and keeps trying to take the floor; the room runs all four rounds, reaches a
consent decision with a concern and a recorded dissent, and publishes its log.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PASSWORD = "simulated-participant-pw"


class SimulationError(Exception):
    """The server refused something the simulation needed."""


@dataclass
class Member:
    name: str
    organisation: str
    token: str = ""
    participant: str = ""
    socket: ClientConnection | None = None
    frames: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None
    last_seq: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Outcome:
    room_id: str
    log: dict[str, Any]
    refusals: dict[str, int]
    commands: int


class Meeting:
    def __init__(
        self,
        url: str,
        *,
        organisations: int,
        participants: int,
        seed: int,
        report: Callable[[str], None],
    ) -> None:
        if organisations < 3:
            raise SimulationError("a meeting needs at least 3 organisations")
        if participants < organisations + 2:
            raise SimulationError("give every organisation a member and the largest a majority")
        self.url = url.rstrip("/")
        self.ws_url = "ws" + self.url[4:] if self.url.startswith("http") else self.url
        self.random = random.Random(seed)
        self.report = report
        self.refusals: dict[str, int] = {}
        self.commands = 0
        self.http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.run_id = uuid.uuid4().hex[:6]
        names = ["Northgate Health Trust"] + [
            f"Partner {chr(65 + i)}" for i in range(organisations - 1)
        ]
        # The largest organisation holds well over half the members.
        big = participants // 2 + 1
        self.members: list[Member] = [Member(f"Facilitator {self.run_id}", "Independent Chair")]
        for index in range(participants):
            organisation = (
                names[0] if index < big else names[1 + (index - big) % (organisations - 1)]
            )
            self.members.append(Member(f"Member {index + 1}", organisation))
        self.facilitator = self.members[0]
        self.dominant = [m for m in self.members[1:] if m.organisation == names[0]]
        self.others = [m for m in self.members[1:] if m.organisation != names[0]]
        self.room_id = ""

    # -- HTTP ---------------------------------------------------------------------------
    async def _post(self, path: str, body: Any, member: Member | None = None) -> Any:
        response = await self.http.post(path, json=body, headers=member.headers if member else {})
        if response.status_code >= 400:
            raise SimulationError(f"POST {path}: {response.status_code} {response.text}")
        return response.json()

    async def sign_up(self, member: Member) -> None:
        email = f"{member.name.lower().replace(' ', '-')}-{self.run_id}@simulation.evenfloor.org"
        body = {"email": email, "display_name": member.name, "password": PASSWORD}
        created = await self._post("/api/auth/register", body)
        member.participant = created["id"]
        token = await self._post(
            "/api/auth/token", {"email": email, "password": PASSWORD, "name": "simulate"}
        )
        member.token = token["token"]

    # -- WebSocket ----------------------------------------------------------------------
    async def join(self, member: Member) -> None:
        member.socket = await connect(
            f"{self.ws_url}/ws/rooms/{self.room_id}",
            additional_headers=member.headers,
            compression=None,
        )
        member.reader = asyncio.create_task(self._read(member))
        await member.socket.send(json.dumps({"type": "hello", "last_seq": 0}))

    async def _read(self, member: Member) -> None:
        assert member.socket is not None
        async for raw in member.socket:
            frame = json.loads(raw)
            if frame.get("type") == "event":
                member.last_seq = frame["seq"]
            else:
                await member.frames.put(frame)

    async def act(
        self,
        member: Member,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        for_: Member | None = None,
        expect: bool = True,
    ) -> dict[str, Any]:
        """Send a command and wait for its ack or error."""
        assert member.socket is not None
        ref = uuid.uuid4().hex
        message: dict[str, Any] = {"type": "command", "id": ref, "name": name, "args": args or {}}
        if for_ is not None:
            message["acting_for"] = for_.participant
        await member.socket.send(json.dumps(message))
        self.commands += 1
        while True:
            frame = await asyncio.wait_for(member.frames.get(), 30)
            if frame.get("id") != ref:
                continue
            if frame["type"] == "error":
                self.refusals[frame["code"]] = self.refusals.get(frame["code"], 0) + 1
                if expect:
                    raise SimulationError(
                        f"{member.name}: {name} refused: {frame['code']}: {frame['message']}"
                    )
            return dict(frame)

    async def view(self, member: Member) -> dict[str, Any]:
        response = await self.http.get(f"/api/rooms/{self.room_id}/view", headers=member.headers)
        response.raise_for_status()
        return dict(response.json()["view"])

    # -- the meeting --------------------------------------------------------------------
    async def run(self) -> Outcome:
        try:
            return await self._run()
        finally:
            for member in self.members:
                if member.socket is not None:
                    await member.socket.close()
                if member.reader is not None:
                    member.reader.cancel()
            await self.http.aclose()

    async def _run(self) -> Outcome:
        self.report(f"Signing up {len(self.members)} people")
        await asyncio.gather(*(self.sign_up(m) for m in self.members))
        room = await self._post(
            "/api/rooms",
            {
                "title": "Shared community transport for hospital discharges",
                "proposal": "The partners jointly fund two accessible minibuses for hospital discharges.",
                "organisation_name": self.facilitator.organisation,
                "publication": "organisations",
                "rules": {
                    "speaking_cap": "3/10",
                    "speech_limit_ms": 60_000,
                    # Speeches here last tens of milliseconds: a grace to match, so that
                    # the cap's clock acts as it would on minutes in a real meeting.
                    "cap_grace_ms": 30,
                    "vote_mode": "capped",
                    "vote_cap": "3/10",
                    "quorum": {"participants": 3, "organisations": 3},
                },
            },
            self.facilitator,
        )
        self.room_id = room["id"]
        self.report(f"Room {self.room_id}: inviting members")
        for member in self.members[1:]:
            invitation = await self._post(
                f"/api/rooms/{self.room_id}/invitations",
                {"role": "participant", "organisation_name": member.organisation},
                self.facilitator,
            )
            await self._post(f"/api/invitations/{invitation['token']}/accept", {}, member)
        await asyncio.gather(*(self.join(m) for m in self.members))
        await self.surface_conflict()
        await self.weigh_perspectives()
        await self.record_dissent()
        await self.consent()
        self.report("Publishing the decision log")
        published = await self._post(f"/api/rooms/{self.room_id}/publication", {}, self.facilitator)
        return Outcome(self.room_id, published["log"], self.refusals, self.commands)

    async def floor_session(self, turns: int) -> None:
        """The largest organisation keeps raising hands; the progressive stack decides."""
        f = self.facilitator
        for member in self.dominant:
            await self.act(member, "raise_hand", expect=False)
        for member in self.random.sample(self.others, k=min(3, len(self.others))):
            await self.act(member, "raise_hand", expect=False)
        for _turn in range(turns):
            granted = await self.act(f, "next_speaker", expect=False)
            if granted["type"] != "ack" or not granted["seqs"]:
                break
            await asyncio.sleep(self.random.uniform(0.02, 0.08))  # the speech
            # The dominant organisation tries to jump the queue again and again; now and
            # then a partner asks again too, and the cap's clock cuts whoever is over it.
            for member in self.random.sample(self.dominant, k=min(2, len(self.dominant))):
                await self.act(member, "raise_hand", expect=False)
            await self.act(self.random.choice(self.others), "raise_hand", expect=False)
            await self.act(f, "end_speech", expect=False)

    async def surface_conflict(self) -> None:
        self.report("Round 1: surface conflict")
        f = self.facilitator
        await self.act(f, "open_round", {"round": "surface_conflict"})
        texts = [
            "Evening discharges need transport most.",
            "The trust should pay in proportion to the beds it frees.",
            "Drivers must be trained in dementia care.",
            "Rural patients are left out of the current plan.",
            "Two minibuses are not enough for the winter peak.",
            "Volunteers could extend the hours at low cost.",
        ]
        statements = []
        for index, text in enumerate(texts):
            author = self.members[1 + index % (len(self.members) - 1)]
            statement = f"st-{index}"
            await self.act(author, "add_statement", {"statement": statement, "text": text})
            statements.append(statement)
        for member in self.members[1:]:
            for statement in statements:
                reaction = self.random.choice(["agree", "agree", "disagree", "pass"])
                if member.organisation == self.dominant[0].organisation and statement == "st-1":
                    reaction = "disagree"
                await self.act(
                    member, "react", {"statement": statement, "reaction": reaction}, expect=False
                )
        await self.floor_session(turns=6)
        await self.act(f, "close_round")

    async def weigh_perspectives(self) -> None:
        self.report("Round 2: weigh perspectives")
        f = self.facilitator
        await self.act(f, "open_round", {"round": "weigh_perspectives"})
        kinds = ["benefit", "risk", "concern", "affected_group"]
        tabled: list[str] = []
        by_org: dict[str, Member] = {}
        for member in self.members[1:]:
            by_org.setdefault(member.organisation, member)
        for index, (organisation, member) in enumerate(sorted(by_org.items())):
            perspective = f"pe-{index}"
            await self.act(
                member,
                "table_perspective",
                {
                    "perspective": perspective,
                    "kind": kinds[index % len(kinds)],
                    "text": f"{organisation}: what this means for the people we serve.",
                },
            )
            tabled.append(perspective)
        for member in self.members[1:]:
            chosen = self.random.sample(tabled, k=min(2, len(tabled)))
            await self.act(
                member,
                "allocate_points",
                {
                    "allocations": [
                        {"perspective": chosen[0], "points": 6},
                        {"perspective": chosen[-1], "points": 4},
                    ]
                    if len(chosen) > 1
                    else [{"perspective": chosen[0], "points": 10}]
                },
            )
        await self.floor_session(turns=4)
        await self.act(f, "close_round")

    async def record_dissent(self) -> None:
        self.report("Round 3: record dissent")
        f = self.facilitator
        await self.act(f, "open_round", {"round": "record_dissent"})
        dissenter = self.others[0]
        await self.act(
            dissenter,
            "record_dissent",
            {
                "dissent": "di-1",
                "kind": "formal_dissent",
                "text": "Costs are split by size, not by benefit: smaller partners pay for beds they never use.",
            },
        )
        await self.act(
            self.others[-1],
            "record_dissent",
            {
                "dissent": "di-2",
                "kind": "minority_view",
                "text": "Rural routes should come first.",
            },
        )
        await self.act(self.others[-1], "withdraw_dissent", {"dissent": "di-2"})
        await self.act(f, "close_round")

    async def consent(self) -> None:
        self.report("Round 4: consent")
        f = self.facilitator
        await self.act(f, "open_round", {"round": "consent"})
        objector = self.others[1] if len(self.others) > 1 else self.others[0]
        await self.act(
            objector,
            "answer_consent",
            {"position": "object", "text": "No evening service is planned."},
        )
        await self.act(
            f,
            "amend_proposal",
            {
                "text": "The partners jointly fund two accessible minibuses for hospital discharges, running until 22:00.",
                "reason": "Integrates the objection about evening service.",
                "integrates": [objector.participant],
            },
        )
        concerned = self.others[0]
        for member in self.members[1:]:
            if member is concerned:
                await self.act(
                    member,
                    "answer_consent",
                    {"position": "concern", "text": "The cost split needs review in a year."},
                )
            elif member is self.others[-1] and len(self.others) > 2:
                await self.act(
                    member,
                    "answer_consent",
                    {"position": "stand_aside", "text": "Not our service area."},
                )
            else:
                await self.act(member, "answer_consent", {"position": "consent"})
        # The largest organisation answers again and again: the last answer counts once.
        for member in self.dominant[:2]:
            await self.act(member, "answer_consent", {"position": "consent"}, expect=False)
        await self.act(f, "close_round")


# -- a whole board meeting -----------------------------------------------------------------

BOARD_SEATS = [
    ("Chair", "City Council", "local_authority", "chair"),
    ("Vice-chair", "Northgate NHS Trust", "nhs", "vice_chair"),
    ("Councillor", "City Council", "local_authority", "voting_member"),
    ("Clinician", "Northgate NHS Trust", "nhs", "voting_member"),
    ("Voluntary lead", "Voluntary Action", "voluntary", "voting_member"),
    ("Carers' lead", "Carers' Alliance", "voluntary", "voting_member"),
    ("Public health adviser", "Public Health", "local_authority", "adviser"),
    ("Board officer", "City Council", "", "officer"),
]
VOTERS = ("Chair", "Vice-chair", "Councillor", "Clinician", "Voluntary lead", "Carers' lead")
ROUNDS = ("surface_conflict", "weigh_perspectives", "record_dissent", "consent")
PRIVATE_NOTE = "Preferred bidder: Oakfield Care at 4.1 million a year."


@dataclass
class MeetingOutcome:
    meetings: list[str]
    record: dict[str, Any]
    logs: list[dict[str, Any]]
    refusals: dict[str, list[str]]
    quorum: list[dict[str, Any]]
    commands: int
    verified: str


class BoardMeeting:
    """Two meetings of a board through the public API: the first with a declared interest
    that keeps a member out of a vote, quorum lost and restored, a private item and an
    action; the second approves the first's minutes, which are then published and verified.

    Meeting commands go over the meeting's WebSocket (as the console sends them), room
    commands and reads over HTTP (as members' pages and scripts do).
    """

    def __init__(self, url: str, *, report: Callable[[str], None]) -> None:
        self.url = url.rstrip("/")
        self.ws_url = "ws" + self.url[4:] if self.url.startswith("http") else self.url
        self.report = report
        self.http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.run_id = uuid.uuid4().hex[:6]
        self.people = {name: Member(name, org) for name, org, _sector, _role in BOARD_SEATS}
        self.refusals: dict[str, list[str]] = {}
        self.commands = 0
        self.board_id = ""
        self.sockets: dict[tuple[str, str], Member] = {}

    def __getitem__(self, name: str) -> Member:
        return self.people[name]

    async def _post(self, path: str, body: Any, member: Member) -> Any:
        response = await self.http.post(path, json=body, headers=member.headers)
        if response.status_code >= 400:
            raise SimulationError(f"POST {path}: {response.status_code} {response.text}")
        return response.json()

    async def _get(self, path: str, member: Member | None = None) -> Any:
        response = await self.http.get(path, headers=member.headers if member else {})
        if response.status_code >= 400:
            raise SimulationError(f"GET {path}: {response.status_code} {response.text}")
        return response.json()

    def _refused(self, code: str, message: str) -> None:
        self.refusals.setdefault(code, []).append(message)

    async def room(
        self,
        member: Member,
        room: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        expect: str | None = None,
    ) -> dict[str, Any]:
        """A room command over HTTP; ``expect`` names the refusal code it must get."""
        self.commands += 1
        response = await self.http.post(
            f"/api/rooms/{room}/commands/{name}", json=args or {}, headers=member.headers
        )
        body: dict[str, Any] = response.json()
        if expect is None and response.status_code >= 400:
            raise SimulationError(f"{member.name}: {name} refused: {response.text}")
        if expect is not None:
            if body.get("code") != expect:
                raise SimulationError(f"{member.name}: {name} should be refused ({expect}): {body}")
            self._refused(expect, body["message"])
        return body

    async def _socket(self, member: Member, meeting: str) -> Member:
        key = (member.name, meeting)
        found = self.sockets.get(key)
        if found is not None:
            return found
        client = Member(member.name, member.organisation, member.token, member.participant)
        client.socket = await connect(
            f"{self.ws_url}/ws/meetings/{meeting}",
            additional_headers=client.headers,
            compression=None,
        )
        client.reader = asyncio.create_task(self._read(client))
        await client.socket.send(json.dumps({"type": "hello", "last_seq": 0}))
        self.sockets[key] = client
        return client

    async def _read(self, client: Member) -> None:
        assert client.socket is not None
        async for raw in client.socket:
            frame = json.loads(raw)
            if frame.get("type") == "event":
                client.last_seq = frame["seq"]
            await client.frames.put(frame)

    async def act(
        self,
        member: Member,
        meeting: str,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        expect: str | None = None,
    ) -> dict[str, Any]:
        """A meeting command over the meeting's socket; waits for its ack or error."""
        client = await self._socket(member, meeting)
        assert client.socket is not None
        ref = uuid.uuid4().hex
        await client.socket.send(
            json.dumps({"type": "command", "id": ref, "name": name, "args": args or {}})
        )
        self.commands += 1
        while True:
            frame = await asyncio.wait_for(client.frames.get(), 30)
            if frame.get("id") != ref or frame["type"] not in ("ack", "error"):
                continue
            if frame["type"] == "error":
                if expect != frame["code"]:
                    raise SimulationError(
                        f"{member.name}: {name} refused: {frame['code']}: {frame['message']}"
                    )
                self._refused(frame["code"], frame["message"])
            elif expect is not None:
                raise SimulationError(f"{member.name}: {name} should be refused ({expect})")
            return dict(frame)

    async def run(self) -> MeetingOutcome:
        try:
            return await self._run()
        finally:
            for client in self.sockets.values():
                if client.socket is not None:
                    await client.socket.close()
                if client.reader is not None:
                    client.reader.cancel()
            await self.http.aclose()

    async def sign_up(self, member: Member) -> None:
        slug = member.name.lower().replace(" ", "-").replace("'", "")
        email = f"{slug}-{self.run_id}@simulation.evenfloor.org"
        body = {"email": email, "display_name": member.name, "password": PASSWORD}
        response = await self.http.post("/api/auth/register", json=body)
        if response.status_code >= 400:
            raise SimulationError(f"register {member.name}: {response.text}")
        member.participant = response.json()["id"]
        token = await self.http.post(
            "/api/auth/token", json={"email": email, "password": PASSWORD, "name": "simulate"}
        )
        member.token = token.json()["token"]
        self.http.cookies.clear()

    async def _run(self) -> MeetingOutcome:
        self.report(f"Signing up {len(self.people)} board members")
        for member in self.people.values():
            await self.sign_up(member)
        chair = self["Chair"]
        name, org, sector, role = BOARD_SEATS[0]
        board = await self._post(
            "/api/boards",
            {
                "name": f"Simulated Health and Wellbeing Board {self.run_id}",
                "organisation_name": org,
                "sector": sector,
                "board_role": role,
                "standing_orders": {
                    "quorum": {
                        "min_voting_members": 4,
                        "min_organisations": 3,
                        "required_roles": [["chair", "vice_chair"]],
                        "required_sectors": [
                            {
                                "sector": "local_authority",
                                "count": 1,
                                "name": "the local authority",
                            },
                            {"sector": "nhs", "count": 1, "name": "the NHS"},
                        ],
                    },
                    "publication": "names",
                    "private_titles": True,
                },
            },
            chair,
        )
        self.board_id = board["id"]
        self.report(f"Board {self.board_id}: inviting its members")
        for name, org, sector, role in BOARD_SEATS[1:]:
            invitation = await self._post(
                f"/api/boards/{self.board_id}/invitations",
                {"board_role": role, "organisation_name": org, "sector": sector},
                chair,
            )
            await self._post(f"/api/board-invitations/{invitation['token']}/accept", {}, self[name])
        first = await self.first_meeting()
        second = await self.second_meeting(first)
        self.report("Publishing and verifying the approved minutes")
        published = await self._post(f"/api/meetings/{first}/publication", {}, chair)
        record = published["record"]
        logs = [
            (await self._get(f"/api/rooms/{link['room_id']}/publication", chair))["log"]
            for link in record["links"]
        ]
        verified = self.verify(record, logs)
        view = (await self._get(f"/api/meetings/{first}/view", chair))["view"]
        return MeetingOutcome(
            [first, second],
            record,
            logs,
            self.refusals,
            view["quorum_log"],
            self.commands,
            verified,
        )

    def verify(self, record: dict[str, Any], logs: list[dict[str, Any]]) -> str:
        try:
            from server.publication.meeting_record import verify_record
        except ImportError:  # the record's verifier is not installed: say so, do not pretend
            return "not verified (no meeting-record verifier)"
        result = verify_record(record, logs=logs)
        if not result.ok:
            raise SimulationError(f"the meeting record does not verify: {result.message}")
        if PRIVATE_NOTE in json.dumps(record):
            raise SimulationError("the published record holds a private item's content")
        return (
            f"verified: {result.items} items ({result.private} private), {result.links} linked logs"
        )

    async def schedule(self, title: str, starts_at: str) -> str:
        meeting = await self._post(
            f"/api/boards/{self.board_id}/meetings",
            {
                "title": title,
                "starts_at": starts_at,
                "ends_at": starts_at.replace("T10:", "T12:"),
                "place": "Council Chamber",
            },
            self["Chair"],
        )
        return str(meeting["id"])

    async def item(self, meeting: str, title: str, kind: str, **fields: Any) -> dict[str, str]:
        ack = await self.act(
            self["Chair"], meeting, "add_item", {"title": title, "kind": kind, **fields}
        )
        ids: dict[str, str] = ack["ids"]
        return ids

    async def attend(self, meeting: str, names: tuple[str, ...]) -> None:
        officer = self["Board officer"]
        for name in names:
            await self.act(
                officer,
                meeting,
                "mark_attendance",
                {"member": self[name].participant, "status": "present_in_room"},
            )

    async def to_consent(self, room: str) -> None:
        chair = self["Chair"]
        for kind in ROUNDS:
            await self.room(chair, room, "open_round", {"round": kind})
            if kind != "consent":
                await self.room(chair, room, "close_round")

    async def consent(self, room: str, voters: tuple[str, ...], concern: str | None = None) -> None:
        for name in voters:
            if name == concern:
                args = {"position": "concern", "text": "Review the cost split in a year."}
            else:
                args = {"position": "consent"}
            await self.room(self[name], room, "answer_consent", args)

    async def first_meeting(self) -> str:
        chair, officer = self["Chair"], self["Board officer"]
        meeting = await self.schedule("January meeting", "2027-01-14T10:00:00Z")
        self.report(f"Meeting {meeting}: the agenda")
        await self.item(meeting, "Apologies", "apologies")
        await self.item(meeting, "Declarations of interest", "declarations")
        fund = await self.item(
            meeting,
            "Winter discharge fund",
            "decision",
            description="Fund a shared discharge lounge from December to March.",
            planned_minutes=20,
        )
        report = await self.item(meeting, "Annual public health report", "noting")
        contract = await self.item(
            meeting, "Care contract award", "decision", private=True, description=PRIVATE_NOTE
        )
        await self.act(chair, meeting, "publish_agenda")
        await self.act(
            officer,
            meeting,
            "mark_attendance",
            {"member": self["Carers' lead"].participant, "status": "apologies"},
        )
        await self.attend(
            meeting, ("Chair", "Vice-chair", "Councillor", "Clinician", "Voluntary lead")
        )
        await self.act(chair, meeting, "open_meeting")
        present = ("Chair", "Vice-chair", "Councillor", "Clinician", "Voluntary lead")

        self.report("The fund: a declared interest, quorum lost and restored")
        councillor = self["Councillor"]
        await self.act(
            councillor,
            meeting,
            "declare_interest",
            {
                "member": councillor.participant,
                "item": fund["item"],
                "interest": "My spouse manages the lounge's provider.",
            },
        )
        await self.act(chair, meeting, "start_item", {"item": fund["item"]})
        await self.to_consent(fund["room"])
        await self.room(
            councillor, fund["room"], "answer_consent", {"position": "consent"}, expect="forbidden"
        )
        voting = tuple(n for n in present if n != "Councillor")
        await self.consent(fund["room"], voting, concern="Voluntary lead")
        for name in ("Vice-chair", "Clinician"):
            await self.act(officer, meeting, "record_departure", {"member": self[name].participant})
        await self.room(chair, fund["room"], "close_round", expect="no_quorum")
        await self.act(chair, meeting, "close_item", {"item": fund["item"]}, expect="no_quorum")
        for name in ("Clinician", "Vice-chair"):
            await self.act(officer, meeting, "record_arrival", {"member": self[name].participant})
        await self.room(chair, fund["room"], "close_round")
        await self.act(
            officer,
            meeting,
            "add_action",
            {
                "item": fund["item"],
                "what": "Sign the discharge lounge lease",
                "owner": officer.name,
                "owner_member": officer.participant,
                "due": "2027-01-31T00:00:00Z",
            },
        )
        await self.act(chair, meeting, "close_item", {"item": fund["item"]})

        self.report("The annual report, noted")
        await self.act(chair, meeting, "start_item", {"item": report["item"]})
        await self.act(chair, meeting, "note_item", {"item": report["item"]})
        await self.act(chair, meeting, "close_item", {"item": report["item"]})

        self.report("The contract award, in private")
        await self.act(chair, meeting, "start_item", {"item": contract["item"]})
        await self.to_consent(contract["room"])
        await self.consent(contract["room"], ("Chair", "Councillor", "Clinician", "Voluntary lead"))
        await self.room(chair, contract["room"], "close_round")
        await self.act(chair, meeting, "close_item", {"item": contract["item"]})
        await self.act(
            officer,
            meeting,
            "edit_narrative",
            {"part": "note", "item": contract["item"], "text": PRIVATE_NOTE},
        )
        await self.act(
            officer,
            meeting,
            "edit_narrative",
            {"part": "attendance", "text": "Everyone was there."},
            expect="forbidden",
        )
        await self.act(chair, meeting, "close_meeting")
        return meeting

    async def second_meeting(self, first: str) -> str:
        chair = self["Chair"]
        meeting = await self.schedule("February meeting", "2027-02-11T10:00:00Z")
        self.report(f"Meeting {meeting}: approving the January minutes")
        previous = await self.item(
            meeting, "Minutes of the previous meeting", "previous_minutes", approves=first
        )
        await self.item(meeting, "Matters arising", "matters_arising")
        await self.act(chair, meeting, "publish_agenda")
        voters = (
            "Chair",
            "Vice-chair",
            "Councillor",
            "Clinician",
            "Voluntary lead",
            "Carers' lead",
        )
        await self.attend(meeting, voters)
        await self.act(chair, meeting, "open_meeting")
        await self.act(chair, meeting, "start_item", {"item": previous["item"]})
        await self.to_consent(previous["room"])
        await self.consent(previous["room"], voters)
        await self.room(chair, previous["room"], "close_round")
        await self.act(chair, meeting, "close_item", {"item": previous["item"]})
        minutes = (await self._get(f"/api/meetings/{first}/minutes", chair))["minutes"]
        if minutes["status"] != "approved":
            raise SimulationError("the January minutes were not approved by February's consent")
        return meeting
