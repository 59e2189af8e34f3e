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
