"""A log built by hand from the spec alone (hashlib, json, nacl), not by the writer.

If the writer and both verifiers share a misreading of the spec, tests that use the
writer cannot see it; this file can.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from nacl.signing import SigningKey
from publication_helpers import Case, verify_both

from server.publication import LogWriter
from server.publication.log import FORMAT_1

SEED = bytes(range(32))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jcs(value: Any) -> bytes:
    # RFC 8785 for this log's values: integers only and no character beyond U+FFFF in a
    # member name, where it coincides with sorted, compact, UTF-8 JSON.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hand_built() -> tuple[dict[str, Any], SigningKey]:
    key = SigningKey(SEED)
    public_key = b64url(bytes(key.verify_key))
    room_id, title = "r-2026-clinic", "Clinic or bridge? Spending the reserve"
    rows: list[tuple[str, str, dict[str, Any] | None, dict[str, Any]]] = [
        (
            "2026-03-14T09:00:00Z",
            "log.opened",
            None,
            {"room_id": room_id, "title": title, "policy": "names", "public_key": public_key},
        ),
        (
            "2026-03-14T09:01:00Z",
            "proposal.tabled",
            {"name": "Zoë Adebayo", "organisation": "North Health Board"},
            {"text": "Spend the reserve on the clinic.", "version": 1},
        ),
        (
            "2026-03-14T09:05:00Z",
            "round.opened",
            None,
            {"round": "record_dissent"},
        ),
        (
            "2026-03-14T09:07:30.250Z",
            "dissent.recorded",
            {"name": "Søren Ødegård", "organisation": "Bridge Trust"},
            {"text": "The bridge is unsafe now; the clinic can wait a year.", "kind": "formal"},
        ),
        (
            "2026-03-14T09:10:00Z",
            "round.closed",
            None,
            {"round": "record_dissent"},
        ),
        (
            "2026-03-14T09:30:00Z",
            "decision.reached",
            None,
            {
                "outcome": "consented_with_concerns",
                "rules": {"speaking_cap": "0.4", "vote_cap": None},
                "fairness": {
                    "North Health Board": {
                        "speaking_ms": 240000,
                        "speaking_share": "0.666667",
                        "vote_weight_raw": "0.75",
                        "vote_weight_counted": "0.5",
                    },
                    "Bridge Trust": {
                        "speaking_ms": 120000,
                        "speaking_share": "0.333333",
                        "vote_weight_raw": "0.25",
                        "vote_weight_counted": "0.5",
                    },
                },
                "overrides": [],
            },
        ),
    ]
    entries: list[dict[str, Any]] = []
    prev = "0" * 64
    for seq, (moment, kind, actor, data) in enumerate(rows, start=1):
        entry = {
            "seq": seq,
            "at": moment,
            "type": kind,
            "actor": actor,
            "data": data,
            "prev": prev,
        }
        entry["hash"] = hashlib.sha256(jcs(entry)).hexdigest()
        prev = entry["hash"]
        entries.append(entry)
    signed_at = "2026-03-14T10:00:00Z"
    message = f"evenfloor-decision-log/1\n{room_id}\n{len(entries)}\n{prev}\n{signed_at}"
    signature = key.sign(message.encode()).signature
    document = {
        "format": "evenfloor-decision-log/1",
        "room": {"id": room_id, "title": title},
        "policy": "names",
        "public_key": public_key,
        "entries": entries,
        "head": {
            "seq": len(entries),
            "hash": prev,
            "signed_at": signed_at,
            "signature": b64url(signature),
        },
    }
    return document, key


def test_a_hand_built_log_verifies_with_both_verifiers() -> None:
    document, key = hand_built()
    for text in (json.dumps(document), json.dumps(document, indent=2, ensure_ascii=True)):
        result = verify_both(Case(text, key=b64url(bytes(key.verify_key))))
        assert result["ok"], result["line"]
        assert result["line"].startswith('OK "r-2026-clinic": 6 entries')


def test_the_hand_built_signature_covers_signed_at() -> None:
    document, _ = hand_built()
    document["head"]["signed_at"] = "2026-03-14T10:00:01Z"
    result = verify_both(Case(json.dumps(document)))
    assert (result["location"], result["reason"]) == ("head", "signature")


def test_the_writer_writes_the_hand_built_entries_byte_for_byte() -> None:
    document, key = hand_built()
    room = document["room"]
    writer = LogWriter(
        room["id"], room["title"], "names", key, opened_at="2026-03-14T09:00:00Z", format=FORMAT_1
    )
    for entry in document["entries"][1:]:
        writer.append(entry["type"], entry["data"], at=entry["at"], actor=entry["actor"])
    written = writer.publish("2026-03-14T10:00:00Z")
    assert written == document
