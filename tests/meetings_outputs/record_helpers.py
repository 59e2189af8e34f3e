"""Meeting records to verify and tamper with, and both verifiers side by side."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rfc8785
from minutes_fixtures import (
    ROOM_CARERS,
    ROOM_HUB,
    ROOM_MINUTES,
    approved,
    published,
)
from nacl.signing import SigningKey

from server.publication import Draft, build_log
from server.publication.keys import public_key_text
from server.publication.log import serialize_log
from server.publication.meeting_record import build_record, log_link, verify_record
from server.publication.verify import UnreadableInputError, load_json

HERE = Path(__file__).parent
HARNESS = HERE / "record_harness.mjs"
NODE = shutil.which("node") or "/usr/bin/node"

BOARD_KEY = SigningKey(bytes([7]) * 32)
OTHER_KEY = SigningKey(bytes([8]) * 32)
ROOM_KEYS = {
    room: SigningKey(bytes([20 + n]) * 32)
    for n, room in enumerate((ROOM_MINUTES, ROOM_CARERS, ROOM_HUB))
}
SIGNED_AT = "2027-03-11T10:30:00.000Z"
ITEM_ROOMS = {"item-3": ROOM_MINUTES, "item-5": ROOM_CARERS, "item-6": ROOM_HUB}


def decision_log(room_id: str, title: str, outcome: str, extra: int = 0) -> dict[str, Any]:
    """A small published decision log of one item's room (format 1)."""
    drafts = [
        Draft("2027-01-14T10:30:00.000Z", "proposal.tabled", {"title": title, "text": title}),
        Draft("2027-01-14T10:31:00.000Z", "round.opened", {"round": "consent", "number": 1}),
    ]
    drafts += [
        Draft(
            "2027-01-14T10:32:00.000Z",
            "statement.added",
            {"statement": f"s{n}", "text": f"Point {n}"},
        )
        for n in range(extra)
    ]
    drafts.append(
        Draft(
            "2027-01-14T10:40:00.000Z",
            "decision.reached",
            {
                "outcome": outcome,
                "rules": {"speaking_cap": None, "vote_cap": None},
                "fairness": {},
                "overrides": [],
            },
        )
    )
    return build_log(
        {"id": room_id, "title": title},
        "names",
        drafts,
        ROOM_KEYS[room_id],
        signed_at="2027-01-14T12:00:00.000Z",
    )


def logs() -> dict[str, dict[str, Any]]:
    """The published decision log of each decided public item, keyed by item id."""
    return {
        "item-3": decision_log(ROOM_MINUTES, "Minutes of 12 November 2026", "consented"),
        "item-5": decision_log(ROOM_CARERS, "Joint carers' strategy", "consented_with_concerns", 3),
        "item-6": decision_log(ROOM_HUB, "Mental health hub", "passed", 1),
    }


def minutes_for_record() -> dict[str, Any]:
    """Approved, published minutes whose decisions point at the rooms of `logs()`."""
    return published(approved())


def sample_record(key: SigningKey = BOARD_KEY) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    item_logs = logs()
    links = [log_link(item, log) for item, log in item_logs.items()]
    return build_record(minutes_for_record(), links, key, signed_at=SIGNED_AT), item_logs


def forge_hash(record: dict[str, Any]) -> None:
    """Recompute the record's hash as a forger would, from the spec, with rfc8785."""
    body = {name: record[name] for name in ("format", "public_key", "minutes", "links")}
    record["hash"] = hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def forge_signature(record: dict[str, Any], key: SigningKey) -> None:
    message = (
        f"evenfloor-meeting-record/1\n{record['minutes']['meeting']['id']}\n"
        f"{record['hash']}\n{record['signed_at']}"
    )
    record["signature"] = (
        base64.urlsafe_b64encode(key.sign(message.encode()).signature).rstrip(b"=").decode()
    )


def resign(record: dict[str, Any], key: SigningKey = BOARD_KEY) -> dict[str, Any]:
    """Re-hash and re-sign a changed record: what the board's own key can do."""
    record["public_key"] = public_key_text(key)
    forge_hash(record)
    forge_signature(record, key)
    return record


@dataclass(frozen=True)
class RecordCase:
    record: str
    key: str | None = None
    logs: Sequence[str] = field(default_factory=tuple)

    def wire(self) -> dict[str, Any]:
        return {"record": self.record, "key": self.key, "logs": list(self.logs)}


def case(
    record: dict[str, Any], key: SigningKey | None = None, logs: Sequence[dict[str, Any]] = ()
) -> RecordCase:
    return RecordCase(
        json.dumps(record, ensure_ascii=False),
        None if key is None else public_key_text(key),
        tuple(serialize_log(log) for log in logs),
    )


def verify_py(item: RecordCase) -> dict[str, Any]:
    try:
        record = load_json(item.record.encode("utf-8"))
        parsed = [load_json(text.encode("utf-8")) for text in item.logs]
    except UnreadableInputError as error:
        return {"unreadable": str(error)}
    result = verify_record(record, item.key, parsed)
    return {
        "ok": result.ok,
        "location": result.location,
        "reason": result.reason,
        "message": result.message,
        "line": result.line(),
    }


def verify_js(cases: Sequence[RecordCase]) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [NODE, str(HARNESS)],
        input=json.dumps({"cases": [item.wire() for item in cases]}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: list[dict[str, Any]] = json.loads(completed.stdout)
    return answer


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    if "unreadable" in result:
        return {"unreadable": True}
    return {name: result[name] for name in ("ok", "location", "reason", "message", "line")}


def clone(value: Any) -> Any:
    return copy.deepcopy(value)
