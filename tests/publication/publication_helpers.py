"""Shared helpers for the publication tests: fixed keys and times, and both verifiers."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import rfc8785
from nacl.signing import SigningKey

from server.publication.keys import public_key_text
from server.publication.log import serialize_log
from server.publication.verify import UnreadableInputError, load_json, verify_log

HERE = Path(__file__).parent
REPO = HERE.parent.parent
VERIFY_JS = REPO / "tools" / "verify-js" / "verify.mjs"
HARNESS = HERE / "js_harness.mjs"
NODE = shutil.which("node") or "/usr/bin/node"

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A fixed meeting time, `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


def key_from(seed_byte: int) -> SigningKey:
    return SigningKey(bytes([seed_byte]) * 32)


ROOM_KEY = key_from(1)
OTHER_KEY = key_from(2)
ROOM_PUBLIC = public_key_text(ROOM_KEY)


@dataclass(frozen=True)
class Case:
    """One verification: texts as a verifier receives them."""

    log: str
    previous: str | None = None
    key: str | None = None
    receipts: Sequence[str] = ()
    fairness: bool = False

    def wire(self) -> dict[str, Any]:
        return {
            "log": self.log,
            "previous": self.previous,
            "key": self.key,
            "receipts": list(self.receipts),
            "fairness": self.fairness,
        }


def verify_py(case: Case) -> dict[str, Any]:
    """The Python verifier on a case, shaped like the JavaScript harness's answer."""
    try:
        doc = load_json(case.log.encode("utf-8"))
        previous = None if case.previous is None else load_json(case.previous.encode("utf-8"))
        receipts = [load_json(text.encode("utf-8")) for text in case.receipts]
    except UnreadableInputError as error:
        return {"unreadable": str(error)}
    result = verify_log(doc, previous, case.key, receipts, fairness=case.fairness)
    answer = {
        "ok": result.ok,
        "location": result.location,
        "entry": result.entry,
        "reason": result.reason,
        "message": result.message,
        "line": result.line(),
    }
    if case.fairness and result.ok:
        answer["fair"] = result.fair
        answer["lines"] = result.lines()
    return answer


def run_js(request: dict[str, Any]) -> Any:
    completed = subprocess.run(
        [NODE, str(HARNESS)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout)


def verify_js(cases: Sequence[Case]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = run_js({"cases": [case.wire() for case in cases]})
    return result


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """What both verifiers must agree on: everything but the wording of unreadable input."""
    if "unreadable" in result:
        return {"unreadable": True}
    keys = ("ok", "location", "entry", "reason", "message", "line", "fair", "lines")
    return {key: result[key] for key in keys if key in result}


def verify_both(case: Case) -> dict[str, Any]:
    """Run both verifiers, assert they agree exactly, and return the Python answer."""
    python = verify_py(case)
    (javascript,) = verify_js([case])
    assert comparable(javascript) == comparable(python)
    return python


def text_of(document: dict[str, Any]) -> str:
    return serialize_log(document)


# -- logs to tamper with -------------------------------------------------------------------


def sample_log(entries: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A small decision, published with ROOM_KEY; and receipts for its contributions.

    `entries` adds that many extra statements to make the log longer.
    """
    from server.publication import LogWriter, decimal_string, issue_receipt

    ann = {"name": "Zoë Okafor", "organisation": "North Health Board"}
    bo = {"name": "Søren Lindqvist", "organisation": "Bridge Trust"}
    writer = LogWriter("room-7", "Clinic or bridge?", "names", ROOM_KEY, opened_at=at(0))
    writer.append(
        "proposal.tabled", {"text": "Spend the reserve on the clinic."}, at=at(60), actor=ann
    )
    writer.append("round.opened", {"round": "surface_conflict"}, at=at(120))
    own = [
        writer.append(
            "statement.added",
            {"text": "Waiting lists are long — très long."},
            at=at(130),
            actor=ann,
        ),
        writer.append("statement.added", {"text": "The bridge is unsafe."}, at=at(140), actor=bo),
    ]
    for extra in range(entries):
        writer.append("statement.added", {"text": f"Point {extra}."}, at=at(150 + extra), actor=bo)
    writer.append("round.closed", {"round": "surface_conflict"}, at=at(600))
    own.append(
        writer.append(
            "dissent.recorded",
            {"text": "Fix the bridge first.", "kind": "formal_dissent"},
            at=at(700),
            actor=bo,
        )
    )
    writer.append(
        "decision.reached",
        {
            "outcome": "consented_with_concerns",
            "rules": {"speaking_cap": decimal_string(Fraction(2, 5)), "vote_cap": None},
            "fairness": {
                "North Health Board": {
                    "speaking_ms": 200_000,
                    "speaking_share": decimal_string(Fraction(2, 3)),
                    "vote_weight_raw": "0.5",
                    "vote_weight_counted": "0.5",
                },
                "Bridge Trust": {
                    "speaking_ms": 100_000,
                    "speaking_share": decimal_string(Fraction(1, 3)),
                    "vote_weight_raw": "0.5",
                    "vote_weight_counted": "0.5",
                },
            },
            "overrides": [],
        },
        at=at(900),
    )
    document = writer.publish(at(1000))
    receipts = [issue_receipt("room-7", entry, ROOM_KEY) for entry in own]
    return json.loads(json.dumps(document)), receipts


def rehash(entry: dict[str, Any]) -> None:
    """Recompute one entry's hash as a forger would (from the spec, with rfc8785).

    For content RFC 8785 refuses (huge integers, lone surrogates) the forger falls back to
    sorted compact JSON: the verifiers must refuse such entries before they hash them.
    """
    body = {name: value for name, value in entry.items() if name != "hash"}
    try:
        canonical = rfc8785.dumps(body)
    except rfc8785.CanonicalizationError:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        canonical = text.encode("utf-8", "surrogatepass")
    entry["hash"] = hashlib.sha256(canonical).hexdigest()


def rechain(document: dict[str, Any], key: SigningKey | None = None) -> dict[str, Any]:
    """Renumber, relink and rehash every entry, then re-sign the head with `key` (if any).

    A forger who holds the key (the server itself) can do all of this; only an older copy,
    a receipt or an out-of-band key can then tell.
    """
    prev = "0" * 64
    for seq, entry in enumerate(document["entries"], start=1):
        entry["seq"] = seq
        entry["prev"] = prev
        rehash(entry)
        prev = entry["hash"]
    document["head"]["seq"] = len(document["entries"])
    document["head"]["hash"] = prev
    if key is not None:
        resign(document, key)
    return document


def resign(document: dict[str, Any], key: SigningKey) -> None:
    head = document["head"]
    message = (
        f"{document['format']}\n{document['room']['id']}\n{head['seq']}\n"
        f"{head['hash']}\n{head['signed_at']}"
    )
    signature = key.sign(message.encode()).signature
    head["signature"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def rekey(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """Publish the same history under another key: a whole forged log that verifies alone."""
    document["public_key"] = public_key_text(key)
    document["entries"][0]["data"]["public_key"] = public_key_text(key)
    return rechain(document, key)


def dumps(value: Any) -> str:
    """JSON text as a publisher would write it (lone surrogates, if any, as escapes)."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
